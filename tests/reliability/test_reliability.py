"""Reliability under the real server: many writers at once, and a crash in the middle.

gunicorn with several workers, as in production (plain HTTP on 127.0.0.1 only), on
SQLite and on PostgreSQL. Run with `make test-reliability`; `.ci/run` runs it too.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from expense_tracker.models import Expense

from ..conftest import reset_postgres
from ..factories import PASSWORD, TODAY
from ..postgres import free_port

pytestmark = pytest.mark.reliability

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CLIENTS = 20
EACH = 50
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Server:
    """gunicorn serving the production app on a loopback port."""

    env: dict
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self) -> Server:
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env={**self.env, "HOST": "127.0.0.1", "PORT": str(self.port), "WEB_CONCURRENCY": "4"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, to kill it all at once
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gunicorn exited"
            try:
                if request(self.port, "GET", "/auth/login")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("gunicorn did not start")

    def kill(self) -> None:
        """kill -9 the master and every worker, as a crash or a power cut would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def request(port: int, method: str, path: str, body: dict | None = None, cookie: str = ""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, data, headers)
        response = connection.getresponse()
        # The session's cookie only: a log-in also sets the device cookie (auth/devices.py).
        cookies = response.headers.get_all("Set-Cookie") or ()
        session = next((value for value in cookies if value.startswith("session=")), "")
        return response.status, response.read().decode(), session
    finally:
        connection.close()


class Client:
    """One person's browser: logs in, then adds expenses through the form."""

    def __init__(self, port: int, username: str):
        self.port = port
        _, page, set_cookie = request(port, "GET", "/auth/login")
        self.cookie = set_cookie.split(";", 1)[0]
        token = TOKEN.search(page)[1]
        status, _, set_cookie = request(
            port,
            "POST",
            "/auth/login",
            {"username": username, "password": PASSWORD, "csrf_token": token},
            self.cookie,
        )
        assert status == 302, f"log-in of {username} answered {status}"
        self.cookie = set_cookie.split(";", 1)[0]
        # The dashboard puts a fresh form token in the session, and so sends a new cookie.
        _, page, set_cookie = request(port, "GET", "/", cookie=self.cookie)
        self.cookie = set_cookie.split(";", 1)[0] or self.cookie
        self.token = TOKEN.search(page)[1]

    def add(self, description: str) -> int:
        fields = {
            "date": TODAY,
            "amount": "1.25",
            "category": "Load",
            "description": description,
            "csrf_token": self.token,
        }
        return request(self.port, "POST", "/expenses", fields, self.cookie)[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def environment(request, tmp_path) -> Iterator[dict]:
    """A migrated, empty database with 20 accounts, and the environment to serve it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'reliability.sqlite'}"
    else:
        url = request.getfixturevalue("blank_postgres_url")
        reset_postgres(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "ALLOW_INSECURE_HTTP": "1",  # plain HTTP, on 127.0.0.1 only
    }
    # Migrated and filled in one process: `flask db upgrade` is what flask_migrate.upgrade runs.
    script = (
        "from flask_migrate import upgrade\n"
        "from expense_tracker import create_app\n"
        "from expense_tracker.services import accounts\n"
        "with create_app().app_context():\n"
        "    upgrade()\n"
        f"    for n in range({CLIENTS}):\n"
        f"        accounts.register(f'load{{n}}', {PASSWORD!r}, {PASSWORD!r})\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)
    yield env


def count_rows(env: dict) -> tuple[int, set[str]]:
    """How many expenses the database holds, and their descriptions, read from outside the app."""
    engine = create_engine(env["DATABASE_URL"], poolclass=NullPool)
    try:
        with engine.connect() as connection:
            out = list(connection.scalars(select(Expense.description)))
    finally:
        engine.dispose()
    return len(out), set(out)


def totals_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "flask"), "--app", "expense_tracker", "rebuild-totals", "--check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def log_in_everyone(port: int) -> list[Client]:
    return [Client(port, f"load{n}") for n in range(CLIENTS)]


def run_clients(
    clients: list[Client], acknowledged: list[str], stop: threading.Event | None = None
) -> list[int]:
    """Each client adds 50 expenses, all at once; note what was acknowledged; return statuses."""
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(clients))

    def work(number: int, client: Client) -> None:
        start.wait()
        for item in range(EACH):
            if stop is not None and stop.is_set():
                return
            description = f"c{number}-e{item}"
            try:
                status = client.add(description)
            except (OSError, http.client.HTTPException):
                return  # the server died under us: nothing was acknowledged
            with lock:
                statuses.append(status)
                if status == 302:
                    acknowledged.append(description)

    threads = [threading.Thread(target=work, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return statuses


def test_twenty_clients_adding_fifty_expenses_each_end_with_exactly_a_thousand(environment):
    server = Server(environment).start()
    acknowledged: list[str] = []
    try:
        statuses = run_clients(log_in_everyone(server.port), acknowledged)
    finally:
        server.stop()

    assert not [s for s in statuses if s >= 500], "server errors under load"
    assert set(statuses) == {302}, sorted(set(statuses))
    assert len(acknowledged) == CLIENTS * EACH
    count, descriptions = count_rows(environment)
    assert count == CLIENTS * EACH and descriptions == set(acknowledged)
    check = totals_check(environment)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_crash_under_load_loses_no_acknowledged_write(environment):
    server = Server(environment).start()
    clients = log_in_everyone(server.port)
    stop = threading.Event()
    acknowledged: list[str] = []
    load = threading.Thread(target=run_clients, args=(clients, acknowledged, stop))
    load.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < CLIENTS * EACH // 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()  # a quarter of the way in
    stop.set()
    load.join(timeout=120)

    assert 0 < len(acknowledged) < CLIENTS * EACH, "the crash should land mid-load"
    url = environment["DATABASE_URL"]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    count, descriptions = count_rows(environment)
    assert set(acknowledged) <= descriptions, "an acknowledged write was lost"
    # At most one request per client was in flight, written but not yet answered.
    assert count - len(acknowledged) <= CLIENTS
    check = totals_check(environment)
    assert check.returncode == 0, check.stdout + check.stderr

    restarted = Server(environment).start()
    try:
        assert Client(restarted.port, "load0").add("after-restart") == 302
    finally:
        restarted.stop()
