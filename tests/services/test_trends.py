"""The monthly trend: twelve calendar months of a filter, equal to the summary month by month."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event

from expense_tracker.extensions import db
from expense_tracker.services.filters import parse_filter
from expense_tracker.services.reports import spending_summary, summary_with_comparison
from expense_tracker.services.trends import (
    add_months,
    monthly_trend,
    summary_from_trend,
)

from ..factories import make_expense

TODAY = dt.date(2026, 11, 24)


def months(trend) -> dict[str, Decimal]:
    return {f"{m.month:%Y-%m}": m.total for m in trend.months if m.total}


def test_the_trend_sums_each_month_and_category_and_marks_the_period(user):
    make_expense(user, amount="10", category="Food", date="2026-11-02")
    make_expense(user, amount="5", category="Rent", date="2026-11-30")
    make_expense(user, amount="7", category="Food", date="2026-10-31")
    make_expense(user, amount="99", category="Food", date="2025-11-30")  # 13 months back

    trend = monthly_trend(user.id, parse_filter({}, TODAY), TODAY)

    assert months(trend) == {"2026-10": Decimal("7.00"), "2026-11": Decimal("15.00")}
    assert [name for _, name in trend.categories] == ["Food", "Rent"]
    assert [m.in_period for m in trend.months] == [False] * 11 + [True]
    assert trend.months[-1].count == 2
    assert trend.largest == Decimal("15.00")


def test_a_category_filter_keeps_only_that_category(user):
    make_expense(user, amount="10", category="Food", date="2026-11-02")
    make_expense(user, amount="5", category="Rent", date="2026-11-03")

    trend = monthly_trend(user.id, parse_filter({"category": "food"}, TODAY), TODAY)

    assert months(trend) == {"2026-11": Decimal("10.00")}
    assert [name for _, name in trend.categories] == ["Food"]


def test_text_and_amount_filters_read_the_expenses(user):
    make_expense(user, amount="3.40", category="Food", date="2026-06-02", description="Coffee")
    make_expense(user, amount="30", category="Food", date="2026-06-03", description="coffee beans")
    make_expense(user, amount="9", category="Food", date="2026-06-04", description="Lunch")

    trend = monthly_trend(user.id, parse_filter({"q": "COFFEE", "max": "10"}, TODAY), TODAY)

    assert months(trend) == {"2026-06": Decimal("3.40")}
    assert trend.months[6].count == 1


def test_the_trend_is_only_the_users_own(user, other_user):
    make_expense(other_user, amount="10", date="2026-11-02")

    assert months(monthly_trend(user.id, parse_filter({}, TODAY), TODAY)) == {}


@pytest.mark.parametrize("args", [{}, {"category": "Food"}, {"q": "e"}, {"min": "2"}])
def test_each_month_equals_the_summary_of_that_month(user, args):
    for day, amount, category, description in [
        ("2026-01-31", "1.50", "Food", "bread"),
        ("2026-02-01", "2.25", "Rent", "garage"),
        ("2026-02-14", "3.00", "Food", "cake"),
        ("2026-07-07", "40.00", "Travel", "train"),
    ]:
        make_expense(user, amount=amount, category=category, date=day, description=description)

    trend = monthly_trend(user.id, parse_filter(args, TODAY), TODAY)

    for month in trend.months:
        last = add_months(month.month, 1) - dt.timedelta(days=1)
        period = {"period": "custom", "from": month.month.isoformat(), "to": last.isoformat()}
        summary = spending_summary(user.id, parse_filter({**args, **period}, TODAY))
        assert (month.total, month.count) == (summary.total, summary.count), month.month
        assert month.by_category == {c.id: c.total for c in summary.categories}


def test_without_text_or_amounts_the_trend_is_one_query_on_the_totals(user):
    make_expense(user, amount="10", date="2026-11-02")
    statements = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    monthly_trend(user.id, parse_filter({"category": "Food"}, TODAY), TODAY)

    assert len(statements) == 1 and "monthly_totals" in statements[0]
    assert "expenses" not in statements[0].replace("monthly_totals", "")


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"period": "last-month"},
        {"category": "food"},
        {"category": "Rent", "period": "last-month"},
    ],
)
def test_a_months_summary_from_its_trend_equals_the_summary_read_alone(user, args):
    for day, amount, category in [
        ("2026-09-30", "4.00", "Food"),
        ("2026-10-01", "2.25", "Rent"),
        ("2026-10-14", "3.00", "Food"),
        ("2026-11-07", "40.00", "Travel"),
        ("2026-11-08", "1.00", "Food"),
    ]:
        make_expense(user, amount=amount, category=category, date=day)
    expense_filter = parse_filter(args, TODAY)

    from_trend = summary_from_trend(monthly_trend(user.id, expense_filter, TODAY), expense_filter)

    assert from_trend == summary_with_comparison(user.id, expense_filter)


@pytest.mark.parametrize("args", [{"period": "all"}, {"period": "this-year"}, {"q": "x"}])
def test_other_periods_and_searches_keep_their_own_summary(user, args):
    expense_filter = parse_filter(args, TODAY)

    assert summary_from_trend(monthly_trend(user.id, expense_filter, TODAY), expense_filter) is None
