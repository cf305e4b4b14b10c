"""Response headers every page and API answer carry, and a request id for the logs."""

from __future__ import annotations

import json
import logging
import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, has_request_context, request, url_for
from flask.sessions import SecureCookieSessionInterface, SessionMixin

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
HSTS = "max-age=31536000"
# A request id from a trusted proxy is kept if it looks like one; anything else is replaced.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}", re.ASCII)


audit_log = logging.getLogger("expense_tracker.audit")


def _quoted(value) -> str:
    """A value as a JSON string: quotes and control characters escaped, one line always."""
    return json.dumps(str(value), ensure_ascii=True)


def audit(event: str, **fields) -> None:
    """Log an authentication or authorization outcome, with the request's id and client.

    Every value is quoted and escaped, so nothing a client sends can forge a log line.
    """
    if has_request_context():
        fields = {
            "request_id": request_id(),
            "address": request.remote_addr or "",
            "path": request.path,
            **fields,
        }
    audit_log.info(
        "%s %s", event, " ".join(f"{name}={_quoted(value)}" for name, value in fields.items())
    )


def link(endpoint: str, **values) -> str:
    """The URL of `endpoint` for a link in an answer, naming no host the server was not told of.

    The Host header is the client's to choose: an absolute link built from it could point
    elsewhere. Absolute when TRUSTED_HOSTS is set (Flask has checked the Host against it),
    otherwise a path, which a client resolves against the URL it asked for.
    """
    return url_for(endpoint, **values, _external=bool(current_app.config["TRUSTED_HOSTS"]))


def shareable_link(endpoint: str, base_url: str | None = None, **values) -> str:
    """The URL of `endpoint` for a link a person copies and sends: whole where the server knows.

    Built on `base_url`, or else the BASE_URL setting, when either is given; otherwise as
    `link` builds it: on the requested host when TRUSTED_HOSTS names it, else a path (never
    on a Host header nobody checked: a forged one would send the link's secret elsewhere).
    """
    base_url = base_url or current_app.config.get("BASE_URL")
    if not base_url:
        return link(endpoint, **values)
    parts = urlsplit(base_url)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def request_id() -> str:
    """The id of the current request, as logged and sent back in X-Request-ID."""
    if "request_id" not in g:
        g.request_id = secrets.token_hex(8)
    return g.request_id


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie, never renewed on a static file's answer.

    A session kept signed in has a cookie with an expiry, which Flask sends again with
    every answer to move it on; static files may be kept by caches, so they never carry it.
    """

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if request.endpoint == "static":
            return False
        return super().should_set_cookie(app, session)


def register_security(app: Flask) -> None:
    """Give every response the security headers, every request an id, and set up the audit log."""
    app.session_interface = SessionCookies()
    if not audit_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s audit %(message)s"))
        audit_log.addHandler(handler)
        audit_log.setLevel(logging.INFO)
        # Its own handler writes each line; passed on, Flask's handler on app.logger (the
        # parent, "expense_tracker", given one once the app logs an error) would write it again.
        audit_log.propagate = False

    @app.before_request
    def assign_request_id() -> None:
        given = request.headers.get("X-Request-ID", "")
        trusted = app.config["TRUSTED_PROXIES"] and _REQUEST_ID.fullmatch(given)
        g.request_id = given if trusted else secrets.token_hex(8)

    @app.after_request
    def add_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers["X-Request-ID"] = request_id()
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        # Pages and API answers hold personal data: no cache keeps them. Static files may.
        if request.endpoint != "static":
            headers.setdefault("Cache-Control", "no-store")
        return response
