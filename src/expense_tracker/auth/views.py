"""Account pages: register, log in, log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import TooManyAttempts, ValidationError
from ..extensions import SESSION_SECRET
from ..security import audit
from ..services import accounts, sessions
from .forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers drop tabs and newlines and read "\" as "/", so "/\t/evil" means "//evil".
    if "\\" in target or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _start_session(user) -> None:
    # A fresh session at log in: nothing from before it carries over, and a new secret
    # that the server records, so that logging out can end it everywhere.
    session.clear()
    session[SESSION_SECRET] = sessions.start_session(user.id, request.user_agent.string)
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Show the registration form; create the account and log in."""
    if current_user.is_authenticated:
        return redirect(url_for("expenses.index"))
    form = RegisterForm()
    if request.method == "POST":
        try:
            user = accounts.register(
                form.username.data,
                form.password.data,
                form.confirm_password.data,
                address=request.remote_addr or "",
            )
        except ValidationError as error:
            form.show_errors(error.errors)
            return render_template("auth/register.html", form=form), 400
        except TooManyAttempts as error:
            audit("register.throttled")
            page = render_template("auth/register.html", form=form, register_error=str(error))
            return page, 429, {"Retry-After": str(error.retry_after)}
        _start_session(user)
        audit("register.succeeded", user_id=user.id, username=user.username)
        flash(f"Welcome, {user.username}! Your account is ready.", "success")
        return redirect(url_for("expenses.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the log-in form; start a session and go where the user was headed."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("expenses.index"))
    form = LoginForm()
    if request.method == "POST":
        try:
            user = accounts.log_in(
                form.username.data, form.password.data, request.remote_addr or ""
            )
        except TooManyAttempts as error:
            audit("login.throttled", username=form.username.data)
            return _login_failed(form, next_url, str(error), 429, error.retry_after)
        if user is None:
            audit("login.failed", username=form.username.data)
            return _login_failed(form, next_url, "Incorrect username or password.", 400)
        _start_session(user)
        audit("login.succeeded", user_id=user.id, username=user.username)
        return redirect(next_url or url_for("expenses.index"))
    return render_template("auth/login.html", form=form, next_url=next_url)


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
