"""`govtrace catalogue load|list`: the service-item catalogue, straight in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govtrace.commands.common import DatabaseUrl, DataDir, fail, open_db, settings
from ledger import catalogue as ledger_catalogue
from ledger import unit_of_work as uow
from ledger.errors import LedgerError

app = typer.Typer(no_args_is_help=True, help="Manage the service-item catalogue (事项).")


@app.command()
def load(
    file: Annotated[Path | None, typer.Argument(
        help="JSON or CSV catalogue; omitted: the shipped Yangtze River Delta sample.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Add or replace items (all or nothing)."""
    try:
        items = ledger_catalogue.sample() if file is None else ledger_catalogue.load_file(file)
    except (OSError, LedgerError) as exc:
        fail(str(exc))
    db = open_db(settings(data_dir, database_url))
    try:
        created = uow.run(db, lambda s: ledger_catalogue.save(s, items))
    finally:
        db.dispose()
    typer.echo(f"loaded {len(items)} items ({sum(created)} new, "
               f"{len(created) - sum(created)} replaced)")


@app.command("list")
def list_(
    province: Annotated[int | None, typer.Option(help="Handling province.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Print the items: code, province, time limit, license type, steps, name."""
    db = open_db(settings(data_dir, database_url))
    try:
        with db.snapshot() as s:
            items = ledger_catalogue.list_items(s, province=province)
    finally:
        db.dispose()
    for i in items:
        typer.echo(f"{i.item_code}\t{i.handling_province}\t{i.promised_days}d\t"
                   f"{i.license_type or '-'}\t{' '.join(i.steps)}\t{i.name}")
