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
from ..services.reports import Summary

# One table row per expense; "{what}" names the hidden text that describes the row's buttons.
ROW = (
    "<tr>"
    '<td data-label="Date"><time datetime="{day}">{day}</time></td>'
    '<td data-label="Category">{category}</td>'
    '<td data-label="Description" class="description">{description}</td>'
    '<td data-label="Amount" class="num amount">{amount}</td>'
    '<td class="actions">'
    '<span id="{what}" class="visually-hidden">{amount} in {category} on {day}</span>\n'
    '<a class="button button-small button-quiet" href="{edit[0]}/{id}/{edit[1]}"'
    ' aria-describedby="{what}">Edit</a>\n'
    '<button type="submit" form="delete-expense" formaction="{delete[0]}/{id}/{delete[1]}"'
    ' class="button button-small button-danger" aria-describedby="{what}"\n'
    " data-confirm-described>Delete</button>"
    "</td>"
    "</tr>\n"
)


def expense_rows(items: Iterable, row_urls: Mapping[str, Sequence[str]]) -> Markup:
    """Return the table rows of `items`, rows of (id, date, amount, category, description).

    `row_urls` holds each action's URL split around "/<expense id>/" (see the view).
    """
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
                    amount=f"{amount:,.2f}",
                    category=escape(category),
                    description=escape(description),
                    edit=edit,
                    delete=delete,
                )
                for expense_id, date, amount, category, description in items
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


def summary_chart(summary: Summary) -> list[ChartSlice]:
    """Return the summary's categories, largest first, each with its figures written out."""
    slices = []
    offset = 0.0
    for category in summary.categories:
        share = float(category.total * 100 / summary.total)
        percent = f"{category.percent}%"
        slices.append(
            ChartSlice(
                name=category.name,
                total=f"{category.total:,.2f}",
                percent=percent,
                label=f"{category.name} {percent}",
                color=color_class(category.color),
                dasharray=f"{share:.4f} {100 - share:.4f}",
                dashoffset=f"{25 - offset:.4f}",
            )
        )
        offset += share
    return slices
