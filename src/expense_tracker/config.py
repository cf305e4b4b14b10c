"""Application settings: defaults in `Config`, overrides from the environment."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

# What amounts are shown in for anyone who has not chosen in Settings (ISO 4217, Babel):
# English as Ireland writes it, the grouping and decimal point the app always showed, and
# the euro sign in front (€1,234.56). Config takes them; code without an app imports them.
DEFAULT_CURRENCY = "EUR"
DEFAULT_LOCALE = "en_IE"


class Config:
    """Defaults for development; the environment overrides the secret key and database URL."""

    # SECRET_KEY and SQLALCHEMY_DATABASE_URI are deliberately absent: they come from
    # the environment (or the instance folder outside production), and a class
    # attribute here would override the environment.

    # Production sets this: no generated secret key, no default database.
    REQUIRE_ENVIRONMENT = False
    # Production sets this: cookies only over HTTPS (see apply_https_settings), unless
    # ALLOW_INSECURE_HTTP is set for a private network.
    HTTPS_ONLY = False
    ALLOW_INSECURE_HTTP = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Forms here are a few fields; anything far larger is a mistake or an attack.
    MAX_CONTENT_LENGTH = 1024 * 1024
    # The CSV import page alone takes files up to this size (a bank's export of years).
    IMPORT_MAX_BYTES = 20 * 1024 * 1024
    # argon2id at OWASP's recommended minimum: 19 MiB of memory, 2 passes, 1 lane.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_KIB = 19 * 1024
    ARGON2_PARALLELISM = 1
    # Sessions end after this long without a request, and this long after log-in at most.
    SESSION_IDLE_MINUTES = 30
    SESSION_LIFETIME_HOURS = 12
    # "Keep me signed in on this device" (off unless ticked at log-in): such a session ends
    # after this many days without a request, and this many days after log-in at most.
    SESSION_REMEMBER_DAYS = 30
    SESSION_REMEMBER_MAX_DAYS = 90
    # How many proxies in front of the app to believe for the client's address and scheme
    # (X-Forwarded-For, X-Forwarded-Proto). 0: use the connection's own address.
    TRUSTED_PROXIES = 0
    # The host names the app answers to (Flask refuses any other Host with a 400), and
    # the ones its absolute links name; None: any Host is served, and links are relative.
    TRUSTED_HOSTS: list[str] | None = None
    # This server's address as users reach it (https://expenses.example.org, with a path if
    # it is served under one): links that are copied and sent (invitations, password
    # resets) are built on it. None: on the requested host only when TRUSTED_HOSTS names it.
    BASE_URL: str | None = None
    EXPENSES_PER_PAGE = 50
    # Who may make an account (see REGISTRATION_MODES): anyone, whoever has an invitation
    # link, or only the operator's create-user command.
    REGISTRATION = "open"
    # The environment's CURRENCY and LOCALE replace these (see _default_preferences).
    CURRENCY = DEFAULT_CURRENCY
    LOCALE = DEFAULT_LOCALE
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # The JSON API's OpenAPI document, served at /api/v1/openapi.json.
    API_TITLE = "Expense Tracker API"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class ProductionConfig(Config):
    """Settings for serving real users: secrets and the database come from the environment.

    Production assumes HTTPS (gunicorn's own TLS or a proxy's): the session cookie is
    Secure and named with the __Host- prefix, unless ALLOW_INSECURE_HTTP is set for a
    private network.
    """

    REQUIRE_ENVIRONMENT = True
    HTTPS_ONLY = True


class TestConfig(Config):
    """Fast, isolated settings for the test suite."""

    TESTING = True
    # The test suite's own key, never used to serve anyone (bandit: not a leaked secret).
    SECRET_KEY = "test-secret-key"  # nosec B105
    # Cheap hashing keeps the suite fast; the others use OWASP's parameters.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 8
    EXPENSES_PER_PAGE = 5


def own_settings(config_class: type) -> dict:
    """The settings a Config subclass sets itself, not the defaults it inherits from Config.

    Applied over the environment, a subclass overrides only what it names: passing
    ProductionConfig must not put Config's defaults back over what the environment set.
    """
    settings: dict = {}
    for klass in reversed(config_class.__mro__):
        if klass is object or klass is Config:
            continue
        settings |= {key: value for key, value in vars(klass).items() if key.isupper()}
    return settings


def normalize_database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver, accepting the `postgres://` form too.

    Hosting platforms hand out `postgres://`, which SQLAlchemy no longer reads,
    and a bare `postgresql://` would ask for psycopg2, which is not installed.
    """
    scheme, separator, rest = url.partition("://")
    if separator and scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return url


