"""Worked examples for the case, license and catalogue routes (OpenAPI).

One story: an applicant applies in Shanghai (310000) for a business-licence change handled by
Zhejiang (330000); Shanghai accepts and forwards; Zhejiang receives, reviews, approves and
issues the licence; Jiangsu (320000) verifies it. Hashes and codes are illustrative.
"""

from __future__ import annotations

from typing import Any

from . import examples as ex

CASE_NO = "310000-20261125-004217"
LICENSE_ID = "CN-BL-330000-5e0c9a1f2b7d"
COMMITMENT = "0x6014d51442dc508236366e8e17128f1bc3c1cbc273fe84ee42628fcd8dfcafbb"
HOLDER = "0xc7fa566090b94d6cb8e676f5f23c650979ef465f35b0d99abf7ffeb537d45138"
LEAF = ex.LEAF_HASH
SH = {"code": 310000, "name": "上海市"}
ZJ = {"code": 330000, "name": "浙江省"}

ITEM: dict[str, Any] = {
    "item_code": "330000-AMR-BL-CHANGE", "name": "公司变更登记（营业执照变更）",
    "name_en": "Company registration change (business licence)", "handling_province": 330000,
    "promised_days": 3, "steps": ["submitted", "accepted", "review_started", "decided",
                                  "completed", "delivered"],
    "license_type": "CN-BL", "cross_province": True}
CATALOGUE_IN: dict[str, Any] = {"items": [ITEM]}
CATALOGUE: dict[str, Any] = {"items": [ITEM], "created": 1, "updated": 0}

SUBMISSION: dict[str, Any] = {
    "item_code": "330000-AMR-BL-CHANGE",
    "applicant": {"name": "张三", "id_type": "resident_id", "id_number": "310101199003071230"},
    "channel": "counter", "occurred_at": "2026-11-25T09:30:00+08:00",
    "actor": {"department": "SH-PDG-ZWFW", "officer": "E1024"}}
RECEIPT: dict[str, Any] = {**ex.RECEIPT, "record_id": "9b2f4c1e-7a3d-4e8b-b1c2-5d6e7f8a9b0c"}
DEADLINE: dict[str, Any] = {
    "promised_days": 3, "clock": "running", "due_date": "2026-11-30",
    "working_days_used": 1, "working_days_left": 2, "suspended_working_days": 0,
    "late": False, "calendar_covers": True}
CASE: dict[str, Any] = {
    "case_no": CASE_NO, "item": {"code": "330000-AMR-BL-CHANGE", "name": ITEM["name"]},
    "receiving_province": SH, "handling_province": ZJ, "cross_province": True,
    "channel": "counter", "state": "under_review", "state_label": "审查中", "decision": None,
    "applicant": {"commitment": COMMITMENT},
    "submitted_at": "2026-11-25T01:30:00.000000Z", "accepted_at": "2026-11-25T01:40:00.000000Z",
    "completed_at": None, "steps": 5, "deadline": DEADLINE, "evaluation_score": None,
    "license_id": None,
    "next_steps": [{"step": "suspended", "label": "特别程序", "province": 330000},
                   {"step": "decided", "label": "决定", "province": 330000}]}
SUBMITTED: dict[str, Any] = {
    "case_no": CASE_NO, "query_code": "M8BM-M3X6-KR34", "receipt": RECEIPT,
    "case": {**CASE, "state": "submitted", "state_label": "已申请", "steps": 1,
             "accepted_at": None,
             "deadline": {**DEADLINE, "clock": "not_started", "due_date": None,
                          "working_days_used": 0, "working_days_left": None},
             "next_steps": [{"step": "accepted", "label": "受理", "province": 310000}]}}
STEP_IN: dict[str, Any] = {"step": "accepted", "occurred_at": "2026-11-25T09:40:00+08:00",
                           "actor": {"department": "SH-PDG-ZWFW", "officer": "E1024"},
                           "payload": {"notice_no": "SH-SL-2026-118832"}}
FORWARD_IN: dict[str, Any] = {"step": "forwarded", "actor": {"department": "SH-PDG-ZWFW"},
                              "payload": {"to_province": 330000}}
RECEIVE_IN: dict[str, Any] = {"step": "received", "actor": {"department": "ZJ-HZ-AMR"},
                              "payload": {"from_province": 310000}}
DECIDE_IN: dict[str, Any] = {"step": "decided", "actor": {"department": "ZJ-HZ-AMR",
                                                          "officer": "Z0311"},
                             "payload": {"decision": "approved",
                                         "document_no": "ZJ-HZ-BG-2026-0917"}}
EVALUATE_IN: dict[str, Any] = {"step": "evaluated", "actor": {"department": "ZJ-HZ-AMR"},
                               "payload": {"score": 5}, "comment": "跨省办理很方便"}
STEP_RESULT: dict[str, Any] = {"receipt": RECEIPT, "case": CASE}

