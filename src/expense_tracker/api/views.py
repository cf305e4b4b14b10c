"""API views for tokens, expenses, exports, the summary, the dashboard, categories, the trend
and budgets.

JSON in, service call, JSON out; the rules live in the services. The recurring expense
views are in recurring.py, on the same blueprint.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, g, request
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.http import parse_etags

from .. import clock
from ..downloads import export_response
from ..errors import TooManyAttempts, Unauthorized, ValidationError
from ..money import preferences_of
from ..security import audit, link
from ..services import budgets, dashboard, expenses, recurring, reports, tokens, trends
from ..services import categories as category_service
from ..services.filters import ExpenseFilter, month_end, parse_filter
from ..services.validation import FieldError
from . import schemas
from .parsing import ApiBlueprint

bp = ApiBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Expenses, summaries and tokens of the user a token belongs to.",
)

# Token creation is the one operation that takes a password instead of a token.
PUBLIC_ENDPOINTS = {"api.create_token"}
BEARER = [{"bearerAuth": []}]
NO_AUTH: list = []


def errors(*statuses: int):
    """Document the error responses an operation can give, beside the default one."""

    def decorate(view):
        for status in statuses:
            view = bp.alt_response(status, response=_RESPONSE_NAMES[status])(view)
        return view

    return decorate


_RESPONSE_NAMES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    404: "NOT_FOUND",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    413: "REQUEST_ENTITY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_ENTITY",
    429: "TOO_MANY_REQUESTS",
}


@bp.before_request
def require_token():
    """Find the user from the bearer token; cookies are never looked at."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    try:
        found = tokens.user_for_token(secret.strip()) if scheme.lower() == "bearer" else None
    except Unauthorized:
        audit("token.expired")
        raise
    if found is None:
        audit("token.rejected", scheme=scheme[:20])
        raise Unauthorized("Send a valid token: Authorization: Bearer <token>.")
    g.api_user, g.api_token = found
    # As on the pages: what became due is made before anything is read.
    recurring.make_due_for(g.api_user, clock.today())


@bp.before_request
def require_json():
    """Bodies must be JSON; anything else is refused before it is read."""
    if (
        request.method in ("POST", "PATCH", "PUT")
        and request.content_length
        and not request.is_json
    ):
        raise UnsupportedMediaType("Send the body as JSON, with Content-Type: application/json.")


def _user_id() -> int:
    return g.api_user.id


def _currency() -> str:
    """The token owner's currency (ISO 4217); amounts themselves stay plain decimals."""
    return preferences_of(g.api_user)[1]


def _expense_json(row) -> dict:
    category = row.category if isinstance(row.category, str) else row.category.name
    return {
        "id": row.id,
        "date": row.date,
        "amount": row.amount,
        "category": category,
        "description": row.description,
    }


# Optimistic concurrency: an expense's (or recurring expense's) ETag is its version, and a
# change may name the one it was made from. Without If-Match a change is made whatever the
# version (the last writer wins, as HTTP allows): clients written before ETags existed keep
# working, and a client that cares sends If-Match. Asking for it (428) would break every such
# client for no gain to them.
def etag_header(noun: str) -> dict:
    """The OpenAPI description of the ETag header of a `noun` ("expense")."""
    return {
        "description": f"The {noun}'s version; send it back in If-Match to change it safely.",
        "schema": {"type": "string"},
    }


def if_match_parameter(noun: str) -> dict:
    """The OpenAPI description of the If-Match header a change of a `noun` takes."""
    return {
        "in": "header",
        "name": "If-Match",
        "required": False,
        "schema": {"type": "string"},
        "description": (
            f"The ETag of the {noun} as you last read it. If it has been changed since, nothing"
            " is done and the answer is 412 Precondition Failed: read it again and retry."
            " Without If-Match (or with *), the change is made whatever happened meanwhile"
            " (the last writer wins)."
        ),
    }


ETAG_HEADER = etag_header("expense")
IF_MATCH = if_match_parameter("expense")


def etag(record) -> dict[str, str]:
    """The ETag header of a versioned record: its version, as a strong tag."""
    return {"ETag": f'"{record.version}"'}


