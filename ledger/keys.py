"""API keys: who may call, in which role, for which province. Secrets are stored hashed.

A key reads `gt_<key_id>_<secret>`; only SHA-256(secret) is stored, so a database leak does
not leak usable keys. Roles (see docs/roles.md): admin, operator (bound to a province),
supervisor, partner (bound to a province).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from . import timestamps
from .errors import InvalidRecord, NotFound
from .province import check_province
from .store import Database
from .store.schema import ApiKeyRow

ROLES = ("admin", "operator", "supervisor", "partner")
PROVINCE_ROLES = ("operator", "partner")
PREFIX = "gt_"


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: str
    role: str
    province: int | None
    label: str

    def may_write(self, province: int) -> bool:
        return self.role == "operator" and self.province == province


@dataclass(frozen=True, slots=True)
class ApiKey:
    principal: Principal
    created_at: str
    revoked_at: str | None


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def create(db: Database, role: str, *, province: int | None = None, label: str = "",
           now: datetime | None = None) -> tuple[str, ApiKey]:
    """Create a key; returns (token, key). The token is shown once and never stored."""
    if role not in ROLES:
        raise InvalidRecord(f"role must be one of {', '.join(ROLES)}", field="role")
    if role in PROVINCE_ROLES:
        check_province(province)
    elif province is not None:
        raise InvalidRecord(f"role {role} is not bound to a province", field="province")
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    created = timestamps.render(now or timestamps.now())
    with db.transaction() as s:
        s.add(ApiKeyRow(key_id=key_id, secret_hash=_digest(secret), role=role,
                        province=province, label=label[:128], created_at=created))
    return f"{PREFIX}{key_id}_{secret}", ApiKey(Principal(key_id, role, province, label),
                                                 created, None)


def authenticate(db: Database, token: str) -> Principal | None:
    """The principal of a valid, unrevoked token; None otherwise (callers answer 401)."""
    if not token.startswith(PREFIX):
        return None
    key_id, sep, secret = token[len(PREFIX):].partition("_")
    if not sep or not key_id or not secret:
        return None
    with db.snapshot() as s:
        row = s.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, _digest(secret)):
        return None
    return Principal(row.key_id, row.role, row.province, row.label)


def list_keys(db: Database) -> list[ApiKey]:
    with db.snapshot() as s:
        rows = s.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at))
        return [ApiKey(Principal(r.key_id, r.role, r.province, r.label), r.created_at,
                       r.revoked_at) for r in rows]


def revoke(db: Database, key_id: str, *, now: datetime | None = None) -> None:
    with db.transaction() as s:
        row = s.get(ApiKeyRow, key_id)
        if row is None:
            raise NotFound(f"no key {key_id}")
        if row.revoked_at is None:
            row.revoked_at = timestamps.render(now or timestamps.now())
