"""Production: gunicorn with the shipped settings, secrets required, servers sharing a database."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from expense_tracker import create_app
from expense_tracker.config import ConfigurationError, ProductionConfig

from .conftest import reset_postgres
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


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A certificate for 127.0.0.1 from a throwaway authority, and a context trusting it."""
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    folder = tmp_path_factory.mktemp("tls")
    certificate.cert_chain_pems[0].write_to_path(folder / "cert.pem")
    certificate.private_key_pem.write_to_path(folder / "key.pem")
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return TLS(folder / "cert.pem", folder / "key.pem", context)


@dataclass(frozen=True)
class TLS:
    cert: Path
    key: Path
    context: ssl.SSLContext

    @property
    def args(self) -> list[str]:
        return ["--certfile", str(self.cert), "--keyfile", str(self.key)]


class Browser:
    """A cookie-keeping HTTPS client that posts forms with their CSRF token, like a browser."""

    def __init__(self, context: ssl.SSLContext):
        self.context = context
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar),
            urllib.request.HTTPSHandler(context=context),
        )
        self.last_headers = None

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=10) as response:
            self.last_headers = response.headers
            return response.read().decode()

    def steal_cookies(self) -> Browser:
        """Another browser holding copies of this one's cookies."""
        thief = Browser(self.context)
        for cookie in self.jar:
            thief.jar.set_cookie(cookie)
        return thief

    def submit(self, page_url: str, action_url: str, fields: dict) -> str:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(page_url)).group(1)
        body = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        # Over HTTPS, Flask-WTF also wants the Referer a browser sends for a same-site form.
        request = urllib.request.Request(action_url, body, headers={"Referer": page_url})
        with self.opener.open(request, timeout=10) as response:
            return response.read().decode()


def start_gunicorn(env: dict, port: int, tls: TLS) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", *tls.args],
        cwd=ROOT,
        env={**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_serving(process, port, tls)
    except BaseException:
        process.kill()
        process.communicate()
        raise
    return process


def wait_until_serving(process: subprocess.Popen, port: int, tls: TLS) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {process.stdout.read()}")
        try:
            urllib.request.urlopen(
                f"https://127.0.0.1:{port}/", timeout=5, context=tls.context
            ).close()
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


def test_two_gunicorn_servers_share_sessions_and_data_through_postgresql(blank_postgres_url, tls):
    reset_postgres(blank_postgres_url)
    env = {**os.environ, "DATABASE_URL": blank_postgres_url, "SECRET_KEY": REAL_KEY}
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
    one = start_gunicorn(env, one_port, tls)
    try:
        two = start_gunicorn(env, two_port, tls)
        try:
            a, b = f"https://127.0.0.1:{one_port}", f"https://127.0.0.1:{two_port}"
            browser = Browser(tls.context)
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
                    # gunicorn runs on the real date, not the test session's: any day will do
                    # for an expense looked at under All time.
                    "date": "2026-01-15",
                    "amount": "42.00",
                    "category": "Food",
                    "description": "Via two",
                },
            )
            dashboard_on_one = browser.get(f"{a}/?period=all")
            headers = browser.last_headers
            cookies = list(browser.jar)
            thief = browser.steal_cookies()
            assert "Via two" in thief.get(f"{b}/?period=all")
            browser.submit(f"{a}/", f"{a}/auth/logout", {})
            after_logout_on_two = browser.get(f"{b}/")
            thief_after_logout = thief.get(f"{b}/")
        finally:
            two_log = stop(two)
    finally:
        one_log = stop(one)

    assert "Your expenses" in dashboard_on_two and "shared" in dashboard_on_two
    assert "Via two" in dashboard_on_one and 'data-testid="total">€42.00<' in dashboard_on_one
    assert "Know where your money goes." in after_logout_on_two
    # The copied cookie died with the session, on the other server too.
    assert "Know where your money goes." in thief_after_logout
    # Production assumes HTTPS: a Secure, __Host- cookie and HSTS.
    assert [(c.name, c.secure, c.path) for c in cookies] == [("__Host-session", True, "/")]
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    # The access log names each request with its status.
    assert '"POST /auth/register HTTP/1.1" 302' in one_log
    assert '"POST /expenses HTTP/1.1" 302' in two_log
