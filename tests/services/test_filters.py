"""Periods and filters: their dates, their URL form, and the same numbers by every route."""

import datetime as dt
import random
from decimal import Decimal

from expense_tracker.extensions import db
from expense_tracker.models import Expense
from expense_tracker.services import expenses
from expense_tracker.services.filters import ExpenseFilter, parse_filter
from expense_tracker.services.reports import (
    compare_with_previous,
    spending_summary,
    summary_with_comparison,
)

from ..factories import make_expense

D = dt.date


def test_list_filters_by_text_ignoring_case_beyond_ascii(user):
    make_expense(user, description="Café au lait")
    make_expense(user, description="Tea")
    make_expense(user, description="100% juice")
    make_expense(user, description="1000 juice")

    def found(text):
        page = expenses.list_expenses(user.id, limit=10, expense_filter=ExpenseFilter(text=text))
        return sorted(e.description for e in page.items)

    assert found("CAFÉ") == ["Café au lait"]
    assert found("0%") == ["100% juice"]
    assert found("juice") == ["100% juice", "1000 juice"]


def test_list_filters_by_ascii_text_ignoring_case_and_wildcards(user):
    make_expense(user, description="Coffee beans")
    make_expense(user, description="Kaffee, café")
    make_expense(user, description="a_b/c")
    make_expense(user, description="axb/c")

    def found(text):
        page = expenses.list_expenses(user.id, limit=10, expense_filter=ExpenseFilter(text=text))
        return sorted(e.description for e in page.items)

    assert found("COFFEE") == ["Coffee beans"]
    assert found("fFe") == ["Coffee beans", "Kaffee, café"]
    assert found("A_B/") == ["a_b/c"]
    assert found("%") == []


def test_list_filters_by_category_amount_and_dates(user):
    make_expense(user, amount="5", category="Food", date="2026-11-01")
    wanted = make_expense(user, amount="15", category="food", date="2026-11-15")
    make_expense(user, amount="25", category="Food", date="2026-11-30")
    make_expense(user, amount="15", category="Rent", date="2026-11-15")
    expense_filter = ExpenseFilter(
        start=D(2026, 11, 2),
        end=D(2026, 11, 30),
        category="FOOD",
        min_amount=Decimal("10"),
        max_amount=Decimal("20"),
    )

    page = expenses.list_expenses(user.id, limit=10, expense_filter=expense_filter)

    assert [e.id for e in page.items] == [wanted.id]


def test_comparison_with_the_previous_period(user):
    make_expense(user, amount="50", date="2026-10-10")
    make_expense(user, amount="75", date="2026-11-10")
    this_month = parse_filter({}, D(2026, 11, 24))

    comparison = compare_with_previous(user.id, this_month, Decimal("75.00"))

    assert comparison.previous_total == Decimal("50.00")
    assert comparison.change_percent == Decimal("50.0")


def test_no_change_percent_when_the_previous_period_is_empty(user):
    comparison = compare_with_previous(user.id, parse_filter({}, D(2026, 11, 24)), Decimal("5"))

    assert comparison.previous_total == Decimal("0.00")
    assert comparison.change_percent is None


def brute_force(user_id, expense_filter):
    """The expected summary, from every expense row, in Python."""
    rows = db.session.query(Expense).filter(Expense.user_id == user_id).all()
    sums = {}
    for e in rows:
        f = expense_filter
        if (f.start and e.date < f.start) or (f.end and e.date > f.end):
            continue
        if f.category and e.category.name.casefold() != f.category.casefold():
            continue
        if f.text and f.text.lower() not in e.description.lower():
            continue
        if (f.min_amount and e.amount < f.min_amount) or (f.max_amount and e.amount > f.max_amount):
            continue
        total, count = sums.get(e.category.name, (Decimal("0.00"), 0))
        sums[e.category.name] = (total + e.amount, count + 1)
    return sums


def test_summaries_of_random_filters_match_the_raw_rows(user, other_user):
    rng = random.Random(7)
    for _ in range(120):
        make_expense(
            rng.choice([user, user, other_user]),
            amount=f"{rng.randrange(1, 50000) / 100:.2f}",
            category=rng.choice(["Food", "Rent", "Travel"]),
            date=(D(2025, 10, 1) + dt.timedelta(days=rng.randrange(200))).isoformat(),
            description=rng.choice(["coffee", "Coffee beans", "rent", ""]),
        )
    for _ in range(60):
        start = D(2025, 9, 20) + dt.timedelta(days=rng.randrange(230))
        end = start + dt.timedelta(days=rng.randrange(120))
        expense_filter = ExpenseFilter(
            period="custom",
            start=rng.choice([start, None]),
            end=rng.choice([end, None]),
            category=rng.choice([None, None, "food", "Travel", "Unknown"]),
            text=rng.choice([None, None, None, "coffee"]),
            min_amount=rng.choice([None, None, Decimal("100")]),
        )

        summary = spending_summary(user.id, expense_filter)

        assert {c.name: (c.total, c.count) for c in summary.categories} == brute_force(
            user.id, expense_filter
        ), expense_filter


def test_summaries_read_with_their_comparison_match_those_read_apart(user, other_user):
    rng = random.Random(11)
    for _ in range(150):
        make_expense(
            rng.choice([user, user, other_user]),
            amount=f"{rng.randrange(1, 50000) / 100:.2f}",
            category=rng.choice(["Food", "Rent", "Travel"]),
            date=(D(2025, 1, 1) + dt.timedelta(days=rng.randrange(700))).isoformat(),
            description=rng.choice(["coffee", "Coffee beans", "rent", ""]),
        )
    periods = ["this-month", "last-month", "last-30-days", "this-year", "all", "custom"]
    for _ in range(80):
        start = D(2025, 1, 1) + dt.timedelta(days=rng.randrange(600))
        if rng.random() < 0.5:
            start = start.replace(day=1)
        raw = {
            "period": rng.choice(periods),
            "from": rng.choice([start.isoformat(), ""]),
            "to": (start + dt.timedelta(days=rng.randrange(90))).isoformat(),
            "category": rng.choice(["", "", "food", "Travel"]),
            "q": rng.choice(["", "", "coffee"]),
            "min": rng.choice(["", "", "100"]),
        }
        today = D(2025, 1, 1) + dt.timedelta(days=rng.randrange(700))
        expense_filter = parse_filter(raw, today)

        summary, comparison = summary_with_comparison(user.id, expense_filter)

        expected = spending_summary(user.id, expense_filter)
        assert summary == expected, expense_filter
        assert comparison == compare_with_previous(user.id, expense_filter, expected.total)
