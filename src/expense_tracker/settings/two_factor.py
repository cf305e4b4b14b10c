"""Two-factor authentication in the settings: turn it on with an app, off, new recovery codes."""

from __future__ import annotations

import segno
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ..errors import ValidationError
from ..extensions import SESSION_SECRET
from ..security import audit
from ..services import two_factor
from .forms import RecoveryCodesForm, TwoFactorDisableForm, TwoFactorSetupForm
from .views import render_settings, rotate_session

bp = Blueprint("two_factor", __name__, url_prefix="/settings/two-factor")
# The secret being set up waits in the signed session cookie until a code confirms it:
# it protects nothing until then, and nothing is stored for a set-up never finished.
# A key's name, not a secret (bandit's B105 reads any "secret" name as one).
PENDING_SECRET = "two_factor_secret"  # nosec B105
NO_STORE = {"Cache-Control": "no-store"}


def qr_code_svg(text: str) -> Markup:
    """A QR code of `text` as inline SVG markup: drawn here, no script, no style attribute."""
    svg = segno.make(text, error="m").svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr-code"
    )
    labelled = svg.replace("<svg ", '<svg role="img" aria-label="QR code of the setup key" ', 1)
    # segno's markup holds only the code's modules and our fixed label: nothing to escape.
    return Markup(labelled)  # nosec B704


def _render_setup(secret: str, form: TwoFactorSetupForm, status: int = 200):
    uri = two_factor.provisioning_uri(secret, current_user.username)
    page = render_template(
        "two_factor/setup.html",
        form=form,
        setup_key=two_factor.grouped(secret),
        qr_code=qr_code_svg(uri),
    )
    return page, status, NO_STORE


def _render_codes(codes: list[str], replaced: bool):
    page = render_template("two_factor/recovery_codes.html", codes=codes, replaced=replaced)
    return page, 200, NO_STORE


@bp.get("/setup")
@login_required
def setup():
    """Show a new secret as a QR code and as text, and ask for a code to confirm it."""
    if two_factor.status(current_user.id).enabled:
        flash("Two-factor authentication is already on.", "info")
        return redirect(url_for("settings.index"))
    secret = session.get(PENDING_SECRET)
    if not isinstance(secret, str):
        secret = session[PENDING_SECRET] = two_factor.new_secret()
    return _render_setup(secret, TwoFactorSetupForm(formdata=None))


@bp.post("/setup")
@login_required
def confirm():
    """Turn two-factor authentication on with the password and a code from the new app."""
    secret = session.get(PENDING_SECRET)
    if not isinstance(secret, str):
        return redirect(url_for("two_factor.setup"))
    form = TwoFactorSetupForm()
    try:
        codes = two_factor.enable(
            current_user.id,
            secret,
            form.code.data,
            password=form.current_password.data,
            address=request.remote_addr or "",
            keep_session=session.get(SESSION_SECRET),
        )
    except ValidationError as error:
        audit("two_factor.enable_refused", user_id=current_user.id, fields=",".join(error.errors))
        form.show_errors(error.errors)
        return _render_setup(secret, form, 400)
    session.pop(PENDING_SECRET, None)
    rotate_session()
    audit("two_factor.enabled", user_id=current_user.id)
    return _render_codes(codes, replaced=False)


@bp.post("/recovery-codes")
@login_required
def regenerate():
    """Replace the recovery codes with new ones, after a code; show them this once."""
    form = RecoveryCodesForm(prefix="codes")
    try:
        codes = two_factor.regenerate_recovery_codes(
            current_user.id, form.code.data, request.remote_addr or ""
        )
    except ValidationError as error:
        audit("recovery_codes.regenerate_refused", user_id=current_user.id)
        form.show_errors(error.errors)
        return render_settings(400, codes_form=form)
    rotate_session()
    audit("recovery_codes.regenerated", user_id=current_user.id)
    return _render_codes(codes, replaced=True)


@bp.post("/disable")
@login_required
def disable():
    """Turn two-factor authentication off, with the password and a code."""
    form = TwoFactorDisableForm(prefix="disable")
    try:
        two_factor.disable(
            current_user.id,
            form.current_password.data,
            form.code.data,
            request.remote_addr or "",
            keep_session=session.get(SESSION_SECRET),
        )
    except ValidationError as error:
        audit("two_factor.disable_refused", user_id=current_user.id, fields=",".join(error.errors))
        form.show_errors(error.errors)
        return render_settings(400, disable_form=form)
    rotate_session()
    audit("two_factor.disabled", user_id=current_user.id)
    flash("Two-factor authentication is off. Logging in needs only your password.", "success")
    return redirect(url_for("settings.index"))
