"""Parts of the dashboard worked out in Python: figures written out, shapes placed.

The charts' markup is in the Jinja partials (expenses/_summary.html, _trend_chart.html,
_budgets.html); here each category's figures and arc, and each month's bars, are computed
once. The list's rows are the one part still written here: measured with
time.process_time, a page of 50 rows took 1.06 ms through a Jinja partial against 0.34 ms
as one `str.format` a row (some twenty escape-and-yield steps a row, most of the cost of a
full page). Only the values that may hold markup (category names, descriptions and the row
links' filter parameters) are escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from markupsafe import Markup, escape

from ..colors import color_class
from ..money import MoneyFormat
from ..services.reports import ZERO, Summary
from ..services.trends import Trend

# One table row per expense; "{what}" names the hidden text that describes the row's buttons.
ROW = (
    "<tr>"
    '<td data-label="Date"><time datetime="{day}">{day}</time></td>'
    '<td data-label="Category">{category}</td>'
    '<td data-label="Description" class="description">{description}</td>'
    '<td data-label="{amount_label}" class="num amount">{amount}</td>'
    '<td class="actions">'
    '<span id="{what}" class="visually-hidden">{money} in {category} on {day}</span>\n'
    '<a class="button button-small button-quiet" href="{edit[0]}/{id}/{edit[1]}"'
    ' aria-describedby="{what}">Edit</a>\n'
    '<button type="submit" form="delete-expense" formaction="{delete[0]}/{id}/{delete[1]}"'
    ' class="button button-small button-danger" aria-describedby="{what}"\n'
    " data-confirm-described>Delete</button>"
    "</td>"
    "</tr>\n"
)


def amount_heading(money_format: MoneyFormat) -> str:
    """The amount column's heading, naming the currency its bare numbers are in."""
    return f"Amount ({money_format.symbol})"


def expense_rows(
    items: Iterable, row_urls: Mapping[str, Sequence[str]], money_format: MoneyFormat
) -> Markup:
    """Return the table rows of `items`, rows of (id, date, amount, category, description).

    `row_urls` holds each action's URL split around "/<expense id>/" (see the view).
    Amounts are bare numbers in the user's convention (the heading names the currency,
    which keeps the column narrow on a phone); the buttons' description has the currency.
    """
    number, money = money_format.number, money_format.money
    # The symbol goes around the bare number: one formatting per row instead of two.
    around = (money_format.prefix, money_format.suffix) if money_format.simple else None
    amount_label = escape(amount_heading(money_format))
    edit = [escape(part) for part in row_urls["edit"]]
    delete = [escape(part) for part in row_urls["delete"]]
    # Unpacked by position: a database row's attributes cost several times more to read.
    # Every value that can hold text a user typed is escaped above or below; the rest are
    # ids, dates and formatted amounts (bandit cannot see that, hence the nosec).
    return Markup(  # nosec B704
        "".join(
            [
                ROW.format(
                    id=expense_id,
                    what=f"expense-{expense_id}-what",
                    day=date.isoformat(),
                    amount=shown,
                    money=f"{around[0]}{shown}{around[1]}" if around else money(amount),
                    amount_label=amount_label,
                    category=escape(category),
                    description=escape(description),
                    edit=edit,
                    delete=delete,
                )
                for expense_id, date, amount, category, description in items
                for shown in (number(amount),)
            ]
        )
    )


class ChartSlice(NamedTuple):
    """One category in the summary: its figures as shown and its arc of the donut."""

    name: str
    total: str
    percent: str
    label: str  # "<name> <percent>", for the chart's text alternative
    color: str
    dasharray: str
    dashoffset: str


def summary_chart(summary: Summary, money_format: MoneyFormat) -> list[ChartSlice]:
    """Return the summary's categories, largest first, each with its figures written out."""
    slices = []
    offset = 0.0
    for category in summary.categories:
        share = float(category.total * 100 / summary.total)
        percent = f"{category.percent}%"
        slices.append(
            ChartSlice(
                name=category.name,
                total=money_format.money(category.total),
                percent=percent,
                label=f"{category.name} {percent}",
                color=color_class(category.color),
                dasharray=f"{share:.4f} {100 - share:.4f}",
                dashoffset=f"{25 - offset:.4f}",
            )
        )
        offset += share
    return slices


class TrendColumn(NamedTuple):
    """One month of the trend chart: its bars (colour, x, y, height), bottom first."""

    x: int  # where the month starts in the chart's 1200 x 1000 box, 100 units a month
    in_period: bool
    label: str  # "Nov"
    bars: list[tuple[str, int, int, int]]


class TrendRow(NamedTuple):
    """One month of the trend's table, its figures written out."""

    label: str  # "Nov 2026"
    in_period: bool
    cells: list[str]  # each category's figure, when there are several
    total: str


class TrendChart(NamedTuple):
    """The monthly trend's figures as expenses/_trend_chart.html draws them."""

    scale: str  # the largest month, the top of the chart
    description: str  # the chart's text alternative
    columns: list[TrendColumn]
    stacked: bool  # more than one category: a legend, and a column each in the table
    legend: list[tuple[str, str]]  # (colour class, name), largest first
    symbol: str
    rows: list[TrendRow]


def trend_chart(trend: Trend, money_format: MoneyFormat) -> TrendChart:
    """Return the trend as stacked bars, month labels, a legend and a table of the figures."""
    largest = trend.largest
    scale = float(1000 / largest) if largest else 0.0
    number, money = money_format.number, money_format.money
    colors = {category_id: color_class(color) for category_id, color in trend.colors.items()}
    stack = [(category_id, colors[category_id]) for category_id, _ in trend.categories]
    stacked = len(trend.categories) > 1
    columns = []
    rows = []
    for index, month in enumerate(trend.months):
        parts = month.by_category
        below = 0.0
        bottom = 0
        bars = []
        for category_id, color in stack:
            amount = parts.get(category_id)
            if amount:
                # Each bar ends where the running total ends: rounding leaves no gaps.
                below += float(amount)
                top = round(below * scale)
                bars.append((color, index * 100 + 15, 1000 - top, top - bottom))
                bottom = top
        columns.append(TrendColumn(index * 100, month.in_period, f"{month.month:%b}", bars))
        cells = (
            [number(parts.get(category_id, ZERO)) for category_id, _ in trend.categories]
            if stacked
            else []
        )
        rows.append(TrendRow(f"{month.month:%b %Y}", month.in_period, cells, number(month.total)))
    first, last = trend.months[0].month, trend.months[-1].month
    peak = max(trend.months, key=lambda m: m.total)
    description = f"Spending per month, {first:%B %Y} to {last:%B %Y}." + (
        f" Highest: {peak.month:%B %Y}, {money(peak.total)}." if largest else " Nothing spent."
    )
    return TrendChart(
        scale=money(largest),
        description=description,
        columns=columns,
        stacked=stacked,
        legend=[(colors[category_id], name) for category_id, name in trend.categories],
        symbol=money_format.symbol,
        rows=rows,
    )
