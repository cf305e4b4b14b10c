"""Account pages: register, log in, log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import NotFound, TooManyAttempts, ValidationError
from ..extensions import SESSION_SECRET
from ..security import audit
from ..services import access, accounts, invitations, sessions, two_factor
from . import devices
from .forms import CodeForm, LoginForm, RegisterForm, ResetPasswordForm

bp = Blueprint("auth", __name__, url_prefix="/auth")
# Keys in the signed session cookie for a log-in whose password was right, waiting for a code.
PENDING_USER = "two_factor_user"
PENDING_SINCE = "two_factor_since"
PENDING_KNOWN = "two_factor_known"
PENDING_REMEMBER = "two_factor_remember"


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers drop tabs and newlines and read "\" as "/", so "/\t/evil" means "//evil".
    if "\\" in target or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _start_session(user, keep_signed_in: bool = False) -> None:
    # A fresh session at log in: nothing from before it carries over, and a new secret
    # that the server records, so that logging out can end it everywhere.
    session.clear()
    session[SESSION_SECRET] = sessions.start_session(
        user.id, request.user_agent.string, keep_signed_in=keep_signed_in
    )
    # Only a session kept signed in gets a cookie with an expiry (PERMANENT_SESSION_LIFETIME,
    # renewed with every answer but a static file's); any other ends with the browser.
    session.permanent = keep_signed_in
    login_user(user)


@bp.app_context_processor
def registration() -> dict[str, bool]:
    """Whether pages may offer Register: only when anyone may register."""
    return {"registration_open": invitations.mode() == invitations.OPEN}


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Show the registration form; create the account and log in (when registering is open)."""
    if current_user.is_authenticated:
        return redirect(url_for("expenses.index"))
    invitations.require_open()
    return _register(
        lambda form: invitations.register_openly(
            form.username.data,
            form.password.data,
            form.confirm_password.data,
            address=request.remote_addr or "",
        ),
        url_for("auth.register"),
    )


# The secret is in the path, so no page it links to may be told it (nor any other site).
NO_REFERRER = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
INVITATION_UNUSABLE = (
    "This invitation link cannot be used: it has expired, was revoked or has been used"
    " already. Ask whoever invited you for a new one."
)
RESET_UNUSABLE = (
    "This password-reset link cannot be used: it has expired or has been used already."
    " Ask whoever runs this server for a new one."
)


@bp.route("/register/<secret>", methods=["GET", "POST"])
def register_invited(secret: str):
    """Show the registration form of an invitation link; create the account and log in."""
    if current_user.is_authenticated:
        return redirect(url_for("expenses.index"))
    try:
        invitations.check_invitation(secret)
    except NotFound:
        audit("register.invitation_refused")
        return _unusable_link("Invitation", INVITATION_UNUSABLE)
    try:
        return _register(
            lambda form: invitations.register_invited(
                secret,
                form.username.data,
                form.password.data,
                form.confirm_password.data,
                address=request.remote_addr or "",
            ),
            url_for("auth.register_invited", secret=secret),
            invited=True,
        )
    except NotFound:
        # Someone else used the link between the form and this request.
        audit("register.invitation_refused")
        return _unusable_link("Invitation", INVITATION_UNUSABLE)


def _register(create, action: str, invited: bool = False):
    form = RegisterForm()
    headers = NO_REFERRER if invited else {}
    if request.method == "POST":
        try:
            user = create(form)
        except ValidationError as error:
            form.show_errors(error.errors)
            page = render_template("auth/register.html", form=form, action=action, invited=invited)
            return page, 400, headers
        except TooManyAttempts as error:
            audit("register.throttled")
            page = render_template(
                "auth/register.html",
                form=form,
                action=action,
                invited=invited,
                register_error=str(error),
            )
            return page, 429, {**headers, "Retry-After": str(error.retry_after)}
        _start_session(user)
        audit("register.succeeded", user_id=user.id, username=user.username, invited=invited)
        flash(f"Welcome, {user.username}! Your account is ready.", "success")
        # A new account starts with the first-run step (currency, number format), once.
        return redirect(url_for("welcome.index"))
    page = render_template("auth/register.html", form=form, action=action, invited=invited)
    return page, 200, headers


def _unusable_link(title: str, message: str):
    page = render_template("errors/error.html", status=404, title=title, message=message)
    return page, 404, NO_REFERRER


