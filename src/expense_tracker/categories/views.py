"""The categories list and each category's page: rename, colour, merge into another, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..colors import COLOR_NAMES
from ..errors import Conflict, Stale, ValidationError
from ..forms import opened_version, quoted, your_change
from ..services import categories
from .forms import ColorForm, MergeForm, NameForm

bp = Blueprint("categories", __name__, url_prefix="/categories")


def _render_list(form: NameForm | None = None, status: int = 200):
    return (
        render_template(
            "categories/index.html",
            categories=categories.list_categories(current_user.id),
            form=form or NameForm(formdata=None),
            color_names=COLOR_NAMES,
        ),
        status,
    )


def _render_edit(
    category_id: int,
    status: int = 200,
    *,
    name_form: NameForm | None = None,
    color_form: ColorForm | None = None,
    merge_form: MergeForm | None = None,
    refusal: str | None = None,
    stale: dict[str, str] | None = None,
):
    balance = categories.category_balance(current_user.id, category_id)
    others = [c for c in categories.list_categories(current_user.id) if c.id != category_id]
    return (
        render_template(
            "categories/edit.html",
            category=balance,
            others=others,
            name_form=name_form or NameForm(formdata=None, data={"name": balance.name}),
            color_form=color_form or ColorForm(formdata=None, data={"color": str(balance.color)}),
            merge_form=merge_form or MergeForm(formdata=None),
            color_names=COLOR_NAMES,
            refusal=refusal,
            stale=stale or {},
        ),
        status,
    )


def _render_stale(category_id: int, error: Stale, form: str, change: str):
    """The category's page again, its current name and colour in the forms, and `change`.

    `form` ("name" or "color") is the form whose save was refused, where the message goes.
    """
    message = f"{error} Nothing was saved: these are its name and colour now."
    return _render_edit(
        category_id, 409, stale={"form": form, "message": message, "change": change}
    )


@bp.get("")
@login_required
def index():
    """List the user's categories with their colours, expense counts and all-time totals."""
    return _render_list()


@bp.post("")
@login_required
def create():
    """Add a category that has no expenses yet."""
    form = NameForm()
    try:
        category = categories.create_category(current_user.id, {"name": form.name.data})
    except ValidationError as error:
        form.show_errors(error.errors)
        return _render_list(form, 400)
    flash(f"Added the category “{category.name}”.", "success")
    return redirect(url_for("categories.index"))


@bp.get("/<int:category_id>")
@login_required
def edit(category_id: int):
    """Show one category's forms: name, colour, merge and (when empty) delete."""
    return _render_edit(category_id)


@bp.post("/<int:category_id>/name")
@login_required
def rename(category_id: int):
    """Rename a category; its expenses follow."""
    form = NameForm()
    try:
        category = categories.update_category(
            current_user.id,
            category_id,
            {"name": form.name.data},
            versions=opened_version(form.version.data),
        )
    except ValidationError as error:
        form.show_errors(error.errors)
        return _render_edit(category_id, 400, name_form=form)
    except Stale as error:
        change = your_change(f"the name {quoted(form.name.data)}")
        return _render_stale(category_id, error, "name", change)
    flash(f"Renamed the category to “{category.name}”.", "success")
    return redirect(url_for("categories.index"))


@bp.post("/<int:category_id>/color")
@login_required
def recolor(category_id: int):
    """Give a category another colour."""
    form = ColorForm()
    try:
        category = categories.update_category(
            current_user.id,
            category_id,
            {"color": form.color.data or ""},
            versions=opened_version(form.version.data),
        )
    except ValidationError as error:
        form.show_errors(error.errors)
        return _render_edit(category_id, 400, color_form=form)
    except Stale as error:
        # A valid colour (ASCII digits), or the ValidationError above would have come first.
        change = your_change(f"the colour {COLOR_NAMES[int(form.color.data)]}")
        return _render_stale(category_id, error, "color", change)
    flash(f"“{category.name}” is now {COLOR_NAMES[category.color]}.", "success")
    return redirect(url_for("categories.index"))


@bp.post("/<int:category_id>/merge")
@login_required
def merge(category_id: int):
    """Move every expense of a category into another, then delete it."""
    form = MergeForm()
    source = categories.get_category(current_user.id, category_id).name
    try:
        target = categories.merge_category(current_user.id, category_id, form.into.data)
    except ValidationError as error:
        form.show_errors(error.errors)
        return _render_edit(category_id, 400, merge_form=form)
    flash(f"Merged “{source}” into “{target.name}”.", "success")
    return redirect(url_for("categories.index"))


@bp.post("/<int:category_id>/delete")
@login_required
def delete(category_id: int):
    """Delete a category without expenses."""
    try:
        category = categories.delete_category(current_user.id, category_id)
    except Conflict as error:
        return _render_edit(category_id, 409, refusal=str(error))
    flash(f"Deleted the category “{category.name}”.", "success")
    return redirect(url_for("categories.index"))
