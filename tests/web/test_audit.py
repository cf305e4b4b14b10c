"""Authentication and authorization outcomes are logged with a request id, safely."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from ..helpers import log_in, post_form

ROOT = Path(__file__).parents[2]
LINE = re.compile(r'^(?P<event>[a-z_.]+) (?P<fields>(?:[a-z_]+="(?:[^"\\]|\\.)*" ?)+)$')


def events(lines: list[str]) -> list[str]:
    return [line.split(" ", 1)[0] for line in lines]


def test_log_ins_and_log_outs_are_logged_with_a_request_id(client, user, audit_lines):
    log_in(client, user.username, "wrong password")
    response = log_in(client, user.username, user.password)
    post_form(client, "/auth/logout", {})

    lines = audit_lines()
    assert events(lines) == ["login.failed", "login.succeeded", "logout"]
    assert all(LINE.match(line) for line in lines), lines
    assert 'username="alice"' in lines[0] and 'address="127.0.0.1"' in lines[0]
    assert f'user_id="{user.id}"' in lines[1]
    assert re.search(r'request_id="[0-9a-f]{16}"', lines[1])
    assert response.headers["X-Request-ID"] in lines[1]


def test_a_username_cannot_forge_a_log_line(client, user, audit_lines):
    log_in(client, 'alice"\nlogin.succeeded user_id="1', "x")

    [line] = audit_lines()
    assert "\n" not in line and LINE.match(line)
    assert '\\"\\nlogin.succeeded' in line


def test_reading_someone_elses_expense_is_logged(auth_client, other_user, add_expense, audit_lines):
    theirs = add_expense(other_user)

    auth_client.get(f"/expenses/{theirs}/edit")

    [line] = [entry for entry in audit_lines() if entry.startswith("access.not_found")]
    assert f"/expenses/{theirs}/edit" in line and 'user_id="1"' in line


def test_api_token_outcomes_are_logged(client, user, audit_lines):
    client.get("/api/v1/expenses", headers={"Authorization": "Bearer et_nope"})
    client.post("/api/v1/tokens", json={"username": "alice", "password": "wrong"})
    client.post("/api/v1/tokens", json={"username": "alice", "password": user.password})

    assert events(audit_lines()) == ["token.rejected", "token.create_failed", "token.created"]


def test_throttled_attempts_and_forms_without_csrf_are_logged(client, user, audit_lines):
    for _ in range(6):
        log_in(client, user.username, "wrong password")
    client.post("/auth/login", data={"username": "alice", "password": "x"})

    assert events(audit_lines())[-2:] == ["login.throttled", "csrf.rejected"]


# As a gunicorn worker runs: no pytest handlers on the root logger, and Flask's own handler
# added to app.logger the first time the app logs something, such as a crash.
_WORKER = """
import logging, sys
from tests.helpers import make_app
from expense_tracker.security import audit

app = make_app("sqlite:///" + sys.argv[1])
app.logger.error("a crash in an earlier request")
with app.app_context():
    audit("login.failed", username="alice")
"""


def test_an_audit_line_is_written_once_after_the_app_has_logged_an_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", _WORKER, str(tmp_path / "worker.sqlite")],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "a crash in an earlier request" in result.stderr
    assert result.stderr.count('login.failed username="alice"') == 1, result.stderr
