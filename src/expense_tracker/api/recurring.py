"""API views for recurring expenses: the same service as the /recurring pages."""

from __future__ import annotations

from .. import clock
from ..models import RecurringExpense
from ..security import link
from ..services import recurring
from . import schemas
from .views import (
    _LINK,
    BEARER,
    _user_id,
    bp,
    created_links,
    errors,
    etag,
    etag_header,
    if_match,
    if_match_parameter,
)

ETAG_HEADER = etag_header("recurring expense")
IF_MATCH = if_match_parameter("recurring expense")


def _text_or_none(value) -> str | None:
    return None if value is None else str(value)


def _raw(body: dict) -> dict[str, str | None]:
    """The body as the service takes it: strings, with null meaning "none"."""
    raw = {key: value for key, value in body.items() if key not in ("day_of_month", "end_date")}
    for key in ("day_of_month", "end_date"):
        if key in body:
            raw[key] = _text_or_none(body[key]) or ""
    return raw


def _recurring_json(recurring_expense: RecurringExpense) -> dict:
    return {
        "id": recurring_expense.id,
        "amount": recurring_expense.amount,
        "category": recurring_expense.category.name,
        "description": recurring_expense.description,
        "frequency": recurring_expense.frequency,
        "start_date": recurring_expense.start_date,
        "day_of_month": recurring_expense.day_of_month,
        "end_date": recurring_expense.end_date,
        "status": recurring.status_of(recurring_expense),
        "next_due": recurring_expense.next_due,
    }


@bp.get("/recurring")
@bp.response(200, schemas.RecurringList)
@errors(401)
@bp.doc(security=BEARER)
def list_recurring():
    """Your recurring expenses: active ones first, then paused, then ended."""
    return {"items": [_recurring_json(t) for t in recurring.list_recurring(_user_id())]}


@bp.post("/recurring")
@bp.arguments(schemas.RecurringCreate)
@bp.response(
    201,
    schemas.Recurring,
    headers={"Location": {"description": "Its URL.", "schema": _LINK}, "ETag": ETAG_HEADER},
)
@errors(400, 401, 413, 415, 422)
@bp.doc(
    security=BEARER,
    **created_links(
        "template_id",
        GetRecurring=("get", "/api/v1/recurring/{template_id}"),
        UpdateRecurring=("patch", "/api/v1/recurring/{template_id}"),
        DeleteRecurring=("delete", "/api/v1/recurring/{template_id}"),
    ),
)
def create_recurring(body: dict):
    """Add a recurring expense. Its dates from the start up to today become expenses at once."""
    recurring_expense = recurring.create_recurring(_user_id(), _raw(body), clock.today())
    location = link("api.get_recurring", template_id=recurring_expense.id)
    return _recurring_json(recurring_expense), {"Location": location, **etag(recurring_expense)}


# The id in the path keeps its published name, template_id, as the OpenAPI document shows it.
@bp.get("/recurring/<int:template_id>")
@bp.response(200, schemas.Recurring, headers={"ETag": ETAG_HEADER})
@errors(401, 404)
@bp.doc(security=BEARER)
def get_recurring(template_id: int):
    """One of your recurring expenses; anyone else's is 404."""
    recurring_expense = recurring.get_recurring(_user_id(), template_id)
    return _recurring_json(recurring_expense), etag(recurring_expense)


@bp.patch("/recurring/<int:template_id>")
@bp.arguments(schemas.RecurringChange, required=False)
@bp.response(200, schemas.Recurring, headers={"ETag": ETAG_HEADER})
@errors(400, 401, 404, 412, 413, 415, 422)
@bp.doc(security=BEARER, parameters=[IF_MATCH])
def update_recurring(body: dict, template_id: int):
    """Change the fields sent; they apply to the dates after today.

    Send the ETag you read in If-Match: a change made meanwhile is not undone, but
    answered 412. Without If-Match the last writer wins. The version counts your changes
    (this, and pausing, resuming or ending it on the pages); the dates the server fills in
    as they come due do not change it.
    """
    recurring_expense = recurring.update_recurring(
        _user_id(), template_id, _raw(body), clock.today(), versions=if_match()
    )
    return _recurring_json(recurring_expense), etag(recurring_expense)


@bp.delete("/recurring/<int:template_id>")
@bp.response(204)
@errors(401, 404, 412)
@bp.doc(security=BEARER, parameters=[IF_MATCH])
def delete_recurring(template_id: int):
    """Delete a recurring expense; the expenses it made stay. With If-Match, only if unchanged."""
    recurring.delete_recurring(_user_id(), template_id, versions=if_match())
    return ""
