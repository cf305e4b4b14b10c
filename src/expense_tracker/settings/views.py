"""The settings page: password, preferences, sessions, API tokens, data download, account deletion.

The page also shows two-factor authentication, whose own views are in two_factor.py.
"""

from __future__ import annotations

from decimal import Decimal

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from .. import clock
from ..downloads import streamed_attachment
from ..errors import ValidationError
from ..extensions import SESSION_SECRET
from ..money import preferences_of
from ..security import audit
from ..services import accounts, exports, invitations, preferences, sessions, tokens, two_factor
from .forms import (
    DeleteAccountForm,
    PasswordForm,
    PreferencesForm,
    RecoveryCodesForm,
    TokenForm,
    TwoFactorDisableForm,
)

bp = Blueprint("settings", __name__, url_prefix="/settings")
EXAMPLE_AMOUNT = Decimal("1234.56")


def _render(
    status: int = 200,
    *,
    password_form: PasswordForm | None = None,
    token_form: TokenForm | None = None,
    new_token: tuple | None = None,
    disable_form: TwoFactorDisableForm | None = None,
    codes_form: RecoveryCodesForm | None = None,
    delete_form: DeleteAccountForm | None = None,
    preferences_form: PreferencesForm | None = None,
    new_invitation: str | None = None,
    invitation_error: str | None = None,
):
    page = render_template(
        "settings/index.html",
        password_form=password_form or PasswordForm(formdata=None),
        form=token_form or TokenForm(formdata=None, prefix="token"),
        tokens=tokens.list_tokens(current_user.id),
        now=clock.now(),
        sessions=sessions.list_sessions(current_user.id, session.get(SESSION_SECRET)),
        new_token=new_token,
        two_factor=two_factor.status(current_user.id),
        disable_form=disable_form or TwoFactorDisableForm(formdata=None, prefix="disable"),
        codes_form=codes_form or RecoveryCodesForm(formdata=None, prefix="codes"),
        delete_form=delete_form or DeleteAccountForm(formdata=None, prefix="delete"),
        preferences_form=preferences_form or _preferences_form(formdata=None),
        invitations=invitations.visible_invitations(current_user.id),
        new_invitation=new_invitation,
        invitation_days=invitations.INVITATION_DAYS,
        invitation_error=invitation_error,
        # A variable, not a literal: Jinja would format a literal once, for whoever came first.
        example_amount=EXAMPLE_AMOUNT,
    )
    # A page with a token's secret on it must not be kept by any cache.
    return page, status, {"Cache-Control": "no-store"}


render_settings = _render


def rotate_session() -> None:
    """Give this browser's session a new secret: a copy of its cookie no longer logs in."""
    new_secret = sessions.rotate_session(current_user.id, session.get(SESSION_SECRET))
    if new_secret is not None:
        session[SESSION_SECRET] = new_secret


def _preferences_form(**kwargs) -> PreferencesForm:
    """The preferences form with every choice, showing the user's current ones."""
    locale, currency = preferences_of(current_user)
    form = PreferencesForm(
        prefix="preferences",
        data={"currency": currency, "locale": locale, "theme": current_user.theme},
        **kwargs,
    )
    form.currency.choices = list(preferences.currency_choices())
    form.locale.choices = list(preferences.locale_choices())
    form.theme.choices = list(preferences.THEMES.items())
    return form


@bp.get("")
@login_required
def index():
    """Show every section: password, preferences, two-factor, sessions, tokens, data, deletion."""
    return _render()


