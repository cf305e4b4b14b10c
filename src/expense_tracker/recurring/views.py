"""Pages for the logged-in user's recurring expenses; services.recurring holds the rules."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock
from ..errors import Stale, ValidationError
from ..forms import opened_version, quoted, your_change
from ..models import RecurringExpense
from ..money import formatter_for, typed_in
from ..services import recurring
from ..services.categories import category_names, with_defaults
from .forms import RecurringForm

bp = Blueprint("recurring", __name__, url_prefix="/recurring")


@bp.before_app_request
def make_due_expenses() -> None:
    """Make what became due for the signed-in person before a page reads anything.

    Here rather than in the dashboard, which only reads: every page then shows the same
    figures. Static files and the API (which has its own hook, by token) are left alone.
    """
    if request.endpoint == "static" or request.blueprint in ("api", "api_docs"):
        return
    if current_user.is_authenticated:
        recurring.make_due_for(current_user, clock.today())


FIELDS = (
    "amount",
    "category",
    "description",
    "frequency",
    "start_date",
    "day_of_month",
    "end_date",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 11 <= number % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


@bp.app_template_filter("schedule")
def describe_schedule(recurring_expense: RecurringExpense) -> str:
    """The schedule in words, such as "Monthly on the 31st (or the month's last day)"."""
    if recurring_expense.frequency == "weekly":
        return f"Weekly on {WEEKDAYS[recurring_expense.start_date.weekday()]}"
    if recurring_expense.frequency == "monthly":
        day = recurring_expense.day_of_month or recurring_expense.start_date.day
        shorter = " (or the month's last day)" if day > 28 else ""
        return f"Monthly on the {_ordinal(day)}{shorter}"
    start = recurring_expense.start_date
    leap = " (28 Feb in other years)" if (start.month, start.day) == (2, 29) else ""
    return f"Yearly on {start:%-d %b}{leap}"


def _submitted(form: RecurringForm) -> dict[str, str | None]:
    return {name: form[name].data for name in FIELDS}


def _describe(recurring_expense: RecurringExpense) -> str:
    what = recurring_expense.description or recurring_expense.category.name
    amount = formatter_for(current_user).money(recurring_expense.amount)
    return f"{what} ({amount}, {describe_schedule(recurring_expense).lower()})"


def _render_index(form: RecurringForm, status: int = 200):
    recurring_expenses = recurring.list_recurring(current_user.id)
    return (
        render_template(
            "recurring/index.html",
            form=form,
            recurring_expenses=recurring_expenses,
            status_of=recurring.status_of,
            frequencies=recurring.FREQUENCIES,
            suggestions=with_defaults(category_names(current_user.id)),
            money_format=formatter_for(current_user),
        ),
        status,
    )


@bp.get("")
@login_required
def index():
    """List the user's recurring expenses, with the form to add one."""
    form = RecurringForm(data={"frequency": "monthly", "start_date": clock.today().isoformat()})
    return _render_index(form)


@bp.post("")
@login_required
def create():
    """Add a recurring expense; its dates up to today become expenses at once."""
    form = RecurringForm()
    try:
        recurring_expense = recurring.create_recurring(
            current_user.id, _submitted(form), clock.today(), **typed_in(current_user)
        )
    except ValidationError as error:
        form.show_errors(error.errors)
        return _render_index(form, 400)
    flash(f"Added {_describe(recurring_expense)}.", "success")
    return redirect(url_for("recurring.index"))


def _stored_values(recurring_expense: RecurringExpense) -> dict[str, str]:
    """The recurring expense as the edit form shows it, with the version it was read at."""
    return {
        "amount": formatter_for(current_user).number(recurring_expense.amount, grouped=False),
        "category": recurring_expense.category.name,
        "description": recurring_expense.description,
        "frequency": recurring_expense.frequency,
        "start_date": recurring_expense.start_date.isoformat(),
        "day_of_month": str(recurring_expense.day_of_month or ""),
        "end_date": recurring_expense.end_date.isoformat() if recurring_expense.end_date else "",
        "version": str(recurring_expense.version),
    }


