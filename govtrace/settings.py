"""One Settings object for the whole application (env prefix GOVTRACE_), passed explicitly."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.batch import SealPolicy
from ledger.store import DatabaseOptions


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVTRACE_", env_file=None, extra="ignore")

    # Where embedded defaults keep their files (SQLite database, Anvil state, deployment).
    data_dir: Path = Path("data")
    #: SQLAlchemy URL; default: SQLite file <data_dir>/govtrace.db.
    database_url: str | None = None
    sqlite_synchronous: str = "FULL"

    # HTTP
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 8 * 1024 * 1024
    max_batch_records: int = 5000
    clock_skew_seconds: int = 300
    #: How long a valid API key is trusted without re-reading it (revocation delay).
    auth_cache_seconds: float = Field(default=1.0, ge=0)

    # Sealing
    seal_max_records: int = Field(default=1000, ge=1)
    seal_max_age_seconds: float = Field(default=10.0, gt=0)
    seal_interval_seconds: float = Field(default=1.0, gt=0)

    # Chain. Without rpc_url, `govtrace serve` starts a local Anvil and deploys the contract.
    rpc_url: str | None = None
    contract_address: str | None = None
    chain_id: int | None = None
    confirmations: int = Field(default=1, ge=1)
    anchor_timeout_seconds: float = 120.0
    anvil_port: int = 8545
    anvil_path: Path | None = None
    #: Consortium admin key (deploys, registers provinces). Default: Anvil dev account 0.
    admin_key: SecretStr | None = None
    #: Province anchoring keys as "310000=0xkey,320000=0xkey". Default: Anvil dev accounts.
    province_keys: SecretStr | None = None

    def database_options(self) -> DatabaseOptions:
        url = self.database_url or f"sqlite:///{self.data_dir / 'govtrace.db'}"
        return DatabaseOptions(url=url, sqlite_synchronous=self.sqlite_synchronous)

    def seal_policy(self) -> SealPolicy:
        return SealPolicy(max_records=self.seal_max_records,
                          max_age=timedelta(seconds=self.seal_max_age_seconds))

    def province_key_map(self) -> dict[int, str]:
        """Parse `province_keys`; raises ValueError with the offending entry."""
        if self.province_keys is None:
            return {}
        out: dict[int, str] = {}
        for entry in filter(None, (e.strip() for e in
                                   self.province_keys.get_secret_value().split(","))):
            code, sep, key = entry.partition("=")
            if not sep or not code.strip().isdigit():
                raise ValueError("GOVTRACE_PROVINCE_KEYS entries look like 310000=0x<key>")
            out[int(code)] = key.strip()
        return out
