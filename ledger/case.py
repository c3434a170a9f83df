"""Cases (办件): submission, later steps, and what a case looks like now.

Submission registers the case row, the applicant's plain data (this province's database
only) and the `case.submitted` record in one transaction, and hands out the citizen's query
code once. Later steps are ordinary records: `ledger.ingest` runs them through the state
machine (`ledger.transitions`), whichever API they arrive by.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import casesteps, catalogue, deadline, identity, ingest, querycode, timestamps
from . import unit_of_work as uow
from .draft import DEFAULT_CLOCK_SKEW, RecordDraft, request_draft
from .errors import AlreadyExists, InvalidInput, InvalidStep, NotFound
from .identity import Person
from .ingest import Appended
from .record import Subject
from .store import Database
from .store.domain_schema import CasePrivateRow, CaseRow, CaseSuspensionRow
from .store.schema import SubjectHeadRow
from .transitions import case_facts
from .workcalendar import Calendar, local_date

_CASE_NO = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}")


@dataclass(frozen=True, slots=True)
class Submission:
    """What the receiving province sends to open a case (validated by `from_json`)."""

    item_code: str
    receiving_province: int
    applicant: Person
    channel: str
    case_no: str | None
    record: dict[str, Any]  # record_id?, occurred_at, actor: checked by RecordDraft

    FIELDS = frozenset({"item_code", "applicant", "channel", "case_no", "record_id",
                        "occurred_at", "actor", "receiving_province"})

    @classmethod
    def from_json(cls, obj: Any, receiving_province: int) -> Submission:
        if not isinstance(obj, dict):
            raise InvalidInput("the body must be a JSON object")
        if unknown := sorted(set(obj) - cls.FIELDS):
            raise InvalidInput(f"{unknown[0]} is not a field of a case submission",
                               field=unknown[0])
        channel = obj.get("channel", "online")
        if channel not in casesteps.CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(casesteps.CHANNELS)}",
                               field="channel")
        item = obj.get("item_code")
        if not isinstance(item, str):
            raise InvalidInput("item_code is required", field="item_code")
        case_no = obj.get("case_no")
        if case_no is not None and (not isinstance(case_no, str)
                                    or not _CASE_NO.fullmatch(case_no)):
            raise InvalidInput("case_no must be 1-64 characters of A-Z a-z 0-9 . _ : / - "
                               "(starting alphanumeric)", field="case_no")
        return cls(item, receiving_province, Person.from_json(obj.get("applicant")), channel,
                   case_no,
                   {k: obj[k] for k in ("record_id", "occurred_at", "actor") if k in obj})


@dataclass(frozen=True, slots=True)
class Submitted:
    case: CaseRow
    appended: Appended
    #: Shown to the applicant once; only its PBKDF2 hash is stored.
    query_code: str


#: Draws of a generated case number before giving up. The numbers are random within the day
#: (not guessable from a neighbour's), so they collide like birthdays: at 1,000 cases a day
#: about two days in five would see a repeat. A drawn number already taken is drawn again;
#: eight misses in a row only happen once the day's million numbers are mostly used.
CASE_NO_DRAWS = 8


def new_case_no(province: int, on: date) -> str:
    return f"{province}-{on:%Y%m%d}-{secrets.randbelow(10**6):06d}"


def _taken(s: Session, case_no: str) -> bool:
    return s.get(CaseRow, case_no) is not None \
        or s.get(SubjectHeadRow, ("case", case_no)) is not None


def _free_case_no(s: Session, province: int, on: date) -> str:
    for _ in range(CASE_NO_DRAWS):
        case_no = new_case_no(province, on)
        if not _taken(s, case_no):
            return case_no
    raise AlreadyExists(f"no free case number for {province} on {on:%Y-%m-%d} after "
                        f"{CASE_NO_DRAWS} draws; submit with an explicit case_no")


def submit(db: Database, sub: Submission, *, now: datetime | None = None,
           clock: timestamps.Clock = timestamps.now, skew: timedelta = DEFAULT_CLOCK_SKEW
           ) -> Submitted:
    """Register a case and append its `case.submitted` record, atomically. `now` pins the
    time; else `clock` is read (again under the write lock, for `recorded_at`)."""
    pinned, now = now, now or clock()
    code = querycode.new_code()
    code_hash = querycode.hash_code(code)  # slow on purpose: outside the transaction

    def work(s: Session) -> Submitted:
        try:
            item = catalogue.get(s, sub.item_code)
        except NotFound:
            raise InvalidInput(f"no service item {sub.item_code} in the catalogue",
                               field="item_code") from None
        if item.handling_province != sub.receiving_province and not item.cross_province:
            raise InvalidInput(f"item {item.item_code} is not offered across provinces "
                               f"(跨省通办): apply in {item.handling_province}",
                               field="item_code")
        case_no = sub.case_no or _free_case_no(s, sub.receiving_province, local_date(now))
        salt = identity.new_salt()
        commitment = identity.commit(salt, sub.applicant.canonical_id())
        draft = request_draft(
            sub.receiving_province, "case.submitted", Subject("case", case_no), sub.record,
            {"item": item.item_code, "applicant": commitment,
             "receiving_province": sub.receiving_province,
             "handling_province": item.handling_province,
             "promised_days": item.promised_days, "channel": sub.channel},
            now=now, skew=skew)
        if sub.case_no is not None and _taken(s, case_no):
            raise AlreadyExists(f"case number {case_no} is already in the ledger")
        row = CaseRow(
            case_no=case_no, item_code=item.item_code, item_name=item.name,
            receiving_province=sub.receiving_province,
            handling_province=item.handling_province, promised_days=item.promised_days,
            requires_review=item.requires_review, requires_delivery=item.requires_delivery,
            license_type=item.license_type, applicant_commitment=commitment,
            channel=sub.channel, state=casesteps.NEW, steps=0,
            last_occurred_at=draft.occurred_at, submitted_at=draft.occurred_at,
            query_code_hash=code_hash)
        s.add(row)
        s.flush()  # the case row first: the private row's foreign key needs it
        a = sub.applicant
        s.add(CasePrivateRow(case_no=case_no, province=sub.receiving_province, name=a.name,
                             id_type=a.id_type, id_number=a.id_number, phone=a.phone,
                             salt=salt))
        s.flush()
        [appended] = ingest.append_in(s, [draft], now=pinned, clock=clock)
        return Submitted(row, appended, code)

    return uow.run(db, work)


def step_draft(case_no: str, province: int, body: dict[str, Any], *,
               now: datetime | None = None, skew: timedelta = DEFAULT_CLOCK_SKEW
               ) -> RecordDraft:
    """The record for a step request {step, occurred_at?, actor, payload?, record_id?}."""
    if unknown := sorted(set(body) - {"step", "occurred_at", "actor", "payload", "record_id"}):
        raise InvalidStep(f"{unknown[0]} is not a field of a step", field=unknown[0])
    step = body.get("step")
    if not isinstance(step, str):
        raise InvalidStep("step is required", field="step")
    casesteps.step_of(f"case.{step}")
    return request_draft(province, f"case.{step}", Subject("case", case_no), body,
                         body.get("payload") or {}, now=now or timestamps.now(), skew=skew)


def record_step(db: Database, draft: RecordDraft, *, comment: str | None = None,
                now: datetime | None = None, clock: timestamps.Clock = timestamps.now
                ) -> Appended:
    """Append one step; for an evaluation, keep the applicant's comment in this database and
    put only a keyed digest of it in the record."""
    if comment is not None and draft.kind != "case.evaluated":
        raise InvalidStep("only an evaluation carries a comment", field="comment")

    def work(s: Session) -> Appended:
        d = draft
        if comment is not None:
            private = s.get(CasePrivateRow, draft.subject.id)
            if private is None:
                raise NotFound(f"no case {draft.subject.id}")
            # Keyed with the case's secret salt: unguessable, yet the same for a retry.
            digest = identity.commit(private.salt, f"comment:{draft.record_id}:{comment}")
            d = dataclasses.replace(draft, payload={**draft.payload, "comment_digest": digest})
            private.evaluation_comment = comment
        [appended] = ingest.append_in(s, [d], now=now, clock=clock)
        return appended

    return uow.run(db, work)


def get(session: Session, case_no: str) -> CaseRow:
    row = session.get(CaseRow, case_no)
    if row is None or row.state == casesteps.NEW:
        raise NotFound(f"no case {case_no}")
    return row


def applicant(session: Session, case_no: str) -> Person | None:
    r = session.get(CasePrivateRow, case_no)
    return None if r is None else Person(r.name, r.id_type, r.id_number, r.phone)


def suspensions(session: Session, case_no: str) -> list[deadline.Suspension]:
    rows = session.scalars(select(CaseSuspensionRow).where(CaseSuspensionRow.case_no == case_no)
                           .order_by(CaseSuspensionRow.n))
    return [deadline.Suspension(local_date(r.suspended_at),
                                None if r.resumed_at is None else local_date(r.resumed_at))
            for r in rows]


def deadline_of(session: Session, row: CaseRow, calendar: Calendar, today: date
                ) -> deadline.Deadline:
    return deadline.compute(
        calendar, row.promised_days,
        accepted_on=None if row.accepted_at is None else local_date(row.accepted_at),
        suspensions=suspensions(session, row.case_no),
        completed_on=None if row.completed_at is None else local_date(row.completed_at),
        today=today)


def list_cases(session: Session, *, provinces: set[int] | None, state: str | None = None,
               after: str = "", limit: int = 50) -> list[CaseRow]:
    """Cases (by number, after `after`) involving one of `provinces` (None: all)."""
    q = select(CaseRow).where(CaseRow.case_no > after, CaseRow.state != casesteps.NEW)
    if provinces is not None:
        q = q.where(CaseRow.receiving_province.in_(provinces)
                    | CaseRow.handling_province.in_(provinces))
    if state is not None:
        q = q.where(CaseRow.state == state)
    return list(session.scalars(q.order_by(CaseRow.case_no).limit(limit)))


def next_steps(row: CaseRow) -> list[tuple[str, int]]:
    return casesteps.next_steps(case_facts(row))
