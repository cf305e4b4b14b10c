"""Parts of the dashboard worked out in Python, where Jinja would cost several times more.

The list's rows: through Jinja each row took some forty escape-and-yield steps and was
most of the cost of a full page; here a row is one `str.format`, and only the values that
may hold markup (category names, descriptions and the row links' filter parameters) are
escaped. The summary chart: each category's figures and arc, formatted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from markupsafe import Markup, escape

from ..colors import color_class
from ..money import MoneyFormat
from ..services.reports import Summary

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
