"""The shapes of the API's requests and responses, which also generate its OpenAPI spec.

Schemas check shape only: which fields exist and that each is a string, an integer
or a list. What makes a value valid (an amount above zero, a real date, a
category's length) is decided by the services, for the pages and the API alike.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields
from marshmallow.validate import Length, OneOf, Range

from .. import clock
from ..colors import COLOR_NAMES
from ..services.filters import DEFAULT_PERIOD, PERIODS, SEARCH_MAX
from ..services.tokens import DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS, NAME_MAX
from ..services.two_factor import CODE_MAX
from ..services.validation import CATEGORY_MAX, DESCRIPTION_MAX, MAX_DATE, MIN_DATE

# Loose on purpose: the service decides (more than zero, at most a billion);
# the pattern documents the form, a decimal string with up to two decimals.
AMOUNT_PATTERN = r"^\s*[0-9]+(\.[0-9]{1,2})?\s*$"
DATE_RANGE = f"between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}"
PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 500


class AmountField(fields.Decimal):
    """An exact amount, written as a decimal string with two decimals ("12.50")."""

    def __init__(self, *, metadata: dict | None = None, **kwargs):
        # The spec would call a Decimal field a number; on the wire it is a string.
        metadata = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", **(metadata or {})}
        super().__init__(places=2, as_string=True, metadata=metadata, **kwargs)


def _text(what: str, **kwargs) -> fields.String:
    """A string field whose wrong type gets a message naming the field."""
    return fields.String(
        error_messages={
            "invalid": f"Send the {what} as a JSON string.",
            "null": f"Send the {what} as a JSON string, not null.",
        },
        **kwargs,
    )


class StrictSchema(ma.Schema):
    """A request body: unknown fields are an error, not silently ignored."""

    class Meta:
        unknown = ma.RAISE

    error_messages = {"type": "Send a JSON object."}


# Requests


class TokenRequest(StrictSchema):
    username = _text("username", required=True, metadata={"examples": ["alice"]})
    password = _text("password", required=True, metadata={"format": "password"})
    name = _text(
        "name",
        metadata={
            "description": 'A label to recognise the token by; "API token" when left out.',
            "maxLength": NAME_MAX,
            "examples": ["Phone shortcut"],
        },
    )
    otp = _text(
        "otp",
        validate=Length(max=CODE_MAX),
        metadata={
            "description": (
                "For an account with two-factor authentication: the 6-digit code the"
                " authenticator app shows now, or an unused recovery code. Each code works once."
            ),
            "examples": ["123456"],
        },
    )
    expires_in_days = fields.Integer(
        strict=True,
        allow_none=True,
        load_default=DEFAULT_EXPIRY_DAYS,
        validate=OneOf(EXPIRY_DAYS, error="Choose 30, 90 or 365 days, or null for never."),
        error_messages={
            "invalid": "Send the days until the token expires as a JSON number: 30, 90 or 365.",
        },
        metadata={
            "description": (
                "Days until the token stops working: 30, 90 or 365; `null` for a token that"
                " never expires. 90 when left out."
            ),
            "default": DEFAULT_EXPIRY_DAYS,
            "examples": [30],
        },
    )


_AMOUNT_IN = {
    "invalid": (
        'Send the amount as a string such as "12.50", not as a JSON number:'
        " numbers can lose cents to binary floating point."
    ),
    "null": 'Send the amount as a string such as "12.50".',
}
_AMOUNT_DOC = {
    "description": "More than 0 and at most 1,000,000,000, with at most two decimals.",
    "pattern": AMOUNT_PATTERN,
    "examples": ["12.50"],
}
_DATE_DOC = {"format": "date", "description": f"YYYY-MM-DD, {DATE_RANGE}."}
_CATEGORY_DOC = {
    "description": "Created when the user has no category of that name (ignoring case).",
    "minLength": 1,
    "maxLength": CATEGORY_MAX,
    "examples": ["Food"],
}
_DESCRIPTION_DOC = {"maxLength": DESCRIPTION_MAX, "examples": ["Lunch with Sam"]}


class ExpenseCreate(StrictSchema):
    date = _text(
        "date",
        metadata={**_DATE_DOC, "description": _DATE_DOC["description"] + " Today if left out."},
    )
    amount = fields.String(required=True, error_messages=_AMOUNT_IN, metadata=_AMOUNT_DOC)
    category = _text("category", required=True, metadata=_CATEGORY_DOC)
    description = _text("description", metadata=_DESCRIPTION_DOC)
    client_id = _text(
        "client_id",
        metadata={
            "description": (
                "An id your device made for this expense (8 to 64 of A-Z, a-z, 0-9, - and _;"
                " a UUID will do). Sent again with the same id, the expense stored the first"
                " time is the answer (200), and nothing is stored twice: retry safely."
            ),
            "minLength": 8,
            "maxLength": 64,
            "pattern": "^[A-Za-z0-9_-]{8,64}$",
            "examples": ["0b7e4c1e-8f2a-4d53-9a61-3f1c2d4e5f60"],
        },
    )


class ExpenseChange(StrictSchema):
    """Any subset of an expense's fields; those left out keep their values."""

    date = _text("date", metadata=_DATE_DOC)
    amount = fields.String(error_messages=_AMOUNT_IN, metadata=_AMOUNT_DOC)
    category = _text("category", metadata=_CATEGORY_DOC)
    description = _text("description", metadata=_DESCRIPTION_DOC)


