"""Production: gunicorn with the shipped settings, secrets required, servers sharing a database."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from expense_tracker import create_app
from expense_tracker.config import ConfigurationError, ProductionConfig

from .conftest import reset_postgres
from .factories import TODAY
from .postgres import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REAL_KEY = secrets.token_hex(32)


@pytest.mark.parametrize(
    "key",
    [None, "", "dev", "change-me-to-a-long-random-string-of-characters", "a" * 64, "short-key"],
)
def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, key):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/unused.sqlite")
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)

    with pytest.raises(ConfigurationError, match="SECRET_KEY must be set"):
        create_app(ProductionConfig)


def test_production_refuses_to_start_without_a_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", REAL_KEY)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    with pytest.raises(ConfigurationError, match="DATABASE_URL must be set"):
        create_app(ProductionConfig)


def test_production_starts_with_both_set(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", REAL_KEY)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")

    app = create_app(ProductionConfig)

    assert app.config["SECRET_KEY"] == REAL_KEY
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'prod.sqlite'}"


class Browser:
    """A cookie-keeping HTTP client that posts forms with their CSRF token, like a browser."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=10) as response:
            return response.read().decode()

    def submit(self, page_url: str, action_url: str, fields: dict) -> str:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(page_url)).group(1)
        body = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        with self.opener.open(action_url, body, timeout=10) as response:
            return response.read().decode()


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env={**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_serving(process, port)
    except BaseException:
        process.kill()
        process.communicate()
        raise
    return process


def wait_until_serving(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {process.stdout.read()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).close()
            return
        except OSError:  # refused while binding, or timed out while workers boot
            time.sleep(0.1)
    raise AssertionError(f"gunicorn did not answer on port {port}")


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def test_gunicorn_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.sqlite'}"

    result = subprocess.run(
        [
            str(BIN / "gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{free_port()}",
        ],
        cwd=ROOT,
        env={**env, "WEB_CONCURRENCY": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stdout + result.stderr


def test_two_gunicorn_servers_share_sessions_and_data_through_postgresql(postgres_url):
    reset_postgres(postgres_url)
    env = {**os.environ, "DATABASE_URL": postgres_url, "SECRET_KEY": REAL_KEY}
    release = subprocess.run(
        [str(BIN / "flask"), "--app", "expense_tracker", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert release.returncode == 0, release.stdout + release.stderr
    one_port, two_port = free_port(), free_port()
    one = start_gunicorn(env, one_port)
    try:
        two = start_gunicorn(env, two_port)
        try:
            a, b = f"http://127.0.0.1:{one_port}", f"http://127.0.0.1:{two_port}"
            browser = Browser()
            password = "correct horse battery"
            browser.submit(
                f"{a}/auth/register",
                f"{a}/auth/register",
                {"username": "shared", "password": password, "confirm_password": password},
            )

            dashboard_on_two = browser.get(f"{b}/")
            browser.submit(
                f"{b}/",
                f"{b}/expenses",
                {
                    "date": TODAY,
                    "amount": "42.00",
                    "category": "Food",
                    "description": "Via two",
                },
            )
            dashboard_on_one = browser.get(f"{a}/")
            browser.submit(f"{a}/", f"{a}/auth/logout", {})
            after_logout_on_two = browser.get(f"{b}/")
        finally:
            two_log = stop(two)
    finally:
        one_log = stop(one)

    assert "Your expenses" in dashboard_on_two and "shared" in dashboard_on_two
    assert "Via two" in dashboard_on_one and 'data-testid="total">42.00<' in dashboard_on_one
    assert "Know where your money goes." in after_logout_on_two
    # The access log names each request with its status.
    assert '"POST /auth/register HTTP/1.1" 302' in one_log
    assert '"POST /expenses HTTP/1.1" 302' in two_log
