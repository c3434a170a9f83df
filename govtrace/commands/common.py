"""Helpers shared by CLI commands: settings, the database, and failing with a clear message."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, Protocol, TypeVar

import typer

from govtrace.settings import Settings
from ledger.store import Database, migrate

DataDir = Annotated[Path | None, typer.Option(help="Data directory [GOVTRACE_DATA_DIR].")]
DatabaseUrl = Annotated[str | None, typer.Option(help="SQLAlchemy URL [GOVTRACE_DATABASE_URL].")]

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_CANNOT_CHECK = 3


def settings(data_dir: Path | None = None, database_url: str | None = None) -> Settings:
    overrides: dict[str, Any] = {"data_dir": data_dir, "database_url": database_url}
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def open_db(s: Settings) -> Database:
    return migrate.open_migrated(s.database_options())


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


class _Outcome(Protocol):
    def to_json(self) -> dict[str, Any]: ...


T = TypeVar("T", bound=_Outcome)


def run_check(check: Callable[[], T], text: Callable[[T], str], *, as_json: bool,
              rejected: tuple[type[Exception], ...], cannot_check: type[Exception]) -> T:
    """Run a verification and report it; on failure print the reason and exit 1/2/3.

    `rejected` exceptions carry a stable `reason` code (docs/protocol.md §5.1).
    """
    try:
        outcome = check()
    except rejected as exc:
        reason = str(getattr(exc, "reason", "invalid"))
        report(as_json, {"valid": False, "reason": reason, "detail": str(exc)},
               f"INVALID ({reason}): {exc}")
        raise typer.Exit(EXIT_USAGE if reason == "malformed" else EXIT_INVALID) from None
    except cannot_check as exc:
        report(as_json, {"valid": None, "reason": "chain-unreachable", "detail": str(exc)},
               f"UNKNOWN (chain-unreachable): {exc}")
        raise typer.Exit(EXIT_CANNOT_CHECK) from None
    report(as_json, outcome.to_json(), text(outcome))
    return outcome


def report(as_json: bool, obj: dict[str, object], line: str) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False) if as_json else line)