def _change_of(submitted: dict[str, str | None]) -> str:
    """What a refused save held, as typed, in the order of the form."""
    day, end = submitted["day_of_month"], submitted["end_date"]
    return your_change(
        submitted["amount"],
        submitted["category"],
        quoted(submitted["description"]),
        recurring.FREQUENCIES.get(submitted["frequency"] or "", submitted["frequency"]),
        f"starting {submitted['start_date']}" if submitted["start_date"] else "",
        f"on day {day}" if day and day.strip() else "",
        f"ending {end}" if end and end.strip() else "",
    )


def _render_stale(error: Stale, message: str, change: str = ""):
    """The edit page again, with the values stored now, why nothing was done, and `change`."""
    form = RecurringForm(formdata=None, data=_stored_values(error.current))
    return _render_edit(form, error.current, 409, stale=f"{error} {message}", change=change)


@bp.route("/<int:recurring_id>/edit", methods=["GET", "POST"])
@login_required
def edit(recurring_id: int):
    """Show and save the edit form of one of the user's recurring expenses."""
    recurring_expense = recurring.get_recurring(current_user.id, recurring_id)
    form = RecurringForm(data=_stored_values(recurring_expense))
    if request.method == "POST":
        submitted = _submitted(form)
        try:
            recurring_expense = recurring.update_recurring(
                current_user.id,
                recurring_id,
                submitted,
                clock.today(),
                versions=opened_version(form.version.data),
                **typed_in(current_user),
            )
        except ValidationError as error:
            form.show_errors(error.errors)
            return _render_edit(form, recurring_expense, 400)
        except Stale as error:
            return _render_stale(
                error, "Nothing was saved: these are its values now.", _change_of(submitted)
            )
        flash(f"Saved {_describe(recurring_expense)}. The changes apply from tomorrow.", "success")
        return redirect(url_for("recurring.index"))
    return _render_edit(form, recurring_expense)


def _render_edit(
    form: RecurringForm,
    recurring_expense: RecurringExpense,
    status: int = 200,
    stale: str = "",
    change: str = "",
):
    return (
        render_template(
            "recurring/edit.html",
            form=form,
            recurring_expense=recurring_expense,
            stale=stale,
            change=change,
            frequencies=recurring.FREQUENCIES,
            suggestions=with_defaults(category_names(current_user.id)),
            money_format=formatter_for(current_user),
        ),
        status,
    )


@bp.post("/<int:recurring_id>/pause")
@login_required
def pause(recurring_id: int):
    """Pause a recurring expense; the dates that pass while paused are skipped."""
    recurring_expense = recurring.pause_recurring(current_user.id, recurring_id, clock.today())
    flash(f"Paused {_describe(recurring_expense)}.", "success")
    return redirect(url_for("recurring.index"))


@bp.post("/<int:recurring_id>/resume")
@login_required
def resume(recurring_id: int):
    """Resume a paused recurring expense from today."""
    recurring_expense = recurring.resume_recurring(current_user.id, recurring_id, clock.today())
    flash(f"Resumed {_describe(recurring_expense)}.", "success")
    return redirect(url_for("recurring.index"))


@bp.post("/<int:recurring_id>/end")
@login_required
def end(recurring_id: int):
    """End a recurring expense today."""
    recurring_expense = recurring.end_recurring(current_user.id, recurring_id, clock.today())
    flash(f"Ended {_describe(recurring_expense)}.", "success")
    return redirect(url_for("recurring.index"))


@bp.post("/<int:recurring_id>/delete")
@login_required
def delete(recurring_id: int):
    """Delete a recurring expense; the expenses it made stay."""
    try:
        recurring_expense = recurring.delete_recurring(
            current_user.id, recurring_id, versions=opened_version(request.form.get("version"))
        )
    except Stale as error:
        return _render_stale(error, "It was not deleted: these are its values now.")
    flash(f"Deleted {_describe(recurring_expense)}. The expenses it made are kept.", "success")
    return redirect(url_for("recurring.index"))