def if_match() -> set[int] | None:
    """The versions If-Match allows (strong ETags only, as RFC 9110 says); None for any."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    tags = parse_etags(header)
    if tags.star_tag:
        return None
    # An empty tag ("") comes back as None.
    strong = (tag for tag in tags.as_set() if tag)
    return {int(tag) for tag in strong if tag.isascii() and tag.isdigit() and len(tag) <= 9}


def _filter(args: dict, **extra: str) -> ExpenseFilter:
    """Read the page's filter from API query parameters; no dates means all time."""
    raw = {key: value for key, value in args.items() if isinstance(value, str)}
    if "from_" in raw:
        raw["from"] = raw.pop("from_")
    raw["period"] = "custom" if raw.get("from") or raw.get("to") else "all"
    return parse_filter(raw | extra, clock.today())


# Links are paths unless TRUSTED_HOSTS names the host (security.link).
_LINK = {"type": "string", "format": "uri-reference"}


def created_links(parameter: str, **operations: tuple[str, str]) -> dict:
    """OpenAPI links from a 201's `id` to operations on the new item, as name=(method, path).

    They tell a client (and schemathesis's stateful phase) where the new id goes.
    """
    links = {
        name: {
            "operationRef": "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method,
            "parameters": {parameter: "$response.body#/id"},
        }
        for name, (method, path) in operations.items()
    }
    return {"responses": {201: {"links": links}}}


# Tokens


@bp.post("/tokens")
@bp.arguments(schemas.TokenRequest)
@bp.response(201, schemas.TokenCreated)
@errors(400, 401, 413, 415, 422, 429)
@bp.doc(security=NO_AUTH)
def create_token(body: dict):
    """Exchange a username and password for a personal access token.

    An account with two-factor authentication also needs `otp`: the current code
    from its authenticator app, or a recovery code. Failed attempts (a wrong password,
    a missing or wrong code) are throttled like the log-in page: after 5 for a
    username from one address within a minute, 429 for a minute, and an account is
    slowed down after 10 from anywhere. The token expires after `expires_in_days`
    (90 unless given; `null` for never); an expired token is refused with 401.
    """
    try:
        token, secret = tokens.create_token_with_password(
            body["username"],
            body["password"],
            body.get("name"),
            request.remote_addr or "",
            otp=body.get("otp"),
            expires_in_days=body["expires_in_days"],
        )
    except TooManyAttempts:
        audit("token.create_throttled", username=body["username"])
        raise
    except Unauthorized:
        audit("token.create_failed", username=body["username"])
        raise
    audit("token.created", user_id=token.user_id, token_id=token.id)
    return {"id": token.id, "name": token.name, "token": secret, "expires_at": token.expires_at}


@bp.get("/tokens")
@bp.response(200, schemas.TokenList)
@errors(401)
@bp.doc(security=BEARER)
def list_tokens():
    """The caller's tokens, newest first. Secrets are never shown again."""
    return {"items": tokens.list_tokens(_user_id())}


@bp.delete("/tokens/<int:token_id>")
@bp.response(204)
@errors(401, 404)
@bp.doc(security=BEARER)
def revoke_token(token_id: int):
    """Revoke one of your tokens (the one you are using, too); it stops working at once."""
    tokens.revoke_token(_user_id(), token_id)
    audit("token.revoked", user_id=_user_id(), token_id=token_id)
    return ""


# Expenses

_NEXT_KEYS = tuple(
    field.data_key or name
    for name, field in schemas.ExpenseQuery().fields.items()
    if name != "cursor"
)


@bp.get("/expenses")
@bp.arguments(schemas.ExpenseQuery, location="query")
@bp.response(200, schemas.ExpenseList)
@errors(401, 422)
@bp.doc(security=BEARER)
def list_expenses(args: dict):
    """Your expenses, newest date first, newest entry first on the same date.

    Pages are keyed, not counted: following `next` visits every expense exactly
    once, even while expenses are added or deleted meanwhile.
    """
    expense_filter = _filter({k: v for k, v in args.items() if k not in ("limit", "cursor")})
    cursor = None
    if "cursor" in args:
        cursor = expenses.Cursor.parse(args["cursor"])
        if cursor is None:
            raise ValidationError({"cursor": "Use the cursor from a previous page's next link."})
    page = expenses.list_expenses(
        _user_id(), limit=args["limit"], expense_filter=expense_filter, before=cursor
    )
    next_url = None
    if page.older is not None:
        # Only the parameters the operation knows: url_for takes some names for itself.
        query = {key: request.args[key] for key in _NEXT_KEYS if key in request.args}
        next_url = link("api.list_expenses", **query, cursor=str(page.older))
    return {"items": [_expense_json(row) for row in page.items], "next": next_url}