@bp.route("/reset/<secret>", methods=["GET", "POST"])
def reset_password(secret: str):
    """Set a new password with a one-time link from the operator; every session then ends."""
    try:
        user = access.check_password_reset(secret)
    except NotFound:
        audit("password_reset.refused")
        return _unusable_link("Password reset", RESET_UNUSABLE)
    form = ResetPasswordForm()
    if request.method == "POST":
        try:
            access.reset_password(secret, form.new_password.data, form.confirm_new_password.data)
        except ValidationError as error:
            form.show_errors(error.errors)
            page = render_template("auth/reset.html", form=form, username=user.username)
            return page, 400, NO_REFERRER
        except NotFound:
            audit("password_reset.refused")
            return _unusable_link("Password reset", RESET_UNUSABLE)
        audit("password_reset.succeeded", user_id=user.id, username=user.username)
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash(
            "Your new password is set, and every session has been logged out. Log in with it.",
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, username=user.username), 200, NO_REFERRER


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the log-in form; start a session and go where the user was headed."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("expenses.index"))
    form = LoginForm()
    if request.method == "POST":
        known = devices.is_known(form.username.data)
        try:
            user = accounts.log_in(
                form.username.data, form.password.data, request.remote_addr or "", known
            )
        except TooManyAttempts as error:
            audit("login.throttled", username=form.username.data)
            return _login_failed(form, next_url, str(error), 429, error.retry_after)
        if user is None:
            audit("login.failed", username=form.username.data)
            return _login_failed(form, next_url, "Incorrect username or password.", 400)
        if two_factor.is_enabled(user):
            # Not logged in yet: the cookie only remembers whose password was right, and when.
            session.clear()
            session[PENDING_USER] = user.id
            session[PENDING_SINCE] = two_factor.pending_since()
            session[PENDING_KNOWN] = known
            session[PENDING_REMEMBER] = form.remember.data is True
            audit("login.password_accepted", user_id=user.id, username=user.username)
            return redirect(url_for("auth.login_code", next=next_url))
        keep = form.remember.data is True
        _start_session(user, keep_signed_in=keep)
        audit(
            "login.succeeded",
            user_id=user.id,
            username=user.username,
            method="password",
            kept_signed_in=keep,
        )
        return devices.remember(redirect(next_url or url_for("expenses.index")), user.username)
    return render_template("auth/login.html", form=form, next_url=next_url)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """Ask for the second factor of a log-in whose password was right; then start the session."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("expenses.index"))
    user_id, since = session.get(PENDING_USER), session.get(PENDING_SINCE)
    if not isinstance(user_id, int) or not isinstance(since, float | int):
        return redirect(url_for("auth.login", next=next_url))
    if two_factor.pending_login_expired(since):
        session.clear()
        flash("That took too long. Please log in again.", "info")
        return redirect(url_for("auth.login", next=next_url))
    # The box ticked with the password is ticked here too; what is posted with the code counts.
    form = CodeForm(data={"remember": session.get(PENDING_REMEMBER) is True})
    if request.method == "POST":
        try:
            found = two_factor.log_in(
                user_id,
                form.code.data,
                request.remote_addr or "",
                known=session.get(PENDING_KNOWN) is True,
            )
        except TooManyAttempts as error:
            audit("login.throttled", user_id=user_id)
            page = render_template(
                "auth/code.html", form=form, next_url=next_url, code_error=str(error)
            )
            return page, 429, {"Retry-After": str(error.retry_after)}
        if found is None:
            audit("login.second_factor_failed", user_id=user_id)
            form.show_errors({"code": two_factor.WRONG_CODE})
            return render_template("auth/code.html", form=form, next_url=next_url), 400
        user, method = found
        keep = form.remember.data is True
        _start_session(user, keep_signed_in=keep)
        audit(
            "login.succeeded",
            user_id=user.id,
            username=user.username,
            method=method,
            kept_signed_in=keep,
        )
        if method == two_factor.RECOVERY:
            left = two_factor.status(user.id).recovery_codes_left
            audit("recovery_code.used", user_id=user.id, left=left)
            flash(
                f"You used a recovery code; {left} left. You can make new ones in Settings.",
                "info",
            )
        return devices.remember(redirect(next_url or url_for("expenses.index")), user.username)
    return render_template("auth/code.html", form=form, next_url=next_url)


def _login_failed(form, next_url, message: str, status: int, retry_after: int | None = None):
    page = render_template("auth/login.html", form=form, next_url=next_url, login_error=message)
    return page, status, {"Retry-After": str(retry_after)} if retry_after else {}


@bp.post("/logout")
@login_required
def logout():
    """End the session, on the server too: a copy of the cookie no longer works."""
    sessions.end_session(session.get(SESSION_SECRET))
    audit("logout", user_id=current_user.id)
    logout_user()
    session.clear()
    flash("You have logged out.", "success")
    return redirect(url_for("expenses.index"))