_COLOR_DOC = {
    "description": "One of ten colours, by number: "
    + ", ".join(f"{n} {name}" for n, name in enumerate(COLOR_NAMES))
    + ".",
    "minimum": 0,
    "maximum": len(COLOR_NAMES) - 1,
    "examples": [2],
}
_COLOR_IN = {"invalid": "Send the colour as a whole number from 0 to 9."}
_NAME_DOC = {
    "description": "Unique among your categories, ignoring case.",
    "minLength": 1,
    "maxLength": CATEGORY_MAX,
    "examples": ["Groceries"],
}


class CategoryCreate(StrictSchema):
    name = _text("name", required=True, metadata=_NAME_DOC)
    color = fields.Integer(
        strict=True,
        error_messages=_COLOR_IN,
        metadata={
            **_COLOR_DOC,
            "description": _COLOR_DOC["description"] + " Least used if left out.",
        },
    )


class CategoryChange(StrictSchema):
    """A new name, a new colour, or both; what is left out stays."""

    name = _text("name", metadata=_NAME_DOC)
    color = fields.Integer(strict=True, error_messages=_COLOR_IN, metadata=_COLOR_DOC)


class CategoryMerge(StrictSchema):
    into = fields.Integer(
        required=True,
        strict=True,
        error_messages={"invalid": "Send the id of the category to merge into, a whole number."},
        metadata={"description": "The id of another of your categories.", "examples": [7]},
    )


_FREQUENCY_DOC = {"enum": ["weekly", "monthly", "yearly"], "examples": ["monthly"]}
_DAY_OF_MONTH_DOC = {
    "description": (
        "Monthly only: 1-31, the month's last day in shorter months; the start date's day"
        " when null or left out."
    ),
    "examples": [31],
}
_END_DATE_DOC = {**_DATE_DOC, "description": "The last day it may happen; null for none."}


class RecurringCreate(StrictSchema):
    amount = fields.String(required=True, error_messages=_AMOUNT_IN, metadata=_AMOUNT_DOC)
    category = _text("category", required=True, metadata=_CATEGORY_DOC)
    description = _text("description", metadata=_DESCRIPTION_DOC)
    frequency = _text("frequency", required=True, metadata=_FREQUENCY_DOC)
    start_date = _text(
        "start_date",
        required=True,
        metadata={**_DATE_DOC, "description": "At most 3 years ago; past dates are filled in."},
    )
    day_of_month = fields.Integer(strict=True, allow_none=True, metadata=_DAY_OF_MONTH_DOC)
    end_date = _text("end_date", allow_none=True, metadata=_END_DATE_DOC)


class RecurringChange(StrictSchema):
    """Any subset of a recurring expense's fields; those left out keep their values."""

    amount = fields.String(error_messages=_AMOUNT_IN, metadata=_AMOUNT_DOC)
    category = _text("category", metadata=_CATEGORY_DOC)
    description = _text("description", metadata=_DESCRIPTION_DOC)
    frequency = _text("frequency", metadata=_FREQUENCY_DOC)
    start_date = _text("start_date", metadata=_DATE_DOC)
    day_of_month = fields.Integer(strict=True, allow_none=True, metadata=_DAY_OF_MONTH_DOC)
    end_date = _text("end_date", allow_none=True, metadata=_END_DATE_DOC)


# A parameter sent empty is an error, not "no filter": leave it out instead.
NOT_EMPTY = Length(min=1, error="Leave the parameter out, or give it a value.")


class PeriodQuery(ma.Schema):
    from_ = fields.String(
        data_key="from",
        validate=NOT_EMPTY,
        metadata={**_DATE_DOC, "description": "First day, inclusive."},
    )
    to = fields.String(
        validate=NOT_EMPTY, metadata={**_DATE_DOC, "description": "Last day, inclusive."}
    )


class FilterQuery(PeriodQuery):
    category = fields.String(
        validate=NOT_EMPTY,
        metadata={"description": "Only this category (ignoring case).", "examples": ["Food"]},
    )
    q = fields.String(
        metadata={
            "description": "Only expenses whose description contains this text, ignoring case.",
            "maxLength": SEARCH_MAX,
        }
    )
    min = fields.String(
        validate=NOT_EMPTY, metadata={**_AMOUNT_DOC, "description": "Smallest amount, inclusive."}
    )
    max = fields.String(
        validate=NOT_EMPTY, metadata={**_AMOUNT_DOC, "description": "Largest amount, inclusive."}
    )


