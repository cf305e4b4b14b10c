"""Writes that race each other end in a true answer: totals stay right, and nobody gets a 500.

Each test makes the race happen on purpose: one request pauses at the moment that matters
(after it has read, before it writes) while the other runs. A pause ends when the other
request is done or after a short wait, so that a request which, rightly, waits for the
other's lock is not waited for in turn.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

from expense_tracker.errors import Conflict, NotFound, Stale, ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import Budget, Category, Expense, RecurringExpense
from expense_tracker.services import budgets, categories, expenses, recurring, totals
from expense_tracker.services.categories import resolve_category
from expense_tracker.sql import dialect_name

from ..factories import make_expense

PAUSE = 2  # seconds a paused request waits for the other at most


def in_threads(app, *calls) -> list:
    """Run each call in a thread of its own, all at once; return each result or exception."""
    outcomes: list = [None] * len(calls)

    def run(index, call):
        with app.app_context():
            try:
                outcomes[index] = call()
            except Exception as error:  # noqa: BLE001 - the test looks at every outcome
                outcomes[index] = error
            finally:
                db.session.rollback()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def pause_after(monkeypatch, owner, name: str, until: threading.Event) -> None:
    """Make `owner.name` wait, once it has returned, until `until` is set (or PAUSE passed)."""
    original = getattr(owner, name)

    def paused(*args, **kwargs):
        result = original(*args, **kwargs)
        until.wait(PAUSE)
        return result

    monkeypatch.setattr(owner, name, paused)


def setting(event_: threading.Event, call):
    """`call`, which sets `event_` when it has finished, however it finished."""

    def run():
        try:
            return call()
        finally:
            event_.set()

    return run


@contextlib.contextmanager
def together_before_commit(parties: int):
    """Hold every commit until `parties` sessions are about to commit (or PAUSE passed)."""
    barrier = threading.Barrier(parties)

    def wait(session):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(PAUSE)

    event.listen(Session, "before_commit", wait)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", wait)


def wait_until_blocked() -> None:
    """Return once another session waits for a lock (on SQLite, after a moment)."""
    if dialect_name() == "sqlite":
        time.sleep(0.3)
        return
    query = text("SELECT count(*) FROM pg_locks WHERE NOT granted")
    for _ in range(200):
        if db.session.scalar(query):
            db.session.rollback()
            return
        db.session.rollback()
        time.sleep(0.02)
    raise AssertionError("nobody waited for the lock")


def stored(expense_id: int) -> tuple:
    db.session.expire_all()
    expense = db.session.get(Expense, expense_id)
    return (expense.amount, expense.category.name)


# Lock, then read: what is taken off the totals is what the row holds now.


def test_an_edit_takes_off_the_totals_what_is_stored_not_what_it_read_before(app, user):
    expense_id = make_expense(user, amount="10", category="Food", date="2026-11-05").id
    # The edit page reads the expense to show it, then saves in the same request.
    shown = expenses.get_expense(user.id, expense_id)
    [moved] = in_threads(
        app,
        lambda: expenses.update_expense(user.id, expense_id, {"amount": "30", "category": "Rent"}),
    )

    expenses.update_expense(user.id, expense_id, {"amount": "18"})

    assert not isinstance(moved, Exception), moved
    assert totals.check_monthly_totals() == []
    assert stored(expense_id) == (Decimal("18.00"), "Rent")
    assert shown.amount == Decimal("18.00")


def test_a_delete_takes_off_the_totals_what_is_stored_not_what_it_read_before(app, user):
    expense_id = make_expense(user, amount="10", category="Food", date="2026-11-05").id
    shown = expenses.get_expense(user.id, expense_id)
    [moved] = in_threads(
        app,
        lambda: expenses.update_expense(user.id, expense_id, {"amount": "30", "category": "Rent"}),
    )

    expenses.delete_expense(user.id, expense_id)

    assert not isinstance(moved, Exception), moved
    assert totals.check_monthly_totals() == []
    assert shown.category.name == "Rent"


@pytest.mark.parametrize("second", ["edit", "delete"])
def test_a_write_waiting_on_an_edit_that_moved_the_expense_still_finds_it(app, user, second):
    expense_id = make_expense(user, amount="10", category="Food", date="2026-11-05").id
    locked, release = threading.Event(), threading.Event()

    def move():
        expense = expenses.get_expense(user.id, expense_id, lock=True)
        old = expense.category_id
        expense.category = resolve_category(user.id, "Rent")
        db.session.flush()
        totals.add_to_totals(user.id, expense.date, old, -expense.amount, -1)
        totals.add_to_totals(user.id, expense.date, expense.category_id, expense.amount, 1)
        locked.set()
        release.wait(30)
        db.session.commit()

    def write():
        locked.wait(30)
        if second == "edit":
            return expenses.update_expense(user.id, expense_id, {"amount": "30"})
        return expenses.delete_expense(user.id, expense_id)

    def watch():
        locked.wait(30)
        wait_until_blocked()
        release.set()

    outcomes = in_threads(app, move, write, watch)

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert totals.check_monthly_totals() == []
    if second == "edit":
        assert stored(expense_id) == (Decimal("30.00"), "Rent")
    else:
        assert db.session.get(Expense, expense_id) is None


# Races that used to end in a 500: each ends done, or with a message.


def test_two_budget_saves_at_once_both_succeed(app, user):
    categories.create_category(user.id, {"name": "Food"})
    with together_before_commit(2):
        outcomes = in_threads(
            app,
            lambda: budgets.replace_budgets(user.id, "100", {"Food": "10"}),
            lambda: budgets.replace_budgets(user.id, "200", {"food": "20"}),
        )

    assert outcomes == [None, None]
    amounts = db.session.scalars(select(Budget.amount).order_by(Budget.amount)).all()
    assert amounts in ([Decimal("10.00"), Decimal("100.00")], [Decimal("20.00"), Decimal("200.00")])


def test_an_expense_added_while_its_category_is_merged_is_kept(app, user, monkeypatch):
    food = make_expense(user, amount="5", category="Food").category_id
    groceries = make_expense(user, amount="7", category="Groceries").category_id
    merged = threading.Event()
    pause_after(monkeypatch, expenses, "resolve_category", merged)

    outcomes = in_threads(
        app,
        lambda: make_expense(user, amount="3", category="Food").id,
        setting(merged, lambda: categories.merge_category(user.id, food, groceries)),
    )

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert totals.check_monthly_totals() == []
    assert db.session.scalar(select(db.func.count(Expense.id))) == 3
    assert db.session.get(Category, food) is None


def test_an_expense_added_while_its_empty_category_is_deleted_is_kept(app, user, monkeypatch):
    food = categories.create_category(user.id, {"name": "Food"}).id
    deleted = threading.Event()
    pause_after(monkeypatch, expenses, "resolve_category", deleted)

    added, gone = in_threads(
        app,
        lambda: make_expense(user, amount="3", category="Food").id,
        setting(deleted, lambda: categories.delete_category(user.id, food)),
    )

    assert not isinstance(added, Exception), added
    # Deleted first (the expense then makes the category anew), or refused with a message.
    assert isinstance(gone, Category | Conflict), gone
    assert totals.check_monthly_totals() == []
    assert stored(added) == (Decimal("3.00"), "Food")


def test_two_opposite_merges_at_once_end_in_one_merge_and_a_message(app, user, monkeypatch):
    food = make_expense(user, amount="5", category="Food").category_id
    rent = make_expense(user, amount="7", category="Rent").category_id
    barrier = threading.Barrier(2)
    merge_budgets = categories._merge_budgets

    def together(*args):
        # Both merges have moved their expenses before either goes on.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(PAUSE)
        return merge_budgets(*args)

    monkeypatch.setattr(categories, "_merge_budgets", together)

    outcomes = in_threads(
        app,
        lambda: categories.merge_category(user.id, food, rent),
        lambda: categories.merge_category(user.id, rent, food),
    )

    done = [outcome for outcome in outcomes if isinstance(outcome, Category)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(done) == 1, outcomes
    assert len(refused) == 1 and isinstance(refused[0], NotFound | ValidationError), outcomes
    assert totals.check_monthly_totals() == []
    assert db.session.scalar(select(db.func.count(Category.id))) == 1
    assert db.session.scalar(select(db.func.count(Expense.id))) == 2


def test_a_change_to_a_recurring_expense_paused_meanwhile_makes_nothing_while_paused(app, user):
    raw = {
        "amount": "100",
        "category": "Housing",
        "frequency": "monthly",
        "start_date": "2026-01-01",
    }
    template_id = recurring.create_recurring(user.id, raw, dt.date(2026, 1, 15)).id
    # The edit page reads the recurring expense to show it, then saves in the same request.
    shown = recurring.get_recurring(user.id, template_id)
    [paused] = in_threads(
        app, lambda: recurring.pause_recurring(user.id, template_id, dt.date(2026, 1, 15))
    )

    recurring.update_recurring(user.id, template_id, {"amount": "120"}, dt.date(2026, 3, 15))

    assert not isinstance(paused, Exception), paused
    assert shown.is_paused
    assert db.session.scalars(select(Expense.date)).all() == [dt.date(2026, 1, 1)]


# Lost updates: a change made from an old version is refused, never merged silently.


def test_an_edit_from_a_version_changed_since_is_refused_and_changes_nothing(user):
    expense = make_expense(user, amount="10", category="Food", date="2026-11-05")
    opened = expense.version
    expenses.update_expense(user.id, expense.id, {"amount": "20"}, versions={opened})

    with pytest.raises(Stale) as refused:
        expenses.update_expense(user.id, expense.id, {"category": "Rent"}, versions={opened})

    assert str(refused.value) == "This expense was changed since you opened it."
    assert refused.value.current.version == opened + 1
    assert stored(expense.id) == (Decimal("20.00"), "Food")
    assert totals.check_monthly_totals() == []


def test_a_delete_from_a_version_changed_since_is_refused(user):
    expense = make_expense(user, amount="10")
    opened = expense.version
    expenses.update_expense(user.id, expense.id, {"amount": "20"})

    with pytest.raises(Stale):
        expenses.delete_expense(user.id, expense.id, versions={opened})

    assert stored(expense.id) == (Decimal("20.00"), "Food")


def test_merging_a_category_counts_as_a_change_of_its_expenses(user):
    expense = make_expense(user, amount="10", category="Food")
    rent = make_expense(user, amount="1", category="Rent").category_id
    opened = expense.version

    categories.merge_category(user.id, expense.category_id, rent)

    with pytest.raises(Stale):
        expenses.update_expense(user.id, expense.id, {"category": "Food"}, versions={opened})


def test_the_recurring_job_while_its_category_is_merged_files_under_the_merged_one(
    app, user, monkeypatch
):
    raw = {"amount": "100", "category": "Housing", "frequency": "monthly"}
    template = recurring.create_recurring(
        user.id, {**raw, "start_date": "2026-01-01"}, dt.date(2026, 1, 15)
    )
    housing = template.category_id
    rent = make_expense(user, amount="1", category="Rent").category_id
    merged = threading.Event()
    pause_after(monkeypatch, recurring, "_due_batch", merged)

    ran, _ = in_threads(
        app,
        lambda: recurring.run_due(dt.date(2026, 3, 15)),
        setting(merged, lambda: categories.merge_category(user.id, housing, rent)),
    )

    assert not isinstance(ran, Exception), ran
    assert totals.check_monthly_totals() == []
    made = db.session.execute(select(Expense.date, Expense.category_id).order_by(Expense.date))
    assert {category_id for _, category_id in made} == {rent}


def test_an_import_into_a_category_merged_after_its_check_files_its_rows_anew(
    app, user, monkeypatch
):
    from expense_tracker.services import imports

    food = make_expense(user, amount="5", category="Food").category_id
    groceries = make_expense(user, amount="7", category="Groceries").category_id
    text = "date,amount,category,description\n2026-01-05,4.50,Food,Coffee\n"
    record_id = imports.start_import(user.id, "bank.csv", text.encode()).id
    merged = threading.Event()
    # The import has read the file and the categories it files under, and not yet written.
    pause_after(monkeypatch, imports, "_plan", merged)

    imported, _ = in_threads(
        app,
        lambda: imports.run_import(user.id, record_id),
        setting(merged, lambda: categories.merge_category(user.id, food, groceries)),
    )

    assert imported == 1, imported
    assert totals.check_monthly_totals() == []
    assert db.session.get(Category, food) is None
    filed = select(Category.name).join(Expense).where(Expense.user_id == user.id)
    assert sorted(db.session.scalars(filed)) == ["Food", "Groceries", "Groceries"]


# Caps and duplicates: counted and written in one locked step.


def meeting(monkeypatch, owner, name: str, parties: int) -> None:
    """Make `owner.name` wait, once it has returned, until `parties` calls have (or PAUSE)."""
    barrier = threading.Barrier(parties)
    original = getattr(owner, name)

    def met(*args, **kwargs):
        result = original(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(PAUSE)
        return result

    monkeypatch.setattr(owner, name, met)


def add_categories(user_id: int, count: int) -> None:
    db.session.execute(
        insert(Category),
        [
            {"user_id": user_id, "name": f"Full {n}", "name_key": f"full {n}", "color": n % 10}
            for n in range(count)
        ],
    )
    db.session.commit()


def a_new_expense(user, n):
    return lambda: make_expense(user, amount="5", category=f"New {n}").id


def a_new_budget(user, n):
    return lambda: budgets.replace_budgets(user.id, None, {f"New {n}": "10"})


@pytest.mark.parametrize("write", [a_new_expense, a_new_budget], ids=["expense", "budget"])
def test_new_categories_from_several_clients_at_once_stop_exactly_at_the_cap(
    app, user, monkeypatch, write
):
    add_categories(user.id, categories.CATEGORIES_MAX - 2)
    # Every client has counted the categories before any has made its own.
    meeting(monkeypatch, categories, "plan_categories", 4)

    outcomes = in_threads(app, *(write(user, n) for n in range(4)))

    refused = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(refused) == 2, outcomes
    assert all(isinstance(outcome, ValidationError) for outcome in refused), outcomes
    assert all("would be a new category" in str(outcome.errors) for outcome in refused)
    count = select(db.func.count()).select_from(Category).where(Category.user_id == user.id)
    assert db.session.scalar(count) == categories.CATEGORIES_MAX


def test_two_imports_of_one_file_at_once_never_both_store_its_rows(app, user, monkeypatch):
    from expense_tracker.services import imports

    text_ = (
        "date,amount,category,description\n2026-01-05,4.50,Food,Coffee\n2026-01-06,9,Food,Lunch\n"
    )
    first, second = (imports.start_import(user.id, "bank.csv", text_.encode()).id for _ in "ab")
    # Both have compared the file with the stored expenses before either writes.
    meeting(monkeypatch, imports, "_plan", 2)

    outcomes = in_threads(
        app, lambda: imports.run_import(user.id, first), lambda: imports.run_import(user.id, second)
    )

    # One stores both rows; the other finds them duplicates, or is refused with a message.
    assert outcomes.count(2) == 1, outcomes
    [other] = [outcome for outcome in outcomes if outcome != 2]
    assert other == 0 or (isinstance(other, Conflict) and "Another import" in str(other)), outcomes
    assert db.session.scalar(select(db.func.count(Expense.id))) == 2
    assert totals.check_monthly_totals() == []


@pytest.mark.parametrize(
    "change",
    [
        lambda user_id, rid: recurring.update_recurring(
            user_id, rid, {"amount": "120"}, dt.date(2026, 3, 15)
        ),
        lambda user_id, rid: recurring.pause_recurring(user_id, rid, dt.date(2026, 3, 15)),
    ],
    ids=["edit", "pause"],
)
def test_a_recurring_expense_changed_while_its_category_is_merged_ends_in_both_done(
    app, user, monkeypatch, change
):
    raw = {"amount": "100", "category": "Housing", "frequency": "monthly"}
    template = recurring.create_recurring(
        user.id, {**raw, "start_date": "2026-01-01"}, dt.date(2026, 1, 15)
    )
    template_id, housing = template.id, template.category_id
    rent = make_expense(user, amount="1", category="Rent").category_id
    merged = threading.Event()
    # The change holds the recurring expense, and has yet to make what is due.
    pause_after(monkeypatch, recurring, "get_recurring", merged)

    changed, into = in_threads(
        app,
        lambda: change(user.id, template_id),
        setting(merged, lambda: categories.merge_category(user.id, housing, rent)),
    )

    assert not isinstance(changed, Exception), changed
    assert isinstance(into, Category), into
    assert totals.check_monthly_totals() == []
    db.session.expire_all()
    assert db.session.get(RecurringExpense, template_id).category_id == rent
    made = select(Expense.category_id).where(Expense.description == "")
    assert set(db.session.scalars(made)) == {rent}


def test_an_expense_edited_while_its_category_is_merged_ends_in_both_done(app, user, monkeypatch):
    expense_id = make_expense(user, amount="5", category="Food").id
    food = db.session.get(Expense, expense_id).category_id
    groceries = make_expense(user, amount="7", category="Groceries").category_id
    merged = threading.Event()
    # The edit holds the expense, and has yet to file it under its category.
    pause_after(monkeypatch, expenses, "get_expense", merged)

    edited, into = in_threads(
        app,
        lambda: expenses.update_expense(user.id, expense_id, {"amount": "6", "category": "Food"}),
        setting(merged, lambda: categories.merge_category(user.id, food, groceries)),
    )

    assert not isinstance(edited, Exception), edited
    assert isinstance(into, Category), into
    assert totals.check_monthly_totals() == []
    assert stored(expense_id)[0] == Decimal("6.00")
