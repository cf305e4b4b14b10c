"""Parts of the dashboard worked out in Python, where Jinja would cost several times more.

The list's rows: through Jinja each row took some forty escape-and-yield steps and was
most of the cost of a full page; here a row is one `str.format`, and only the values that
may hold markup (category names, descriptions and the row links' filter parameters) are
escaped. The summary chart: each category's figures and arc, formatted once. The monthly
trend and the budget bars: SVG shapes placed by attributes (the CSP forbids inline styles),
coloured by classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from markupsafe import Markup, escape

from ..colors import color_class
from ..money import MoneyFormat
from ..services.budgets import BudgetLine
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


# The trend's bars live in a 1200 x 1000 box stretched to the chart's size (100 units a
# month, whole numbers being the cheapest to write); month names and amounts are HTML
# around it, so text keeps its size on any screen.
TREND_BAR = '<rect class="bar %s" x="%d" y="%d" width="70" height="%d"></rect>'
IN_PERIOD = ' class="in-period"'
TREND_BAND = '<rect class="trend-period" x="%d" y="0" width="100" height="1000"></rect>'


def trend_chart(trend: Trend, money_format: MoneyFormat) -> Markup:
    """Return the trend as stacked bars, month labels, a legend and a table of the figures."""
    largest = trend.largest
    scale = float(1000 / largest) if largest else 0.0
    number, money = money_format.number, money_format.money
    symbol = escape(money_format.symbol)
    colors = {category_id: color_class(color) for category_id, color in trend.colors.items()}
    stack = [(category_id, colors[category_id]) for category_id, _ in trend.categories]
    shapes = []
    labels = []
    for index, month in enumerate(trend.months):
        if month.in_period:
            shapes.append(TREND_BAND % (index * 100))
        parts = month.by_category
        below = 0.0
        bottom = 0
        for category_id, color in stack:
            amount = parts.get(category_id)
            if amount:
                # Each bar ends where the running total ends: rounding leaves no gaps.
                below += float(amount)
                top = round(below * scale)
                shapes.append(TREND_BAR % (color, index * 100 + 15, 1000 - top, top - bottom))
                bottom = top
        labels.append(f"<li{IN_PERIOD if month.in_period else ''}>{month.month:%b}</li>")
    first, last = trend.months[0].month, trend.months[-1].month
    peak = max(trend.months, key=lambda m: m.total)
    description = f"Spending per month, {first:%B %Y} to {last:%B %Y}." + (
        f" Highest: {peak.month:%B %Y}, {money(peak.total)}." if largest else " Nothing spent."
    )
    names = {category_id: escape(name) for category_id, name in trend.categories}
    legend = "".join(
        f'<li><span class="swatch {colors[category_id]}" aria-hidden="true"></span>'
        f"{names[category_id]}</li>"
        for category_id, _ in trend.categories
    )
    stacked = len(trend.categories) > 1
    head = "".join(f'<th scope="col" class="num">{names[c]}</th>' for c, _ in trend.categories)
    rows = []
    for month in trend.months:
        cells = (
            "".join(
                f'<td class="num">{number(month.by_category.get(category_id, ZERO))}</td>'
                for category_id, _ in trend.categories
            )
            if stacked
            else ""
        )
        rows.append(
            f"<tr{IN_PERIOD if month.in_period else ''}>"
            f'<th scope="row">{month.month:%b %Y}</th>{cells}'
            f'<td class="num">{number(month.total)}</td></tr>'
        )
    # Category names are escaped above; the rest are dates and formatted amounts.
    return Markup(  # nosec B704
        f'<p class="trend-scale" aria-hidden="true">{money(largest)}</p>'
        f'<svg class="trend-chart" viewBox="0 0 1200 1000" preserveAspectRatio="none"'
        f' role="img" aria-label="{description}">'
        f'<line class="trend-axis" x1="0" y1="1000" x2="1200" y2="1000"'
        f' vector-effect="non-scaling-stroke"></line>'
        f"{''.join(shapes)}</svg>"
        f'<ol class="trend-months" aria-hidden="true">{"".join(labels)}</ol>'
        + (f'<ul class="legend" aria-label="Categories">{legend}</ul>' if stacked else "")
        + '<details class="trend-table"><summary>The figures as a table</summary>'
        '<div class="table-scroll" tabindex="0" role="region" aria-label="Spending per month">'
        '<table><caption class="visually-hidden">Spending per month'
        '</caption><thead><tr><th scope="col">Month</th>'
        f'{head if stacked else ""}<th scope="col" class="num">Total ({symbol})</th>'
        "</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></details>"
    )


BUDGET_BAR = (
    '<svg class="budget-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">'
    '<rect class="budget-track" x="0" y="0" width="100" height="10"></rect>'
    '<rect class="budget-fill budget-{state}" x="0" y="0" width="{width:.2f}" height="10"></rect>'
    "</svg>"
)


def budget_bar(line: BudgetLine) -> Markup:
    """Return a budget's progress bar: the share spent, full and marked when over."""
    width = min(float(line.percent), 100.0)
    # A state word of the service's and a number: nothing a user typed.
    return Markup(BUDGET_BAR.format(state=line.state, width=width))  # nosec B704
