"""Database models: every table the app keeps, and the column types for amounts and times.

Users and what they own (categories, expenses, monthly totals, budgets, recurring expenses
and their occurrences, CSV imports and saved column mappings), and what guards an account
(sessions, API tokens, recovery codes, throttle events), and the single-use links that
let someone in (invitations, password resets). Amounts are `Cents`; times are
`UtcDateTime`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from . import clock
from .extensions import db

CENTS = Decimal("0.01")
# Largest id a table here can hold (ids are INTEGER, 32 bits on PostgreSQL); a bigger one
# cannot exist, and must not reach the database, which would refuse it as out of range.
MAX_ID = 2**31 - 1
# Longest id a device may give an expense it made (a UUID is 36 characters).
CLIENT_ID_LENGTH = 64


class Cents(TypeDecorator[Decimal]):
    """A `Decimal` amount stored as integer minor units (cents).

    Integers keep sums exact on every database: SQLite has no decimal type and
    would otherwise store and add amounts as binary floating point.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect) -> int | None:
        if value is None:
            return None
        return int(Decimal(value).quantize(CENTS).scaleb(2))

    def process_result_value(self, value: int | None, dialect) -> Decimal | None:
        if value is None:
            return None
        # scaleb keeps the exponent: 1250 cents is Decimal("12.50"), already to the cent.
        return Decimal(int(value)).scaleb(-2)


class ExactDecimal(TypeDecorator[Decimal]):
    """A `Decimal` kept exactly as it is, such as an exchange rate: never summed in SQL.

    NUMERIC without a scale on PostgreSQL; text on SQLite, whose NUMERIC is a float.
    """

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect) -> Decimal | str | None:
        if value is None:
            return None
        value = Decimal(value)
        return format(value, "f") if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value) if isinstance(value, str) else value


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A point in time stored with its zone, always read back as an aware UTC datetime.

    PostgreSQL keeps the zone; SQLite hands back naive datetimes, in UTC here.
    """

    impl = db.DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class User(UserMixin, db.Model):
    """A person with an account; owns categories and expenses."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)
    # Two-factor authentication is on when the user has a TOTP secret (base32).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The newest TOTP time step used to log in: a code of that step or older is refused.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # The earliest next due date of the user's active recurring expenses, kept by
    # services.recurring: the dashboard, which has this row already, fills due occurrences
    # only when it is today or earlier, so an ordinary view costs no query for them.
    recurring_due: Mapped[dt.date | None]
    # How amounts are shown and typed: an ISO 4217 code and a Babel locale such as "de_DE".
    # None follows the server's defaults (the CURRENCY and LOCALE settings).
    currency: Mapped[str | None] = mapped_column(String(3))
    locale: Mapped[str | None] = mapped_column(String(16))
    # "system" (follow the device), "light" or "dark".
    theme: Mapped[str] = mapped_column(String(6), default="system", server_default="system")
    # Set by the operator's disable-user command: the account cannot log in or use the API.
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # When the first-run step (currency, number format) was saved or skipped; None: not
    # yet, so registering leads there. Accounts older than the step count as welcomed.
    welcomed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    # Usernames are ASCII only, so the database's lower() is exact on every backend.
    __table_args__ = (Index("uq_users_username_lower", func.lower(username), unique=True),)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username!r}>"


