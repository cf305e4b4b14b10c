"""The settings page: personal access tokens for the JSON API."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..errors import ValidationError
from ..services import tokens
from .forms import TokenForm

bp = Blueprint("settings", __name__, url_prefix="/settings")


def _render(form: TokenForm, status: int = 200, new_token: tuple | None = None):
    page = render_template(
        "settings/index.html",
        form=form,
        tokens=tokens.list_tokens(current_user.id),
        new_token=new_token,
    )
    # A page with a token's secret on it must not be kept by any cache.
    return page, status, {"Cache-Control": "no-store"}


@bp.get("")
@login_required
def index():
    """Show the user's API tokens and the form to make one."""
    return _render(TokenForm())


@bp.post("/tokens")
@login_required
def create_token():
    """Make a token and show its secret, this once, on the page itself."""
    form = TokenForm()
    try:
        token, secret = tokens.create_token(current_user.id, form.name.data)
    except ValidationError as error:
        form.show_errors(error.errors)
        return _render(form, 400)
    return _render(TokenForm(formdata=None), 201, new_token=(token, secret))


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's tokens."""
    token = tokens.revoke_token(current_user.id, token_id)
    flash(f"Revoked the token “{token.name}”. It no longer works.", "success")
    return redirect(url_for("settings.index"))