class ExpenseQuery(FilterQuery):
    limit = fields.Integer(
        load_default=PER_PAGE_DEFAULT,
        validate=Range(1, PER_PAGE_MAX),
        metadata={"description": "How many expenses a page holds."},
    )
    cursor = fields.String(
        metadata={
            "description": "Where the page starts; take it from the previous page's `next`.",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]+$",
        }
    )


class DashboardQuery(FilterQuery):
    """The dashboard page's parameters: a period, or `from` and `to`, and the filters."""

    period = fields.String(
        validate=OneOf(list(PERIODS)),
        metadata={
            "description": (
                f"{', '.join(PERIODS)}, as on the page; {DEFAULT_PERIOD} if left out, or"
                " custom when `from` or `to` is given. Only custom reads `from` and `to`."
            ),
            "examples": ["last-month"],
        },
    )


_MONTH_DOC = {
    "pattern": r"^[0-9]{4}-[0-9]{2}$",
    "examples": ["2026-11"],
}


class MonthQuery(ma.Schema):
    month = fields.String(
        validate=NOT_EMPTY,
        metadata={
            **_MONTH_DOC,
            "description": "YYYY-MM, 1900-01 to 2100-12; this month if left out.",
        },
    )


class TrendQuery(MonthQuery):
    """The twelve months ending with `month`, and the filters of GET /expenses but dates."""

    category = FilterQuery._declared_fields["category"]
    q = FilterQuery._declared_fields["q"]
    min = FilterQuery._declared_fields["min"]
    max = FilterQuery._declared_fields["max"]


class BudgetsReplace(StrictSchema):
    overall = fields.String(
        allow_none=True,
        error_messages=_AMOUNT_IN,
        metadata={
            **_AMOUNT_DOC,
            # Blank means no budget, as on the budgets page.
            "pattern": r"^\s*([0-9]+(\.[0-9]{1,2})?)?\s*$",
            "description": (
                "Budget for every expense of a month, like an expense's amount;"
                " null, blank or left out for none."
            ),
        },
    )
    categories = fields.Dict(
        required=True,
        keys=fields.String(),
        values=fields.String(allow_none=True, error_messages=_AMOUNT_IN),
        error_messages={
            "invalid": "Send the categories as an object of name to amount.",
            "required": "Send the categories as an object of name to amount, empty for none.",
        },
        metadata={
            "description": (
                "Category name to monthly budget. A category of a new name is made;"
                " categories left out, or null, have no budget."
            ),
            "examples": [{"Food": "300.00", "Travel": "50"}],
        },
    )


# Responses


class TokenCreated(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    token = fields.String(
        required=True,
        metadata={"description": "The secret. It is shown this once and stored only as a hash."},
    )
    expires_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "When it stops working; null if it never expires."},
    )


class Token(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(
        required=True, allow_none=True, metadata={"description": "To the minute."}
    )
    expires_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "When it stops working; null if it never expires."},
    )
    expired = fields.Function(
        lambda token: token.is_expired(clock.now()),
        required=True,
        metadata={"type": "boolean", "description": "Whether it has expired: it no longer works."},
    )


class TokenList(ma.Schema):
    items = fields.List(fields.Nested(Token), required=True)


class Expense(ma.Schema):
    id = fields.Integer(required=True)
    date = fields.Date(required=True)
    amount = AmountField(required=True, metadata={"examples": ["12.50"]})
    category = fields.String(required=True)
    description = fields.String(required=True)


class ExpenseList(ma.Schema):
    items = fields.List(fields.Nested(Expense), required=True)
    next = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "format": "uri-reference",
            "description": (
                "The next page, or null on the last one: a path to resolve against this"
                " request's URL, or an absolute URL when the server sets TRUSTED_HOSTS."
            ),
        },
    )


class Recurring(ma.Schema):
    id = fields.Integer(required=True)
    amount = AmountField(required=True, metadata={"examples": ["950.00"]})
    category = fields.String(required=True)
    description = fields.String(required=True)
    frequency = fields.String(required=True, metadata={"enum": ["weekly", "monthly", "yearly"]})
    start_date = fields.Date(required=True)
    day_of_month = fields.Integer(required=True, allow_none=True)
    end_date = fields.Date(required=True, allow_none=True)
    status = fields.String(required=True, metadata={"enum": ["active", "paused", "ended"]})
    next_due = fields.Date(
        required=True,
        allow_none=True,
        metadata={"description": "The next date it becomes an expense; null once ended."},
    )


class RecurringList(ma.Schema):
    items = fields.List(fields.Nested(Recurring), required=True)


