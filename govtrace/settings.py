"""One Settings object for the whole application (env prefix GOVTRACE_), passed explicitly."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.batch import SealPolicy
from ledger.store import DatabaseOptions
from ledger.supervision.config import SupervisionConfig


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVTRACE_", env_file=None, extra="ignore")

    # Where embedded defaults keep their files (SQLite database, Anvil state, deployment).
    data_dir: Path = Path("data")
    #: SQLAlchemy URL; default: SQLite file <data_dir>/govtrace.db.
    database_url: str | None = None
    sqlite_synchronous: str = "FULL"
    #: Seconds between background WAL checkpoints of the SQLite file (0: none; commits
    #: then checkpoint now and then themselves). See ledger/store/sqlite_wal.py.
    sqlite_checkpoint_seconds: float = Field(default=0.5, ge=0)

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

    # Workers (`govtrace serve`, `govtrace worker`)
    #: API processes of `govtrace serve` / `govtrace api` (uvicorn workers).
    api_workers: int = Field(default=1, ge=1)
    #: A worker holds a province for this long after its last renewal; a dead worker's
    #: provinces are taken over by another worker once it expires.
    lease_ttl_seconds: float = Field(default=30.0, gt=0)
    #: Anchoring retries after a failure wait 1, 2, 4 ... seconds, at most this long.
    anchor_max_backoff_seconds: float = Field(default=60.0, gt=0)
    #: Confirmed anchors within this many blocks of the head are re-checked for reorgs.
    reorg_window_blocks: int = Field(default=64, ge=0)
    #: PostgreSQL connection pool per process.
    database_pool_size: int = Field(default=10, ge=1)
    #: Test-only fault injection: crash at a named point (see govtrace/faults.py).
    fault: str | None = None

    # Tamper audit (`govtrace audit`, POST /v1/supervision/audits; docs/audit.md)
    #: Partition (GB/T 2260 province code) of the supervising body's own ledger, where every
    #: audit result is appended as an `audit.completed` record. Default: the national
    #: platform's supervision office, in Beijing.
    supervision_province: int = 110000
    #: Subject id of the supervising body's chain of audit records.
    supervision_body: str = "NGSP-SUPERVISION"
    #: Worker processes of an audit (0: audit in the calling process).
    audit_workers: int = Field(default=2, ge=0)

    # Cases and licenses (issue 3; docs/cases.md)
    #: Working-day calendar JSON (holidays, make-up working days); unset: the shipped 2026
    #: PRC sample (ledger/data/holidays-cn-2026.json).
    holiday_calendar: Path | None = None
    #: Citizen queries (`/v1/public/...`): attempts per client IP and case number, and per
    #: client IP overall, within the sliding window. Counted in memory per API process.
    public_query_per_case: int = Field(default=20, ge=1)
    public_query_per_ip: int = Field(default=120, ge=1)
    public_query_window_seconds: float = Field(default=600.0, gt=0)

    # Electronic supervision (alerts and statistics; docs/supervision.md)
    #: Yellow `due_soon` when at most this many working days of the promised limit are left.
    due_soon_working_days: int = Field(default=1, ge=0)
    #: `stalled` when an open case has had no step for this many working days.
    stalled_after_working_days: int = Field(default=5, ge=1)
    #: `not_received` when a forwarded case is not received within this many working days.
    receive_within_working_days: int = Field(default=1, ge=1)
    #: `anchor_lag` when a record has not been anchored this long after it was recorded.
    anchor_lag_alert_seconds: float = Field(default=600.0, gt=0)
    #: `refusal_rate` / `denial_rate` above this share of an item's outcomes, from this many
    #: outcomes on, among cases submitted in the last `refusal_rate_window_days` days.
    refusal_rate_threshold: float = Field(default=0.3, ge=0, le=1)
    refusal_rate_min_cases: int = Field(default=5, ge=1)
    refusal_rate_window_days: int = Field(default=30, ge=1)

    def supervision_config(self) -> SupervisionConfig:
        return SupervisionConfig(
            due_soon_working_days=self.due_soon_working_days,
            stalled_after_working_days=self.stalled_after_working_days,
            receive_within_working_days=self.receive_within_working_days,
            anchor_lag_alert_seconds=self.anchor_lag_alert_seconds,
            refusal_rate_threshold=self.refusal_rate_threshold,
            refusal_rate_min_cases=self.refusal_rate_min_cases,
            refusal_rate_window_days=self.refusal_rate_window_days)

    def database_options(self) -> DatabaseOptions:
        url = self.database_url or f"sqlite:///{self.data_dir / 'govtrace.db'}"
        return DatabaseOptions(url=url, sqlite_synchronous=self.sqlite_synchronous,
                               pool_size=self.database_pool_size,
                               sqlite_checkpoint_interval=self.sqlite_checkpoint_seconds or None)

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
