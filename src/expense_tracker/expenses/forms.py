"""Expense forms; the rules they are checked against live in services.expenses."""

from wtforms import HiddenField, StringField

from ..forms import ServiceForm


class ExpenseForm(ServiceForm):
    """The four fields of an expense, for adding and editing."""

    date = StringField("Date")
    amount = StringField("Amount")
    category = StringField("Category")
    description = StringField("Description")
    # The version of the expense the edit page showed; a save from an older one is refused.
    version = HiddenField()
