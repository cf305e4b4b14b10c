"""One invitation link, twenty people sending the form at once to gunicorn: one account."""

from __future__ import annotations

import subprocess
import threading

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from expense_tracker.models import User

from ..factories import PASSWORD
from .test_reliability import BIN, CLIENTS, ROOT, TOKEN, Server, environment, request

pytestmark = pytest.mark.reliability
__all__ = ["environment"]  # the fixture, from the load tests


def count_users(env: dict) -> int:
    engine = create_engine(env["DATABASE_URL"], poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count(User.id)))
    finally:
        engine.dispose()


def test_twenty_people_sending_one_invitation_at_once_make_one_account(environment):
    env = {**environment, "REGISTRATION": "invite"}
    made = subprocess.run(
        [str(BIN / "flask"), "--app", "expense_tracker", "invite"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    link = made.stdout.split()[0]
    server = Server(env).start()
    try:
        visitors = []
        for _ in range(CLIENTS):
            status, page, set_cookie = request(server.port, "GET", link)
            assert status == 200, status
            visitors.append((set_cookie.split(";", 1)[0], TOKEN.search(page)[1]))
        barrier = threading.Barrier(CLIENTS)
        statuses: list[int] = []

        def send(number: int) -> None:
            cookie, token = visitors[number]
            fields = {
                "username": f"invited{number}",
                "password": PASSWORD,
                "confirm_password": PASSWORD,
                "csrf_token": token,
            }
            barrier.wait()
            statuses.append(request(server.port, "POST", link, fields, cookie)[0])

        threads = [threading.Thread(target=send, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.stop()

    assert sorted(statuses) == [302] + [404] * (CLIENTS - 1)
    assert count_users(environment) == CLIENTS + 1
