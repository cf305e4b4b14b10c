"""Dashboard, add, edit and delete pages for the logged-in user's expenses."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import ValidationError
from ..services import expenses, reports
from ..services.categories import category_suggestions
from .forms import ExpenseForm

bp = Blueprint("expenses", __name__)

FIELDS = ("date", "amount", "category", "description")


def _submitted(form: ExpenseForm) -> dict[str, str | None]:
    return {name: form[name].data for name in FIELDS}


def _describe(expense) -> str:
    return f"{expense.amount:,.2f} in {expense.category.name} on {expense.date.isoformat()}"


def _render_dashboard(form: ExpenseForm, status: int = 200):
    user_id = current_user.id
    page = expenses.list_expenses(
        user_id,
        limit=current_app.config["EXPENSES_PER_PAGE"],
        before=expenses.Cursor.parse(request.args.get("before")),
        after=expenses.Cursor.parse(request.args.get("after")),
    )
    return (
        render_template(
            "expenses/dashboard.html",
            form=form,
            page=page,
            summary=reports.spending_summary(user_id),
            suggestions=category_suggestions(user_id),
        ),
        status,
    )


@bp.get("/")
def index():
    """Show the dashboard to a user, or the welcome page to a visitor."""
    if not current_user.is_authenticated:
        return render_template("expenses/welcome.html")
    # "Today" is the server's local date.
    return _render_dashboard(ExpenseForm(data={"date": dt.date.today().isoformat()}))


@bp.post("/expenses")
@login_required
def create():
    """Add an expense from the dashboard form."""
    form = ExpenseForm()
    try:
        expense = expenses.create_expense(current_user.id, _submitted(form))
    except ValidationError as error:
        form.show_errors(error.errors)
        return _render_dashboard(form, 400)
    flash(f"Added {_describe(expense)}.", "success")
    return redirect(url_for("expenses.index"))


@bp.route("/expenses/<int:expense_id>/edit", methods=["GET", "POST"])
@login_required
def edit(expense_id: int):
    """Show and save the edit form of one of the user's expenses."""
    expense = expenses.get_expense(current_user.id, expense_id)
    form = ExpenseForm(
        data={
            "date": expense.date.isoformat(),
            "amount": f"{expense.amount:.2f}",
            "category": expense.category.name,
            "description": expense.description,
        }
    )
    if request.method == "POST":
        try:
            expense = expenses.update_expense(current_user.id, expense_id, _submitted(form))
        except ValidationError as error:
            form.show_errors(error.errors)
            return _render_edit(form, expense_id, 400)
        flash(f"Saved {_describe(expense)}.", "success")
        return redirect(url_for("expenses.index"))
    return _render_edit(form, expense_id)


def _render_edit(form: ExpenseForm, expense_id: int, status: int = 200):
    return (
        render_template(
            "expenses/edit.html",
            form=form,
            expense_id=expense_id,
            suggestions=category_suggestions(current_user.id),
        ),
        status,
    )


@bp.post("/expenses/<int:expense_id>/delete")
@login_required
def delete(expense_id: int):
    """Delete one of the user's expenses."""
    expense = expenses.delete_expense(current_user.id, expense_id)
    flash(f"Deleted {_describe(expense)}.", "success")
    return redirect(url_for("expenses.index"))
