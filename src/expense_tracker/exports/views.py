"""Export downloads for the dashboard: the current filter (from the URL) as CSV or JSON."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user, login_required

from .. import clock
from ..downloads import export_response
from ..money import formatter, preferences_of
from ..services.filters import parse_filter

bp = Blueprint("exports", __name__)


@bp.get("/export.<any(csv, json):file_format>")
@login_required
def download(file_format: str):
    """Download the expenses the dashboard shows for the same URL filter, every page of them.

    Amounts in a CSV file use the user's decimal separator (see exports.csv_chunks).

    A filter that is wrong answers 400 with the error page, as the dashboard would.
    """
    locale, currency = preferences_of(current_user)
    expense_filter = parse_filter(request.args, clock.today(), locale=locale, currency=currency)
    return export_response(
        current_user.id,
        expense_filter,
        file_format,
        currency=currency,
        decimal_comma=formatter(locale, currency).decimal == ",",
    )
