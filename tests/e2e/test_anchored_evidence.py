"""Issue 2 end to end: the real `govtrace serve` (HTTP, SQLite file, embedded Anvil), two
provinces, 2,400 records in several anchored batches, evidence verified by `govtrace verify`
against the chain alone, and every alteration rejected with its reason."""

from __future__ import annotations

import copy
import json
import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from anchors.anvil import dev_account
from anchors.chain import Chain
from anchors.contract import AnchorContract
from anchors.errors import TransactionReverted
from govtrace.chainsetup import dev_province_keys
from tests.conftest import BACKENDS
from tests.e2e.service import Service
from tests.postgres.server import PostgresServer

pytestmark = [pytest.mark.chain, pytest.mark.slow]
PROVINCES = (310000, 330000)
PER_PROVINCE = 1200


def _record(province: int, i: int) -> dict[str, Any]:
    return {
        "record_id": str(uuid.uuid4()), "province": province,
        "kind": "case.submitted" if i % 3 == 0 else "case.accepted",
        "subject": {"type": "case", "id": f"{province}-2026-{i // 3:06d}"},
        "occurred_at": "2026-11-25T09:30:00+08:00",
        "actor": {"department": f"D{province}", "officer": f"E{i % 17}"},
        "payload": {"item": "social-security-transfer", "n": i, "备注": "跨省通办"},
    }


@pytest.fixture(scope="module", params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Service]:
    """The whole suite runs twice: on a SQLite file, then on the PostgreSQL server."""
    settings = {"seal_max_records": "500"}
    if request.param == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres")
        settings["database_url"] = server.create_database(schema=False)
    with Service(tmp_path_factory.mktemp("e2e"), **settings) as svc:
        yield svc


@pytest.fixture(scope="module")
def tokens(service: Service) -> dict[int, str]:
    out = {}
    for p in PROVINCES:
        created = service.cli("keys", "create", "--role", "operator", "--province", str(p))
        assert created.returncode == 0, created.stderr
        out[p] = created.stdout.strip()
    return out


@pytest.fixture(scope="module")
def written(service: Service, tokens: dict[int, str]) -> dict[int, list[str]]:
    ids: dict[int, list[str]] = {}
    with httpx.Client(base_url=service.url, timeout=30) as http:
        for p in PROVINCES:
            records = [_record(p, i) for i in range(PER_PROVINCE)]
            auth = {"Authorization": f"Bearer {tokens[p]}"}
            bulk = records[:-10]
            for chunk in range(0, len(bulk), 400):
                r = http.post("/v1/records:batch", headers=auth,
                              json={"records": bulk[chunk:chunk + 400]})
                assert r.status_code in (200, 201), r.text
            for rec in records[-10:]:  # the single-record endpoint too
                assert http.post("/v1/records", headers=auth, json=rec).status_code == 201
            ids[p] = [r["record_id"] for r in records]
    return ids


