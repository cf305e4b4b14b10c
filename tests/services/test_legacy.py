"""Importing the original app's users.csv and expenses.csv: hashes kept, every refusal told."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from expense_tracker.extensions import db
from expense_tracker.models import Category, Expense, MonthlyTotal, User
from expense_tracker.services import accounts, exports, legacy, totals

from ..factories import make_expense, make_user
from ..helpers import recorded_statements, writes_to

OLD_PASSWORD = "an old password"


@pytest.fixture(scope="module")
def old_hash() -> str:
    """A hash as the old app stored it: Werkzeug's pbkdf2 (cheap iterations for speed)."""
    return generate_password_hash(OLD_PASSWORD, method="pbkdf2:sha256:1000")


def run(users: str, expenses: str, **kwargs) -> legacy.LegacyReport:
    return legacy.import_legacy(io.StringIO(users), io.StringIO(expenses), **kwargs)


def problems(report: legacy.LegacyReport) -> list[str]:
    return [str(problem) for problem in report.problems]


def test_users_keep_their_names_and_their_old_passwords_work(old_hash):
    scrypt_hash = generate_password_hash("another one", method="scrypt")
    users = f"id,username,password\n1,ada,{old_hash}\n2,Grace.H,{scrypt_hash}\n"

    report = run(users, "user_id,date,amount,category,description\n")

    assert (report.users, report.expenses, report.problems) == (2, 0, [])
    assert accounts.authenticate("ada", OLD_PASSWORD).username == "ada"
    assert accounts.authenticate("grace.h", "another one").username == "Grace.H"
    assert accounts.authenticate("ada", "wrong password") is None


def test_expenses_go_to_their_owners_with_categories_and_monthly_totals(old_hash):
    users = f"ID , Username, Password_Hash\n7,ada,{old_hash}\n9,bob,{old_hash}\n"
    expenses = (
        "description,category,amount,date,user_id,id\n"
        "Lunch,Food,12.5,2024-01-05,7,1\n"
        "Bus,Travel,3,2024-01-06,7,2\n"
        "Dinner,food,7.50,2024-01-20,7,3\n"
        "Tea,Food,2.0,2024-02-01 00:00:00,9,4\n"
    )

    report = run(users, expenses)

    assert (report.users, report.expenses, report.problems) == (2, 4, [])
    ada = accounts.find_user("ada")
    rows = db.session.execute(
        select(Expense.date, Expense.amount, Expense.description)
        .where(Expense.user_id == ada.id)
        .order_by(Expense.id)
    ).all()
    assert [(d.isoformat(), a, t) for d, a, t in rows] == [
        ("2024-01-05", Decimal("12.50"), "Lunch"),
        ("2024-01-06", Decimal("3.00"), "Bus"),
        ("2024-01-20", Decimal("7.50"), "Dinner"),
    ]
    food = db.session.scalar(
        select(MonthlyTotal.total)
        .where(MonthlyTotal.user_id == ada.id, MonthlyTotal.month == dt.date(2024, 1, 1))
        .order_by(MonthlyTotal.total.desc())
    )
    assert food == Decimal("20.00")
    assert totals.check_monthly_totals() == []


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("1,,2024-01-05,5,Food,x", "user_id"),
        ("2,9,2024-01-05,5,Food,x", "there is no user with the id '9' in users.csv."),
        ("3,1,05/01/2024,5,Food,x", "date: Enter the date as YYYY-MM-DD."),
        ("4,1,2024-02-30,5,Food,x", "date: That date does not exist."),
        ("5,1,2024-01-05,-5,Food,x", "amount: Enter the amount as a number"),
        ("6,1,2024-01-05,12.345,Food,x", "amount: The amount has more than two decimals."),
        ('7,1,2024-01-05,"12,50",Food,x', "amount: Enter the amount as a number"),
        ("8,1,2024-01-05,0,Food,x", "amount: The amount must be greater than zero."),
        ("9,1,2024-01-05,5,,x", "category: Enter a category."),
        ("10,1,2024-01-05,5,Food,x,extra", "it has 7 fields, the header 6."),
        ("11,1,2024-01-05," + "9" * 29 + ".000,Food,x", "amount: The amount can be at most"),
        ("12,1,2024-01-05,5,Food," + "x" * 133_000, "a field is longer than 128 KiB"),
    ],
    ids=lambda value: value[:24],
)
def test_each_refused_expense_is_reported_with_its_line_and_reason(old_hash, row, reason):
    users = f"id,username,password\n1,ada,{old_hash}\n"
    expenses = f"id,user_id,date,amount,category,description\n{row}\n0,1,2024-01-01,1,Food,ok\n"

    report = run(users, expenses)

    assert report.expenses == 1
    (problem,) = report.problems
    assert (problem.file, problem.line) == ("expenses.csv", 2)
    assert reason in problem.reason or (reason == "user_id" and "no user" in problem.reason)


