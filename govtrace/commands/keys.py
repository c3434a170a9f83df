"""`govtrace keys create|list|revoke`: API keys, stored hashed; the token is shown once."""

from __future__ import annotations

from typing import Annotated

import typer

from govtrace.commands.common import DatabaseUrl, DataDir, fail, open_db, settings
from ledger import keys as ledger_keys
from ledger.errors import LedgerError

app = typer.Typer(no_args_is_help=True, help="Manage API keys.")


@app.command()
def create(
    role: Annotated[str, typer.Option(help="admin | operator | supervisor | partner")],
    province: Annotated[int | None, typer.Option(help="Province code (operator, partner).")]
    = None,
    label: Annotated[str, typer.Option(help="Who holds the key.")] = "",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a key and print its token (shown once; only its hash is stored)."""
    db = open_db(settings(data_dir, database_url))
    try:
        token, key = ledger_keys.create(db, role, province=province, label=label)
    except LedgerError as exc:
        fail(str(exc))
    finally:
        db.dispose()
    typer.echo(f"key_id={key.principal.key_id} role={role}"
               + (f" province={province}" if province else ""), err=True)
    typer.echo(token)


@app.command("list")
def list_(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List keys (never their secrets)."""
    db = open_db(settings(data_dir, database_url))
    try:
        for k in ledger_keys.list_keys(db):
            p = k.principal
            state = f"revoked {k.revoked_at}" if k.revoked_at else "active"
            typer.echo(f"{p.key_id}\t{p.role}\t{p.province or '-'}\t{state}\t{p.label}")
    finally:
        db.dispose()


@app.command()
def revoke(key_id: str, data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Revoke a key; requests with it fail from then on."""
    db = open_db(settings(data_dir, database_url))
    try:
        ledger_keys.revoke(db, key_id)
    except LedgerError as exc:
        fail(str(exc))
    finally:
        db.dispose()
    typer.echo(f"revoked {key_id}")
