"""Command-line doors to the services: `flask --app expense_tracker COMMAND`."""

import click
from flask.cli import with_appcontext

from .services import totals


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