def test_existing_accounts_are_refused_never_overwritten_and_keep_their_expenses(old_hash):
    existing = make_user("Ada")
    make_expense(existing, amount="1")
    users = f"id,username,password\n1,ADA,{old_hash}\n2,ada,{old_hash}\n3,carl,{old_hash}\n"
    expenses = (
        "user_id,date,amount,category,description\n1,2024-01-05,99,Food,x\n3,2024-01-05,5,Food,y\n"
    )

    report = run(users, expenses)

    assert problems(report) == [
        "users.csv line 2: an account named 'ADA' exists already; kept as is.",
        "users.csv line 3: an account named 'ada' exists already; kept as is.",
        "expenses.csv line 2: its user 1 was not imported (users.csv line 2).",
    ]
    assert (report.users, report.expenses) == (1, 1)
    assert accounts.authenticate("Ada", OLD_PASSWORD) is None
    assert db.session.scalar(
        select(func.sum(Expense.amount)).where(Expense.user_id == existing.id)
    ) == Decimal("1.00")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("2,a b,{hash}", "the username 'a b' is not 3 to 32"),
        ("2,x,{hash}", "the username 'x' is not 3 to 32"),
        ("2,carl,plaintext", "the password is not a Werkzeug hash"),
        ("2,carl,sha1$salt$0123abc", "the password is not a Werkzeug hash"),
        ("2,carl,pbkdf2:nosuchdigest:10$salt$0123abc", "the password is not a Werkzeug hash"),
        ("two,carl,{hash}", "the id 'two' is not a whole number."),
        ("1,carl,{hash}", "the id 1 is on line 2 already."),
        ("2,ADA,{hash}", "the username 'ADA' is on line 2 already (ignoring case)."),
    ],
)
def test_each_refused_user_is_reported_with_its_line_and_reason(old_hash, line, reason):
    users = f"id,username,password\n1,ada,{old_hash}\n{line.format(hash=old_hash)}\n"

    report = run(users, "user_id,date,amount,category,description\n")

    assert report.users == 1
    assert [(p.file, p.line) for p in report.problems] == [("users.csv", 3)]
    assert reason in report.problems[0].reason


def test_a_file_without_a_required_column_stores_nothing(old_hash):
    users = f"id,username,password\n1,ada,{old_hash}\n"

    with pytest.raises(legacy.LegacyFileError, match="no amount column"):
        run(users, "user_id,date,category\n1,2024-01-01,Food\n")

    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_dry_run_reports_the_same_and_stores_nothing(old_hash):
    users = f"id,username,password\n1,ada,{old_hash}\n"
    expenses = "user_id,date,amount,category,description\n1,2024-01-05,5,Food,x\n1,bad,5,Food,x\n"

    report = run(users, expenses, dry_run=True)

    assert (report.users, report.expenses, len(report.problems)) == (1, 1, 1)
    assert accounts.find_user("ada") is None
    assert db.session.scalar(select(func.count()).select_from(Expense)) == 0


def test_an_export_imported_back_gives_identical_data(user, old_hash):
    for description in ("Lunch", "=SUM(A1)", "'quoted", "-5 off", 'Café, "good"', ""):
        make_expense(
            user, amount="4.2", category="Food", date="2026-03-02", description=description
        )
    make_expense(user, amount="1000000000", category="@home", date="1900-01-01")
    make_expense(user, amount="0.01", category="Travel", date="2100-12-31", description="naïve 😀")
    exported = "".join(exports.csv_chunks(exports.iter_expenses(user.id)))
    lines = exported.removeprefix(exports.CSV_BOM).split("\r\n")
    # The export's own columns, with the owner's legacy id in front: the old app's shape.
    expenses = "\r\n".join(
        f"user_id,{lines[0]}" if n == 0 else (f"1,{line}" if line else "")
        for n, line in enumerate(lines)
    )

    report = run(f"id,username,password\n1,alice2,{old_hash}\n", exports.CSV_BOM + expenses)

    assert (report.expenses, report.problems) == (8, [])
    copy = accounts.find_user("alice2")
    assert "".join(exports.csv_chunks(exports.iter_expenses(copy.id))) == exported