@bp.post("/expenses")
@bp.arguments(schemas.ExpenseCreate)
@bp.response(
    201,
    schemas.Expense,
    headers={
        "Location": {"description": "The new expense's URL.", "schema": _LINK},
        "ETag": ETAG_HEADER,
    },
)
@bp.alt_response(
    200,
    schema=schemas.Expense,
    description="Sent before with this client_id: the expense stored then, unchanged.",
)
@errors(400, 401, 413, 415, 422)
@bp.doc(
    security=BEARER,
    **created_links(
        "expense_id",
        GetExpense=("get", "/api/v1/expenses/{expense_id}"),
        UpdateExpense=("patch", "/api/v1/expenses/{expense_id}"),
        DeleteExpense=("delete", "/api/v1/expenses/{expense_id}"),
    ),
)
def create_expense(body: dict):
    """Add an expense. The date is today (the server's) when left out."""
    body.setdefault("date", clock.today().isoformat())
    made = expenses.create_expense_once(_user_id(), body.pop("client_id", None), body)
    expense = made.expense
    location = link("api.get_expense", expense_id=expense.id)
    return (
        _expense_json(expense),
        201 if made.new else 200,
        {"Location": location, **etag(expense)},
    )


@bp.get("/expenses/<int:expense_id>")
@bp.response(200, schemas.Expense, headers={"ETag": ETAG_HEADER})
@errors(401, 404)
@bp.doc(security=BEARER)
def get_expense(expense_id: int):
    """One of your expenses; anyone else's is 404, as if it did not exist."""
    expense = expenses.get_expense(_user_id(), expense_id)
    return _expense_json(expense), etag(expense)


@bp.patch("/expenses/<int:expense_id>")
@bp.arguments(schemas.ExpenseChange, required=False)
@bp.response(200, schemas.Expense, headers={"ETag": ETAG_HEADER})
@errors(400, 401, 404, 412, 413, 415, 422)
@bp.doc(security=BEARER, parameters=[IF_MATCH])
def update_expense(body: dict, expense_id: int):
    """Change the fields sent; the others keep their values.

    Send the ETag you read in If-Match: a change made meanwhile is not undone, but
    answered 412. Without If-Match the last writer wins.
    """
    expense = expenses.update_expense(_user_id(), expense_id, body, versions=if_match())
    return _expense_json(expense), etag(expense)


@bp.delete("/expenses/<int:expense_id>")
@bp.response(204)
@errors(401, 404, 412)
@bp.doc(security=BEARER, parameters=[IF_MATCH])
def delete_expense(expense_id: int):
    """Delete one of your expenses; with If-Match, only if unchanged since (else 412)."""
    expenses.delete_expense(_user_id(), expense_id, versions=if_match())
    return ""


# Exports

_ATTACHMENT = {
    "Content-Disposition": {
        "description": 'attachment; filename="expenses-YYYY-MM-DD.csv" (or .json)',
        "schema": {"type": "string"},
    }
}
_CSV_DOC = {
    "type": "string",
    "description": (
        "UTF-8 with a byte order mark; a header row date,amount,currency,category,description,"
        " then one row per expense. Cells starting with =, +, -, @ or ' (also full-width, or"
        " after zero-width characters) get a leading '."
    ),
}


@bp.get("/export.csv")
@bp.arguments(schemas.FilterQuery, location="query")
@bp.response(200, _CSV_DOC, content_type="text/csv", headers=_ATTACHMENT)
@errors(401, 422)
@bp.doc(security=BEARER)
def export_csv(args: dict):
    """Every expense that passes the filters (all when none), oldest first, as CSV.

    The same filters as GET /expenses; the file is streamed, however large.
    """
    return export_response(_user_id(), _filter(args), "csv", currency=_currency())


@bp.get("/export.json")
@bp.arguments(schemas.FilterQuery, location="query")
@bp.response(200, schemas.ExportedExpense(many=True), headers=_ATTACHMENT)
@errors(401, 422)
@bp.doc(security=BEARER)
def export_json(args: dict):
    """Every expense that passes the filters (all when none), oldest first, as a JSON array.

    The same filters as GET /expenses; the file is streamed, however large.
    """
    return export_response(_user_id(), _filter(args), "json", currency=_currency())