class ExportedExpense(ma.Schema):
    date = fields.Date(required=True)
    amount = AmountField(required=True, metadata={"examples": ["12.50"]})
    currency = fields.String(
        required=True,
        metadata={
            "description": "Your currency, as chosen in Settings (ISO 4217).",
            "examples": ["EUR"],
        },
    )
    category = fields.String(required=True)
    description = fields.String(required=True)


class CategoryShare(ma.Schema):
    category = fields.String(required=True)
    color = fields.Integer(required=True, metadata=_COLOR_DOC)
    total = AmountField(required=True)
    count = fields.Integer(required=True)
    percent = fields.String(
        required=True,
        metadata={
            "description": "Share of the total, one decimal, rounded half up.",
            "examples": ["81.0"],
        },
    )


class Summary(ma.Schema):
    from_ = fields.Date(data_key="from", required=True, allow_none=True)
    to = fields.Date(required=True, allow_none=True)
    total = AmountField(required=True)
    count = fields.Integer(required=True)
    categories = fields.List(
        fields.Nested(CategoryShare),
        required=True,
        metadata={"description": "Largest total first."},
    )


class CategoryBalance(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    color = fields.Integer(required=True, metadata=_COLOR_DOC)
    total = AmountField(required=True, metadata={"description": "All time."})
    count = fields.Integer(required=True)


class CategoryList(ma.Schema):
    items = fields.List(fields.Nested(CategoryBalance), required=True)


class Problem(ma.Schema):
    """An error, as RFC 9457 problem details."""

    type = fields.String(required=True, metadata={"examples": ["about:blank"]})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "For 422: a message for each field that is wrong."},
    )


class BudgetState(ma.Schema):
    amount = AmountField(required=True, metadata={"description": "The monthly budget."})
    spent = AmountField(required=True, metadata={"description": "Spent in the month."})
    left = AmountField(required=True, metadata={"description": "What remains; 0.00 at or over."})
    over = AmountField(required=True, metadata={"description": "How much over; 0.00 unless over."})
    percent = fields.String(
        required=True,
        metadata={"description": "Share of the budget spent, one decimal.", "examples": ["40.0"]},
    )
    state = fields.String(
        required=True,
        metadata={
            "description": "unspent (0%), under, at (exactly the budget, nothing left) or over.",
            "enum": ["unspent", "under", "at", "over"],
        },
    )


class CategoryBudget(BudgetState):
    category = fields.String(required=True)


class MonthBudgets(ma.Schema):
    month = fields.String(required=True, metadata=_MONTH_DOC)
    overall = fields.Nested(BudgetState, required=True, allow_none=True)
    categories = fields.List(
        fields.Nested(CategoryBudget), required=True, metadata={"description": "By name."}
    )


class MonthCategory(ma.Schema):
    category = fields.String(required=True)
    total = AmountField(required=True)
    count = fields.Integer(required=True)


class TrendMonth(ma.Schema):
    month = fields.String(required=True, metadata=_MONTH_DOC)
    total = AmountField(required=True)
    count = fields.Integer(required=True)
    categories = fields.List(
        fields.Nested(MonthCategory), required=True, metadata={"description": "Largest first."}
    )


class Trend(ma.Schema):
    months = fields.List(
        fields.Nested(TrendMonth),
        required=True,
        metadata={"description": "Twelve calendar months, oldest first."},
    )


class DashboardComparison(ma.Schema):
    from_ = fields.Date(data_key="from", required=True, metadata={"description": "First day."})
    to = fields.Date(required=True, metadata={"description": "Last day."})
    total = AmountField(required=True, metadata={"description": "Spent in those days."})
    change_percent = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The change to this period, one decimal; null when nothing was spent.",
            "examples": ["-12.5"],
        },
    )


class Dashboard(ma.Schema):
    period = fields.String(required=True, metadata={"enum": list(PERIODS)})
    from_ = fields.Date(data_key="from", required=True, allow_none=True)
    to = fields.Date(required=True, allow_none=True)
    summary = fields.Nested(Summary, required=True)
    comparison = fields.Nested(
        DashboardComparison,
        required=True,
        allow_none=True,
        metadata={"description": "The period before, as long; null for a period without ends."},
    )
    trend = fields.Nested(
        Trend,
        required=True,
        allow_none=True,
        metadata={
            "description": "Twelve months ending with the period's; null with `q`, `min` or"
            " `max` (ask GET /trend)."
        },
    )
    budgets = fields.Nested(
        MonthBudgets,
        required=True,
        metadata={"description": "The period's month if it is one whole month, else this one."},
    )
    categories = fields.List(
        fields.String(), required=True, metadata={"description": "Every category, by name."}
    )
    expenses = fields.Nested(
        ExpenseList, required=True, metadata={"description": "The first page of the list."}
    )