class Category(db.Model):
    """A user's spending category, unique per user ignoring case."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    # casefold() of the name, computed in Python: SQLite's lower() only folds ASCII.
    name_key: Mapped[str] = mapped_column(String(120))
    # One of the ten colours in colors.py (0-9); charts paint it with colors.color_class.
    color: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)
    # Counts renames and colour changes: one made from an older version is refused
    # (services.categories). Filing expenses under it or merging another into it is no change.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    # As on Expense: the ORM adds one at every change it writes, made under the row's lock.
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (UniqueConstraint("user_id", "name_key", name="uq_categories_user_name"),)

    @staticmethod
    def key_for(name: str) -> str:
        """Return the case-insensitive key under which `name` is unique."""
        return name.casefold()

    def __repr__(self) -> str:
        return f"<Category {self.id} {self.name!r}>"


class Expense(db.Model):
    """One amount spent on a date, filed under a category."""

    __tablename__ = "expenses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    date: Mapped[dt.date]
    amount: Mapped[Decimal] = mapped_column("amount_cents", Cents)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime, default=clock.now, onupdate=clock.now
    )
    # The CSV import that added it, so the import can be undone; None when typed in.
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("imports.id", ondelete="SET NULL"), index=True
    )
    # Counts the changes: an edit made from an older version is refused (services.expenses).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The id a device gave it when it was made there (offline, perhaps, and sent again until
    # an answer came back): a second expense with the same id is the first one sent again.
    client_id: Mapped[str | None] = mapped_column(String(CLIENT_ID_LENGTH))

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)

    # The ORM adds one to `version` at every change it writes. Changes are made under the
    # row's lock, from a fresh read, so the check it adds to each UPDATE always holds.
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        # Serves the dashboard: a user's expenses newest first, paged by (date, id).
        Index("ix_expenses_user_date_id", "user_id", "date", "id"),
        # Serves a category filter: one category's expenses in a period, in (date, id) order,
        # summed and searched from the index alone (it holds the amount and description).
        Index(
            "ix_expenses_user_category_date_cover",
            "user_id",
            "category_id",
            "date",
            "id",
            "amount_cents",
            "description",
        ),
        # A device's id names one expense of its user; rows without one are not indexed.
        Index(
            "uq_expenses_user_client",
            "user_id",
            "client_id",
            unique=True,
            sqlite_where=text("client_id IS NOT NULL"),
            postgresql_where=text("client_id IS NOT NULL"),
        ),
    )

    def __repr__(self) -> str:
        return f"<Expense {self.id} {self.date} {self.amount}>"


class MonthlyTotal(db.Model):
    """What a user spent in one category in one month, kept up to date with every write.

    Summaries of whole months read these few rows instead of every expense.
    """

    __tablename__ = "monthly_totals"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[dt.date] = mapped_column(primary_key=True)  # the month's first day
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    total: Mapped[Decimal] = mapped_column("total_cents", Cents)
    count: Mapped[int]

    def __repr__(self) -> str:
        return f"<MonthlyTotal {self.user_id} {self.month} {self.category_id} {self.total}>"


class Rate(db.Model):
    """An exchange rate: on `date`, one unit of `base` was worth `rate` units of `quote`.

    Shared rates (the European Central Bank's, base EUR) have no user and serve everyone;
    a rate a user typed ("1 GBP = 1.17 EUR") has their id and serves them alone.
    """

    __tablename__ = "rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    date: Mapped[dt.date]
    base: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    source: Mapped[str] = mapped_column(String(8))  # "ECB" or "user"
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)

    __table_args__ = (
        # One shared rate per pair and day, found by pair and date (the newest on or before).
        Index(
            "uq_rates_shared",
            "base",
            "quote",
            "date",
            unique=True,
            sqlite_where=text("user_id IS NULL"),
            postgresql_where=text("user_id IS NULL"),
        ),
        # One rate of a user's per pair and day.
        Index(
            "uq_rates_user",
            "user_id",
            "base",
            "quote",
            "date",
            unique=True,
            sqlite_where=text("user_id IS NOT NULL"),
            postgresql_where=text("user_id IS NOT NULL"),
        ),
        CheckConstraint("base <> quote", name="ck_rates_two_currencies"),
    )

    def __repr__(self) -> str:
        return f"<Rate {self.date} 1 {self.base} = {self.rate} {self.quote} {self.source}>"


class Budget(db.Model):
    """What a user means to spend in a calendar month: in one category, or overall.

    A row without a category is the overall monthly budget; the database keeps at most
    one per user (a partial unique index, as NULLs never collide in a unique constraint).
    """

    __tablename__ = "budgets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[Decimal] = mapped_column("amount_cents", Cents)

    __table_args__ = (
        UniqueConstraint("user_id", "category_id", name="uq_budgets_user_category"),
        Index(
            "uq_budgets_user_overall",
            "user_id",
            unique=True,
            sqlite_where=text("category_id IS NULL"),
            postgresql_where=text("category_id IS NULL"),
        ),
        CheckConstraint("amount_cents > 0", name="ck_budgets_amount_positive"),
    )

    def __repr__(self) -> str:
        return f"<Budget {self.id} {self.category_id} {self.amount}>"


class ApiToken(db.Model):
    """A personal access token for the JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # Tokens are 256 random bits, so a fast digest is as safe as a slow one and
    # lets a request find its token by index.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # None: it never expires (chosen so, or made before tokens had an expiry).
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    def is_expired(self, now: dt.datetime) -> bool:
        """Whether the token has stopped working because its time is up."""
        return self.expires_at is not None and self.expires_at <= now

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.name!r}>"


class Invitation(db.Model):
    """A single-use link that lets one person register; only its SHA-256 digest is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Who made it; None for the operator's `invite` command.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Invitation {self.id} by {self.created_by_id}>"


class PasswordReset(db.Model):
    """A single-use link that sets a new password for one account; only its digest is stored."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"<PasswordReset {self.id} of user {self.user_id}>"


