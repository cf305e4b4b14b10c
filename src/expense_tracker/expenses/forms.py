"""Expense forms; the rules they are checked against live in services.expenses."""

from wtforms import StringField

from ..forms import ServiceForm


class ExpenseForm(ServiceForm):
    """The four fields of an expense, for adding and editing."""

    date = StringField("Date")
    amount = StringField("Amount")
    category = StringField("Category")
    description = StringField("Description")
