"""Dashboard, add, edit and delete pages for the logged-in user's expenses."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from .. import clock
from ..errors import Stale, ValidationError
from ..forms import opened_version, quoted, your_change
from ..money import formatter_for, typed_in
from ..services import expenses, trends
from ..services.categories import category_names, with_defaults
from ..services.category_choice import UnknownCategory
from ..services.dashboard import dashboard
from ..services.filters import PERIODS, ExpenseFilter, parse_filter
from .forms import ExpenseForm
from .rendering import amount_heading, expense_rows, summary_chart, trend_chart

bp = Blueprint("expenses", __name__)
bp.add_app_template_global(expense_rows)
bp.add_app_template_global(amount_heading)

FILTER_KEYS = ("period", "from", "to", "category", "q", "min", "max")


def _describe(expense) -> str:
    amount = formatter_for(current_user).money(expense.amount)
    return f"{amount} in {expense.category.name} on {expense.date.isoformat()}"


def _filter_args() -> dict[str, str]:
    """The filter parameters of this request, to carry into links and redirects."""
    return {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}


def _dashboard_url() -> str:
    return url_for("expenses.index", **_filter_args())


def _period_links(
    expense_filter: ExpenseFilter, filter_args: dict[str, str]
) -> list[tuple[str, str, str]]:
    """(key, label, URL) of each period, keeping the other filters; Custom starts from now."""
    kept = {k: v for k, v in filter_args.items() if k not in ("period", "from", "to")}
    links = []
    for key, label in PERIODS.items():
        args = {**kept, "period": key}
        if key == "custom":
            args |= {
                "from": expense_filter.start.isoformat() if expense_filter.start else "",
                "to": expense_filter.end.isoformat() if expense_filter.end else "",
            }
        links.append((key, label, url_for("expenses.index", **args)))
    return links


def _row_urls(filter_args: dict[str, str]) -> dict[str, list[str]]:
    """Each row action's URL split around "/<expense id>/", built once per page.

    url_for costs several microseconds; a full page would call it a hundred times.
    """
    return {
        action: url_for(f"expenses.{action}", expense_id=0, **filter_args).split("/0/", 1)
        for action in ("edit", "delete")
    }


def _read_filter(today: dt.date) -> tuple[ExpenseFilter, dict[str, str]]:
    """The request's filter, or the default one and the messages saying what was wrong."""
    try:
        return parse_filter(request.args, today, **typed_in(current_user)), {}
    except ValidationError as error:
        return parse_filter({}, today), error.errors


def _render_dashboard(
    form: ExpenseForm, status: int = 200, focus: str | None = None, question=None
):
    # "Today" is the server's local date.
    today = clock.today()
    expense_filter, filter_errors = _read_filter(today)
    if filter_errors:
        status = 400
    money_format = formatter_for(current_user)
    # What recurring expenses made due was made as the request began (recurring.views).
    # A text or amount condition leaves the trend out (it would read a year of expenses):
    # the page leaves it to /trend/card, which app.js fetches once the page is shown.
    board = dashboard(
        current_user.id,
        expense_filter,
        today,
        limit=current_app.config["EXPENSES_PER_PAGE"],
        before=expenses.Cursor.parse(request.args.get("before")),
        after=expenses.Cursor.parse(request.args.get("after")),
    )
    filter_args = _filter_args()
    return (
        render_template(
            "expenses/dashboard.html",
            dashboard=board,
            form=form,
            page=board.expenses,
            summary=board.summary,
            chart=summary_chart(board.summary, money_format),
            money_format=money_format,
            trend_months=board.trend_months,
            trend_chart=trend_chart(board.trend, money_format) if board.trend else None,
            comparison=board.comparison,
            expense_filter=expense_filter,
            filter_args=filter_args,
            row_urls=_row_urls(filter_args),
            filter_errors=filter_errors,
            period_links=_period_links(expense_filter, filter_args),
            is_new_user=board.is_new_user,
            categories=board.categories,
            suggestions=with_defaults(board.categories),
            focus=focus,
            question=question,
        ),
        status,
    )


def chosen_date(raw: str | None) -> dt.date | None:
    """The add form's date carried in a URL after a save, if it is one; else None."""
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


def form_focus(errors: dict[str, str], question) -> str:
    """The field to focus when a form comes back: the question, else the first one wrong."""
    if question is not None:
        return "question"
    return next(
        (name for name in ("date", "amount", "category", "description") if name in errors), "amount"
    )


@bp.get("/")
def index():
    """Show the dashboard to a user, or the welcome page to a visitor."""
    if not current_user.is_authenticated:
        return render_template("expenses/welcome.html")
    # After a save the URL carries the date the person had chosen, and focus goes back to
    # Amount for the next receipt; the category is not kept (see README: Adding expenses).
    kept = chosen_date(request.args.get("date"))
    day = kept or clock.today()
    return _render_dashboard(
        ExpenseForm(data={"date": day.isoformat()}), focus="amount" if kept else None
    )


