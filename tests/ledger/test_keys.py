"""API keys: hashed at rest, bound to role and province, revocable."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ledger import keys
from ledger.errors import InvalidRecord, NotFound
from ledger.store import Database
from ledger.store.schema import ApiKeyRow


def test_created_key_authenticates_and_secret_is_not_stored(db: Database) -> None:
    token, key = keys.create(db, "operator", province=310000, label="SH gateway")
    principal = keys.authenticate(db, token)
    assert principal == key.principal
    assert principal.may_write(310000) and not principal.may_write(320000)
    secret = token.rsplit("_", 1)[1]
    with db.snapshot() as s:
        row = s.scalars(select(ApiKeyRow)).one()
    assert secret.encode() not in row.secret_hash and len(row.secret_hash) == 32


@pytest.mark.parametrize("token", ["", "gt_", "gt_abc", "Bearer x", "gt_nokey_secret"])
def test_malformed_or_unknown_tokens_do_not_authenticate(db: Database, token: str) -> None:
    keys.create(db, "supervisor")
    assert keys.authenticate(db, token) is None


def test_wrong_secret_and_revoked_keys_fail(db: Database) -> None:
    token, key = keys.create(db, "supervisor")
    assert keys.authenticate(db, token[:-2] + "xx") is None
    keys.revoke(db, key.principal.key_id)
    assert keys.authenticate(db, token) is None
    assert keys.list_keys(db)[0].revoked_at is not None
    with pytest.raises(NotFound):
        keys.revoke(db, "missing")


def test_roles_and_province_binding_are_checked(db: Database) -> None:
    with pytest.raises(InvalidRecord):
        keys.create(db, "root")
    with pytest.raises(InvalidRecord):
        keys.create(db, "operator")
    with pytest.raises(InvalidRecord):
        keys.create(db, "supervisor", province=310000)
    _, partner = keys.create(db, "partner", province=320000)
    assert not partner.principal.may_write(320000)
