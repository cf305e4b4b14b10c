"""Streamed file downloads shared by the pages and the API: an export as CSV or JSON."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, stream_with_context

from . import clock
from .services import exports
from .services.filters import ExpenseFilter

MIMETYPES = {"csv": "text/csv", "json": "application/json"}


def streamed_attachment(chunks: Iterator[str], mimetype: str, filename: str) -> Response:
    """Stream text chunks as a UTF-8 file download that no cache keeps.

    The body is made while it is sent; the app context (and so the database session)
    stays open until the last chunk is out.
    """
    response = Response(
        stream_with_context(chunk.encode("utf-8") for chunk in chunks), mimetype=mimetype
    )
    if mimetype.startswith("text/"):
        response.mimetype_params["charset"] = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def export_response(
    user_id: int,
    expense_filter: ExpenseFilter,
    file_format: str,
    *,
    currency: str,
    decimal_comma: bool = False,
) -> Response:
    """Stream the user's filtered expenses as an attachment named after today's date.

    `decimal_comma` writes a CSV file for a locale with a decimal comma (see csv_chunks).
    """
    rows = exports.iter_expenses(user_id, expense_filter, currency=currency)
    if file_format == "csv":
        chunks = exports.csv_chunks(rows, decimal_comma=decimal_comma)
    else:
        chunks = exports.json_chunks(rows)
    filename = f"expenses-{clock.today().isoformat()}.{file_format}"
    return streamed_attachment(chunks, MIMETYPES[file_format], filename)
