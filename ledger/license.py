"""Electronic licenses (电子证照): issuing one from an approved case, and its later events.

Issuing registers the license row, the holder's plain data (the issuing province's database
only) and the `license.issued` record in one transaction, under the producing case's lock.
The record carries the holder as a salted commitment. Later events (suspend, reinstate,
revoke, expire) are ordinary records checked by `ledger.transitions`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import identity, ingest, license_events, payloads, timestamps
from . import unit_of_work as uow
from .draft import DEFAULT_CLOCK_SKEW, RecordDraft, request_draft
from .errors import (
    AlreadyExists,
    IllegalTransition,
    InvalidInput,
    InvalidStep,
    NotFound,
    WrongProvince,
)
from .identity import Person
from .ingest import Appended
from .record import Subject
from .store import Database
from .store.domain_schema import CasePrivateRow, CaseRow, LicensePrivateRow, LicenseRow
from .store.schema import SubjectHeadRow

#: Case states in which an approved case may produce its license.
ISSUABLE = frozenset({"decided", "completed", "delivered", "evaluated"})


@dataclass(frozen=True, slots=True)
class Issuance:
    case_no: str
    type_code: str
    number: str
    issuing_authority: str
    valid_from: str
    valid_until: str | None
    #: None: the holder is the case's applicant.
    holder: Person | None
    license_id: str | None
    record: dict[str, Any]  # record_id?, occurred_at?, actor: checked by RecordDraft

    FIELDS = frozenset({"case_no", "type_code", "number", "issuing_authority", "valid_from",
                        "valid_until", "holder", "license_id", "record_id", "occurred_at",
                        "actor"})

    @classmethod
    def from_json(cls, obj: Any) -> Issuance:
        if not isinstance(obj, dict):
            raise InvalidInput("the body must be a JSON object")
        if unknown := sorted(set(obj) - cls.FIELDS):
            raise InvalidInput(f"{unknown[0]} is not a field of a license", field=unknown[0])
        try:
            fields = {
                "case_no": payloads.ident(obj.get("case_no"), "case_no"),
                "type_code": payloads.ident(obj.get("type_code"), "type_code"),
                "number": payloads.ident(obj.get("number"), "number"),
                "issuing_authority": payloads.ident(obj.get("issuing_authority"),
                                                    "issuing_authority"),
                "valid_from": payloads.day(obj.get("valid_from"), "valid_from"),
                "valid_until": payloads.nullable(payloads.day)(obj.get("valid_until"),
                                                               "valid_until"),
                "license_id": payloads.nullable(payloads.ident)(obj.get("license_id"),
                                                                "license_id"),
            }
        except InvalidStep as exc:
            raise InvalidInput(str(exc), field=exc.field) from exc
        holder = obj.get("holder")
        return cls(**fields, holder=None if holder is None else Person.from_json(holder, "holder"),
                   record={k: obj[k] for k in ("record_id", "occurred_at", "actor") if k in obj})


def issue(db: Database, iss: Issuance, province: int, *, now: datetime | None = None,
          clock: timestamps.Clock = timestamps.now, skew: timedelta = DEFAULT_CLOCK_SKEW
          ) -> tuple[LicenseRow, Appended]:
    """Issue the license an approved case produced; `province` is the writer's. `now` pins
    the time; else `clock` is read (again under the write lock, for `recorded_at`)."""
    pinned, now = now, now or clock()

    def work(s: Session) -> tuple[LicenseRow, Appended]:
        case = s.scalar(select(CaseRow).where(CaseRow.case_no == iss.case_no).with_for_update())
        if case is None:
            raise NotFound(f"no case {iss.case_no}")
        if province != case.handling_province:
            raise WrongProvince(f"the license of case {case.case_no} is issued by its handling "
                                f"province {case.handling_province}, not {province}")
        if case.license_type is None or case.license_type != iss.type_code:
            made = case.license_type or "no license"
            raise InvalidInput(f"case {case.case_no}'s item produces {made}, not "
                               f"{iss.type_code}", field="type_code")
        if case.decision != "approved" or case.state not in ISSUABLE:
            raise IllegalTransition(f"case {case.case_no} is {case.state}"
                                    f"{' (' + case.decision + ')' if case.decision else ''}: "
                                    "a license is issued only after an approval")
        if s.scalar(select(LicenseRow.license_id).where(LicenseRow.case_no == case.case_no)):
            raise AlreadyExists(f"case {case.case_no} has already produced its license")
        license_id = iss.license_id or f"{iss.type_code}-{province}-{secrets.token_hex(6)}"
        if s.get(LicenseRow, license_id) is not None \
                or s.get(SubjectHeadRow, ("license", license_id)) is not None:
            raise AlreadyExists(f"license id {license_id} is already in the ledger")
        holder = iss.holder or _applicant(s, case.case_no)
        salt = identity.new_salt()
        commitment = identity.commit(salt, holder.canonical_id())
        payload = {"type_code": iss.type_code, "number": iss.number, "holder": commitment,
                   "issuing_authority": iss.issuing_authority, "valid_from": iss.valid_from,
                   "valid_until": iss.valid_until, "case_no": case.case_no}
        draft = request_draft(province, "license.issued", Subject("license", license_id),
                              iss.record, payload, now=now, skew=skew)
        row = LicenseRow(license_id=license_id, type_code=iss.type_code, number=iss.number,
                         holder_commitment=commitment, issuing_authority=iss.issuing_authority,
                         issuing_province=province, valid_from=iss.valid_from,
                         valid_until=iss.valid_until, case_no=case.case_no,
                         state=license_events.NEW, events=0,
                         last_occurred_at=draft.occurred_at, issued_at=draft.occurred_at)
        if draft.occurred_at < case.last_occurred_at:
            raise InvalidStep(f"occurred_at is before the case's last step "
                              f"({case.last_occurred_at})", field="occurred_at")
        s.add(row)
        s.flush()  # the license row first: the private row's foreign key needs it
        s.add(LicensePrivateRow(license_id=license_id, name=holder.name,
                                id_type=holder.id_type, id_number=holder.id_number, salt=salt))
        s.flush()
        [appended] = ingest.append_in(s, [draft], now=pinned, clock=clock)
        return row, appended

    return uow.run(db, work)


def _applicant(s: Session, case_no: str) -> Person:
    r = s.get(CasePrivateRow, case_no)
    if r is None:
        raise InvalidInput(f"case {case_no} has no applicant on file here: name the holder",
                           field="holder")
    return Person(r.name, r.id_type, r.id_number)


def event_draft(license_id: str, province: int, body: dict[str, Any], *,
                now: datetime | None = None, skew: timedelta = DEFAULT_CLOCK_SKEW
                ) -> RecordDraft:
    """The record for an event request {event, occurred_at?, actor, payload?, record_id?}."""
    if unknown := sorted(set(body) - {"event", "occurred_at", "actor", "payload", "record_id"}):
        raise InvalidStep(f"{unknown[0]} is not a field of a license event", field=unknown[0])
    event = body.get("event")
    if not isinstance(event, str) or event == "issued":
        raise InvalidStep("event must be suspended, reinstated, revoked or expired "
                          "(issue with POST /v1/licenses)", field="event")
    license_events.event_of(f"license.{event}")
    return request_draft(province, f"license.{event}", Subject("license", license_id), body,
                         body.get("payload") or {}, now=now or timestamps.now(), skew=skew)


def record_event(db: Database, draft: RecordDraft, *, now: datetime | None = None,
                 clock: timestamps.Clock = timestamps.now) -> Appended:
    [appended] = ingest.append(db, [draft], now=now, clock=clock)
    return appended


def get(session: Session, license_id: str) -> LicenseRow:
    row = session.get(LicenseRow, license_id)
    if row is None or row.state == license_events.NEW:
        raise NotFound(f"no license {license_id}")
    return row


def holder_matches(session: Session, license_id: str, person: Person) -> bool:
    """Whether `person` is the holder the license's commitment names."""
    row, private = session.get(LicenseRow, license_id), session.get(LicensePrivateRow,
                                                                    license_id)
    if row is None or private is None:
        return False
    return identity.opens(row.holder_commitment, private.salt, person.canonical_id())
