"""Domain errors raised by services, and the HTTP error pages."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db


class DomainError(Exception):
    """Base of the errors a service raises; each maps to an HTTP status."""

    status = 400


class NotFound(DomainError):
    """The record does not exist, or belongs to someone else: the two are never told apart."""

    status = 404


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
    413: "Request too large",
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


def _render_error(status: int, message: str | None = None):
    title = ERROR_TITLES.get(status, "Error")
    body = render_template(
        "errors/error.html",
        status=status,
        title=title,
        message=message or ERROR_MESSAGES.get(status, title),
    )
    return body, status


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error, domain error and crash as a page."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render_error(
            400, "This form has expired or was sent from elsewhere. Please go back and try again."
        )

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        return _render_error(404)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = _render_error(error.code)
        if error.code == 405 and error.valid_methods:
            return (*response, {"Allow": ", ".join(error.valid_methods)})
        return response

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError):
        # Flask has already logged the exception; undo the half-done work.
        db.session.rollback()
        return _render_error(500)
