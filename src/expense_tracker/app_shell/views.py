"""The web app manifest and the service worker, which must be served from the site's root.

The service worker keeps the app's files and the last quick add and dashboard pages for
when there is no connection; expenses added offline wait in the browser (app.js) until
they are sent. Both answers are built from files, the same in every process.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_login import current_user

bp = Blueprint("app_shell", __name__)

# The files every page needs, kept by the service worker (see templates/app_shell/sw.js).
ASSETS = ("style.css", "app.js", "favicon.svg", "icon-192.png")
# The pages it keeps, each at its address without a query: the last one seen of each.
PAGES = ("quick_add.index", "expenses.index")
# Sent by the service worker when it fetches one of them to keep, not to show (sw.js).
OFFLINE_COPY = "X-Offline-Copy"


@bp.before_app_request
def keep_only_signed_in_pages() -> Response | None:
    """A page fetched to be kept is this person's page or nothing. Signed out (the session
    has just ended, say), the answer is a bare 401: not the visitors' home page, which would
    be kept in the dashboard's place, nor a redirect that leaves "Please log in" waiting for
    the page the person opens next."""
    if request.headers.get(OFFLINE_COPY) and not current_user.is_authenticated:
        return Response(status=401)
    return None


@bp.app_context_processor
def offline_copy() -> dict[str, bool]:
    """Whether this page is fetched to be kept: a copy that shows, and so uses up, no
    one-time message (base.html) meant for the page the person sees."""
    return {"offline_copy": bool(request.headers.get(OFFLINE_COPY))}


@cache
def _version(static_folder: str, template: str) -> str:
    """A digest of the files the service worker keeps and of itself: a new release (any of
    them changed) is a new service worker, which replaces the files it kept."""
    digest = hashlib.sha256(Path(template).read_bytes())
    for name in ASSETS:
        digest.update(Path(static_folder, name).read_bytes())
    return digest.hexdigest()[:16]


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: what a phone needs to install the app, opening on quick add."""
    body = {
        "name": "Expense Tracker",
        "short_name": "Expenses",
        "description": "Record what you spend, in seconds, even offline.",
        "id": url_for("quick_add.index"),
        "start_url": url_for("quick_add.index"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f6f8",
        "theme_color": "#0f766e",
        "icons": [
            _icon("icon-192.png", 192, "any"),
            _icon("icon-512.png", 512, "any"),
            _icon("icon-maskable-512.png", 512, "maskable"),
        ],
        "shortcuts": [
            {"name": "Quick add", "url": url_for("quick_add.index")},
            {"name": "Dashboard", "url": url_for("expenses.index")},
        ],
    }
    response = current_app.json.response(body)
    response.mimetype = "application/manifest+json"
    return response


def _icon(name: str, size: int, purpose: str) -> dict[str, str]:
    return {
        "src": url_for("static", filename=name),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }


@bp.get("/sw.js")
def service_worker():
    """The service worker, from the root so that it may serve every page of the site."""
    template = Path(current_app.root_path, "templates", "app_shell", "sw.js")
    script = render_template(
        "app_shell/sw.js",
        version=_version(current_app.static_folder, str(template)),
        assets=[url_for("static", filename=name) for name in ASSETS],
        pages=[url_for(endpoint) for endpoint in PAGES],
    )
    # Browsers look for a new service worker at least daily; "no-store" (every answer's
    # default here) makes each look reach the server.
    return Response(script, mimetype="text/javascript")
