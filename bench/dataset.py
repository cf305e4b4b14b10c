"""Realistic rows for the benchmark: people, their categories and three years of expenses.

Everything is drawn from one seeded random generator, so a size always yields the same
people, categories and amounts; dates are relative to today, so "this month" has data.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from expense_tracker import clock

SEED = 20261124
HEAVY_USER = "heavy"
PASSWORD = "bench password"
# Cheap to check, so logging in costs the benchmark nothing; any Werkzeug method verifies.
PASSWORD_METHOD = "pbkdf2:sha256:1"
OTHER_USERS = 20
HEAVY_SHARE = 0.10
DAYS = 3 * 365
# Part of descriptions left empty, as people often do.
NO_DESCRIPTION = 0.1
# Spread of the log-normal amounts around each category's typical amount.
AMOUNT_SIGMA = 0.8


@dataclass(frozen=True)
class Kind:
    """A kind of spending: how often it happens, its typical amount, what people write."""

    name: str
    weight: int
    median: float
    descriptions: tuple[str, ...]


# Food comes first: everyone has it, and the filtered search looks for coffee in it.
CATALOGUE = (
    Kind("Food", 30, 9.0, ("coffee", "coffee and a croissant", "lunch", "sandwich",
                           "takeaway pizza", "bakery", "iced coffee", "sushi", "burger")),
    Kind("Groceries", 20, 45.0, ("supermarket", "weekly shop", "fruit and vegetables",
                                 "milk and bread", "farmers market", "coffee beans")),
    Kind("Transport", 12, 6.0, ("bus ticket", "metro", "taxi", "train ticket", "parking")),
    Kind("Restaurants", 6, 40.0, ("dinner with friends", "brunch", "date night",
                                  "coffee and cake")),
    Kind("Shopping", 6, 35.0, ("clothes", "shoes", "electronics", "home goods")),
    Kind("Entertainment", 5, 20.0, ("cinema", "concert", "museum", "video game", "theatre")),
    Kind("Health", 3, 30.0, ("pharmacy", "dentist", "doctor", "glasses", "vitamins")),
    Kind("Kids", 3, 25.0, ("school supplies", "toys", "childcare")),
    Kind("Other", 3, 15.0, ("post office", "laundry", "donation", "repairs")),
    Kind("Utilities", 2, 70.0, ("electricity", "water", "gas bill", "internet", "phone bill")),
    Kind("Car", 2, 50.0, ("fuel", "car wash", "service", "tyres")),
    Kind("Pets", 2, 25.0, ("cat food", "vet", "dog toys")),
    Kind("Personal care", 2, 20.0, ("haircut", "cosmetics", "toiletries")),
    Kind("Sports", 2, 30.0, ("gym membership", "swimming pool", "running shoes")),
    Kind("Subscriptions", 2, 12.0, ("music streaming", "video streaming", "cloud storage")),
    Kind("Books", 1, 18.0, ("novel", "cookbook", "comics", "e-book")),
    Kind("Gifts", 1, 40.0, ("birthday present", "wedding gift", "flowers")),
    Kind("Education", 1, 60.0, ("online course", "textbooks", "language class")),
    Kind("Insurance", 1, 80.0, ("home insurance", "car insurance", "travel insurance")),
    Kind("Travel", 1, 250.0, ("flight", "hotel", "train", "car rental")),
    Kind("Housing", 1, 1100.0, ("rent", "furniture", "plumber", "paint")),
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    """A generated user: name, categories, and how many expenses they hold."""

    username: str
    kinds: tuple[Kind, ...]
    expenses: int


def parse_size(text: str) -> int:
    """Read an expense count such as 1000, 10k or 1M."""
    units = {"k": 1_000, "m": 1_000_000}
    text = text.strip().lower()
    if text and text[-1] in units:
        return int(text[:-1]) * units[text[-1]]
    return int(text)


def format_size(size: int) -> str:
    """Write an expense count the short way: 1k, 10k, 1M."""
    for unit, amount in (("M", 1_000_000), ("k", 1_000)):
        if size >= amount and size % amount == 0:
            return f"{size // amount}{unit}"
    return str(size)


def people(size: int, rng: random.Random) -> list[Person]:
    """Return the heavy user, holding a tenth of `size` expenses, and others sharing the rest."""
    heavy = round(size * HEAVY_SHARE)
    # People differ in how much they record; give each a weight and split the rest by it.
    weights = [rng.uniform(0.5, 1.5) for _ in range(OTHER_USERS)]
    counts = [int((size - heavy) * weight / sum(weights)) for weight in weights]
    counts[0] += size - heavy - sum(counts)
    names = [HEAVY_USER, *(f"user{number:02d}" for number in range(1, OTHER_USERS + 1))]
    return [
        Person(name, _pick_kinds(rng), count)
        for name, count in zip(names, [heavy, *counts], strict=True)
    ]


def _pick_kinds(rng: random.Random) -> tuple[Kind, ...]:
    """Return Food and 7 to 14 other kinds: 8 to 15 categories, as people really use."""
    return (CATALOGUE[0], *rng.sample(CATALOGUE[1:], rng.randint(7, 14)))


def expenses(
    person: Person, category_ids: Sequence[int], rng: random.Random, today: dt.date
) -> list[tuple[int, dt.date, int, str, dt.datetime]]:
    """Return the person's expenses as (category_id, date, cents, description, created_at).

    Dates are uniform over the three years up to today; amounts are log-normal around the
    kind's typical amount, rounded to cents; each is entered at some hour of its own day,
    never later than now.
    """
    now = clock.now()
    first = today - dt.timedelta(days=DAYS - 1)
    start = dt.datetime(first.year, first.month, first.day, tzinfo=dt.UTC)
    weights = [kind.weight for kind in person.kinds]
    choices = rng.choices(range(len(person.kinds)), weights, k=person.expenses)
    rows = []
    for index in choices:
        kind = person.kinds[index]
        day = rng.randrange(DAYS)
        cents = max(1, round(rng.lognormvariate(math.log(kind.median), AMOUNT_SIGMA) * 100))
        description = "" if rng.random() < NO_DESCRIPTION else rng.choice(kind.descriptions)
        created = start + dt.timedelta(days=day, seconds=rng.randrange(7 * 3600, 23 * 3600))
        created = min(created, now)
        rows.append(
            (category_ids[index], first + dt.timedelta(days=day), cents, description, created)
        )
    return rows