# Reports


@bp.get("/summary")
@bp.arguments(schemas.PeriodQuery, location="query")
@bp.response(200, schemas.Summary)
@errors(401, 422)
@bp.doc(security=BEARER)
def summary(args: dict):
    """What you spent from `from` to `to` (inclusive; either may be left out), by category.

    The same figures as the dashboard for that period, largest category first.
    """
    expense_filter = _filter(args)
    return _summary_json(expense_filter, reports.spending_summary(_user_id(), expense_filter))


def _summary_json(expense_filter: ExpenseFilter, result: reports.Summary) -> dict:
    return {
        "from_": expense_filter.start,
        "to": expense_filter.end,
        "total": result.total,
        "count": result.count,
        "categories": [
            {
                "category": share.name,
                "color": share.color,
                "total": share.total,
                "count": share.count,
                "percent": str(share.percent),
            }
            for share in result.categories
        ],
    }


@bp.get("/dashboard")
@bp.arguments(schemas.DashboardQuery, location="query")
@bp.response(200, schemas.Dashboard)
@errors(401, 422)
@bp.doc(security=BEARER)
def get_dashboard(args: dict):
    """Everything the dashboard page shows for the same period and filters, in one answer.

    The summary, its comparison with the period before, the monthly trend, the month's
    budgets and the first page of expenses: the very figures of the page.
    """
    raw = {key: value for key, value in args.items() if isinstance(value, str)}
    if "from_" in raw:
        raw["from"] = raw.pop("from_")
    if "period" not in raw and (raw.get("from") or raw.get("to")):
        raw["period"] = "custom"
    expense_filter = parse_filter(raw, clock.today())
    board = dashboard.dashboard(
        _user_id(),
        expense_filter,
        clock.today(),
        limit=current_app.config["EXPENSES_PER_PAGE"],
    )
    previous = expense_filter.previous()
    comparison = board.comparison
    page = board.expenses
    next_url = None
    if page.older is not None:
        query = {
            key: value
            for key, value in (
                ("from", expense_filter.start and expense_filter.start.isoformat()),
                ("to", expense_filter.end and expense_filter.end.isoformat()),
                *((key, request.args.get(key)) for key in ("category", "q", "min", "max")),
            )
            if value
        }
        next_url = link("api.list_expenses", **query, cursor=str(page.older))
    return {
        "period": expense_filter.period,
        "from_": expense_filter.start,
        "to": expense_filter.end,
        "summary": _summary_json(expense_filter, board.summary),
        "comparison": {
            "from_": previous.start,
            "to": previous.end,
            "total": comparison.previous_total,
            "change_percent": None
            if comparison.change_percent is None
            else str(comparison.change_percent),
        }
        if comparison is not None and previous is not None
        else None,
        "trend": _trend_json(board.trend) if board.trend is not None else None,
        "budgets": _budgets_json(board.budgets),
        "categories": board.categories,
        "expenses": {"items": [_expense_json(row) for row in page.items], "next": next_url},
    }


# Categories


@bp.get("/categories")
@bp.response(200, schemas.CategoryList)
@errors(401)
@bp.doc(security=BEARER)
def categories():
    """Every category you have, alphabetically, with what you spent in it over all time."""
    return {"items": category_service.list_categories(_user_id())}


@bp.post("/categories")
@bp.arguments(schemas.CategoryCreate)
@bp.response(201, schemas.CategoryBalance)
@errors(400, 401, 413, 415, 422)
@bp.doc(
    security=BEARER,
    **created_links(
        "category_id",
        UpdateCategory=("patch", "/api/v1/categories/{category_id}"),
        MergeCategory=("post", "/api/v1/categories/{category_id}/merge"),
        DeleteCategory=("delete", "/api/v1/categories/{category_id}"),
    ),
)
def create_category(body: dict):
    """Add a category with no expenses yet. A name you already have (ignoring case) is 422."""
    category = category_service.create_category(_user_id(), body)
    return category_service.category_balance(_user_id(), category.id)


