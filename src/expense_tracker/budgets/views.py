"""The budgets page: every budget in one form; blank removes one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import HiddenField, StringField

from ..errors import ValidationError
from ..forms import ServiceForm
from ..money import formatter_for, typed_in
from ..services import budgets

bp = Blueprint("budgets", __name__)


class BudgetForm(ServiceForm):
    """The overall budget; `budget_form` adds a field per category."""

    overall = StringField("All spending")


def budget_form(choices: list[budgets.BudgetChoice], overall=None) -> BudgetForm:
    """A form with the overall budget and, per category, its name (hidden) and amount.

    The names travel with the form, so a category made meanwhile cannot shift the fields.
    """

    class Form(BudgetForm):
        pass

    data = {"overall": _amount_text(overall)}
    for index, choice in enumerate(choices):
        setattr(Form, f"name_{index}", HiddenField())
        setattr(Form, f"amount_{index}", StringField(choice.name))
        data |= {f"name_{index}": choice.name, f"amount_{index}": _amount_text(choice.amount)}
    return Form(data=data)


def _amount_text(amount) -> str:
    """A stored budget as the user types amounts (`1234,50` in German)."""
    if amount is None:
        return ""
    return formatter_for(current_user).number(amount, grouped=False)


def _category_fields(form: BudgetForm) -> list[tuple]:
    """(name field, amount field) of each category, in the form's order."""
    pairs = []
    index = 0
    while f"name_{index}" in form:
        pairs.append((form[f"name_{index}"], form[f"amount_{index}"]))
        index += 1
    return pairs


@bp.route("/budgets", methods=["GET", "POST"])
@login_required
def edit():
    """Show every budget in one form, and save them all at once."""
    overall, choices = budgets.budget_choices(current_user.id)
    form = budget_form(choices, overall)
    # The CSRF token is checked for every POST before this view runs.
    if form.is_submitted():
        pairs = [(name, amount) for name, amount in _category_fields(form) if name.data]
        try:
            budgets.replace_budgets(
                current_user.id,
                form.overall.data,
                {name.data: amount.data for name, amount in pairs},
                **typed_in(current_user),
            )
        except ValidationError as error:
            by_name = {budgets.category_key(name.data): amount.name for name, amount in pairs}
            form.show_errors(
                {by_name.get(key, "overall"): message for key, message in error.errors.items()}
            )
            return _render(form, 400)
        flash("Saved your budgets.", "success")
        return redirect(url_for("budgets.edit"))
    return _render(form)


def _render(form: BudgetForm, status: int = 200):
    return (
        render_template(
            "budgets/edit.html",
            form=form,
            categories=_category_fields(form),
            money_format=formatter_for(current_user),
        ),
        status,
    )
