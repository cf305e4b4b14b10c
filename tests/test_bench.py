"""The benchmark's smoke run, so the harness cannot rot: every page measured, sane figures."""

from __future__ import annotations

import random
import re

import pytest

from bench import dataset, explain, pages, run


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """One smoke run (seconds): its results, its Markdown report and its database URL."""
    work = tmp_path_factory.mktemp("bench")
    output = work / "benchmarks.md"
    results = run.main(["--smoke", "--work", str(work), "--output", str(output)])
    return results, output.read_text(), f"sqlite:///{work / '1k.sqlite'}"


def test_smoke_run_measures_every_built_page_with_sane_figures(smoke):
    results, _, _ = smoke

    (size,) = results.sizes
    measured = [size.hello_figures, *(size.app.figures[p.name] for p in pages.PAGES if p.is_built)]

    assert all(0 < f.median_ms <= f.p95_ms < 10_000 and f.rate > 0 for f in measured)
    assert 0 < size.hello.memory_mib < size.app.memory_mib < 1024
    assert [p.name for p in pages.PAGES if size.app.figures[p.name] is None] == [
        p.name for p in pages.PAGES if not p.is_built
    ]


def test_smoke_report_has_a_row_for_every_page_and_a_verdict_for_every_target(smoke):
    _, text, _ = smoke

    for page in (pages.HELLO, *pages.PAGES):
        row = re.search(rf"^\| {re.escape(page.name)} \| (.+)$", text, re.MULTILINE)
        assert row, f"no row for {page.name}"
        assert (pages.NOT_BUILT in row.group(1)) == (not page.is_built)
    assert text.startswith("<!-- results:start -->")
    assert re.search(r"^\| Peak memory per worker < 120 MiB .* \| (yes|\*\*no\*\*) \|$", text, re.M)


def test_generated_people_give_the_heavy_user_a_tenth_and_everyone_food():
    everyone = dataset.people(10_000, random.Random(dataset.SEED))

    assert sum(person.expenses for person in everyone) == 10_000
    assert everyone[0].username == dataset.HEAVY_USER and everyone[0].expenses == 1_000
    assert len(everyone) == dataset.OTHER_USERS + 1
    assert all(8 <= len(p.kinds) <= 15 and p.kinds[0].name == "Food" for p in everyone)


@pytest.mark.parametrize(("text", "size"), [("1k", 1_000), ("10K", 10_000), ("1M", 1_000_000)])
def test_sizes_read_and_write_the_short_way(text, size):
    assert dataset.parse_size(text) == size
    assert dataset.format_size(size) == text.replace("K", "k")


def test_explain_gives_a_plan_for_every_statement_of_every_built_page(smoke):
    _, _, url = smoke

    text = explain.main(["sqlite", "--database-url", url])

    for page in pages.PAGES:
        assert (f"#### {page.name} (sqlite)" in text) == page.is_built
    assert "(no plan rows)" not in text.split("#### Add an expense")[0]


def test_the_imports_benchmark_times_both_imports_with_totals_that_agree(tmp_path):
    from bench import imports

    steps = imports.main(["--rows", "2k", "--legacy", "2k", "--work", str(tmp_path)])

    web, old = steps
    assert (web.figures["imported"], web.figures["undone"], old.figures["expenses"]) == (
        2000,
        2000,
        2000,
    )
    assert web.figures["mismatches"] == old.figures["mismatches"] == 0
    assert all(web.figures[f"{part}_s"] > 0 for part in ("upload", "check", "import", "undo"))
    assert 0 < web.peak_mib < 1024 and 0 < old.peak_mib < 1024
    assert "| CSV import: check | 2,000" in imports.markdown(steps)
