"""Quick add: amount, a tap on a category, save; then what was stored, with an Undo."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from .. import clock
from ..errors import NotFound, Stale, ValidationError
from ..expenses.forms import FIELDS, ExpenseForm
from ..expenses.views import chosen_date, form_focus
from ..forms import opened_version
from ..money import formatter_for, typed_in
from ..services import expenses
from ..services.categories import category_names, with_defaults
from ..services.category_choice import UnknownCategory, most_used_categories

bp = Blueprint("quick_add", __name__)


def _day_words(day: dt.date) -> str:
    """ "today", "yesterday" or "on 2026-11-28": how the confirmation names the day."""
    today = clock.today()
    if day == today:
        return "today"
    if day == today - dt.timedelta(days=1):
        return "yesterday"
    return f"on {day.isoformat()}"


def _stored_words(expense) -> str:
    amount = formatter_for(current_user).money(expense.amount)
    return f"{amount} in {expense.category.name}, {_day_words(expense.date)}"


def _next_url(day: dt.date, **values: str) -> str:
    """/add for the next expense, keeping the date unless it is today (which follows the clock)."""
    args = {"date": day.isoformat()} if day != clock.today() else {}
    return url_for("quick_add.index", **args, **values)


def _stored(raw: str | None):
    """The expense just stored, named by the URL, if it is still the user's; else None."""
    text = raw or ""
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        return None
    try:
        return expenses.get_expense(current_user.id, int(text))
    except NotFound:
        return None


def _render(form: ExpenseForm, status: int = 200, focus: str = "amount", question=None):
    user_id = current_user.id
    day = chosen_date(form.date.data) or clock.today()
    stored = _stored(request.args.get("stored")) if request.method == "GET" else None
    return (
        render_template(
            "quick_add/index.html",
            form=form,
            money_format=formatter_for(current_user),
            chips=most_used_categories(user_id, clock.today()),
            suggestions=with_defaults(category_names(user_id)),
            focus=focus,
            question=question,
            stored=stored,
            stored_words=_stored_words(stored) if stored else "",
            day_words=_day_words(day),
            today=clock.today().isoformat(),
            more_open=day != clock.today() or bool(form.date.errors or form.description.errors),
        ),
        status,
    )


@bp.get("/add")
@login_required
def index():
    """Show the quick add form: Amount focused, the most used categories as buttons."""
    day = chosen_date(request.args.get("date")) or clock.today()
    # After an Undo the URL carries the removed expense's fields, to put right and save again.
    values = {name: request.args.get(name, "") for name in FIELDS if name != "date"}
    return _render(ExpenseForm(formdata=None, data={"date": day.isoformat(), **values}))


@bp.post("/add")
@login_required
def create():
    """Store the expense, then show what was stored, ready for the next one."""
    form = ExpenseForm()
    try:
        expense = _create(form).expense
    except ValidationError as error:
        form.show_errors(error.errors)
        question = error if isinstance(error, UnknownCategory) else None
        return _render(form, 400, form_focus(error.errors, question), question)
    return redirect(_next_url(expense.date, stored=str(expense.id)))


def _create(form: ExpenseForm) -> expenses.Created:
    return expenses.create_expense_once(
        current_user.id,
        form.client_id.data,
        form.submitted(),
        ask_new_category=True,
        **typed_in(current_user),
    )


@bp.get("/add/sync")
@login_required
def sync_token():
    """A form token for sending the expenses kept on this device (app.js asks first)."""
    return {"csrf_token": generate_csrf()}


@bp.post("/add/sync")
@login_required
def sync():
    """Store an expense made on a device (offline, perhaps), as quick add would, in JSON.

    Each carries the id the device made for it: sent again, the expense stored the first
    time is the answer (200, not 201), so a queue that never heard back may send it again.
    A refusal (400) says why, field by field, for the device to keep beside the expense.
    """
    form = ExpenseForm()
    if not form.client_id.data:
        return _refused({"client_id": "An expense sent from a device needs the id it made."})
    try:
        made = _create(form)
    except ValidationError as error:
        return _refused(error.errors)
    expense = made.expense
    answer = {
        "id": expense.id,
        "stored": f"Stored {_stored_words(expense)}.",
        "next": _next_url(expense.date, stored=str(expense.id)),
    }
    return answer, 201 if made.new else 200


def _refused(errors: dict[str, str]):
    return {"message": " ".join(errors.values()), "errors": errors}, 400


@bp.post("/add/<int:expense_id>/undo")
@login_required
def undo(expense_id: int):
    """Delete the expense just stored (another user's is not found), its values kept to edit."""
    try:
        expense = expenses.delete_expense(
            current_user.id, expense_id, versions=opened_version(request.form.get("version"))
        )
    except Stale:
        flash("It was changed since it was stored, so it was not undone.", "info")
        return redirect(url_for("expenses.edit", expense_id=expense_id))
    flash(f"Undone: {_stored_words(expense)} is not stored any more.", "success")
    amount = formatter_for(current_user).number(expense.amount, grouped=False)
    return redirect(
        _next_url(
            expense.date,
            amount=amount,
            category=expense.category.name,
            description=expense.description,
        )
    )
