"""Serve an app with gunicorn and the production settings on a free loopback port.

The server runs `gunicorn --config gunicorn.conf.py` from the repository root, as the
Procfile does; a WSGI path given on the command line wins over the config's `wsgi_app`,
which is how the hello world is served with the very same settings.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .client import HOST

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 60
# A worker that used no CPU over this long has finished importing the app.
IDLE_SECONDS = 0.3


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running gunicorn master, its port, and the highest worker memory seen so far."""

    process: subprocess.Popen
    port: int
    peak_kib: int = 0

    def workers(self) -> list[int]:
        """Return the process ids of the master's children, the workers."""
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:  # the process ended while we looked
                    continue
                # The command name may hold spaces; the parent id comes right after it.
                if int(stat.rpartition(")")[2].split()[1]) == self.process.pid:
                    children.append(int(entry.name))
        return children

    def sample_memory(self) -> None:
        """Note the workers' peak resident memory (VmHWM), keeping the highest yet.

        Sampled after every measurement, since gunicorn recycles workers every couple of
        thousand requests and a replaced worker takes its peak with it.
        """
        for pid in self.workers():
            self.peak_kib = max(self.peak_kib, _status_kib(pid, "VmHWM"))

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024


def _status_kib(pid: int, key: str) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    for line in lines:
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


@contextmanager
def serve(
    env: Mapping[str, str], log: Path, app: str | None = None, workers: int | None = None
) -> Iterator[Server]:
    """Run gunicorn until the block ends; `app` overrides the config's WSGI app.

    The worker count is the config's default unless `workers` is given.
    """
    port = free_port()
    settings = {**env, "HOST": HOST, "PORT": str(port)}
    settings.pop("WEB_CONCURRENCY", None)
    if workers is not None:
        settings["WEB_CONCURRENCY"] = str(workers)
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    with open(log, "w") as output:
        process = subprocess.Popen(
            [*command, *([app] if app else [])],
            cwd=ROOT,
            env=settings,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port)
    try:
        _wait_until_ready(server, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(server: Server, log: Path) -> None:
    """Wait for an answer on the port, then for every worker to finish starting."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log}:\n{log.read_text()[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not answer in {START_SECONDS} s; see {log}")
        try:
            urllib.request.urlopen(f"http://{HOST}:{server.port}/", timeout=5).close()
            break
        except urllib.error.HTTPError:
            break  # any answer means a worker is serving
        except OSError:
            time.sleep(0.05)
    while time.monotonic() < deadline:
        before = {pid: _cpu_ticks(pid) for pid in server.workers()}
        time.sleep(IDLE_SECONDS)
        if before and all(_cpu_ticks(pid) == ticks for pid, ticks in before.items()):
            return
    raise RuntimeError(f"gunicorn workers were still busy starting after {START_SECONDS} s")


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so a stopped run still stops the servers it started."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def production_environment(database_url: str, secret_key: str) -> dict[str, str]:
    """Return this process's environment plus what the production app requires."""
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret_key}