@bp.post("/password")
@login_required
def change_password():
    """Change the password; every other session of the user ends."""
    form = PasswordForm()
    try:
        revoked = accounts.change_password(
            current_user.id,
            form.current_password.data,
            form.new_password.data,
            form.confirm_new_password.data,
            keep_session=session.get(SESSION_SECRET),
            address=request.remote_addr or "",
            revoke_tokens=form.revoke_tokens.data,
        )
    except ValidationError as error:
        audit("password.change_refused", user_id=current_user.id, fields=",".join(error.errors))
        form.show_errors(error.errors)
        return _render(400, password_form=form)
    rotate_session()
    audit("password.changed", user_id=current_user.id, tokens_revoked=revoked)
    flash("Your password has been changed. Every other session has been logged out.", "success")
    if revoked:
        flash(f"Revoked your {_tokens(revoked)}. They no longer work.", "success")
    _say_which_tokens_still_work()
    return redirect(url_for("settings.index"))


def _tokens(count: int) -> str:
    return f"{count} API token{'' if count == 1 else 's'}"


def _say_which_tokens_still_work() -> None:
    # Tokens outlive a password change (scripts keep working); say so, and where to revoke.
    remaining = tokens.working_tokens(current_user.id)
    if not remaining:
        return
    names = ", ".join(f"“{token.name}”" for token in remaining)
    if len(remaining) == 1:
        flash(f"Your API token {names} still works. Revoke it below if you do not use it.", "info")
    else:
        flash(
            f"Your {_tokens(len(remaining))} still work: {names}. Revoke any you do not use below.",
            "info",
        )


@bp.post("/preferences")
@login_required
def save_preferences():
    """Store the currency, number format and theme the user sees the app in."""
    form = _preferences_form()
    try:
        preferences.update_preferences(
            current_user.id, form.currency.data, form.locale.data, form.theme.data
        )
    except ValidationError as error:
        form.show_errors(error.errors)
        return _render(400, preferences_form=form)
    flash("Your preferences have been saved.", "success")
    return redirect(url_for("settings.index"))


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    """Log out every other browser and device."""
    ended = sessions.end_all_other_sessions(current_user.id, session.get(SESSION_SECRET))
    rotate_session()
    audit("sessions.ended_others", user_id=current_user.id, count=ended)
    flash(f"Logged out {ended} other session{'' if ended == 1 else 's'}.", "success")
    return redirect(url_for("settings.index"))


@bp.post("/tokens")
@login_required
def create_token():
    """Make a token, once the password (and code) are typed again; show its secret this once."""
    form = TokenForm(prefix="token")
    try:
        token, secret = tokens.create_token_confirmed(
            current_user.id,
            form.name.data,
            form.expires.data,
            form.current_password.data,
            form.code.data,
            request.remote_addr or "",
        )
    except ValidationError as error:
        audit("token.create_refused", user_id=current_user.id, fields=",".join(error.errors))
        form.show_errors(error.errors)
        return _render(400, token_form=form)
    audit("token.created", user_id=current_user.id, token_id=token.id)
    return _render(201, new_token=(token, secret))


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's tokens."""
    token = tokens.revoke_token(current_user.id, token_id)
    audit("token.revoked", user_id=current_user.id, token_id=token_id)
    flash(f"Revoked the token “{token.name}”. It no longer works.", "success")
    return redirect(url_for("settings.index"))


@bp.get("/data.json")
@login_required
def download_data():
    """Download everything stored about the user as one JSON file, streamed."""
    chunks = exports.account_chunks(current_user.id, currency=preferences_of(current_user)[1])
    filename = f"expense-tracker-{current_user.username}-{clock.today().isoformat()}.json"
    return streamed_attachment(chunks, "application/json", filename)


@bp.post("/delete-account")
@login_required
def delete_account():
    """Delete the account and everything in it, once the password is typed again."""
    form = DeleteAccountForm(prefix="delete")
    user_id, username = current_user.id, current_user.username
    try:
        accounts.delete_account(user_id, form.password.data, request.remote_addr or "")
    except ValidationError as error:
        audit("account.delete_refused", user_id=user_id)
        form.show_errors(error.errors)
        return _render(400, delete_form=form)
    audit("account.deleted", user_id=user_id, username=username)
    logout_user()
    session.clear()
    flash("Your account and everything in it have been deleted.", "success")
    return redirect(url_for("expenses.index"))
