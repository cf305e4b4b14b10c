"""The named requests the benchmark measures, for the heavy user, in the order measured.

To measure a new page, add a row. A row without a path is listed as not built yet; give it
its path once the page exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from expense_tracker import clock


@dataclass(frozen=True)
class Page:
    """A request to measure: what it is called, how it is sent, what it must answer."""

    name: str
    path: str | None
    method: str = "GET"
    form: Callable[[], dict[str, str]] | None = None
    expect: int = 200
    api: bool = False  # sent with the user's API token instead of the session cookie
    # Reads a share of every expense of the heavy user (all of them, or a year of a search),
    # so its time grows with them by design: its growth target is the time per expense,
    # and its memory must stay flat.
    whole_history: bool = False

    @property
    def is_built(self) -> bool:
        return self.path is not None


def new_expense() -> dict[str, str]:
    """Return the fields of the expense the "add" request posts: a coffee, today."""
    return {
        "date": clock.today().isoformat(),
        "amount": "3.40",
        "category": "Food",
        "description": "coffee",
    }


NOT_BUILT = "n/a (not built yet)"
HELLO = Page("Hello world (ceiling)", "/")
DASHBOARD = Page("Dashboard, default period", "/")
# The phone's way in: its server time against the dashboard's.
QUICK_ADD = Page("Quick add page", "/add")
ALL_TIME = Page("Dashboard, All time", "/?period=all")
SEARCH = Page("Filtered search", "/?category=Food&q=coffee")
# The search's monthly trend, which the dashboard leaves to app.js: a year of matching rows.
SEARCH_TREND = Page(
    "Filtered search: trend card", "/trend/card?category=Food&q=coffee", whole_history=True
)
# Writes go last, so the reads are measured on the data as generated.
ADD = Page("Add an expense", "/expenses", "POST", new_expense, 302)
PAGES = (
    DASHBOARD,
    QUICK_ADD,
    ALL_TIME,
    SEARCH,
    SEARCH_TREND,
    Page("API: list", "/api/v1/expenses", api=True),
    Page("API: summary", "/api/v1/summary", api=True),
    Page("CSV export", "/export.csv?period=all", whole_history=True),
    ADD,
)
