"""The dashboard: every figure of one period and filter, read together as one object.

The page and `GET /api/v1/dashboard` both serve what `dashboard` returns, so the two can
never disagree. It only reads: expenses that recurring expenses make when due are made
before (see recurring.make_due_for), not here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from . import budgets, expenses, reports, trends
from .budgets import MonthBudgets
from .expenses import Cursor, ExpensePage
from .filters import ExpenseFilter, month_end
from .reports import Comparison, Summary
from .trends import Trend


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows for one filter: summary, comparison, trend, budgets, list."""

    expense_filter: ExpenseFilter
    today: dt.date
    summary: Summary
    comparison: Comparison | None  # None for a period without a start or an end
    trend_months: tuple[dt.date, dt.date]  # the first days of the trend's first and last month
    # None with a text or amount condition: the trend would read a year of expenses, so the
    # page fetches it apart (trends.is_cheap).
    trend: Trend | None
    budgets: MonthBudgets
    categories: list[str]  # every category's name, alphabetically (the filter's choices)
    expenses: ExpensePage
    has_expenses: bool  # whether the user has any expense at all, in the filter or not

    @property
    def is_new_user(self) -> bool:
        return not self.has_expenses


def _spent_in_month(
    month: dt.date, expense_filter: ExpenseFilter, summary: Summary, trend: Trend | None
) -> Mapping[int, Decimal] | None:
    """Each category's spending in `month` if the dashboard has read it already, else None.

    The budgets need every expense of the month: the summary has them when the period is
    that month unfiltered, the trend when it has no category, text or amount condition.
    """
    if not expense_filter.has_extra_filters:
        if expense_filter.start == month and expense_filter.end == month_end(month):
            return {category.id: category.total for category in summary.categories}
        if trend is not None:
            for trend_month in trend.months:
                if trend_month.month == month:
                    return trend_month.by_category
    return None


def dashboard(
    user_id: int,
    expense_filter: ExpenseFilter,
    today: dt.date,
    *,
    limit: int,
    before: Cursor | None = None,
    after: Cursor | None = None,
) -> Dashboard:
    """Return the user's dashboard for the filter, `limit` expenses a page of the list.

    Each figure is read once: the summary of a calendar month comes from the trend when
    the trend has it, and the budgets' spending from the summary or the trend.
    """
    page = expenses.list_expenses(
        user_id, limit=limit, expense_filter=expense_filter, before=before, after=after
    )
    trend = None
    if trends.is_cheap(expense_filter):
        trend = trends.monthly_trend(user_id, expense_filter, today)
    from_trend = trends.summary_from_trend(trend, expense_filter) if trend else None
    summary, comparison = from_trend or reports.summary_with_comparison(user_id, expense_filter)
    named, budget_rows = budgets.categories_and_budgets(user_id)
    month = budgets.budget_month(expense_filter, today)
    month_budgets = budgets.month_budgets(
        user_id, month, _spent_in_month(month, expense_filter, summary, trend), budget_rows
    )
    return Dashboard(
        expense_filter=expense_filter,
        today=today,
        summary=summary,
        comparison=comparison,
        trend_months=trends.trend_months(expense_filter, today),
        trend=trend,
        budgets=month_budgets,
        categories=[name for _, name in named],
        expenses=page,
        has_expenses=bool(page.items) or expenses.has_expenses(user_id),
    )
