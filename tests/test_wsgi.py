"""The production entry point builds the app from the environment alone."""

from __future__ import annotations

import importlib
import secrets
import sys

from flask import Flask


def test_the_wsgi_module_serves_the_production_app(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'wsgi.sqlite'}")
    monkeypatch.delitem(sys.modules, "expense_tracker.wsgi", raising=False)

    wsgi = importlib.import_module("expense_tracker.wsgi")

    assert isinstance(wsgi.app, Flask)
    assert wsgi.app.config["HTTPS_ONLY"] and not wsgi.app.testing
    assert wsgi.app.config["SQLALCHEMY_DATABASE_URI"].endswith("wsgi.sqlite")