def _trend_of_request():
    """The monthly trend of the request's filter, as the card's template values."""
    today = clock.today()
    expense_filter, filter_errors = _read_filter(today)
    if filter_errors:
        abort(400)
    trend = trends.monthly_trend(current_user.id, expense_filter, today)
    return {
        "expense_filter": expense_filter,
        "filter_args": _filter_args(),
        "trend_months": trends.trend_months(expense_filter, today),
        "trend_chart": trend_chart(trend, formatter_for(current_user)),
    }


@bp.get("/trend")
@login_required
def trend():
    """Show the monthly trend of a filter on a page of its own (the dashboard's link)."""
    return render_template("expenses/trend.html", **_trend_of_request())


@bp.get("/trend/card")
@login_required
def trend_card():
    """Answer the trend's card alone, which app.js puts in place on the dashboard."""
    return render_template("expenses/_trend.html", **_trend_of_request())


@bp.post("/expenses")
@login_required
def create():
    """Add an expense from the dashboard form."""
    form = ExpenseForm()
    try:
        expense = expenses.create_expense_once(
            current_user.id,
            form.client_id.data,
            form.submitted(),
            ask_new_category=True,
            **typed_in(current_user),
        ).expense
    except ValidationError as error:
        form.show_errors(error.errors)
        question = error if isinstance(error, UnknownCategory) else None
        return _render_dashboard(form, 400, form_focus(error.errors, question), question)
    flash(f"Added {_describe(expense)}.", "success")
    return redirect(url_for("expenses.index", **_filter_args(), date=expense.date.isoformat()))


def _stored_values(expense) -> dict[str, str]:
    """The expense as the edit form shows it, with the version it was read at."""
    return {
        "date": expense.date.isoformat(),
        "amount": formatter_for(current_user).number(expense.amount, grouped=False),
        "category": expense.category.name,
        "description": expense.description,
        "version": str(expense.version),
    }


def _render_stale(error: Stale, expense_id: int, message: str, change: str = ""):
    """The edit page again, with the values stored now, why nothing was done, and `change`."""
    form = ExpenseForm(formdata=None, data=_stored_values(error.current))
    return _render_edit(form, expense_id, 409, stale=f"{error} {message}", change=change)


def _change_of(submitted: dict[str, str | None]) -> str:
    """What a refused save held, as typed: "Your change: 12.50, Food, 2026-12-01, 'lunch'."."""
    return your_change(
        submitted["amount"],
        submitted["category"],
        submitted["date"],
        quoted(submitted["description"]),
    )


@bp.route("/expenses/<int:expense_id>/edit", methods=["GET", "POST"])
@login_required
def edit(expense_id: int):
    """Show and save the edit form of one of the user's expenses."""
    expense = expenses.get_expense(current_user.id, expense_id)
    form = ExpenseForm(data=_stored_values(expense))
    if request.method == "POST":
        submitted = form.submitted()
        try:
            expense = expenses.update_expense(
                current_user.id,
                expense_id,
                submitted,
                versions=opened_version(form.version.data),
                ask_new_category=True,
                **typed_in(current_user),
            )
        except ValidationError as error:
            form.show_errors(error.errors)
            question = error if isinstance(error, UnknownCategory) else None
            return _render_edit(
                form, expense_id, 400, question=question, focus=form_focus(error.errors, question)
            )
        except Stale as error:
            return _render_stale(
                error,
                expense_id,
                "Nothing was saved: these are its values now.",
                _change_of(submitted),
            )
        flash(f"Saved {_describe(expense)}.", "success")
        return redirect(_dashboard_url())
    return _render_edit(form, expense_id)


def _render_edit(
    form: ExpenseForm,
    expense_id: int,
    status: int = 200,
    stale: str = "",
    change: str = "",
    question=None,
    focus: str | None = None,
):
    return (
        render_template(
            "expenses/edit.html",
            form=form,
            stale=stale,
            change=change,
            money_format=formatter_for(current_user),
            expense_id=expense_id,
            filter_args=_filter_args(),
            suggestions=with_defaults(category_names(current_user.id)),
            focus=focus,
            question=question,
        ),
        status,
    )


@bp.post("/expenses/<int:expense_id>/delete")
@login_required
def delete(expense_id: int):
    """Delete one of the user's expenses."""
    try:
        expense = expenses.delete_expense(
            current_user.id, expense_id, versions=opened_version(request.form.get("version"))
        )
    except Stale as error:
        return _render_stale(error, expense_id, "It was not deleted: these are its values now.")
    flash(f"Deleted {_describe(expense)}.", "success")
    return redirect(_dashboard_url())
