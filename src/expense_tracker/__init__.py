"""Expense Tracker: a self-hosted, multi-user personal expense tracker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import Flask, session
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import (
    Config,
    apply_https_settings,
    check_registration,
    fill_instance_defaults,
    from_environment,
    own_settings,
    require_environment,
)
from .extensions import SESSION_SECRET, csrf, db, login_manager, migrate


def create_app(config: type | Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, error pages, commands."""
    app = Flask(__name__, instance_relative_config=True)
    # Later wins: defaults, then the environment, then what the caller passed.
    app.config.from_object(Config)
    app.config.from_mapping(from_environment())
    if isinstance(config, Mapping):
        app.config.from_mapping(config)
    elif config is not None:
        app.config.from_mapping(own_settings(config))
    if app.config["REQUIRE_ENVIRONMENT"]:
        require_environment(app.config)
    else:
        fill_instance_defaults(app.config, app.instance_path)
    check_registration(app.config)
    apply_https_settings(app.config)
    # The cookie of a session kept signed in expires when the server would end it unused.
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(
        days=app.config["SESSION_REMEMBER_DAYS"]
    )
    if app.config["TRUSTED_PROXIES"]:
        # Believe X-Forwarded-For and -Proto from exactly that many proxies, no more.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    init_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_commands(app)

    from .errors import register_error_handlers
    from .security import register_security

    register_error_handlers(app)
    register_security(app)
    return app


def init_extensions(app: Flask) -> None:
    """Bind the database, migrations, log-in and CSRF protection to the app."""
    from . import models
    from .services import sessions

    db.init_app(app)
    migrate.init_app(app, db)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> models.User | None:
        # The user of a session the server still knows: logging out, a password change
        # or a timeout ends it for every copy of the cookie.
        secret = session.get(SESSION_SECRET)
        if not secret or not user_id.isascii() or not user_id.isdigit():
            return None
        if int(user_id) > models.MAX_ID:
            return None
        return sessions.session_user(int(user_id), secret)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _configure_sqlite)


def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """Set SQLite up for several workers at once: WAL, a busy timeout and foreign keys."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def register_blueprints(app: Flask) -> None:
    """Attach the page blueprints and the JSON API."""
    from .api import init_api
    from .app_shell.views import bp as app_shell_bp
    from .auth.views import bp as auth_bp
    from .budgets.views import bp as budgets_bp
    from .categories.views import bp as categories_bp
    from .expenses.views import bp as expenses_bp
    from .exports.views import bp as exports_bp
    from .imports.views import bp as imports_bp
    from .quick_add.views import bp as quick_add_bp
    from .recurring.views import bp as recurring_bp
    from .settings.invitations import bp as invitations_bp
    from .settings.two_factor import bp as two_factor_bp
    from .settings.views import bp as settings_bp
    from .welcome.views import bp as welcome_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(expenses_bp)
    app.register_blueprint(quick_add_bp)
    app.register_blueprint(categories_bp)
    app.register_blueprint(budgets_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(recurring_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(two_factor_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(welcome_bp)
    app.register_blueprint(app_shell_bp)
    init_api(app)


def register_commands(app: Flask) -> None:
    """Add the `flask --app expense_tracker ...` maintenance commands."""
    from . import commands

    for command in (
        commands.rebuild_totals,
        commands.import_legacy,
        commands.backup,
        commands.export,
        commands.run_recurring,
        commands.purge_expired,
        commands.purge_uploads,
        commands.create_user,
        commands.invite,
        commands.disable_user,
        commands.enable_user,
        commands.reset_password_link,
        commands.rates_group,
    ):
        app.cli.add_command(command)


_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_user_agent(user_agent: str) -> str:
    """Name the browser and system in a User-Agent string; empty if neither is known."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    return " on ".join(part for part in (browser, system) if part)


def register_template_helpers(app: Flask) -> None:
    """Add the filters templates use to show money, percentages and category colours."""
    from flask_login import current_user

    from .colors import color_class
    from .money import formatter_for

    app.add_template_filter(color_class, "color_class")

    @app.template_filter("money")
    def money(value: Decimal) -> str:
        """An amount with the currency, as the logged-in user reads it (`1.234,56 €`)."""
        return formatter_for(current_user).money(value)

    @app.context_processor
    def theme() -> dict[str, str]:
        """The colour theme pages are drawn in: the user's choice; visitors follow the system."""
        return {"theme": getattr(current_user, "theme", None) or "system"}

    @app.template_filter("percent")
    def percent(value: Decimal) -> str:
        return f"{value}%"

    @app.template_filter("when")
    def when(value) -> str:
        """A stored time (aware UTC, see models.UtcDateTime), to the minute."""
        return f"{value:%-d %b %Y, %H:%M} UTC"

    @app.template_filter("device")
    def device(user_agent: str) -> str:
        """A short name for a browser's User-Agent, such as "Firefox on Linux"."""
        return describe_user_agent(user_agent)

    @app.template_filter("period_text")
    def period_text(expense_filter) -> str:
        start, end = expense_filter.start, expense_filter.end
        if start and end:
            return f"{expense_filter.label}: {start:%-d %b %Y} – {end:%-d %b %Y}"
        if start:
            return f"from {start:%-d %b %Y}"
        if end:
            return f"until {end:%-d %b %Y}"
        return expense_filter.label
