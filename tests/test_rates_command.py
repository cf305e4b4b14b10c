"""`rates load`: the ECB's reference rates from the bundled history or the ECB's own file."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

from sqlalchemy import func, select

from expense_tracker.extensions import db
from expense_tracker.models import Rate

HEADER = "Date,USD,JPY,GBP,\n"
GOOD = HEADER + "2024-03-01,1.0830,162.39,0.85540,\n2024-02-29,1.0813,N/A,0.85630,\n"


def stored(app) -> dict[tuple[dt.date, str], tuple[Decimal, str, str]]:
    with app.app_context():
        return {
            (rate.date, rate.quote): (rate.rate, rate.base, rate.source)
            for rate in db.session.scalars(select(Rate))
        }


def test_loading_the_bundled_history_stores_every_ecb_rate_once(app, runner):
    first = runner.invoke(args=["rates", "load"])
    again = runner.invoke(args=["rates", "load"])

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Rate))
        usd_1999 = db.session.scalar(
            select(Rate.rate).where(Rate.date == dt.date(1999, 1, 4), Rate.quote == "USD")
        )
    assert count > 200_000
    assert usd_1999 == Decimal("1.1789")
    assert "from 1999-01-04" in first.output
    assert again.output.startswith("Stored 0 new rates")
    assert f"{count} were stored already" in again.output


def test_a_file_of_the_ecb_stores_its_rates_exactly(app, runner, tmp_path):
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text(GOOD)

    result = runner.invoke(args=["rates", "load", "--file", str(path)])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "Stored 5 new rates from 2024-02-29 to 2024-03-01; 0 were stored already.\n"
    )
    assert stored(app) == {
        (dt.date(2024, 3, 1), "USD"): (Decimal("1.0830"), "EUR", "ECB"),
        (dt.date(2024, 3, 1), "JPY"): (Decimal("162.39"), "EUR", "ECB"),
        (dt.date(2024, 3, 1), "GBP"): (Decimal("0.85540"), "EUR", "ECB"),
        (dt.date(2024, 2, 29), "USD"): (Decimal("1.0813"), "EUR", "ECB"),
        (dt.date(2024, 2, 29), "GBP"): (Decimal("0.85630"), "EUR", "ECB"),
    }


def test_a_newer_file_adds_only_the_days_not_stored(app, runner, tmp_path):
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text(GOOD)
    runner.invoke(args=["rates", "load", "--file", str(path)])
    path.write_text(HEADER + "2024-03-04,1.0844,162.74,0.85513,\n" + GOOD.removeprefix(HEADER))

    result = runner.invoke(args=["rates", "load", "--file", str(path)])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Stored 3 new rates from 2024-02-29 to 2024-03-04;")
    assert "5 were stored already" in result.output
    assert len(stored(app)) == 8


def test_a_file_with_bad_lines_is_reported_line_by_line_and_stores_nothing(app, runner, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text(
        HEADER
        + "2024-03-01,1.0830,162.39,0.85540,\n"
        + "2024-02-30,1.0813,160.01,0.85630,\n"
        + "2024-02-28,1.08x,160.01,0.85630,\n"
        + "2024-02-27,1.08,160.01,0.85630,9.99,\n"
        + "2024-02-26,-1,160,0.8,\n"
        + "2024-03-01,1.0830,162.39,0.85540,\n"
    )

    result = runner.invoke(args=["rates", "load", "--file", str(path)])

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "rates.csv line 3: 2024-02-30 is not a day of the calendar",
        "rates.csv line 4: USD: “1.08x” is not a rate",
        "rates.csv line 5: 4 rates for 3 currencies",
        "rates.csv line 6: USD: “-1” is not a rate",
        "rates.csv line 7: 2024-03-01 comes twice",
        "Error: Nothing stored: 5 lines of rates.csv cannot be read. Correct them, or run"
        " again with --take-good to store the other lines.",
    ]
    assert stored(app) == {}


def test_take_good_stores_the_good_lines_of_a_file_with_bad_ones(app, runner, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text(GOOD + "2024-02-28,1.0820,abc,0.85600,\n")

    result = runner.invoke(args=["rates", "load", "--file", str(path), "--take-good"])

    assert result.exit_code == 0, result.output
    assert "rates.csv line 4: JPY: “abc” is not a rate" in result.output
    assert "Stored 5 new rates" in result.output
    assert "1 bad line left out" in result.output
    assert len(stored(app)) == 5


def test_the_zip_file_the_ecb_publishes_is_read_as_its_csv(app, runner, tmp_path):
    path = tmp_path / "eurofxref-hist.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("eurofxref-hist.csv", GOOD)

    result = runner.invoke(args=["rates", "load", "--file", str(path)])

    assert result.exit_code == 0, result.output
    assert len(stored(app)) == 5


def test_a_file_that_is_not_the_ecbs_is_refused_with_the_reason(app, runner, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("day,USD\n2024-03-01,1.08\n")

    result = runner.invoke(args=["rates", "load", "--file", str(path)])

    assert result.exit_code == 1
    assert "The first line must be the ECB's header" in result.output
    assert stored(app) == {}
