"""The catalogue of service items (政务服务事项目录), per handling province.

An item names what a case is for, which province handles it, its promised time limit in
working days (承诺时限), whether other provinces may take applications for it (跨省通办),
the license type an approval produces (if any), and the steps it requires. The steps always
include submitted, accepted, decided and completed; `review_started` (a separate review
before the decision; without it the decision may follow intake at once, 即办件) and
`delivered` (送达 before the applicant may evaluate) are the item's choice. Forwarding,
supplements and suspensions depend on the case, never on the item.

Items load from JSON (a list, or {"items": [...]}) or CSV with the header
`item_code,name,name_en,handling_province,promised_days,steps,license_type,cross_province`
(steps separated by spaces or `|`). Saving an item replaces its entry; cases already
submitted keep the facts they were submitted under.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import payloads, timestamps
from .errors import InvalidInput, InvalidRecord, NotFound
from .province import check_province
from .store.domain_schema import ServiceItemRow

ORDER = ("submitted", "accepted", "review_started", "decided", "completed", "delivered")
REQUIRED = frozenset({"submitted", "accepted", "decided", "completed"})
FIELDS = ("item_code", "name", "name_en", "handling_province", "promised_days", "steps",
          "license_type", "cross_province")
SAMPLE = "catalogue-yrd.json"


@dataclass(frozen=True, slots=True)
class ServiceItem:
    item_code: str
    name: str
    name_en: str
    handling_province: int
    promised_days: int
    steps: tuple[str, ...]
    license_type: str | None
    cross_province: bool

    @property
    def requires_review(self) -> bool:
        return "review_started" in self.steps

    @property
    def requires_delivery(self) -> bool:
        return "delivered" in self.steps

    def to_json(self) -> dict[str, Any]:
        return {"item_code": self.item_code, "name": self.name, "name_en": self.name_en,
                "handling_province": self.handling_province,
                "promised_days": self.promised_days, "steps": list(self.steps),
                "license_type": self.license_type, "cross_province": self.cross_province}

    @classmethod
    def from_json(cls, obj: Any, where: str = "item") -> ServiceItem:
        if not isinstance(obj, dict):
            raise InvalidInput(f"{where} must be an object", field=where)
        if unknown := sorted(set(obj) - set(FIELDS)):
            raise InvalidInput(f"{where}.{unknown[0]} is not a catalogue field",
                               field=f"{where}.{unknown[0]}")
        if missing := [f for f in FIELDS if f not in obj and f not in ("name_en",
                                                                      "license_type")]:
            raise InvalidInput(f"{where}.{missing[0]} is required", field=f"{where}.{missing[0]}")
        try:
            code = payloads.ident(obj["item_code"], f"{where}.item_code")
            name = payloads.text(128)(obj["name"], f"{where}.name")
            name_en = payloads.text(128)(obj.get("name_en") or name, f"{where}.name_en")
            days = payloads.integer(1, 365)(obj["promised_days"], f"{where}.promised_days")
            license_type = payloads.nullable(payloads.ident)(obj.get("license_type"),
                                                             f"{where}.license_type")
            province = check_province(obj["handling_province"],
                                      field=f"{where}.handling_province")
        except InvalidRecord as exc:  # same checks, but this is a catalogue, not a record
            raise InvalidInput(str(exc), field=exc.field) from exc
        cross = obj["cross_province"]
        if not isinstance(cross, bool):
            raise InvalidInput(f"{where}.cross_province must be true or false",
                               field=f"{where}.cross_province")
        return cls(code, name, name_en, province, days, _steps(obj["steps"], where),
                   license_type, cross)


def _steps(value: Any, where: str) -> tuple[str, ...]:
    field = f"{where}.steps"
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise InvalidInput(f"{field} must be a list of step names", field=field)
    if unknown := [s for s in value if s not in ORDER]:
        raise InvalidInput(f"{field}: {unknown[0]!r} is not an item step (use "
                           f"{', '.join(ORDER)}; forwarding, supplements and suspensions "
                           "depend on the case)", field=field)
    if missing := sorted(REQUIRED - set(value)):
        raise InvalidInput(f"{field} must include {', '.join(missing)}", field=field)
    if list(value) != sorted(set(value), key=ORDER.index):
        raise InvalidInput(f"{field} must list each step once, in the order "
                           f"{' → '.join(ORDER)}", field=field)
    return tuple(value)


def _from_row(r: ServiceItemRow) -> ServiceItem:
    return ServiceItem(r.item_code, r.name, r.name_en, r.handling_province, r.promised_days,
                       tuple(r.steps.split()), r.license_type, r.cross_province)


def parse_json(data: Any) -> list[ServiceItem]:
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise InvalidInput('a catalogue is a non-empty list of items, or {"items": [...]}',
                           field="items")
    return _unique([ServiceItem.from_json(o, f"items[{i}]") for i, o in enumerate(items)])


def parse_csv(text: str) -> list[ServiceItem]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or set(reader.fieldnames) != set(FIELDS):
        raise InvalidInput(f"CSV header must be {','.join(FIELDS)}", field="header")
    items = []
    for i, row in enumerate(reader):
        where = f"items[{i}]"
        try:
            obj: dict[str, Any] = {**row, "handling_province": int(row["handling_province"]),
                                   "promised_days": int(row["promised_days"])}
        except ValueError:
            raise InvalidInput(f"{where}: handling_province and promised_days must be "
                               "integers", field=where) from None
        obj["steps"] = row["steps"].replace("|", " ").split()
        obj["license_type"] = row["license_type"] or None
        flag = row["cross_province"].strip().lower()
        obj["cross_province"] = flag in ("true", "1", "yes") if flag in (
            "true", "false", "1", "0", "yes", "no") else row["cross_province"]
        items.append(ServiceItem.from_json(obj, where))
    return _unique(items)


def _unique(items: list[ServiceItem]) -> list[ServiceItem]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.item_code in seen:
            raise InvalidInput(f"item_code {item.item_code} appears twice",
                               field=f"items[{i}].item_code")
        seen.add(item.item_code)
    return items


def load_file(path: Path) -> list[ServiceItem]:
    text = path.read_text("utf-8-sig")
    if path.suffix.lower() == ".csv":
        return parse_csv(text)
    try:
        return parse_json(json.loads(text))
    except ValueError as exc:
        raise InvalidInput(f"{path} is not JSON: {exc}") from exc


def sample() -> list[ServiceItem]:
    """The shipped Yangtze River Delta sample catalogue."""
    text = resources.files("ledger").joinpath("data", SAMPLE).read_text("utf-8")
    return parse_json(json.loads(text))


def save(session: Session, items: Sequence[ServiceItem], *, now: datetime | None = None
         ) -> list[bool]:
    """Insert or replace `items`; one flag per item: True when it was new."""
    stamp = timestamps.render(now or timestamps.now())
    rows = {r.item_code: r for r in session.scalars(select(ServiceItemRow).where(
        ServiceItemRow.item_code.in_([i.item_code for i in items])).with_for_update())}
    created = []
    for item in items:
        row = rows.get(item.item_code)
        created.append(row is None)
        if row is None:
            row = ServiceItemRow(item_code=item.item_code)
            session.add(row)
        row.name, row.name_en = item.name, item.name_en
        row.handling_province, row.promised_days = item.handling_province, item.promised_days
        row.steps, row.license_type = " ".join(item.steps), item.license_type
        row.cross_province, row.updated_at = item.cross_province, stamp
    return created


def get(session: Session, item_code: str) -> ServiceItem:
    row = session.get(ServiceItemRow, item_code)
    if row is None:
        raise NotFound(f"no service item {item_code}")
    return _from_row(row)


def list_items(session: Session, *, province: int | None = None) -> list[ServiceItem]:
    q = select(ServiceItemRow).order_by(ServiceItemRow.item_code)
    if province is not None:
        q = q.where(ServiceItemRow.handling_province == province)
    return [_from_row(r) for r in session.scalars(q)]


def provinces_of(items: Iterable[ServiceItem]) -> set[int]:
    return {i.handling_province for i in items}
