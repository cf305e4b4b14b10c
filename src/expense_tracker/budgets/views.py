"""The budgets page: every budget in one form; blank removes one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import HiddenField, StringField

from ..errors import Stale, ValidationError
from ..forms import ServiceForm, your_change
from ..models import Category
from ..money import formatter_for, typed_in
from ..services import budgets

bp = Blueprint("budgets", __name__)


class BudgetForm(ServiceForm):
    """The overall budget; `budget_form` adds a field per category."""

    overall = StringField("All spending")
    # What the page showed, so that a save over a budget changed meanwhile is refused.
    shown_overall = HiddenField()


def budget_form(
    choices: list[budgets.BudgetChoice], overall=None, typed: dict[str, str] | None = None
) -> BudgetForm:
    """A form with the overall budget and, per category, its name (hidden) and amount.

    The names travel with the form, so a category made meanwhile cannot shift the fields;
    so do the amounts shown (`shown_…`, hidden). With `typed` (field name to value), the
    form shows those instead of the stored amounts, whatever the request sent.
    """

    class Form(BudgetForm):
        pass

    data = {"overall": _amount_text(overall), "shown_overall": budgets.shown_amount(overall)}
    for index, choice in enumerate(choices):
        setattr(Form, f"name_{index}", HiddenField())
        setattr(Form, f"shown_{index}", HiddenField())
        setattr(Form, f"amount_{index}", StringField(choice.name))
        data |= {
            f"name_{index}": choice.name,
            f"shown_{index}": budgets.shown_amount(choice.amount),
            f"amount_{index}": _amount_text(choice.amount),
        }
    if typed is None:
        return Form(data=data)
    return Form(formdata=None, data=data | typed)


def _amount_text(amount) -> str:
    """A stored budget as the user types amounts (`1234,50` in German)."""
    if amount is None:
        return ""
    return formatter_for(current_user).number(amount, grouped=False)


def _category_fields(form: BudgetForm) -> list[tuple]:
    """(name field, amount field, shown field) of each category, in the form's order."""
    rows = []
    index = 0
    while f"name_{index}" in form:
        rows.append((form[f"name_{index}"], form[f"amount_{index}"], form[f"shown_{index}"]))
        index += 1
    return rows


@bp.route("/budgets", methods=["GET", "POST"])
@login_required
def edit():
    """Show every budget in one form, and save them all at once."""
    overall, choices = budgets.budget_choices(current_user.id)
    form = budget_form(choices, overall)
    # The CSRF token is checked for every POST before this view runs.
    if form.is_submitted():
        rows = [row for row in _category_fields(form) if row[0].data]
        try:
            budgets.replace_budgets(
                current_user.id,
                form.overall.data,
                {name.data: amount.data for name, amount, _ in rows},
                shown=_shown(form, rows),
                **typed_in(current_user),
            )
        except ValidationError as error:
            by_name = {budgets.category_key(name.data): amount.name for name, amount, _ in rows}
            form.show_errors(
                {by_name.get(key, "overall"): message for key, message in error.errors.items()}
            )
            return _render(form, 400)
        except Stale as error:
            typed = {name.data: amount.data or "" for name, amount, _ in rows}
            return _render_stale(error, form.overall.data or "", typed)
        flash("Saved your budgets.", "success")
        return redirect(url_for("budgets.edit"))
    return _render(form)


def _shown(form: BudgetForm, rows: list[tuple]) -> budgets.Shown | None:
    """The amounts the page showed, as the service checks them; None when none were sent.

    A form without them (from a page made before it kept them, or a script) is saved as
    before, the last save winning. A field left out is not filled in from the stored
    amounts, as the others are: it would be checked against another row's.
    """
    if form.shown_overall.name not in request.form:
        return None
    return budgets.Shown(
        form.shown_overall.data,
        {name.data: shown.data for name, _, shown in rows if shown.name in request.form},
    )


def _render_stale(error: Stale, overall: str, typed: dict[str, str]):
    """The page again, as stored now: the changed budgets at their new amounts, each with
    what the user typed beside it, and every other field as the user typed it."""
    changed = {
        (None if name is None else Category.key_for(name)): amount
        for name, amount in error.current.items()
    }
    typed_by_key = {Category.key_for(name): amount for name, amount in typed.items()}
    stored_overall, choices = budgets.budget_choices(current_user.id)
    # (field, its budget's key in `changed`, what the user typed into it)
    fields = [("overall", None, overall)]
    for index, choice in enumerate(choices):
        key = Category.key_for(choice.name)
        fields.append((f"amount_{index}", key, typed_by_key.get(key, "")))
    values: dict[str, str] = {}
    messages: dict[str, str] = {}
    for field, key, was_typed in fields:
        if key not in changed:
            values[field] = was_typed
            continue
        now = changed[key]
        what = "Removed meanwhile." if now is None else f"Changed meanwhile to {_amount_text(now)}."
        messages[field] = f"{what} {your_change(was_typed) or 'Your change: no budget.'}"
    form = budget_form(choices, stored_overall, typed=values)
    form.show_errors(messages)
    notice = (
        f"{error} Nothing was saved: the changed ones show their amounts now, with what you"
        " typed beside them; the others keep what you typed. Save again to apply it."
    )
    return _render(form, 409, stale=notice)


def _render(form: BudgetForm, status: int = 200, stale: str = ""):
    return (
        render_template(
            "budgets/edit.html",
            form=form,
            categories=_category_fields(form),
            money_format=formatter_for(current_user),
            stale=stale,
        ),
        status,
    )
