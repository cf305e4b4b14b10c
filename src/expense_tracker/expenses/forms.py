"""Expense forms; the rules they are checked against live in services.expenses."""

from wtforms import HiddenField, StringField

from ..forms import ServiceForm

FIELDS = ("date", "amount", "category", "description")


class ExpenseForm(ServiceForm):
    """The four fields of an expense, for adding and editing."""

    date = StringField("Date")
    amount = StringField("Amount")
    category = StringField("Category")
    description = StringField("Description")
    # The version of the expense the edit page showed; a save from an older one is refused.
    version = HiddenField()
    # Answers to "There is no category 'Gro' yet": a near match's button names the category
    # picked instead; the box names the new category the person agreed to make.
    pick_category = HiddenField()
    new_category = HiddenField()
    # The id the page's script made for this expense: sent twice (a double tap, a replay
    # from the device's queue), it is stored once.
    client_id = HiddenField()
    # Quick add's large buttons of the most used categories (radio buttons); a typed name wins.
    chip = HiddenField()

    def submitted(self) -> dict[str, str | None]:
        """The expense's fields as sent, the category as picked, for the services."""
        values: dict[str, str | None] = {name: self[name].data for name in FIELDS}
        chosen = self.pick_category.data or values["category"] or self.chip.data
        values["category"] = chosen
        values["new_category"] = self.new_category.data
        return values
