"""The JSON API under /api/v1, documented by an OpenAPI 3.1 spec generated from the code.

It serves tokens, expenses, exports, the summary and trend, categories, budgets and
recurring expenses (views.py and recurring.py), and its docs page (docs.py).

flask-smorest builds the spec from the marshmallow schemas and decorators on each
view, so the document cannot drift from what the views do.
"""

from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from ..extensions import csrf
from .schemas import Problem

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ProblemApi(Api):
    """flask-smorest's Api with errors documented as RFC 9457 problem details.

    The errors themselves are made by the app's error handlers (errors.py), for
    pages and API alike, so flask-smorest's own JSON error handler is left out.
    """

    ERROR_SCHEMA = Problem

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as problem details", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


api = ProblemApi()


def init_api(app: Flask) -> None:
    """Serve the API and its spec; the API takes tokens, never the session cookie."""
    from . import recurring  # noqa: F401 - adds the recurring expense operations to bp
    from .docs import bp as docs_bp
    from .views import bp

    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token, from the settings page or POST /tokens.",
        },
    )
    api.register_blueprint(bp)
    app.register_blueprint(docs_bp)
    # No cookie is read, so there is no cross-site request to forge.
    csrf.exempt(bp)
