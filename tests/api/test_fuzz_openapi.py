"""Property-based fuzzing of the real app over HTTP (schemathesis, from the app's own
OpenAPI document) with a valid operator key: schema-conforming and schema-violating requests
to every operation. No request may cause a 5xx, and nothing the ledger accepted may violate
the protocol: afterwards every stored record re-parses strictly, its canonical bytes are
exactly RFC 8785 of its JSON, its leaf hash is right, and seqs stay gapless.

Bounded (a few dozen examples per operation and mode) so it stays well under a minute.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy import select

from ledger.canonical import parse
from ledger.record import Record
from ledger.store.schema import RecordRow
from tests.api.live import Live, issue_keys, live_server, record
from tests.faults.ledger_check import check

EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(Path(tmp_path_factory.mktemp("fuzz"))) as live:
        issue_keys(live)
        yield live


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_causes_a_server_error(fuzzed: Live, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")
    auth = {"Authorization": f"Bearer {fuzzed.tokens['op_sh']}"}
    seen: dict[str, set[int]] = {}

    @given(case=schema.as_strategy(generation_mode=mode), data=st.data())
    @settings(max_examples=EXAMPLES * len(list(schema.get_all_operations())), deadline=None,
              suppress_health_check=list(HealthCheck), database=None)
    def run(case: schemathesis.Case, data: st.DataObject) -> None:
        # Half the cases carry the operator key, so authorised paths are fuzzed too.
        headers = auth if data.draw(st.booleans()) else None
        response = case.call(base_url=fuzzed.url, headers=headers, timeout=30)
        seen.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
        assert response.status_code < 500, (case.method, case.path, case.body,
                                            response.text[:500])

    run()
    assert any(path.startswith("POST /v1/records") for path in seen), seen


FIELDS = ["record_id", "province", "kind", "subject", "occurred_at", "actor", "prev",
          "payload", "salt", "extra"]
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8)
_edge_values = st.one_of(
    _json,
    st.sampled_from([310000, 310100, 710000, 0, -310000, 2**63, "310000", True]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=70),
    st.builds(lambda h, m, z: f"2026-11-25T{h:02d}:{m:02d}:00{z}", st.integers(0, 30),
              st.integers(0, 61), st.sampled_from(["", "Z", "+08:00", "+14:00", "-12:00",
                                                   "+24:00", "z", ".5Z", "+0800"])),
    st.sampled_from(["2099-01-01T00:00:00Z", "2026-02-29T00:00:00Z", "\ud800", "\u0000",
                     "ＳＨ-１", "ǅ", "e\u0301", "\u202e", "a" * 65]),
)


@settings(max_examples=120, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(field=st.sampled_from(FIELDS), value=_edge_values, where=st.sampled_from(
    ["top", "subject.id", "subject.type", "actor.department", "actor.officer", "payload.x"]))
def test_mutated_records_are_stored_valid_or_refused_cleanly(fuzzed: Live, field: str,
                                                             value: object, where: str) -> None:
    rec = record()
    if where == "top":
        rec[field] = value
    else:
        parent, key = where.split(".")
        rec[parent] = {**rec[parent], key: value}
    before = fuzzed.count()
    with fuzzed.client() as http:
        # json.dumps escapes what UTF-8 cannot carry (lone surrogates) as \uXXXX: the
        # server, not the client, has to deal with them.
        response = http.post("/v1/records", content=json.dumps(rec).encode(),
                             headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text
    if response.status_code in (200, 201):
        stored = http_record(fuzzed, rec["record_id"])
        assert Record.from_json(stored).leaf_hash().hex() == \
            response.json()["leaf_hash"].removeprefix("0x")
    else:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].startswith("https://govtrace.dev/problems/")
        assert fuzzed.count() == before  # a refused request changes nothing


def http_record(live: Live, record_id: str) -> object:
    with live.client() as http:
        response = http.get(f"/v1/records/{record_id}")
    assert response.status_code == 200, response.text
    return response.json()["record"]


def test_nothing_accepted_violates_the_protocol(fuzzed: Live) -> None:
    with fuzzed.db.snapshot() as s:
        rows = list(s.scalars(select(RecordRow)))
    for row in rows:
        record = Record.from_json(parse(row.canonical))  # strict: every field, every type
        assert record.canonical_bytes() == row.canonical
        assert record.leaf_hash() == row.leaf_hash
        assert (record.record_id, record.province, record.seq) == (row.record_id, row.province,
                                                                   row.seq)
    result = check(fuzzed.db, None)
    assert result.clean, result.problems
