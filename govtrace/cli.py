"""The `govtrace` command. Exit codes: 0 ok, 1 verification/audit failed, 2 bad input or usage,
3 could not check (e.g. chain unreachable)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from govtrace.commands import audit, catalogue, demo, keys, ledger_ops, verify, verify_license
from govtrace.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="govtrace: blockchain-anchored audit ledger for cross-province services.")
app.add_typer(keys.app, name="keys")
app.command("verify")(verify.verify)
app.command("seal")(ledger_ops.seal)
app.command("anchor")(ledger_ops.anchor)
app.command("evidence")(ledger_ops.evidence)
app.command("compile")(ledger_ops.compile_contract)
app.command("audit")(audit.audit)
app.add_typer(catalogue.app, name="catalogue")
app.command("verify-license")(verify_license.verify_license)
app.command("demo")(demo.demo)


Host = Annotated[str | None, typer.Option(help="Bind address [GOVTRACE_HOST].")]
Port = Annotated[int | None, typer.Option(help="HTTP port [GOVTRACE_PORT].")]
DataDirOption = Annotated[Path | None, typer.Option(help="[GOVTRACE_DATA_DIR]")]
RpcUrl = Annotated[str | None, typer.Option(
    help="EVM JSON-RPC URL; omitted: start a local Anvil [GOVTRACE_RPC_URL].")]
ApiWorkers = Annotated[int | None, typer.Option(
    "--workers", help="API processes (uvicorn workers) [GOVTRACE_API_WORKERS].")]


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")


@app.command()
def serve(host: Host = None, port: Port = None, data_dir: DataDirOption = None,
          rpc_url: RpcUrl = None, workers: ApiWorkers = None) -> None:
    """Run the API, the sealing/anchoring worker and, by default, a local Anvil."""
    from govtrace.service import serve as run

    _logging()
    run(load_settings(host=host, port=port, data_dir=data_dir, rpc_url=rpc_url,
                      api_workers=workers))


@app.command()
def api(host: Host = None, port: Port = None, data_dir: DataDirOption = None,
        workers: ApiWorkers = None) -> None:
    """Run only the API (no sealing or anchoring): for hosts beside a `govtrace worker`."""
    from govtrace.service import api as run

    _logging()
    run(load_settings(host=host, port=port, data_dir=data_dir, api_workers=workers))


@app.command()
def worker(data_dir: DataDirOption = None, rpc_url: RpcUrl = None) -> None:
    """Run only the sealing/anchoring worker; several may run, one per province is active."""
    from govtrace.service import worker as run

    _logging()
    run(load_settings(data_dir=data_dir, rpc_url=rpc_url))


def load_settings(**overrides: Any) -> Settings:
    """Settings from GOVTRACE_* variables, with command-line options taking precedence."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def main() -> None:
    app()
