"""The recurring expense form; the rules it is checked against live in services.recurring."""

from wtforms import HiddenField, StringField

from ..forms import ServiceForm


class RecurringForm(ServiceForm):
    """A recurring expense's amount, category, description and schedule, for adding and editing."""

    amount = StringField("Amount")
    category = StringField("Category")
    description = StringField("Description")
    frequency = StringField("Repeats")
    start_date = StringField("Starts on")
    day_of_month = StringField("Day of the month")
    end_date = StringField("Ends on")
    # The version the edit page showed; a save from an older one is refused.
    version = HiddenField()
