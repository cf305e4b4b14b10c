"""The CSV import page: upload a file, preview it, check every row, import it, undo it."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import Conflict, ValidationError
from ..extensions import csrf
from ..services import imports
from ..services.csv_files import DATE_FORMATS, DECIMALS, DELIMITERS, ENCODINGS

bp = Blueprint("imports", __name__, url_prefix="/import")
# Room for the form's other fields and the multipart framing around the file.
FORM_OVERHEAD = 64 * 1024
SHOWN_PROBLEMS = 100


def _limit() -> int:
    return current_app.config["IMPORT_MAX_BYTES"]


def _too_large() -> str:
    return f"The file is larger than {_limit() / (1024 * 1024):g} MiB, the most this page takes."


def _index(status: int = 200, errors: dict | None = None):
    return (
        render_template(
            "imports/index.html",
            imports=imports.list_imports(current_user.id),
            errors=errors or {},
            max_bytes=_limit(),
        ),
        status,
    )


@bp.get("")
@login_required
def index():
    """Show the upload form and the past imports."""
    return _index()


@bp.post("")
@csrf.exempt  # checked below, once the larger size limit is in place
@login_required
def upload():
    """Keep the uploaded file and show its preview.

    The app's 1 MiB request limit would refuse a bank's file before CSRF is even
    checked; this route raises it to IMPORT_MAX_BYTES, and a larger file gets the
    message beside the field rather than a bare 413 page.
    """
    if (request.content_length or 0) > _limit() + FORM_OVERHEAD:
        return _index(413, {"file": _too_large()})
    request.max_content_length = _limit() + FORM_OVERHEAD
    try:
        csrf.protect()
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        return _index(413, {"file": _too_large()})
    if upload is None or not upload.filename:
        return _index(400, {"file": "Choose a CSV file to import."})
    content = upload.read(_limit() + 1)
    if len(content) > _limit():
        return _index(413, {"file": _too_large()})
    try:
        record = imports.start_import(current_user.id, upload.filename, content)
    except ValidationError as error:
        return _index(400, error.errors)
    return redirect(url_for("imports.preview", import_id=record.id))


def _preview(import_id: int, status: int = 200, errors: dict | None = None, form=None):
    record = imports.get_import(current_user.id, import_id, pending=True)
    settings = imports.settings_of(record)
    try:
        shown = imports.preview(current_user.id, import_id)
    except ValidationError:
        shown = imports.Preview([], [], [], [])
    return (
        render_template(
            "imports/preview.html",
            record=record,
            settings=settings,
            form=form,
            preview=shown,
            errors=errors or {},
            encodings=ENCODINGS,
            delimiters=DELIMITERS,
            date_formats=DATE_FORMATS,
            decimals=DECIMALS,
            signs=imports.SIGNS,
        ),
        status,
    )


@bp.get("/<int:import_id>")
@login_required
def preview(import_id: int):
    """Show how the file reads with the detected (or chosen) settings."""
    return _preview(import_id)


@bp.post("/<int:import_id>")
@login_required
def change_settings(import_id: int):
    """Keep the chosen settings; then preview again or check every row."""
    try:
        imports.update_settings(current_user.id, import_id, request.form)
    except ValidationError as error:
        return _preview(import_id, 400, error.errors, request.form)
    if request.form.get("action") == "check":
        return redirect(url_for("imports.check", import_id=import_id))
    return redirect(url_for("imports.preview", import_id=import_id))


@bp.get("/<int:import_id>/check")
@login_required
def check(import_id: int):
    """Show what importing would do with every row: nothing is stored yet."""
    record = imports.get_import(current_user.id, import_id, pending=True)
    try:
        result = imports.check_import(current_user.id, import_id)
    except ValidationError as error:
        return _preview(import_id, 400, error.errors)
    return render_template("imports/check.html", record=record, check=result, shown=SHOWN_PROBLEMS)


@bp.post("/<int:import_id>/run")
@login_required
def run(import_id: int):
    """Import the accepted rows, all in one transaction."""
    record = imports.get_import(current_user.id, import_id, pending=True)
    try:
        count = imports.run_import(
            current_user.id, import_id, request.form.get("duplicates", "skip")
        )
    except ValidationError as error:
        flash(next(iter(error.errors.values())), "error")
        return redirect(url_for("imports.check", import_id=import_id))
    except Conflict as error:
        # Categories or another import changed meanwhile: nothing was stored, check again.
        flash(str(error), "error")
        return redirect(url_for("imports.check", import_id=import_id))
    flash(
        f"Imported {count:,} expense{'' if count == 1 else 's'} from {record.filename}.", "success"
    )
    return redirect(url_for("imports.index"))


@bp.post("/<int:import_id>/undo")
@login_required
def undo(import_id: int):
    """Delete the expenses an import added, in one step."""
    try:
        count = imports.undo_import(current_user.id, import_id)
    except ValidationError as error:
        flash(next(iter(error.errors.values())), "error")
    else:
        flash(f"Undone: {count:,} expense{'' if count == 1 else 's'} deleted.", "success")
    return redirect(url_for("imports.index"))


@bp.post("/<int:import_id>/discard")
@login_required
def discard(import_id: int):
    """Drop an upload that was never imported."""
    imports.discard_import(current_user.id, import_id)
    flash("The upload has been discarded.", "success")
    return redirect(url_for("imports.index"))
