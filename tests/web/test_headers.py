"""Every response carries the security headers; personal pages are never cached."""

from __future__ import annotations

import pytest

from expense_tracker import create_app
from expense_tracker.services import throttle

from ..factories import PASSWORD
from ..helpers import log_in, make_app

PAGES = ["/", "/auth/login", "/settings", "/api/v1/docs", "/api/v1/openapi.json", "/nope"]


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_has_the_security_headers(auth_client, path):
    response = auth_client.get(path)

    headers = response.headers
    assert headers["Content-Security-Policy"] == (
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert len(headers["X-Request-ID"]) == 16
    assert "Strict-Transport-Security" not in headers  # plain HTTP here


def test_api_answers_and_errors_have_them_too(client, user):
    response = client.get("/api/v1/expenses")

    assert response.status_code == 401
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_static_files_may_be_cached(client):
    response = client.get("/static/style.css")

    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_https_requests_get_hsts(client):
    response = client.get("/", base_url="https://localhost")

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_pages_use_no_inline_script_or_style(auth_client, add_expense, user):
    add_expense(user)
    for path in ("/", "/settings", "/api/v1/docs", "/auth/login"):
        page = auth_client.get(path).get_data(as_text=True)
        assert "<script>" not in page and "style=" not in page and " on" + "click=" not in page


def test_production_cookies_are_secure_and_host_prefixed(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 20 + "0123456789abcdef")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    from expense_tracker.config import ProductionConfig

    app = create_app(ProductionConfig)

    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_a_private_network_can_allow_plain_http_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 20 + "0123456789abcdef")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    monkeypatch.setenv("ALLOW_INSECURE_HTTP", "1")
    from expense_tracker.config import ProductionConfig

    app = create_app(ProductionConfig)

    assert not app.config.get("SESSION_COOKIE_SECURE")
    assert app.config["SESSION_COOKIE_NAME"] == "session"


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(app, client, user):
    for number in range(throttle.LOGIN.count):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{number}"
        assert log_in(client, user.username, "wrong password").status_code == 400

    # Changing X-Forwarded-For does not escape the limit: the proxy is not trusted.
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.99"
    assert log_in(client, user.username, PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(database_url):
    app = make_app(database_url, TRUSTED_PROXIES=1)
    from expense_tracker.extensions import db
    from expense_tracker.services import accounts

    with app.app_context():
        db.create_all()
        accounts.register("alice", PASSWORD, PASSWORD)
    guesser, owner = app.test_client(), app.test_client()
    guesser.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.5"
    owner.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.80"
    for _ in range(throttle.LOGIN.count):
        log_in(guesser, "alice", "wrong password")

    assert log_in(guesser, "alice", PASSWORD).status_code == 429
    assert log_in(owner, "alice", PASSWORD).status_code == 302
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
