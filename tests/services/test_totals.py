"""Monthly totals stay equal to the expenses they sum, whatever happens to the expenses."""

import datetime as dt
import random
import threading
from decimal import Decimal

from sqlalchemy import select

from expense_tracker.errors import ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import MonthlyTotal
from expense_tracker.services import expenses, totals

from ..factories import make_expense


def kept(user_id):
    rows = db.session.scalars(
        select(MonthlyTotal).where(MonthlyTotal.user_id == user_id, MonthlyTotal.count != 0)
    ).all()
    return {(row.month, row.category_id): (row.total, row.count) for row in rows}


def test_adding_expenses_adds_to_their_months_totals(user):
    first = make_expense(user, amount="10.10", category="Food", date="2026-11-01")
    make_expense(user, amount="0.90", category="food", date="2026-11-30")
    make_expense(user, amount="5", category="Food", date="2026-10-31")

    assert kept(user.id) == {
        (dt.date(2026, 11, 1), first.category_id): (Decimal("11.00"), 2),
        (dt.date(2026, 10, 1), first.category_id): (Decimal("5.00"), 1),
    }


def test_editing_moves_the_amount_between_months_and_categories(user):
    expense = make_expense(user, amount="10", category="Food", date="2026-11-05")

    moved = expenses.update_expense(
        user.id, expense.id, {"amount": "12.5", "category": "Rent", "date": "2026-12-01"}
    )

    assert kept(user.id) == {(dt.date(2026, 12, 1), moved.category_id): (Decimal("12.50"), 1)}


def test_deleting_takes_the_amount_away(user):
    keep = make_expense(user, amount="3", date="2026-11-05")
    gone = make_expense(user, amount="4", date="2026-11-06")

    expenses.delete_expense(user.id, gone.id)

    assert kept(user.id) == {(dt.date(2026, 11, 1), keep.category_id): (Decimal("3.00"), 1)}


def test_a_rejected_edit_leaves_the_totals_alone(user):
    expense = make_expense(user, amount="3", date="2026-11-05")
    before = kept(user.id)

    try:
        expenses.update_expense(user.id, expense.id, {"amount": "-1"})
    except ValidationError:
        pass

    assert kept(user.id) == before
    assert totals.check_monthly_totals() == []


def test_random_operations_keep_totals_equal_to_the_expenses(user, other_user):
    rng = random.Random(20261124)
    ids = {user.id: [], other_user.id: []}
    categories = ["Food", "food", "Rent", "Travel", "Épicerie", "ÉPICERIE"]
    for _ in range(150):
        person = rng.choice([user, other_user])
        owned = ids[person.id]
        fields = {
            "date": (dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(700))).isoformat(),
            "amount": f"{rng.randrange(1, 100000) / 100:.2f}",
            "category": rng.choice(categories),
            "description": "",
        }
        action = rng.random()
        if action < 0.5 or not owned:
            owned.append(expenses.create_expense(person.id, fields).id)
        elif action < 0.8:
            partial = dict(rng.sample(sorted(fields.items()), rng.randrange(1, 4)))
            expenses.update_expense(person.id, rng.choice(owned), partial)
        else:
            expenses.delete_expense(person.id, owned.pop(rng.randrange(len(owned))))

    assert totals.check_monthly_totals() == []
    assert sum(count for _, count in kept(user.id).values()) == len(ids[user.id])


def test_rebuild_repairs_totals_that_drifted(user):
    make_expense(user, amount="7", date="2026-11-05")
    db.session.execute(MonthlyTotal.__table__.update().values(total_cents=1, count=9))
    db.session.commit()
    assert len(totals.check_monthly_totals()) == 1

    totals.rebuild_monthly_totals()

    assert totals.check_monthly_totals() == []
    assert list(kept(user.id).values()) == [(Decimal("7.00"), 1)]


def test_two_edits_of_one_expense_at_once_keep_totals_right(app, user):
    expense_id = make_expense(user, amount="10", date="2026-11-05").id
    barrier = threading.Barrier(2)
    errors = []

    def edit(amount):
        with app.app_context():
            try:
                barrier.wait()
                expenses.update_expense(user.id, expense_id, {"amount": amount})
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

    threads = [threading.Thread(target=edit, args=(a,)) for a in ("20", "30")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    db.session.expire_all()
    assert errors == []
    assert totals.check_monthly_totals() == []
    assert sum(count for _, count in kept(user.id).values()) == 1