def test_a_decimal_comma_export_imported_back_gives_identical_data(user, old_hash):
    make_expense(user, amount="1234.56", category="Rent", date="2026-03-02", description="a; b")
    make_expense(user, amount="0.5", category="Food", date="2026-03-03", description="x,y")
    exported = "".join(exports.csv_chunks(exports.iter_expenses(user.id), decimal_comma=True))
    lines = exported.removeprefix(exports.CSV_BOM).split("\r\n")
    assert lines[:2] == [
        "date;amount;currency;category;description",
        '2026-03-02;1234,56;EUR;Rent;"a; b"',
    ]
    expenses = "\r\n".join(
        f"user_id;{lines[0]}" if n == 0 else (f"1;{line}" if line else "")
        for n, line in enumerate(lines)
    )

    report = run(f"id,username,password\n1,alice2,{old_hash}\n", exports.CSV_BOM + expenses)

    assert (report.expenses, report.problems) == (2, [])
    copy = accounts.find_user("alice2")
    again = exports.csv_chunks(exports.iter_expenses(copy.id), decimal_comma=True)
    assert "".join(again) == exported


def many_owners(old_hash: str, users: int, months: int, kinds: int) -> tuple[str, str]:
    """The two files for `users` users, each with an expense per month and category, twice."""
    people = "id,username,password\n" + "".join(
        f"{u},user{u},{old_hash}\n" for u in range(1, users + 1)
    )
    rows = "".join(
        f"{u},2024-{m:02d}-{d:02d},{u + m + k}.25,Kind {k},x\n"
        for u in range(1, users + 1)
        for m in range(1, months + 1)
        for k in range(kinds)
        for d in (3, 17)
    )
    return people, "user_id,date,amount,category,description\n" + rows


def test_the_totals_and_categories_of_many_owners_are_written_in_a_few_statements(old_hash):
    users, expenses = many_owners(old_hash, users=5, months=12, kinds=6)

    with recorded_statements() as statements:
        report = run(users, expenses)

    assert (report.users, report.expenses, report.problems) == (5, 720, [])
    # 360 (user, month, category) totals and 30 categories: one statement each, not one per key.
    assert writes_to(statements, "monthly_totals") == 1
    assert writes_to(statements, "categories") == 1
    assert totals.check_monthly_totals() == []
    colors = db.session.execute(select(Category.user_id, Category.color)).all()
    assert sorted(colors) == sorted(
        (user_id, c) for user_id in {u for u, _ in colors} for c in range(6)
    )


def test_totals_are_grouped_by_the_database_one_statement_per_group_of_users(old_hash, monkeypatch):
    monkeypatch.setattr(legacy, "USERS_PER_TOTALS", 2)
    users, expenses = many_owners(old_hash, users=5, months=12, kinds=6)

    with recorded_statements() as statements:
        report = run(users, expenses)

    assert report.expenses == 720
    assert writes_to(statements, "monthly_totals") == 3  # 5 users, 2 a statement
    assert totals.check_monthly_totals() == []


@pytest.mark.volume
def test_a_hundred_thousand_expenses_import_with_their_totals(old_hash):
    count = 100_000
    rows = "".join(
        f"{n},1,{dt.date(2020, 1, 1) + dt.timedelta(days=n % 1800)},{n % 5000 + 1}.5,"
        f"Category {n % 12},Expense {n}\n"
        for n in range(count)
    )
    expenses = "id,user_id,date,amount,category,description\n" + rows
    read = []

    report = run(f"id,username,password\n1,ada,{old_hash}\n", expenses, progress=read.append)

    # How long it takes is the benchmark's business; here, that it all arrives, exactly.
    assert (report.expenses, report.problems) == (count, [])
    assert sum(read) == len(expenses)
    assert totals.check_monthly_totals() == []
