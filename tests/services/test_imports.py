"""CSV imports: detection, the dry run, one-transaction import, duplicates and undo."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select

from expense_tracker import clock
from expense_tracker.errors import NotFound, ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import Category, Expense, Import, ImportMapping
from expense_tracker.services import categories, exports, imports
from expense_tracker.services.totals import check_monthly_totals

from ..factories import make_expense, make_user

GERMAN = (
    "Buchungstag;Verwendungszweck;Betrag\r\n"
    "05.01.2026;REWE Markt;-12,50\r\n"
    "06.01.2026;Gehalt Januar;2.500,00\r\n"
    "07.01.2026;Miete;-1.250,00\r\n"
)


def settings_form(record, **changes) -> dict:
    """The preview form as posted: the stored settings, with some changed."""
    settings = imports.settings_of(record)
    form = {
        "encoding": settings.encoding,
        "delimiter": settings.delimiter,
        "has_header": "yes" if settings.has_header else "no",
        "date_format": settings.date_format,
        "decimal": settings.decimal,
        "signs": settings.signs,
        "date_col": str(settings.date_col),
        "amount_col": str(settings.amount_col),
        "category_col": "" if settings.category_col is None else str(settings.category_col),
        "description_col": ""
        if settings.description_col is None
        else str(settings.description_col),
        "default_category": settings.default_category,
        "save_as": "",
    }
    return form | changes


def stored(user_id: int) -> list[tuple]:
    return [
        (e.date.isoformat(), str(e.amount), e.category.name, e.description)
        for e in db.session.scalars(
            select(Expense).where(Expense.user_id == user_id).order_by(Expense.date, Expense.id)
        )
    ]


def start(user, text: str | bytes, name: str = "bank.csv", **changes):
    content = text.encode("utf-8") if isinstance(text, str) else text
    record = imports.start_import(user.id, name, content)
    if changes:
        imports.update_settings(user.id, record.id, settings_form(record, **changes))
    return record


@pytest.fixture
def alice():
    return make_user("alice")


def test_a_german_bank_file_is_read_with_semicolons_decimal_commas_and_dates(alice):
    record = start(alice, GERMAN)

    settings = imports.settings_of(record)
    assert (settings.delimiter, settings.decimal, settings.date_format) == (";", ",", "%d.%m.%Y")
    assert (settings.date_col, settings.amount_col, settings.description_col) == (0, 2, 1)
    assert settings.category_col is None and settings.signs == "negative"


def test_negative_amounts_are_spending_and_income_is_skipped_with_its_line(alice):
    record = start(alice, GERMAN, default_category="Bank")

    check = imports.check_import(alice.id, record.id)

    assert [(row.line, row.amount) for row in check.new] == [
        (2, Decimal("12.50")),
        (4, Decimal("1250.00")),
    ]
    assert check.skipped == [
        imports.Problem(3, "a positive amount is money coming in, not spending.")
    ]


def test_without_a_category_column_the_person_must_pick_one(alice):
    record = start(alice, GERMAN)

    with pytest.raises(ValidationError) as error:
        imports.update_settings(alice.id, record.id, settings_form(record))

    assert "default_category" in error.value.errors


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ("\ufeffdate,amount,category,description\n2026-01-05,3.20,Café,Crème\n".encode(), "utf-8"),
        ("date,amount,category,description\n2026-01-05,3.20,Café,Crème\n".encode(), "utf-8"),
        (
            "date,amount,category,description\n2026-01-05,3.20,Café,Crème\n".encode("latin-1"),
            "cp1252",
        ),
    ],
    ids=["utf-8 with BOM", "utf-8", "latin-1"],
)
def test_each_encoding_reads_the_same_text(alice, content, encoding):
    record = start(alice, content)

    check = imports.check_import(alice.id, record.id)

    assert imports.settings_of(record).encoding == encoding
    assert [(row.category, row.description) for row in check.new] == [("Café", "Crème")]


def test_blank_lines_are_ignored_and_line_numbers_stay_physical(alice):
    text = "date,amount,category\n\n2026-01-05,1,Food\n\n\n2026-01-06,abc,Food\n2026-01-07,2,Food\n"
    record = start(alice, text)

    check = imports.check_import(alice.id, record.id)

    assert [row.line for row in check.new] == [3, 7]
    assert check.invalid == [imports.Problem(6, "“abc” is not an amount.")]


@pytest.mark.parametrize(
    ("last", "reason"),
    [
        ("2026-01-07,4", "it has 2 fields where the header has 3"),
        ('2026-01-07,4,"Foo', "the line ends inside quotes"),
    ],
    ids=["fewer fields", "unterminated quote"],
)
def test_a_truncated_last_line_is_invalid_and_the_rest_imports(alice, last, reason):
    record = start(alice, f"date,amount,category\n2026-01-05,1,Food\n2026-01-06,2,Food\n{last}")

    check = imports.check_import(alice.id, record.id)

    assert len(check.new) == 2
    assert len(check.invalid) == 1 and check.invalid[0].line == 4
    assert check.invalid[0].reason.startswith(reason)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("Food," + "x" * (130 * 1024), "a field is longer than 128 KiB"),
        ('Food,"' + "x" * (130 * 1024) + '"', "a field is longer than 128 KiB"),
        ("Food" + "x" * (130 * 1024) + ",x", "a field is longer than 128 KiB"),
    ],
    ids=["description", "quoted description", "category"],
)
def test_a_cell_over_128_kib_is_invalid_with_its_line_and_the_rest_imports(alice, cell, reason):
    text = f"date,amount,category,description\n2026-01-05,1,Food,a\n2026-01-06,2,{cell}\n"
    record = start(alice, text + "2026-01-07,3,Food,b\n")

    check = imports.check_import(alice.id, record.id)

    assert [row.line for row in check.new] == [2, 4]
    assert [(problem.line, problem.reason[: len(reason)]) for problem in check.invalid] == [
        (3, reason)
    ]


@pytest.mark.parametrize("digits", [29, 5000])
def test_an_amount_of_many_digits_is_invalid_with_its_line_and_the_rest_imports(alice, digits):
    text = f"date,amount,category\n2026-01-05,{'9' * digits},Food\n2026-01-06,2.50,Food\n"
    record = start(alice, text)

    check = imports.check_import(alice.id, record.id)

    assert [row.line for row in check.new] == [3]
    ((line, reason),) = [(problem.line, problem.reason) for problem in check.invalid]
    assert line == 2 and reason.endswith("is too large to be an amount.")
    assert len(reason) < 100


def test_saving_one_settings_name_twice_at_once_keeps_one_mapping(app, alice):
    user_id = alice.id
    records = [start(alice, GERMAN, name=f"tab{n}.csv") for n in range(2)]
    forms = [
        settings_form(r, default_category=f"Bank {n}", save_as="Sparkasse")
        for n, r in enumerate(records)
    ]
    ids = [record.id for record in records]
    db.session.remove()
    # Both saves have looked the name up, and found nothing, before either stores it.
    barrier = threading.Barrier(2, timeout=30)
    save = imports._save_mapping

    def save_together(*args, **kwargs):
        barrier.wait()
        return save(*args, **kwargs)

    errors = []

    def update(n):
        with app.app_context():
            try:
                imports.update_settings(user_id, ids[n], forms[n])
            except Exception as error:  # noqa: BLE001 - any failure fails the test below
                errors.append(error)

    imports._save_mapping = save_together
    try:
        threads = [threading.Thread(target=update, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        imports._save_mapping = save

    assert errors == []
    (mapping,) = db.session.scalars(select(ImportMapping).where(ImportMapping.user_id == user_id))
    assert mapping.name == "Sparkasse"
    assert imports.Settings.loads(mapping.settings).default_category in ("Bank 0", "Bank 1")


def test_two_identical_rows_both_import_into_an_empty_account(alice):
    row = "2026-01-05,4.50,Food,Coffee\n"
    record = start(alice, "date,amount,category,description\n" + row + row)

    imported = imports.run_import(alice.id, record.id)

    assert imported == 2
    assert stored(alice.id) == [("2026-01-05", "4.50", "Food", "Coffee")] * 2


def test_importing_a_file_again_finds_every_row_a_duplicate(alice):
    text = "date,amount,category,description\n2026-01-05,4.50,Food,Coffee\n" * 1
    text += "2026-01-05,4.50,Food,Coffee\n2026-01-06,9,Food,Lunch\n"
    imports.run_import(alice.id, start(alice, text).id)
    again = start(alice, text)

    check = imports.check_import(alice.id, again.id)

    assert (len(check.new), len(check.duplicates)) == (0, 3)


def test_a_duplicate_counts_once_against_one_existing_expense(alice):
    make_expense(alice, amount="4.50", date="2026-01-05", description="Coffee")
    row = "2026-01-05,4.50,Food,Coffee\n"
    record = start(alice, "date,amount,category,description\n" + row + row)

    check = imports.check_import(alice.id, record.id)

    assert [row.line for row in check.duplicates] == [2]
    assert [row.line for row in check.new] == [3]


@pytest.mark.parametrize(("choice", "expected"), [("skip", 1), ("import", 2)])
def test_duplicates_are_skipped_or_imported_as_chosen(alice, choice, expected):
    make_expense(alice, amount="4.50", date="2026-01-05", description="Coffee")
    text = "date,amount,category,description\n2026-01-05,4.50,Food,Coffee\n2026-01-06,1,Food,Tea\n"

    imported = imports.run_import(alice.id, start(alice, text).id, duplicates=choice)

    assert imported == expected
    assert len(stored(alice.id)) == 1 + expected


def test_an_invalid_row_in_the_middle_is_reported_and_the_others_import(alice):
    text = "date,amount,category\n2026-01-05,1,Food\n2026-02-30,2,Food\n2026-01-07,3,Food\n"
    record = start(alice, text)

    imported = imports.run_import(alice.id, record.id)

    assert imported == 2
    assert [row[1] for row in stored(alice.id)] == ["1.00", "3.00"]
    assert not check_monthly_totals()


def test_a_failure_in_the_middle_leaves_nothing_half_imported(alice, monkeypatch):
    text = "date,amount,category\n" + "".join(f"2026-01-05,{n},Food\n" for n in range(1, 10))
    record = start(alice, text)
    real_add = imports.add_grouped_to_totals

    def failing(*args):  # after every row is written, before the totals
        assert db.session.scalar(select(func.count()).select_from(Expense)) == 9
        raise RuntimeError("the database went away")

    monkeypatch.setattr(imports, "add_grouped_to_totals", failing)

    with pytest.raises(RuntimeError):
        imports.run_import(alice.id, record.id)

    monkeypatch.setattr(imports, "add_grouped_to_totals", real_add)
    assert stored(alice.id) == []
    assert db.session.get(Import, record.id).status == "pending"
    assert imports.run_import(alice.id, record.id) == 9


def test_undo_deletes_the_imports_rows_edited_or_not_and_fixes_the_totals(alice):
    from expense_tracker.services import expenses

    make_expense(alice, amount="7", date="2026-01-04", description="Typed in")
    text = "date,amount,category\n2026-01-05,1,Food\n2026-02-07,3,Rent\n"
    record = start(alice, text)
    imports.run_import(alice.id, record.id)
    edited = db.session.scalar(select(Expense).where(Expense.amount == Decimal("3.00")))
    expenses.update_expense(alice.id, edited.id, {"amount": "30"})

    undone = imports.undo_import(alice.id, record.id)

    assert undone == 2
    assert stored(alice.id) == [("2026-01-04", "7.00", "Food", "Typed in")]
    assert not check_monthly_totals()
    assert db.session.get(Import, record.id).status == "undone"
    with pytest.raises(ValidationError):
        imports.undo_import(alice.id, record.id)


def test_the_bytes_are_dropped_once_imported(alice):
    record = start(alice, "date,amount,category\n2026-01-05,1,Food\n")

    imports.run_import(alice.id, record.id)

    assert db.session.get(Import, record.id).content is None
    with pytest.raises(NotFound):
        imports.run_import(alice.id, record.id)


def test_another_users_import_is_not_found(alice):
    record = start(alice, "date,amount,category\n2026-01-05,1,Food\n")
    bob = make_user("bob")

    with pytest.raises(NotFound):
        imports.check_import(bob.id, record.id)
    with pytest.raises(NotFound):
        imports.undo_import(bob.id, record.id)


def test_saved_settings_are_reused_for_a_file_with_the_same_header(alice):
    first = start(alice, GERMAN, default_category="Bank", save_as="Sparkasse")

    second = start(alice, GERMAN.replace("REWE", "Aldi"))

    settings = imports.settings_of(second)
    assert first.id != second.id
    assert (settings.mapping, settings.default_category) == ("Sparkasse", "Bank")


def test_an_exported_file_imports_into_a_fresh_account_identically(alice):
    for amount, category, description, date in [
        ("12.50", "Food", "=HYPERLINK(evil)", "2026-01-05"),
        ("1000000000", "Reisen", 'Zürich, "Hotel"', "2025-12-31"),
        ("0.01", "+Plus", "'quoted", "1900-01-01"),
        ("3", "food", "", "2026-01-05"),
    ]:
        make_expense(alice, amount=amount, category=category, description=description, date=date)
    exported = "".join(exports.csv_chunks(exports.iter_expenses(alice.id))).encode("utf-8")
    carol = make_user("carol")

    record = imports.start_import(carol.id, "expenses.csv", exported)
    imported = imports.run_import(carol.id, record.id)

    assert imported == 4
    assert stored(carol.id) == stored(alice.id)
    assert not check_monthly_totals()


@pytest.mark.volume
def test_a_file_of_100000_rows_imports(alice, capsys):
    start_day = dt.date(2020, 1, 1)
    lines = ["Datum;Betrag;Kategorie;Beschreibung"]
    for n in range(100_000):
        day = start_day + dt.timedelta(days=n % 1500)
        lines.append(f"{day:%d.%m.%Y};-{n % 500 + 1},{n % 100:02d};Cat {n % 7};Row {n}")
    content = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    record = imports.start_import(alice.id, "big.csv", content)

    began = time.perf_counter()
    check = imports.check_import(alice.id, record.id)
    checked = time.perf_counter()
    imported = imports.run_import(alice.id, record.id)
    done = time.perf_counter()

    with capsys.disabled():
        dialect = db.session.get_bind().dialect.name
        print(
            f"\n100,000 rows on {dialect}: dry run {checked - began:.2f} s,"
            f" import {done - checked:.2f} s"
        )
    assert len(check.new) == imported == 100_000
    count = db.session.scalar(select(func.count()).where(Expense.user_id == alice.id))
    assert count == 100_000
    assert not check_monthly_totals()


def pending_ids(user_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Import.id)
            .where(Import.user_id == user_id, Import.status == "pending")
            .order_by(Import.id)
        )
    )


def test_a_fourth_pending_upload_is_refused_until_one_is_discarded(alice):
    first, *_ = [start(alice, GERMAN, name=f"{n}.csv") for n in range(imports.PENDING_MAX)]

    with pytest.raises(ValidationError) as refused:
        start(alice, GERMAN, name="fourth.csv")
    imports.discard_import(alice.id, first.id)
    start(alice, GERMAN, name="fourth.csv")

    assert refused.value.errors["file"].startswith(
        f"You have {imports.PENDING_MAX} uploads waiting"
    )
    assert len(pending_ids(alice.id)) == imports.PENDING_MAX


def test_an_imported_upload_no_longer_counts_against_the_cap(alice):
    for n in range(imports.PENDING_MAX):
        record = start(alice, GERMAN.replace("REWE", f"Shop {n}"), name=f"{n}.csv")
        imports.run_import(alice.id, record.id)

    start(alice, GERMAN, name="next.csv")

    assert len(pending_ids(alice.id)) == 1


def test_any_upload_purges_every_users_expired_pending_uploads(alice, time_machine):
    bob = make_user("bob")
    expired = [start(bob, GERMAN, name=f"{n}.csv").id for n in range(2)]
    done = start(bob, GERMAN, name="done.csv").id
    imports.run_import(bob.id, done)
    time_machine.move_to(clock.now() + imports.PENDING_LIFETIME + dt.timedelta(minutes=1))

    start(alice, GERMAN)

    assert pending_ids(bob.id) == []
    assert db.session.scalars(select(Import.id).where(Import.user_id == bob.id)).all() == [done]
    assert expired


def test_purging_removes_every_expired_upload_and_says_how_many(alice, time_machine, monkeypatch):
    for n in range(imports.PENDING_MAX):
        start(alice, GERMAN, name=f"{n}.csv")
    time_machine.move_to(clock.now() + imports.PENDING_LIFETIME + dt.timedelta(minutes=1))
    monkeypatch.setattr(imports, "PURGE_BATCH", 2)
    kept = start(alice, GERMAN, name="new.csv").id  # purges the two oldest on the way

    purged = imports.purge_pending()

    assert purged == 1
    assert pending_ids(alice.id) == [kept]
    assert imports.purge_pending(now=clock.now() + imports.PENDING_LIFETIME * 2) == 1
    assert pending_ids(alice.id) == []


def test_uploads_at_once_never_exceed_the_pending_cap(app, alice):
    user_id, clients = alice.id, imports.PENDING_MAX + 3
    db.session.remove()
    barrier = threading.Barrier(clients, timeout=30)
    started, errors = [], []

    def upload(n):
        with app.app_context():
            barrier.wait()
            try:
                started.append(imports.start_import(user_id, f"{n}.csv", GERMAN.encode()).id)
            except ValidationError as error:
                errors.append(error.errors["file"])
            except Exception as error:  # noqa: BLE001 - any other failure fails the test below
                errors.append(repr(error))

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(started) == imports.PENDING_MAX
    assert len(errors) == clients - imports.PENDING_MAX
    assert all(error.startswith("You have") for error in errors), errors
    assert sorted(started) == pending_ids(user_id)


def test_rows_whose_new_category_passes_the_cap_are_invalid_with_their_lines(alice):
    db.session.execute(
        insert(Category),
        [
            {"user_id": alice.id, "name": f"Full {n}", "name_key": f"full {n}", "color": 0}
            for n in range(categories.CATEGORIES_MAX - 1)
        ],
    )
    db.session.commit()
    text = "date,amount,category\n2026-01-05,1,First\n2026-01-06,2,Second\n2026-01-07,3,full 1\n"
    record = start(alice, text)

    check = imports.check_import(alice.id, record.id)
    imported = imports.run_import(alice.id, record.id)

    assert [row.line for row in check.new] == [2, 4]
    ((line, reason),) = [(problem.line, problem.reason) for problem in check.invalid]
    assert line == 3 and "“Second” would be a new category" in reason
    assert imported == 2
    assert not check_monthly_totals()


def test_another_users_add_goes_through_while_a_large_import_reads_its_rows(app, alice):
    from expense_tracker.services import expenses

    bob = make_user("bob")
    alice_id, bob_id = alice.id, bob.id
    lines = ["date,amount,category,description"]
    lines += [f"2026-01-{n % 28 + 1:02d},{n % 90 + 1},Cat {n % 9},Row {n}" for n in range(20_000)]
    record = start(alice, "\n".join(lines) + "\n")
    record_id = record.id
    db.session.remove()
    reading, added = threading.Event(), threading.Event()
    csv_rows = imports.csv_rows

    def paced(*args, **kwargs):
        for number, row in enumerate(csv_rows(*args, **kwargs)):
            if number == 10_000:  # half way through the file, bob adds an expense
                reading.set()
                added.wait(timeout=30)
            yield row

    imports.csv_rows = paced
    outcome = {}

    def run():
        with app.app_context():
            try:
                outcome["imported"] = imports.run_import(alice_id, record_id)
            except Exception as error:  # noqa: BLE001 - any failure fails the test below
                outcome["error"] = error

    thread = threading.Thread(target=run)
    try:
        thread.start()
        assert reading.wait(timeout=60)
        try:
            with app.app_context():
                sqlite = db.session.get_bind().dialect.name == "sqlite"
                if sqlite:
                    # Not the 10 s a worker waits: the add must not wait on the import at all.
                    # Set on this very connection, and set back on it: the pool keeps it.
                    raw = db.session.connection().connection.driver_connection
                    raw.execute("PRAGMA busy_timeout=500")
                try:
                    expenses.create_expense(
                        bob_id, {"date": "2026-01-10", "amount": "4.20", "category": "Tea"}
                    )
                finally:
                    if sqlite:
                        raw.execute("PRAGMA busy_timeout=10000")
                        db.session.rollback()
        finally:
            added.set()
        thread.join(timeout=120)
    finally:
        imports.csv_rows = csv_rows

    assert outcome == {"imported": 20_000}
    assert stored(bob_id) == [("2026-01-10", "4.20", "Tea", "")]
    assert not check_monthly_totals()


def test_an_undo_waits_for_an_edit_of_an_imported_row_and_takes_off_its_new_amount(
    app, alice, monkeypatch
):
    from expense_tracker.services import expenses

    text_ = "date,amount,category\n2026-01-05,1,Food\n2026-01-06,3,Food\n"
    record = start(alice, text_)
    imports.run_import(alice.id, record.id)
    edited_id = db.session.scalar(select(Expense.id).where(Expense.amount == Decimal("3.00")))
    alice_id, record_id = alice.id, record.id
    db.session.remove()
    editing, undoing = threading.Event(), threading.Event()
    real_add = expenses.add_to_totals

    def held_add(*args):  # the edit holds its locks, the undo starts meanwhile
        real_add(*args)
        editing.set()
        undoing.wait(timeout=30)
        time.sleep(0.5)  # long enough for the undo to reach the locked row

    monkeypatch.setattr(expenses, "add_to_totals", held_add)
    outcome = {}

    def edit():
        with app.app_context():
            try:
                expenses.update_expense(alice_id, edited_id, {"amount": "30"})
            finally:
                editing.set()

    thread = threading.Thread(target=edit)
    thread.start()
    assert editing.wait(timeout=30)
    monkeypatch.setattr(expenses, "add_to_totals", real_add)
    undoing.set()
    with app.app_context():
        outcome["undone"] = imports.undo_import(alice_id, record_id)
    thread.join(timeout=30)

    with app.app_context():
        assert outcome == {"undone": 2}
        assert stored(alice_id) == []
        assert not check_monthly_totals()
