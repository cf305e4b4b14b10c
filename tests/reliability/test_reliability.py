"""Reliability under the real server: many writers at once, and a crash in the middle.

gunicorn with several workers, as in production (plain HTTP on 127.0.0.1 only), on
SQLite and on PostgreSQL. Run with `make test-reliability`; `.ci/run` runs it too.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import random
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


def request(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    cookie: str = "",
    file: tuple[str, bytes] | None = None,
):
    """Send one request; `file` (name, bytes) goes with `body` as multipart/form-data."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        data = None
        if file is not None:
            data, headers["Content-Type"] = multipart(body or {}, file)
        elif body is not None:
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


def multipart(fields: dict, file: tuple[str, bytes]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    name, content = file
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


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
            "new_category": "Load",  # made at the first add: the pages ask before a new one
            "description": description,
            "csrf_token": self.token,
        }
        return request(self.port, "POST", "/expenses", fields, self.cookie)[0]

    def get(self, path: str) -> tuple[int, str, str]:
        return request(self.port, "GET", path, cookie=self.cookie)

    def post(self, path: str, fields: dict, file=None) -> tuple[int, str, str]:
        body = {**fields, "csrf_token": self.token}
        return request(self.port, "POST", path, body, self.cookie, file)


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


# Every write path at once: several browsers of one person change the same records.
PEOPLE = 2
BROWSERS = 3  # sessions per person, all working on that person's expenses and categories
ACTIONS = 10  # per browser
NAMES = ("Food", "Rent", "Travel", "Misc")
# A clear answer: done (302, or a page), refused with a message (400, 409), or gone (404).
CLEAR = {200, 302, 400, 404, 409}


def ids(pattern: str, page: str) -> list[str]:
    return sorted(set(re.findall(pattern, page)))


def add(client: Client, rng: random.Random) -> int:
    category = rng.choice(NAMES)
    fields = {
        "date": TODAY,
        "amount": f"{rng.randrange(1, 5000) / 100:.2f}",
        "category": category,
        "new_category": category,  # the pages ask before making a new one
        "description": "mixed",
    }
    return client.post("/expenses", fields)[0]


def edit(client: Client, rng: random.Random) -> int:
    expense_ids = ids(r"/expenses/(\d+)/edit", client.get("/")[1])
    if not expense_ids:
        return add(client, rng)
    url = f"/expenses/{rng.choice(expense_ids)}/edit"
    status, page, _ = client.get(url)
    if status != 200:
        return status
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    category = rng.choice(NAMES)
    fields = {
        "date": TODAY,
        "amount": f"{rng.randrange(1, 5000) / 100:.2f}",
        "category": category,
        "new_category": category,
        "description": "edited",
        "version": version[1] if version else "",
    }
    return client.post(url, fields)[0]


def delete(client: Client, rng: random.Random) -> int:
    expense_ids = ids(r"/expenses/(\d+)/edit", client.get("/")[1])
    if not expense_ids:
        return add(client, rng)
    return client.post(f"/expenses/{rng.choice(expense_ids)}/delete", {})[0]


def category_ids(client: Client) -> list[str]:
    return ids(r'href="/categories/(\d+)"', client.get("/categories")[1])


def rename(client: Client, rng: random.Random) -> int:
    found = category_ids(client)
    if not found:
        return add(client, rng)
    return client.post(f"/categories/{rng.choice(found)}/name", {"name": rng.choice(NAMES)})[0]


def merge(client: Client, rng: random.Random) -> int:
    found = category_ids(client)
    if len(found) < 2:
        return add(client, rng)
    source, target = rng.sample(found, 2)
    return client.post(f"/categories/{source}/merge", {"into": target})[0]


def delete_category(client: Client, rng: random.Random) -> int:
    # Mostly one no expense is added to ("Spare"); the others while expenses are added to it.
    name = rng.choice((*NAMES, "Spare", "Spare"))
    client.post("/categories", {"name": name})
    found = re.search(rf'href="/categories/(\d+)">{name}<', client.get("/categories")[1])
    if found is None:
        return 404  # renamed or merged away meanwhile
    return client.post(f"/categories/{found[1]}/delete", {})[0]


def save_budgets(client: Client, rng: random.Random) -> int:
    fields = {"overall": str(rng.randrange(100, 1000))}
    for index in range(3):
        fields |= {f"name_{index}": rng.choice(NAMES), f"amount_{index}": str(rng.randrange(1, 99))}
    return client.post("/budgets", fields)[0]


def recur(client: Client, rng: random.Random) -> int:
    found = ids(r"/recurring/(\d+)/(pause|resume)", client.get("/recurring")[1])
    if found and rng.random() < 0.5:
        recurring_id, action = rng.choice(found)
        return client.post(f"/recurring/{recurring_id}/{action}", {})[0]
    start = dt.date.fromisoformat(TODAY) - dt.timedelta(days=rng.randrange(7, 60))
    fields = {
        "amount": "9.99",
        "category": rng.choice(NAMES),
        "description": "weekly",
        "frequency": "weekly",
        "start_date": start.isoformat(),
        "day_of_month": "",
        "end_date": "",
    }
    return client.post("/recurring", fields)[0]


def import_and_undo(client: Client, rng: random.Random) -> int:
    rows = "".join(f"{TODAY},{n + 1}.50,{rng.choice(NAMES)},row {n}\n" for n in range(5))
    content = f"date,amount,category,description\n{rows}".encode()
    status, _, _ = client.post("/import", {}, file=("mixed.csv", content))
    if status != 302:
        return status
    import_id = re.findall(r"/import/(\d+)", client.get("/import")[1])
    pending = max(int(found) for found in import_id)
    # Skipping duplicates, two browsers of one person importing at once are told to check
    # again (or find the rows duplicates); importing them, both store theirs.
    duplicates = rng.choice(("skip", "import"))
    status = client.post(f"/import/{pending}/run", {"duplicates": duplicates})[0]
    if status != 302:
        return status
    return client.post(f"/import/{pending}/undo", {})[0]


WRITES = (add, edit, delete, rename, merge, delete_category, save_budgets, recur, import_and_undo)


def test_every_write_path_from_several_browsers_at_once_ends_clear_and_with_true_totals(
    environment,
):
    server = Server(environment).start()
    try:
        clients = [
            (Client(server.port, f"load{n}"), random.Random(n * BROWSERS + browser))
            for n in range(PEOPLE)
            for browser in range(BROWSERS)
        ]
        outcomes: list[tuple[str, int]] = []
        lock = threading.Lock()
        start = threading.Barrier(len(clients))

        def work(client: Client, rng: random.Random) -> None:
            start.wait()
            # Every browser goes through every write once, then at random.
            plan = [*WRITES, *rng.choices(WRITES, k=ACTIONS - len(WRITES))]
            rng.shuffle(plan)
            for write in plan:
                status = write(client, rng)
                with lock:
                    outcomes.append((write.__name__, status))

        threads = [threading.Thread(target=work, args=pair) for pair in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        server.stop()

    unclear = sorted({outcome for outcome in outcomes if outcome[1] not in CLEAR})
    assert not unclear, f"answers other than done or a message: {unclear}"
    assert len(outcomes) == PEOPLE * BROWSERS * ACTIONS
    done = {name for name, status in outcomes if status in (200, 302)}
    assert done == {write.__name__ for write in WRITES}
    check = totals_check(environment)
    assert check.returncode == 0, check.stdout + check.stderr