TRACE_STEP: dict[str, Any] = {
    "index": 3, "step": "received", "label": "接收", "kind": "case.received",
    "province": 330000, "seq": 88, "record_id": RECEIPT["record_id"],
    "occurred_at": "2026-11-25T02:05:00.000000Z", "leaf_hash": LEAF,
    "prev": "0x3e1f9a7c0b2d4e6f8a1c3e5f7b9d0a2c4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a2b",
    "links_to_previous": True, "altered": False, "status": "anchored",
    "batch": ex.BATCH, "anchor": ex.ANCHOR, "record": ex.RECORD, "evidence": ex.EVIDENCE}
TRACE: dict[str, Any] = {
    "subject": {"type": "case", "id": CASE_NO}, "complete": True, "breaks": [], "length": 4,
    "head": LEAF, "provinces": [310000, 330000], "steps": [TRACE_STEP]}
CASE_PAGE: dict[str, Any] = {"cases": [{
    "case_no": CASE_NO, "item_code": "330000-AMR-BL-CHANGE", "receiving_province": 310000,
    "handling_province": 330000, "state": "under_review", "decision": None,
    "submitted_at": "2026-11-25T01:30:00.000000Z", "due_date": "2026-11-30", "late": False}],
    "next_after": None}

ISSUE_IN: dict[str, Any] = {
    "case_no": CASE_NO, "type_code": "CN-BL", "number": "91330106MA2KXY7Q3N",
    "issuing_authority": "ZJ-HZ-AMR", "valid_from": "2026-11-27", "valid_until": None,
    "actor": {"department": "ZJ-HZ-AMR", "officer": "Z0311"}}
LICENSE: dict[str, Any] = {
    "license_id": LICENSE_ID, "type_code": "CN-BL", "number": "91330106MA2KXY7Q3N",
    "holder_commitment": HOLDER, "issuing_authority": "ZJ-HZ-AMR", "issuing_province": ZJ,
    "valid_from": "2026-11-27", "valid_until": None, "case_no": CASE_NO, "status": "valid",
    "status_label": "有效", "recorded_status": "valid",
    "events": [{"event": "issued", "label": "签发", "occurred_at": "2026-11-27T02:00:00.000000Z",
                "record_id": "a2c4e6f8-1b3d-4f5a-8c7e-9d0b1a2c3e4f", "leaf_hash": LEAF,
                "status": "anchored"}],
    "history_complete": True, "next_events": ["suspended", "revoked", "expired"]}
ISSUED: dict[str, Any] = {"license": LICENSE, "receipt": RECEIPT}
EVENT_IN: dict[str, Any] = {"event": "suspended", "actor": {"department": "ZJ-HZ-AMR"},
                            "payload": {"reason": "经营异常名录核查"}}
VERIFY_IN: dict[str, Any] = {"license_id": LICENSE_ID}
VERIFY_BUNDLE_IN: dict[str, Any] = {"bundle": ex.EVIDENCE}
VERIFY_HOLDER_IN: dict[str, Any] = {
    "license_id": LICENSE_ID,
    "holder": {"name": "张三", "id_type": "resident_id", "id_number": "310101199003071230"}}
VERIFIED: dict[str, Any] = {
    "authentic": True, "reason": None, "detail": f"license {LICENSE_ID} is valid",
    "license": {k: LICENSE[k] for k in ("license_id", "type_code", "number",
                                        "holder_commitment", "issuing_authority",
                                        "issuing_province", "valid_from", "valid_until",
                                        "case_no")},
    "status": "valid", "recorded_status": "valid", "holder_matches": None,
    "status_record": {"record_id": "a2c4e6f8-1b3d-4f5a-8c7e-9d0b1a2c3e4f", "event": "issued",
                      "occurred_at": "2026-11-27T02:00:00.000000Z", "province": 330000,
                      "seq": 91, "leaf_hash": LEAF, "status": "anchored"},
    "history_complete": True,
    "freshness": {"issuing_province": 330000, "latest_event_seq": 91,
                  "anchored_through_seq": 120, "latest_event_anchored": True,
                  "as_of": "2026-11-27T03:00:00.000000Z"},
    "evidence": {"format": "govtrace.license-evidence/1", "license_id": LICENSE_ID,
                 "bundles": [ex.EVIDENCE], "unsealed_events": 0},
    "statement": "Each bundle proves, against the anchor contract, that the issuing province "
                 "recorded that event … (see docs/licenses.md)"}
NOT_AUTHENTIC: dict[str, Any] = {
    "authentic": False, "reason": "unknown-license",
    "detail": "no license CN-BL-330000-000000000000 has been issued here", "license": None,
    "status": None, "recorded_status": None, "holder_matches": None, "status_record": None,
    "history_complete": None, "freshness": None, "evidence": None,
    "statement": VERIFIED["statement"]}

PUBLIC: dict[str, Any] = {
    "case_no": CASE_NO, "item": CASE["item"], "receiving_province": SH,
    "handling_province": ZJ, "state": "under_review", "state_label": "审查中",
    "decision": None, "submitted_at": "2026-11-25T01:30:00.000000Z",
    "deadline": {"due_date": "2026-11-30", "clock": "running", "late": False,
                 "working_days_left": 2, "promised_days": 3},
    "steps": [{"step": "submitted", "label": "申请", "province": SH,
               "occurred_at": "2026-11-25T01:30:00.000000Z", "anchored": True,
               "status": "anchored", "leaf_hash": LEAF}],
    "chain_complete": True}
