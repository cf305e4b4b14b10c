"""Write a run's figures as Markdown: per-size tables against hello world, growth, targets."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

from expense_tracker import clock

from . import pages
from .dataset import format_size
from .results import Figures, Results, SizeRun
from .server import ROOT

MEMORY_LIMIT_MIB = 120


def machine() -> str:
    """Describe this machine and the software the figures depend on, in one line."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read_lines("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory = next(
        (
            int(line.split()[1])
            for line in _read_lines("/proc/meminfo")
            if line.startswith("MemTotal")
        ),
        0,
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory / 1024**2:.0f} GiB RAM, {platform.system()}"
        f" {platform.release()}; Python {platform.python_version()}, SQLite"
        f" {sqlite3.sqlite_version}, gunicorn {version('gunicorn')}, Flask {version('flask')},"
        f" SQLAlchemy {version('sqlalchemy')}"
    )


def app_version() -> str:
    """Name the commit measured, and say so when the app's files differ from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "src", "migrations"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    return f"{commit or 'unknown'}{' with uncommitted changes' if changed else ''}"


def _read_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.1f}×"


def _percent(value: float, base: float) -> str:
    return f"{value / base:.0%}"


def size_table(run: SizeRun) -> Iterator[str]:
    """Yield the table of one size: each figure and its ratio to the hello world's."""
    hello = run.hello_figures
    yield "| Page | Median ms | × hello | p95 ms | × hello | req/s, 4 clients | % of hello |"
    yield "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    yield _row(pages.HELLO.name, hello, hello)
    for page in pages.PAGES:
        figures = run.app.figures[page.name]
        if figures is None:
            yield f"| {page.name} | {pages.NOT_BUILT} | | | | | |"
        else:
            yield _row(page.name, figures, hello)


def _row(name: str, figures: Figures, hello: Figures) -> str:
    return (
        f"| {name} | {figures.median_ms:.2f} | {_ratio(figures.median_ms, hello.median_ms)}"
        f" | {figures.p95_ms:.2f} | {_ratio(figures.p95_ms, hello.p95_ms)}"
        f" | {figures.rate:.0f} | {_percent(figures.rate, hello.rate)} |"
    )


def growth_table(results: Results) -> Iterator[str]:
    """Yield each page's median at every size and how much it grew from smallest to largest."""
    sizes = results.sizes
    names = [format_size(run.size) for run in sizes]
    yield f"| Page | {' | '.join(names)} | {names[-1]} ÷ {names[0]} |"
    yield "| --- |" + " ---: |" * (len(sizes) + 1)
    for page in pages.PAGES:
        medians = [run.app.figures[page.name] for run in sizes]
        if None in medians:
            continue
        cells = " | ".join(f"{figures.median_ms:.2f}" for figures in medians)
        growth = medians[-1].median_ms / medians[0].median_ms
        yield f"| {page.name} | {cells} | {growth:.2f}× |"


def targets(results: Results) -> list[tuple[str, str, bool]]:
    """Check the issue's targets on the largest size: (target, what was measured, holds)."""
    first, last = results.sizes[0], results.sizes[-1]
    hello = last.hello_figures
    at = format_size(last.size)
    figures = last.app.figures
    dashboard, all_time, add = (
        figures[pages.DASHBOARD.name],
        figures[pages.ALL_TIME.name],
        figures[pages.ADD.name],
    )
    checks = [
        (
            f"Dashboard median at {at} ≤ 20× hello world's",
            _ratio(dashboard.median_ms, hello.median_ms),
            dashboard.median_ms <= 20 * hello.median_ms,
        ),
        (
            f"Dashboard throughput at {at} ≥ 9% of hello world's",
            _percent(dashboard.rate, hello.rate),
            dashboard.rate >= 0.09 * hello.rate,
        ),
        (
            f"All time median ≤ 2× the default period's, at {at}",
            _ratio(all_time.median_ms, dashboard.median_ms),
            all_time.median_ms <= 2 * dashboard.median_ms,
        ),
        (
            f"Add an expense median at {at} ≤ 10× hello world's",
            _ratio(add.median_ms, hello.median_ms),
            add.median_ms <= 10 * hello.median_ms,
        ),
    ]
    if len(results.sizes) > 1:
        for page in pages.PAGES:
            small, large = first.app.figures[page.name], figures[page.name]
            if small is not None and large is not None and page.whole_history:
                per_row_small = small.median_ms / first.heavy_rows
                per_row_large = large.median_ms / last.heavy_rows
                checks.append(
                    (
                        f"{page.name}: time per expense at {at} ≤ 1.5× at {format_size(first.size)}"
                        f" ({per_row_large * 1000:.1f} µs vs {per_row_small * 1000:.1f} µs)",
                        _ratio(per_row_large, per_row_small),
                        per_row_large <= 1.5 * per_row_small,
                    )
                )
            elif small is not None and large is not None:
                checks.append(
                    (
                        f"{page.name}: median at {at} ≤ 1.5× at {format_size(first.size)}",
                        _ratio(large.median_ms, small.median_ms),
                        large.median_ms <= 1.5 * small.median_ms,
                    )
                )
    heaviest = max(run.app.memory_mib for run in results.sizes)
    checks.append(
        (
            f"Peak memory per worker < {MEMORY_LIMIT_MIB} MiB at every size",
            f"{heaviest:.0f} MiB at most",
            heaviest < MEMORY_LIMIT_MIB,
        )
    )
    return checks


def markdown(results: Results) -> str:
    """Return the whole run as Markdown: command, machine, tables and targets."""
    lines = [
        f"Run on {clock.now():%Y-%m-%d %H:%M} UTC with `{results.command}`.",
        "",
        f"Machine: {machine()}.",
        "",
        f"App: commit {app_version()}.",
        "",
        f"Server: `gunicorn --config gunicorn.conf.py`, {results.sizes[0].app.workers} sync"
        " workers, access log on as configured (to a file under build/bench/).",
    ]
    for run in results.sizes:
        lines += [
            "",
            f"#### {format_size(run.size)} expenses (heavy user: {run.heavy_rows:,} of them)",
            "",
            f"Loaded in {run.load_seconds:.2f} s. Peak memory per worker:"
            f" {run.app.memory_mib:.1f} MiB, hello world {run.hello.memory_mib:.1f} MiB"
            f" ({_ratio(run.app.memory_mib, run.hello.memory_mib)}).",
            "",
            *size_table(run),
        ]
    lines += ["", "#### Growth: median ms by size", "", *growth_table(results)]
    lines += [
        "",
        f"#### Targets (heavy user, at {format_size(results.sizes[-1].size)})",
        "",
        "| Target | Measured | Holds |",
        "| --- | ---: | --- |",
    ]
    lines += [
        f"| {name} | {measured} | {'yes' if holds else '**no**'} |"
        for name, measured, holds in targets(results)
    ]
    return "\n".join(lines) + "\n"


def write_section(path: Path, name: str, body: str) -> None:
    """Put `body` between the file's markers for `name`, adding them at the end if missing.

    Each script owns its own section of the file, so the benchmark and the query plans can be
    refreshed independently and the text around them is kept.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else ""
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        before, _, rest = text.partition(start)
        _, _, after = rest.partition(end)
        text = before + block + after
    else:
        text = f"{text.rstrip()}\n\n{block}\n".lstrip()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
