"""The service-item catalogue: JSON and CSV files, validation, replace semantics, and the
shipped Yangtze River Delta sample."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger import catalogue
from ledger import unit_of_work as uow
from ledger.errors import InvalidInput, NotFound
from ledger.store import Database

ITEM: dict[str, Any] = {
    "item_code": "320000-TEST-1", "name": "测试事项", "name_en": "Test item",
    "handling_province": 320000, "promised_days": 5,
    "steps": ["submitted", "accepted", "decided", "completed"], "license_type": None,
    "cross_province": True}
HEADER = "item_code,name,name_en,handling_province,promised_days,steps,license_type,cross_province"
CSV = "\n".join([
    HEADER,
    "320000-CSV-1,居住证签注,Residence permit endorsement,320000,7,"
    "submitted|accepted|review_started|decided|completed|delivered,CN-RP,false",
    "330000-CSV-2,社保转移,Pension transfer,330000,15,"
    "submitted accepted review_started decided completed,,yes",
]) + "\n"


def test_the_sample_covers_the_yangtze_river_delta() -> None:
    items = catalogue.sample()
    assert {i.handling_province for i in items} == {310000, 320000, 330000, 340000}
    names = " ".join(i.name_en for i in items)
    for what in ("business licence", "pension", "Residence permit", "Driving licence"):
        assert what in names
    dl = next(i for i in items if i.item_code == "340000-PSB-DL-RENEWAL")
    assert not dl.requires_review and dl.requires_delivery and dl.license_type == "CN-DL"


def test_json_and_csv_files(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text(json.dumps({"items": [ITEM]}))
    assert catalogue.load_file(tmp_path / "c.json")[0].to_json() == ITEM
    (tmp_path / "c.csv").write_text(CSV, encoding="utf-8")
    first, second = catalogue.load_file(tmp_path / "c.csv")
    assert first.steps[-1] == "delivered" and first.license_type == "CN-RP"
    assert not first.cross_province and second.cross_province
    assert second.license_type is None and second.requires_review


@pytest.mark.parametrize(("change", "field"), [
    ({"steps": ["submitted", "accepted", "completed"]}, "items[0].steps"),
    ({"steps": ["accepted", "submitted", "decided", "completed"]}, "items[0].steps"),
    ({"steps": ["submitted", "accepted", "forwarded", "decided", "completed"]},
     "items[0].steps"),
    ({"promised_days": 0}, "items[0].promised_days"),
    ({"handling_province": 999999}, "items[0].handling_province"),
    ({"cross_province": "yes"}, "items[0].cross_province"),
    ({"item_code": "has space"}, "items[0].item_code"),
    ({"colour": "red"}, "items[0].colour"),
])
def test_items_are_validated(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        catalogue.parse_json([{**ITEM, **change}])
    assert info.value.field == field


def test_duplicate_codes_and_bad_headers_are_refused() -> None:
    with pytest.raises(InvalidInput):
        catalogue.parse_json([ITEM, ITEM])
    with pytest.raises(InvalidInput):
        catalogue.parse_csv("code,name\nX,Y\n")


def test_saving_replaces_items(db: Database) -> None:
    first = catalogue.parse_json([ITEM])
    assert uow.run(db, lambda s: catalogue.save(s, first)) == [True]
    changed = catalogue.parse_json([{**ITEM, "promised_days": 9}])
    assert uow.run(db, lambda s: catalogue.save(s, changed)) == [False]
    with db.snapshot() as s:
        assert catalogue.get(s, "320000-TEST-1").promised_days == 9
        assert [i.item_code for i in catalogue.list_items(s, province=320000)] == [
            "320000-TEST-1"]
        assert catalogue.list_items(s, province=310000) == []
        with pytest.raises(NotFound):
            catalogue.get(s, "nope")