def _wait_anchored(http: httpx.Client, auth: dict[str, str], record_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        r = http.get(f"/v1/records/{record_id}/evidence", headers=auth)
        if r.status_code == 200 and r.json()["anchor"] is not None:
            return dict(r.json())
        time.sleep(0.3)
    raise AssertionError(f"record {record_id} was not anchored in time")


@pytest.fixture(scope="module")
def bundles(service: Service, tokens: dict[int, str], written: dict[int, list[str]]
            ) -> list[dict[str, Any]]:
    rng = random.Random(2)
    out = []
    with httpx.Client(base_url=service.url, timeout=30) as http:
        for p in PROVINCES:
            auth = {"Authorization": f"Bearer {tokens[p]}"}
            for rid in [written[p][0], written[p][-1], *rng.sample(written[p], 4)]:
                out.append(_wait_anchored(http, auth, rid))
    return out


def _verify(service: Service, tmp_path: Path, bundle: dict[str, Any], *extra: str
            ) -> tuple[int, str]:
    path = tmp_path / f"{uuid.uuid4()}.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False))
    result = service.cli("verify", str(path), "--rpc", service.rpc_url, *extra)
    return result.returncode, (result.stdout + result.stderr).strip()


def test_every_record_lands_in_contiguous_anchored_batches(
        service: Service, tokens: dict[int, str], bundles: list[dict[str, Any]]) -> None:
    chain = Chain(service.rpc_url)
    contract = AnchorContract.at(chain, bundles[0]["anchor"]["contract"])
    with httpx.Client(base_url=service.url, timeout=30) as http:
        auth = {"Authorization": f"Bearer {tokens[PROVINCES[0]]}"}
        for p in PROVINCES:
            expected_first, batch_no, covered = 1, 1, 0
            while covered < PER_PROVINCE:
                r = http.get(f"/v1/batches/{p}/{batch_no}", headers=auth)
                assert r.status_code == 200, r.text
                body = r.json()
                on_chain = contract.batch(p, batch_no)
                assert on_chain is not None, f"batch {p}/{batch_no} not anchored"
                assert body["first_seq"] == on_chain.first_seq == expected_first
                assert body["root"] == "0x" + on_chain.root.hex()
                expected_first += body["size"]
                covered += body["size"]
                batch_no += 1
            assert covered == PER_PROVINCE
            assert batch_no - 1 >= 3  # several batches per province (seal at 500)
            head = contract.province_head(p)
            assert head.batch_count == batch_no - 1 and head.next_seq == PER_PROVINCE + 1


def test_sampled_evidence_verifies_against_the_chain_alone(
        service: Service, tmp_path: Path, bundles: list[dict[str, Any]]) -> None:
    for bundle in bundles:
        code, out = _verify(service, tmp_path, bundle)
        assert code == 0, out
        assert out.startswith("VALID") and bundle["record"]["record_id"] in out
    code, out = _verify(service, tmp_path, bundles[0], "--contract",
                        bundles[0]["anchor"]["contract"], "--json")
    assert code == 0 and json.loads(out)["valid"] is True


def _altered(bundle: dict[str, Any], path: str, byte_flip: bool = True,
             value: Any = None) -> dict[str, Any]:
    b = copy.deepcopy(bundle)
    *parents, last = path.split(".")
    node: Any = b
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    key: Any = int(last) if isinstance(node, list) else last
    if byte_flip:
        s = node[key]
        node[key] = s[:-1] + ("0" if s[-1] != "0" else "1")
    else:
        node[key] = value
    return b


@pytest.mark.parametrize(("path", "flip", "value", "reason", "code"), [
    ("record.payload.备注", False, "跨省通办!", "record-altered", 1),
    ("record.salt", True, None, "record-altered", 1),
    ("record.occurred_at", False, "2026-11-24T01:30:00.000000Z", "record-altered", 1),
    ("proof.hashes.0", True, None, "proof-invalid", 1),
    ("batch.root", True, None, "proof-invalid", 1),
    ("proof.index", False, 0, "coordinates-mismatch", 1),
    ("batch.batch_no", False, 999, "not-anchored", 1),
    ("anchor.chain_id", False, 1, "wrong-chain", 1),
    ("anchor.contract", False, "0x" + "12" * 20, "wrong-contract", 1),
    ("anchor.block_number", False, 1, "root-mismatch", 1),
    ("format", False, "other", "malformed", 2),
])
def test_each_alteration_is_rejected_with_its_reason(
        service: Service, tmp_path: Path, bundles: list[dict[str, Any]], path: str, flip: bool,
        value: Any, reason: str, code: int) -> None:
    target = next(b for b in bundles if b["proof"]["hashes"] and b["proof"]["index"] > 0)
    rc, out = _verify(service, tmp_path, _altered(target, path, flip, value))
    assert rc == code, out
    assert f"({reason})" in out, out


def test_anchored_coordinates_moved_to_another_batch_are_rejected(
        service: Service, tmp_path: Path, bundles: list[dict[str, Any]]) -> None:
    a = next(b for b in bundles if b["batch"]["batch_no"] == 1)
    b = copy.deepcopy(a)
    b["batch"]["batch_no"] = 2  # a real, anchored batch with another root and range
    rc, out = _verify(service, tmp_path, b)
    assert rc == 1 and "(root-mismatch)" in out, out


def test_unreachable_chain_is_not_a_verdict(service: Service, tmp_path: Path,
                                            bundles: list[dict[str, Any]]) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundles[0]))
    result = service.cli("verify", str(path), "--rpc", "http://127.0.0.1:9")
    assert result.returncode == 3 and "chain-unreachable" in result.stdout


def test_out_of_order_or_foreign_anchoring_reverts(service: Service,
                                                   bundles: list[dict[str, Any]]) -> None:
    contract = AnchorContract.at(Chain(service.rpc_url), bundles[0]["anchor"]["contract"])
    keys = dev_province_keys()
    head = contract.province_head(310000)
    root = bytes(range(32))
    cases = [
        (310000, head.batch_count + 2, head.next_seq, keys[310000], "UnexpectedBatchNumber"),
        (310000, head.batch_count, head.next_seq, keys[310000], "UnexpectedBatchNumber"),
        (310000, head.batch_count + 1, head.next_seq + 1, keys[310000], "NonContiguousRange"),
        (310000, head.batch_count + 1, head.next_seq, keys[330000], "UnauthorizedAnchorer"),
        (310000, head.batch_count + 1, head.next_seq, dev_account(0), "UnauthorizedAnchorer"),
    ]
    for province, batch_no, first_seq, key, error in cases:
        with pytest.raises(TransactionReverted) as info:
            contract.anchor_batch(province, batch_no, first_seq, 10, root, key)
        assert info.value.error_name == error
    assert contract.province_head(310000) == head
