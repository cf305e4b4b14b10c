"""A small HTTP load client: threads, http.client and cookies by header, to 127.0.0.1 only.

The app and the hello world are measured with exactly this client, so its own cost is the
same on both sides of every ratio.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import statistics
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HOST = "127.0.0.1"
TIMEOUT = 60
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Call:
    """One prepared request, sent the same way every time, and the status it must get."""

    method: str
    path: str
    expect: int = 200
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bounds:
    """How far one measurement may go: whichever limit comes first ends it."""

    requests: int
    seconds: float


@dataclass(frozen=True)
class Sample:
    """The latencies (seconds) of a measurement's requests and its wall time."""

    latencies: list[float]
    elapsed: float

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=20, method="inclusive")[18] * 1000

    @property
    def rate(self) -> float:
        """Completed requests per second."""
        return len(self.latencies) / self.elapsed


@dataclass(frozen=True)
class Session:
    """A logged-in browser as the server knows it: its cookie header and a form token.

    Also an API token of the same user, which API requests send instead of the cookie.
    """

    cookie: str
    csrf_token: str
    api_token: str = ""

    def call(
        self,
        method: str,
        path: str,
        form: Mapping[str, str] | None,
        expect: int,
        api: bool = False,
    ) -> Call:
        """Prepare a request in this session; a form is posted with the CSRF token."""
        if api:
            return Call(method, path, expect, None, {"Authorization": f"Bearer {self.api_token}"})
        headers = {"Cookie": self.cookie}
        body = None
        if form is not None:
            body = urlencode({**form, "csrf_token": self.csrf_token}).encode()
            headers.update(FORM)
        return Call(method, path, expect, body, headers)


class UnexpectedStatus(RuntimeError):
    """The server answered a measured request with the wrong status: the figures would lie."""


def _exchange(
    connection: http.client.HTTPConnection, call: Call
) -> tuple[http.client.HTTPResponse, bytes]:
    """Send the call, read the whole answer and check its status."""
    connection.request(call.method, call.path, body=call.body, headers=dict(call.headers))
    response = connection.getresponse()
    body = response.read()
    if response.status != call.expect:
        raise UnexpectedStatus(
            f"{call.method} {call.path} answered {response.status}, expected {call.expect}"
        )
    return response, body


def _worker(
    port: int, call: Call, tickets: Iterator[int], deadline: float, latencies: list[float]
) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        for _ in tickets:
            if time.perf_counter() >= deadline:
                return
            started = time.perf_counter()
            _exchange(connection, call)
            latencies.append(time.perf_counter() - started)
    finally:
        connection.close()


def measure(port: int, call: Call, clients: int, bounds: Bounds) -> Sample:
    """Send `call` from `clients` threads at once, back to back, until a bound is reached."""
    # One shared iterator hands out the request budget; next() on it is atomic under the GIL.
    tickets = iter(range(bounds.requests))
    per_thread: list[list[float]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []
    started = time.perf_counter()
    deadline = started + bounds.seconds

    def run(latencies: list[float]) -> None:
        try:
            _worker(port, call, tickets, deadline, latencies)
        except Exception as error:  # reported below, in the measuring thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(latencies,)) for latencies in per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return Sample(list(itertools.chain.from_iterable(per_thread)), elapsed)


def _cookies(jar: dict[str, str], response: http.client.HTTPResponse) -> None:
    for header in response.headers.get_all("Set-Cookie") or ():
        for name, morsel in SimpleCookie(header).items():
            if morsel.value:
                jar[name] = morsel.value
            else:
                jar.pop(name, None)


def _visit(port: int, jar: dict[str, str], call: Call) -> str:
    """Send one request with the jar's cookies, keep the cookies it sets, return its body."""
    headers = {**call.headers, "Cookie": _cookie_header(jar)}
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        response, body = _exchange(connection, replace(call, headers=headers))
    finally:
        connection.close()
    _cookies(jar, response)
    return body.decode()


def log_in(port: int, username: str, password: str) -> Session:
    """Log in through the form, as a browser does, and return the session it starts.

    The session's cookie is then fixed: measured requests all carry it unchanged, so the
    flash messages the server adds to answers do not pile up in it.
    """
    jar: dict[str, str] = {}
    page = _visit(port, jar, Call("GET", "/auth/login"))
    fields = {"username": username, "password": password, "csrf_token": _token(page)}
    _visit(port, jar, Call("POST", "/auth/login", 302, urlencode(fields).encode(), FORM))
    dashboard = _visit(port, jar, Call("GET", "/"))
    request = {"username": username, "password": password, "name": "benchmark"}
    body = json.dumps(request).encode()
    token = _visit(port, {}, Call("POST", "/api/v1/tokens", 201, body, JSON))
    return Session(_cookie_header(jar), _token(dashboard), json.loads(token)["token"])


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def _token(html: str) -> str:
    match = _TOKEN.search(html)
    if match is None:
        raise UnexpectedStatus("no CSRF token on the page")
    return match.group(1)
