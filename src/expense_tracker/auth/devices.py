"""Device cookies: a browser that logged in as someone before is known when it tries again.

After a whole log-in (password, and code with two-factor on) the browser gets a signed,
long-lived cookie naming the user. Attempts that bring it are counted on the account's
own throttle key for known browsers, so guesses from anywhere else never slow its owner
down (OWASP's "device cookies" against account lock-out).
"""

from __future__ import annotations

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

MAX_AGE = 365 * 24 * 3600
SALT = "device"


def _name() -> str:
    # Same prefix as the session cookie: __Host- in production, which needs Secure and Path=/.
    prefix = "__Host-" if current_app.config["SESSION_COOKIE_NAME"].startswith("__Host-") else ""
    return f"{prefix}device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def is_known(username: str | None) -> bool:
    """Whether this request's browser logged in as `username` before."""
    raw = request.cookies.get(_name())
    if not raw or not username:
        return False
    try:
        known = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return False
    return isinstance(known, str) and known == username.strip().lower()


def remember(response: Response, username: str) -> Response:
    """Mark the browser as known for `username`, after a whole log-in."""
    response.set_cookie(
        _name(),
        _serializer().dumps(username.strip().lower()),
        max_age=MAX_AGE,
        path="/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response
