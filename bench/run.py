"""Measure the app under gunicorn against a hello world, at each data size, and report.

    python -m bench.run --sizes 1k 10k 100k 1M --output docs/benchmarks.md
    python -m bench.run --smoke --output build/benchmarks-smoke.md

For each size: fill a fresh SQLite database, measure the hello world on the same settings,
then serve the production app, log in as the heavy user and measure every page in
`bench.pages`: median and p95 latency with one client, then throughput with four.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from . import dataset, generate, pages, report
from .client import Bounds, Call, Session, log_in, measure
from .results import Figures, Results, ServerRun, SizeRun
from .server import ROOT, Server, exit_cleanly_on_sigterm, production_environment, serve


@dataclass(frozen=True)
class Settings:
    """How much to measure: sizes, request bounds per measurement, workers (None: config's)."""

    sizes: list[int]
    warmup: Bounds
    single: Bounds
    parallel: Bounds
    workers: int | None = None
    clients: int = 4


# Enough warm-up for every worker to have rendered the page several times; few enough requests
# in all that gunicorn recycles each worker (every ~2,000 requests) about once per size.
FULL = Settings(
    sizes=[1_000, 10_000, 100_000, 1_000_000],
    warmup=Bounds(requests=100, seconds=5),
    single=Bounds(requests=500, seconds=15),
    parallel=Bounds(requests=2000, seconds=10),
)
# Seconds, not minutes: enough to prove every part works, not to measure anything.
SMOKE = Settings(
    sizes=[1_000],
    warmup=Bounds(requests=4, seconds=2),
    single=Bounds(requests=10, seconds=2),
    parallel=Bounds(requests=20, seconds=2),
    workers=2,
)


def measure_page(server: Server, call: Call, settings: Settings) -> Figures:
    """Warm the workers up, then measure one client's latency and four clients' throughput."""
    measure(server.port, call, settings.clients, settings.warmup)
    single = measure(server.port, call, 1, settings.single)
    server.sample_memory()
    parallel = measure(server.port, call, settings.clients, settings.parallel)
    server.sample_memory()
    return Figures.of(single, parallel)


def run_hello(settings: Settings, work: Path) -> ServerRun:
    """Measure the bare Flask app under the same gunicorn settings."""
    log = work / "hello.log"
    with serve(dict(os.environ), log, "bench.hello:app", settings.workers) as server:
        figures = measure_page(server, Call("GET", pages.HELLO.path), settings)
        return ServerRun({pages.HELLO.name: figures}, server.peak_mib, len(server.workers()))


def run_size(size: int, settings: Settings, work: Path) -> SizeRun:
    """Fill a fresh database with `size` expenses; measure the hello world, then every page."""
    database = work / f"{dataset.format_size(size)}.sqlite"
    for stale in work.glob(f"{database.name}*"):
        stale.unlink()
    url = f"sqlite:///{database}"
    print(f"Loading {dataset.format_size(size)} expenses into {database} ...", file=sys.stderr)
    load_seconds = generate.fill(url, size)
    print("Measuring the hello world ...", file=sys.stderr)
    hello = run_hello(settings, work)
    print(f"Measuring the app on {dataset.format_size(size)} expenses ...", file=sys.stderr)
    env = production_environment(url, secrets.token_hex(32))
    log = work / f"app-{dataset.format_size(size)}.log"
    with serve(env, log, workers=settings.workers) as server:
        session = log_in(server.port, dataset.HEAVY_USER, dataset.PASSWORD)
        figures = {
            page.name: measure_page(server, _call(page, session), settings)
            if page.is_built
            else None
            for page in pages.PAGES
        }
        app = ServerRun(figures, server.peak_mib, len(server.workers()))
    return SizeRun(size, load_seconds, round(size * dataset.HEAVY_SHARE), app, hello)


def _call(page: pages.Page, session: Session) -> Call:
    form = page.form() if page.form else None
    return session.call(page.method, page.path, form, page.expect, api=page.api)


def run(settings: Settings, work: Path, command: str) -> Results:
    """Measure the app and the hello world at every size; return all the figures."""
    work.mkdir(parents=True, exist_ok=True)
    return Results([run_size(size, settings, work) for size in sorted(settings.sizes)], command)


def main(argv: list[str] | None = None) -> Results:
    """Run the benchmark from the command line, print the report and write it to a file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=dataset.parse_size, help="e.g. 1k 10k 1M")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that takes seconds")
    parser.add_argument("--output", type=Path, help="Markdown file to write the results into")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench", help="scratch")
    args = parser.parse_args(argv)
    settings = SMOKE if args.smoke else FULL
    if args.sizes:
        settings = replace(settings, sizes=args.sizes)
    command = shlex.join(["python", "-m", "bench.run", *(sys.argv[1:] if argv is None else argv)])
    results = run(settings, args.work, command)
    text = report.markdown(results)
    print(text)
    if args.output:
        report.write_section(args.output, "results", text)
    return results


if __name__ == "__main__":
    exit_cleanly_on_sigterm()
    main()
