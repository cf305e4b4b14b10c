"""Pages for the logged-in user's recurring expenses; services.recurring holds the rules."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock
from ..errors import ValidationError
from ..models import RecurringExpense
from ..money import formatter_for, typed_in
from ..services import recurring
from ..services.categories import category_names, with_defaults
from .forms import RecurringForm

bp = Blueprint("recurring", __name__, url_prefix="/recurring")

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
def describe_schedule(template: RecurringExpense) -> str:
    """The schedule in words, such as "Monthly on the 31st (or the month's last day)"."""
    if template.frequency == "weekly":
        return f"Weekly on {WEEKDAYS[template.start_date.weekday()]}"
    if template.frequency == "monthly":
        day = template.day_of_month or template.start_date.day
        shorter = " (or the month's last day)" if day > 28 else ""
        return f"Monthly on the {_ordinal(day)}{shorter}"
    start = template.start_date
    leap = " (28 Feb in other years)" if (start.month, start.day) == (2, 29) else ""
    return f"Yearly on {start:%-d %b}{leap}"


def _submitted(form: RecurringForm) -> dict[str, str | None]:
    return {name: form[name].data for name in FIELDS}


def _describe(template: RecurringExpense) -> str:
    what = template.description or template.category.name
    amount = formatter_for(current_user).money(template.amount)
    return f"{what} ({amount}, {describe_schedule(template).lower()})"


def _render_index(form: RecurringForm, status: int = 200):
    templates = recurring.list_templates(current_user.id)
    return (
        render_template(
            "recurring/index.html",
            form=form,
            templates=templates,
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
        template = recurring.create_template(
            current_user.id, _submitted(form), clock.today(), **typed_in(current_user)
        )
    except ValidationError as error:
        form.show_errors(error.errors)
        return _render_index(form, 400)
    flash(f"Added {_describe(template)}.", "success")
    return redirect(url_for("recurring.index"))


@bp.route("/<int:template_id>/edit", methods=["GET", "POST"])
@login_required
def edit(template_id: int):
    """Show and save the edit form of one of the user's recurring expenses."""
    template = recurring.get_template(current_user.id, template_id)
    form = RecurringForm(
        data={
            "amount": formatter_for(current_user).number(template.amount, grouped=False),
            "category": template.category.name,
            "description": template.description,
            "frequency": template.frequency,
            "start_date": template.start_date.isoformat(),
            "day_of_month": str(template.day_of_month or ""),
            "end_date": template.end_date.isoformat() if template.end_date else "",
        }
    )
    if request.method == "POST":
        try:
            template = recurring.update_template(
                current_user.id,
                template_id,
                _submitted(form),
                clock.today(),
                **typed_in(current_user),
            )
        except ValidationError as error:
            form.show_errors(error.errors)
            return _render_edit(form, template, 400)
        flash(f"Saved {_describe(template)}. The changes apply from tomorrow.", "success")
        return redirect(url_for("recurring.index"))
    return _render_edit(form, template)


def _render_edit(form: RecurringForm, template: RecurringExpense, status: int = 200):
    return (
        render_template(
            "recurring/edit.html",
            form=form,
            template=template,
            frequencies=recurring.FREQUENCIES,
            suggestions=with_defaults(category_names(current_user.id)),
            money_format=formatter_for(current_user),
        ),
        status,
    )


@bp.post("/<int:template_id>/pause")
@login_required
def pause(template_id: int):
    """Pause a recurring expense; the dates that pass while paused are skipped."""
    template = recurring.pause_template(current_user.id, template_id, clock.today())
    flash(f"Paused {_describe(template)}.", "success")
    return redirect(url_for("recurring.index"))


@bp.post("/<int:template_id>/resume")
@login_required
def resume(template_id: int):
    """Resume a paused recurring expense from today."""
    template = recurring.resume_template(current_user.id, template_id, clock.today())
    flash(f"Resumed {_describe(template)}.", "success")
    return redirect(url_for("recurring.index"))


@bp.post("/<int:template_id>/end")
@login_required
def end(template_id: int):
    """End a recurring expense today."""
    template = recurring.end_template(current_user.id, template_id, clock.today())
    flash(f"Ended {_describe(template)}.", "success")
    return redirect(url_for("recurring.index"))


@bp.post("/<int:template_id>/delete")
@login_required
def delete(template_id: int):
    """Delete a recurring expense; the expenses it made stay."""
    template = recurring.delete_template(current_user.id, template_id)
    flash(f"Deleted {_describe(template)}. The expenses it made are kept.", "success")
    return redirect(url_for("recurring.index"))