class ThrottleCounter(db.Model):
    """The attempts counted against one limit for one key (a username and address, an account).

    Kept in the database so every worker and app server counts the same attempts; one
    upsert counts an attempt and decides it (see `services.throttle`).
    """

    __tablename__ = "throttle_counters"

    # SHA-256 of what is limited (such as a username and client address): no need to keep it.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int]
    # When the current window began (fixed-window limits).
    window_start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # The earliest time the next attempt may go ahead (back-off limits).
    next_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    # Whether the latest attempt went ahead: what the upsert's RETURNING reads.
    allowed: Mapped[bool]


class UserSession(db.Model):
    """A logged-in browser. Its cookie holds a secret whose SHA-256 digest is kept here.

    Deleting the row ends the session wherever its cookie has been copied to.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    # "Keep me signed in on this device": the session lasts SESSION_REMEMBER_DAYS without
    # use and SESSION_REMEMBER_MAX_DAYS at most, and its cookie outlives the browser.
    kept_signed_in: Mapped[bool] = mapped_column(default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app; only its digest is kept.

    Codes carry at least 112 random bits, so a plain SHA-256 digest is enough to store them.
    """

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} of user {self.user_id}>"


class Import(db.Model):
    """A CSV file being imported, or imported: its bytes and settings live here between requests.

    Any worker can show the preview, check the rows or run the import from this row.
    The bytes are dropped once the file is imported.
    """

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    # pending (uploaded, not imported), done, undone
    status: Mapped[str] = mapped_column(String(10), default="pending")
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    settings: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    size: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    undone_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"<Import {self.id} {self.filename!r} {self.status}>"


class ImportMapping(db.Model):
    """Import settings a user saved by name, reused for files with the same header."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    # SHA-256 of the file's header row, as read with these settings.
    header_key: Mapped[str] = mapped_column(String(64))
    settings: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)

    __table_args__ = (
        UniqueConstraint("user_id", "name", name="uq_import_mappings_user_name"),
        Index("ix_import_mappings_user_header", "user_id", "header_key"),
    )


class RecurringExpense(db.Model):
    """An amount that becomes an expense on every date of its schedule.

    `next_due` is the first date not yet handled (None once the schedule has ended);
    every date before it has been made into an expense or deliberately skipped.
    """

    __tablename__ = "recurring_expenses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    amount: Mapped[Decimal] = mapped_column("amount_cents", Cents)
    description: Mapped[str] = mapped_column(String(200), default="")
    frequency: Mapped[str] = mapped_column(String(10))  # weekly, monthly or yearly
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date | None]
    # Monthly only: 1-31, falling on the month's last day in shorter months.
    day_of_month: Mapped[int | None] = mapped_column(SmallInteger)
    is_paused: Mapped[bool] = mapped_column(default=False)
    next_due: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime, default=clock.now, onupdate=clock.now
    )
    # Counts the user's changes (edit, pause, resume, end; a merge of its category): one made
    # from an older version is refused. The job moving `next_due` on is not counted, or every
    # open edit page would go stale each time a date passes. So services.recurring adds one
    # itself, and this is no `version_id_col`: the ORM would count the job's writes too.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        # Serves a user's list and the earliest due date of their active recurring expenses.
        Index("ix_recurring_expenses_user_next_due", "user_id", "next_due"),
        # Serves the job: every recurring expense due by a date.
        Index("ix_recurring_expenses_next_due", "next_due"),
        CheckConstraint(
            "frequency IN ('weekly', 'monthly', 'yearly')", name="ck_recurring_frequency"
        ),
        CheckConstraint(
            "day_of_month IS NULL OR day_of_month BETWEEN 1 AND 31", name="ck_recurring_day"
        ),
    )

    def __repr__(self) -> str:
        return f"<RecurringExpense {self.id} {self.frequency} {self.amount}>"


class RecurringOccurrence(db.Model):
    """One date of a recurring expense's schedule that has been handled, at most once per date.

    The unique (template_id, due_date) pair is what makes the job idempotent: a second run,
    or a second server running it at the same time, cannot insert the same date again,
    and only the run whose insert took effect makes the expense. The row outlives its
    expense (expense_id becomes NULL), so a deleted expense is not made again.
    """

    __tablename__ = "recurring_occurrences"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("recurring_expenses.id", ondelete="CASCADE")
    )
    due_date: Mapped[dt.date]
    expense_id: Mapped[int | None] = mapped_column(
        ForeignKey("expenses.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=clock.now)

    __table_args__ = (
        UniqueConstraint("template_id", "due_date", name="uq_recurring_occurrences_template_date"),
    )
