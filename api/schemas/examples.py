"""Worked examples for the OpenAPI document, taken from a real ledger run so they hash right.

The record below, appended at 2026-11-25T00:00:03.12Z with 16 others and sealed, has exactly
this leaf hash, batch root and inclusion proof. The anchor (transaction and block hashes) is
illustrative: it has the right shape but no chain holds it.
"""

from __future__ import annotations

from typing import Any

RECORD_ID = "0f8b7c1e-3c55-4d5e-9a41-6f7d2b9e8a10"
LEAF_HASH = "0x1cf57bc6932a29fb68c5d32dd3e2d710eb143f92744908393f9ac47dda9d2da8"
ROOT = "0xa173337584fff85576532d058a9e7438e88a3a4f93ac4e149107b9f666aedc98"
SALT = "0x70c7954d77bfc2ec152c07535934ccd6"
RECORDED_AT = "2026-11-25T00:00:03.120000Z"
SEALED_AT = "2026-11-25T00:00:10.004512Z"
TX_HASH = "0x5b0e1b7a63c1a7f1f0b5d1f93e2b6f7f1c4b8a0d9e3f2a1b0c9d8e7f6a5b4c3d"
BLOCK_HASH = "0x9e8d7c6b5a493827161504f3e2d1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a"
CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"

DRAFT: dict[str, Any] = {
    "record_id": RECORD_ID,
    "province": 310000,
    "kind": "case.accepted",
    "subject": {"type": "case", "id": "SH-2026-000123"},
    "occurred_at": "2026-11-25T08:00:00+08:00",
    "actor": {"department": "SH-GA-HZ", "officer": "E1043"},
    "payload": {"service": "户籍迁移", "channel": "跨省通办", "applicant_ref": "a3f1c9"},
}
DRAFT_NEXT: dict[str, Any] = {
    "record_id": "6d1f0a52-8e0b-4c1a-b7a2-3f4e5d6c7b8a",
    "province": 310000,
    "kind": "case.approved",
    "subject": {"type": "case", "id": "SH-2026-000123"},
    "occurred_at": "2026-11-25T09:30:00+08:00",
    "actor": {"department": "SH-GA-HZ"},
    "payload": {"decision": "approved", "fee_fen": 0},
    "prev": LEAF_HASH,
}
LICENSE_DRAFT: dict[str, Any] = {
    "record_id": "a2c4e6f8-1b3d-4f5a-8c7e-9d0b1a2c3e4f",
    "province": 310000,
    "kind": "license.issued",
    "subject": {"type": "license", "id": "SH-YYZZ-91310000MA1K"},
    "occurred_at": "2026-11-25T10:00:00Z",
    "actor": {"department": "SH-SCJGJ", "officer": "L0007"},
    "payload": {"license_type": "营业执照", "valid_until": "2036-11-24"},
    "salt": "0x0123456789abcdef0123456789abcdef",
}

RECORD: dict[str, Any] = {
    "v": 1,
    "record_id": RECORD_ID,
    "province": 310000,
    "seq": 1,
    "kind": "case.accepted",
    "subject": {"type": "case", "id": "SH-2026-000123"},
    "occurred_at": "2026-11-25T00:00:00.000000Z",
    "recorded_at": RECORDED_AT,
    "actor": {"department": "SH-GA-HZ", "officer": "E1043"},
    "prev": None,
    "payload": {"applicant_ref": "a3f1c9", "channel": "跨省通办", "service": "户籍迁移"},
    "salt": SALT,
}
RECEIPT: dict[str, Any] = {"record_id": RECORD_ID, "province": 310000, "seq": 1,
                           "leaf_hash": LEAF_HASH, "recorded_at": RECORDED_AT, "created": True}
BATCH: dict[str, Any] = {"province": 310000, "batch_no": 1, "first_seq": 1, "size": 17,
                         "root": ROOT, "sealed_at": SEALED_AT}
ANCHOR: dict[str, Any] = {
    "chain_id": 31337, "contract": CONTRACT, "tx_hash": TX_HASH, "block_number": 42,
    "block_hash": BLOCK_HASH, "status": "confirmed", "submitted_at": "2026-11-25T00:00:10.200000Z",
    "confirmed_at": "2026-11-25T00:00:11.300000Z",
}
RECORD_STATUS: dict[str, Any] = {"record": RECORD, "leaf_hash": LEAF_HASH, "status": "anchored",
                                 "batch": BATCH, "anchor": ANCHOR}
EVIDENCE: dict[str, Any] = {
    "format": "govtrace.evidence/1",
    "record": RECORD,
    "leaf_hash": LEAF_HASH,
    "batch": {k: BATCH[k] for k in ("province", "batch_no", "first_seq", "size", "root")},
    "proof": {"index": 0, "tree_size": 17, "hashes": [
        "0xbe962e3042370ee7227773ccccf29b8b2c3fa4299810309573255e1b95afc1d5",
        "0x070d88997cc497ec3264e300e017fd9a8033269310090ee4ea0f01fe05078e86",
        "0xcc51e118582f5d11779a562f23d637a0eb0cac1bff6990e398f7cd64b7df203e",
        "0x8449f5782d61cdba37d9149287920f7dad7cb0a8944759c15f75695832c8fa07",
        "0x7b23940639989f930e37a1d124c50ebeccbdaab3813fdff81f8974f9ae5c17ca",
    ]},
    "anchor": {"chain_id": 31337, "contract": CONTRACT, "tx_hash": TX_HASH, "block_number": 42},
}
BATCH_STATUS: dict[str, Any] = {**BATCH, "status": "anchored", "anchor": ANCHOR}
BATCH_PAGE: dict[str, Any] = {"province": 310000, "batches": [BATCH_STATUS], "next_after": None}
HEALTH: dict[str, Any] = {
    "status": "ok",
    "database": {"ok": True},
    "anchor_lag": [{"province": 320000, "unanchored_batches": 1, "unanchored_records": 1000,
                    "oldest_sealed_at": SEALED_AT}],
    "chain": {"chain_id": 31337, "contract": CONTRACT, "reachable": True, "latest_block": 42},
}
