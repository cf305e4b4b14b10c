"""Domain errors raised by services, and the HTTP error pages."""

from __future__ import annotations

import json
from http import HTTPStatus

from flask import Flask, Response, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .security import audit


class DomainError(Exception):
    """Base of the errors a service raises; each maps to an HTTP status."""

    status = 400


class NotFound(DomainError):
    """The record does not exist, or belongs to someone else: the two are never told apart."""

    status = 404


class Conflict(DomainError):
    """The request is sound but the record's state forbids it now (a category with expenses)."""

    status = 409


class Forbidden(DomainError):
    """The request is understood, but this server does not allow it (registering, when closed)."""

    status = 403


class Stale(DomainError):
    """A change was made from a version of the record that is no longer the stored one.

    `current` is the record as stored now, for the page to show in place of the old values.
    """

    status = 412

    def __init__(self, message: str, current: object):
        super().__init__(message)
        self.current = current


class Unauthorized(DomainError):
    """No valid credentials came with the request."""

    status = 401


class TooManyAttempts(DomainError):
    """Too many failed log-ins for one username from one address; try again later."""

    status = 429

    def __init__(self, retry_after: int):
        super().__init__(
            f"Too many failed attempts. Please wait {retry_after} seconds and try again."
        )
        self.retry_after = retry_after


class ValidationError(DomainError):
    """Input broke a rule; `errors` maps each field name to a message for the person."""

    status = 400

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


ERROR_TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Page not found",
    405: "Method not allowed",
    409: "Not possible now",
    412: "Changed meanwhile",
    413: "Request too large",
    429: "Too many attempts",
    500: "Something went wrong",
}
ERROR_MESSAGES = {
    400: "The request could not be understood.",
    403: "You are not allowed to do that.",
    404: "There is nothing here. It may have been deleted, or the address may be mistyped.",
    405: "This page does not accept that kind of request.",
    413: "What you sent is larger than this site accepts.",
    500: "An unexpected error happened on our side. Nothing you entered was saved.",
}


API_DETAILS = {
    400: "The request could not be understood.",
    401: "Send a valid token: Authorization: Bearer <token>.",
    404: "There is no such resource. It may have been deleted, or belong to someone else.",
    405: "This resource does not accept that method.",
    413: "The body is larger than this API accepts.",
    415: "Send the body as JSON, with Content-Type: application/json.",
    422: "Some fields are not valid; see errors.",
    500: "An unexpected error happened on our side. Nothing was saved.",
}


def _is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def problem(status: int, detail: str | None = None, errors=None, headers=None) -> Response:
    """An RFC 9457 problem details response, as the API gives for every error."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or API_DETAILS.get(status, HTTPStatus(status).description),
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status, mimetype="application/problem+json")
    response.headers.update(headers or {})
    return response


def _field_errors(messages) -> dict[str, str]:
    """Flatten webargs' {location: {field: [messages]}} into {field: "message"}."""
    flat: dict[str, str] = {}
    for location, fields in (messages or {}).items():
        if not isinstance(fields, dict):
            fields = {"_schema": fields}
        for field, field_messages in fields.items():
            name = "body" if field == "_schema" and location == "json" else field
            if isinstance(field_messages, dict):  # a nested field or a list's items
                field_messages = [str(m) for m in field_messages.values()]
            elif isinstance(field_messages, str):
                field_messages = [field_messages]
            flat[name] = " ".join(str(message) for message in field_messages)
    return flat


def _json_detail(messages) -> str:
    """What the JSON loader found wrong with a body (api/parsing.py), for the problem's detail."""
    found = messages.get("json") if isinstance(messages, dict) else None
    if isinstance(found, list) and found and isinstance(found[0], str):
        return found[0]
    return "The body is not valid JSON."


def _render_error(status: int, message: str | None = None):
    if _is_api_request():
        return problem(status, message if status != 500 else None)
    title = ERROR_TITLES.get(status, "Error")
    body = render_template(
        "errors/error.html",
        status=status,
        title=title,
        message=message or ERROR_MESSAGES.get(status, title),
    )
    return body, status


def _acting_user_id() -> int | None:
    """The id of whoever made this request, by token or by session; None for a visitor."""
    if "api_user" in g:
        return g.api_user.id
    return current_user.id if current_user.is_authenticated else None


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error, domain error and crash as a page."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        audit("csrf.rejected", reason=error.description)
        return _render_error(
            400, "This form has expired or was sent from elsewhere. Please go back and try again."
        )

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        # Someone else's record or none at all: the two look alike, and both are logged.
        audit("access.not_found", user_id=_acting_user_id())
        return _render_error(404)

    @app.errorhandler(Conflict)
    def conflict(error: Conflict):
        # Pages catch it to show the message beside what was refused; the API answers 409.
        return _render_error(409, str(error))

    @app.errorhandler(Forbidden)
    def forbidden(error: Forbidden):
        return _render_error(403, str(error) or None)

    @app.errorhandler(Stale)
    def stale(error: Stale):
        # Pages catch it to show the stored values; the API answers 412 Precondition Failed.
        if _is_api_request():
            return problem(412, f"{error} Read it again (GET) for its values and ETag.")
        return _render_error(409, str(error))

    @app.errorhandler(Unauthorized)
    def unauthorized(error: Unauthorized):
        return problem(401, str(error) or None, headers={"WWW-Authenticate": "Bearer"})

    @app.errorhandler(TooManyAttempts)
    def too_many_attempts(error: TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after)}
        if _is_api_request():
            return problem(429, str(error), headers=headers)
        return (*_render_error(429, str(error)), headers)

    @app.errorhandler(ValidationError)
    def invalid(error: ValidationError):
        # Pages show these beside their fields; only the API lets them reach here.
        if _is_api_request():
            return problem(422, errors=error.errors)
        return _render_error(400, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        headers = {}
        if error.code == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        if _is_api_request():
            data = getattr(error, "data", None) or {}
            if error.code == 400 and "messages" in data:
                return problem(400, _json_detail(data["messages"]), headers=headers)
            if error.code == 422:
                return problem(422, errors=_field_errors(data.get("messages")), headers=headers)
            return problem(error.code, headers=headers)
        return (*_render_error(error.code), headers)

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError):
        # Flask has already logged the exception; undo the half-done work.
        db.session.rollback()
        return _render_error(500)
