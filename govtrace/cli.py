"""The `govtrace` command. Exit codes: 0 ok, 1 verification/audit failed, 2 bad input or usage,
3 could not check (e.g. chain unreachable)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from govtrace.commands import keys, ledger_ops, verify
from govtrace.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="govtrace: blockchain-anchored audit ledger for cross-province services.")
app.add_typer(keys.app, name="keys")
app.command("verify")(verify.verify)
app.command("seal")(ledger_ops.seal)
app.command("anchor")(ledger_ops.anchor)
app.command("evidence")(ledger_ops.evidence)
app.command("compile")(ledger_ops.compile_contract)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address [GOVTRACE_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port [GOVTRACE_PORT].")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="[GOVTRACE_DATA_DIR]")] = None,
    rpc_url: Annotated[str | None, typer.Option(
        help="EVM JSON-RPC URL; omitted: start a local Anvil [GOVTRACE_RPC_URL].")] = None,
) -> None:
    """Run the API, the sealing/anchoring worker and, by default, a local Anvil."""
    from govtrace.service import serve as run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    run(load_settings(host=host, port=port, data_dir=data_dir, rpc_url=rpc_url))


def load_settings(**overrides: Any) -> Settings:
    """Settings from GOVTRACE_* variables, with command-line options taking precedence."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def main() -> None:
    app()