@bp.patch("/categories/<int:category_id>")
@bp.arguments(schemas.CategoryChange, required=False)
@bp.response(200, schemas.CategoryBalance)
@errors(400, 401, 404, 413, 415, 422)
@bp.doc(security=BEARER)
def update_category(body: dict, category_id: int):
    """Rename or recolour a category; its expenses follow a new name.

    A name another of your categories has (ignoring case) is 422: merge the two instead.
    Changing only the case of the name is allowed.
    """
    category_service.update_category(_user_id(), category_id, body)
    return category_service.category_balance(_user_id(), category_id)


@bp.post("/categories/<int:category_id>/merge")
@bp.arguments(schemas.CategoryMerge)
@bp.response(200, schemas.CategoryBalance)
@errors(400, 401, 404, 413, 415, 422)
@bp.doc(security=BEARER)
def merge_category(body: dict, category_id: int):
    """Move every expense of this category into `into`, then delete this one.

    Answers with the category merged into, its totals now including the moved expenses.
    Merging a category into itself is 422; a category that is not yours is 404.
    """
    target = category_service.merge_category(_user_id(), category_id, body["into"])
    return category_service.category_balance(_user_id(), target.id)


@bp.delete("/categories/<int:category_id>")
@bp.response(204)
@errors(401, 404, 409)
@bp.doc(security=BEARER)
def delete_category(category_id: int):
    """Delete a category without expenses.

    One that still has expenses is 409 Conflict: the request is sound, but the category's
    state forbids it until its expenses are gone (merge it into another instead).
    """
    category_service.delete_category(_user_id(), category_id)
    return ""


def _month(args: dict) -> dt.date:
    """The month parameter's first day; this month without it."""
    if "month" not in args:
        return clock.today().replace(day=1)
    try:
        return budgets.parse_month(args["month"])
    except FieldError as error:
        raise ValidationError({"month": str(error)}) from None


@bp.get("/trend")
@bp.arguments(schemas.TrendQuery, location="query")
@bp.response(200, schemas.Trend)
@errors(401, 422)
@bp.doc(security=BEARER)
def trend(args: dict):
    """What you spent in each of the twelve months ending with `month`, by category.

    The same figures as the dashboard's monthly trend; each month equals GET /summary
    of that month with the same filters.
    """
    last = _month(args)
    kept = {key: value for key, value in args.items() if key != "month"}
    expense_filter = _filter({**kept, "to": month_end(last).isoformat()})
    return _trend_json(trends.monthly_trend(_user_id(), expense_filter, clock.today()))


def _trend_json(result: trends.Trend) -> dict:
    names = dict(result.categories)
    return {
        "months": [
            {
                "month": f"{month.month:%Y-%m}",
                "total": month.total,
                "count": month.count,
                "categories": [
                    {
                        "category": names[category_id],
                        "total": total,
                        "count": month.counts[category_id],
                    }
                    for category_id, total in sorted(
                        month.by_category.items(), key=lambda item: (-item[1], names[item[0]])
                    )
                ],
            }
            for month in result.months
        ]
    }


def _budget_json(line) -> dict:
    return {
        "amount": line.amount,
        "spent": line.spent,
        "left": line.left,
        "over": line.over,
        "percent": str(line.percent),
        "state": line.state,
    }


def _month_budgets_json(month: dt.date) -> dict:
    return _budgets_json(budgets.month_budgets(_user_id(), month))


def _budgets_json(result: budgets.MonthBudgets) -> dict:
    return {
        "month": f"{result.month:%Y-%m}",
        "overall": _budget_json(result.overall) if result.overall else None,
        "categories": [{"category": line.name, **_budget_json(line)} for line in result.categories],
    }


@bp.get("/budgets")
@bp.arguments(schemas.MonthQuery, location="query")
@bp.response(200, schemas.MonthBudgets)
@errors(401, 422)
@bp.doc(security=BEARER)
def list_budgets(args: dict):
    """Your budgets against what you spent in `month` (this month if left out)."""
    return _month_budgets_json(_month(args))


@bp.put("/budgets")
@bp.arguments(schemas.BudgetsReplace)
@bp.response(200, schemas.MonthBudgets)
@errors(400, 401, 413, 415, 422)
@bp.doc(security=BEARER)
def replace_budgets(body: dict):
    """Replace all your budgets with these, as the budgets page does; answer this month's.

    Amounts are checked like expense amounts. Nothing changes unless every one is valid;
    errors name `overall` or `categories.<name>`.
    """
    budgets.replace_budgets(_user_id(), body.get("overall"), body["categories"])
    return _month_budgets_json(clock.today().replace(day=1))