# Whole-number settings the environment may give, with the least each may be.
_NUMBERS = {
    "SESSION_IDLE_MINUTES": 1,
    "SESSION_LIFETIME_HOURS": 1,
    "SESSION_REMEMBER_DAYS": 1,
    "SESSION_REMEMBER_MAX_DAYS": 1,
    "TRUSTED_PROXIES": 0,
    "IMPORT_MAX_BYTES": 1024,
}
_TRUE = ("1", "true", "yes", "on")


def from_environment() -> dict:
    """Return the settings the environment gives (see the README's Configuration table)."""
    settings: dict = {}
    if os.environ.get("SECRET_KEY"):
        settings["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(os.environ["DATABASE_URL"])
    for name, least in _NUMBERS.items():
        raw = os.environ.get(name, "").strip()
        if not raw:
            continue
        if not raw.isascii() or not raw.isdigit() or int(raw) < least:
            raise ConfigurationError(f"{name} must be a whole number of at least {least}.")
        settings[name] = int(raw)
    if os.environ.get("REGISTRATION", "").strip():
        settings["REGISTRATION"] = os.environ["REGISTRATION"].strip().lower()
    hosts = [host.strip() for host in os.environ.get("TRUSTED_HOSTS", "").split(",")]
    if any(hosts):
        settings["TRUSTED_HOSTS"] = [host for host in hosts if host]
    if os.environ.get("BASE_URL", "").strip():
        settings["BASE_URL"] = check_base_url(os.environ["BASE_URL"].strip())
    if os.environ.get("ALLOW_INSECURE_HTTP", "").strip().lower() in _TRUE:
        settings["ALLOW_INSECURE_HTTP"] = True
    settings |= _default_preferences()
    return settings


def check_base_url(url: str) -> str:
    """Return `url` without a trailing slash, or raise if it is not a whole http(s) address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigurationError(
            "BASE_URL must be this server's address as users reach it, such as"
            f" https://expenses.example.org (not {url!r})."
        )
    return url.rstrip("/")


def _default_preferences() -> dict:
    """CURRENCY and LOCALE from the environment, each one that Settings offers too."""
    from .services.preferences import currency_choices, locale_choices

    settings = {}
    for name, choices in (("CURRENCY", currency_choices), ("LOCALE", locale_choices)):
        raw = os.environ.get(name, "").strip()
        if not raw:
            continue
        if raw not in dict(choices()):
            raise ConfigurationError(f"{name} {raw!r} is not one Settings offers.")
        settings[name] = raw
    return settings


def apply_https_settings(config: dict) -> None:
    """Make the session cookie Secure and __Host- prefixed when the app is served over HTTPS."""
    if config["HTTPS_ONLY"] and not config["ALLOW_INSECURE_HTTP"]:
        config["SESSION_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_NAME"] = "__Host-session"


class ConfigurationError(RuntimeError):
    """The app cannot start safely with the settings it was given."""


REGISTRATION_MODES = ("open", "invite", "closed")


def check_registration(config: dict) -> None:
    """Refuse to start unless REGISTRATION is one of the modes the app knows."""
    if config.get("REGISTRATION") not in REGISTRATION_MODES:
        raise ConfigurationError(
            f"REGISTRATION must be open, invite or closed, not {config.get('REGISTRATION')!r}."
        )


_PLACEHOLDER_WORDS = ("change", "placeholder", "example", "secret-key", "your-", "xxx")
SECRET_KEY_MIN_LENGTH = 32


def require_environment(config: dict) -> None:
    """Refuse to start in production without a real secret key and a database URL."""
    key = config.get("SECRET_KEY") or ""
    if (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < 8
        or any(word in key.lower() for word in _PLACEHOLDER_WORDS)
    ):
        raise ConfigurationError(
            f"SECRET_KEY must be set to a random value of at least {SECRET_KEY_MIN_LENGTH}"
            ' characters, for example: python -c "import secrets; print(secrets.token_hex(32))"'
        )
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        raise ConfigurationError(
            "DATABASE_URL must be set, for example postgresql://user:password@host/dbname"
            " or sqlite:////absolute/path/expense_tracker.sqlite"
        )


def fill_instance_defaults(config: dict, instance_path: str) -> None:
    """Use the instance folder for whatever is still unset: the SQLite file and a secret key."""
    instance = Path(instance_path)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'expense_tracker.sqlite'}"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret_key(instance / "secret_key")


def _instance_secret_key(path: Path) -> str:
    """Return the key kept in the instance folder, creating it once so sessions survive restarts."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write aside, then link into place: link fails if another process won the race,
    # so every process ends up reading the same complete key.
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()
