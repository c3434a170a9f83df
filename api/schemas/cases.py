"""Schemas of the catalogue, case and citizen routes, for the OpenAPI document. As for records,
request bodies are validated once, by the ledger (ledger.case, ledger.catalogue); these
models describe them for clients and generated code."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ledger import casesteps, catalogue
from ledger.identity import ID_TYPES

from . import domain_examples as dx
from .records import Hash, Ident, Province, RecordId

# Enumerations come from the state machine itself, so the document cannot drift from it.
StepName = Annotated[str, Field(json_schema_extra={"enum": list(casesteps.STEPS)})]
State = Annotated[str, Field(json_schema_extra={"enum": list(casesteps.STATES)})]


class ActorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department: Ident
    officer: Ident | None = None


class ServiceItem(BaseModel):
    """A service item (事项). `steps` lists, in order, the steps a case of it goes through:
    always submitted, accepted, decided, completed; `review_started` and `delivered` when
    the item requires them."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [dx.ITEM]})
    item_code: Ident
    name: str = Field(max_length=128)
    name_en: str | None = Field(None, max_length=128)
    handling_province: Province
    promised_days: int = Field(ge=1, le=365, description="承诺时限, working days from "
                               "acceptance.")
    steps: list[Annotated[str, Field(json_schema_extra={"enum": list(catalogue.ORDER)})]]
    license_type: Ident | None = Field(None, description="License type an approval "
                                       "produces, if any.")
    cross_province: bool = Field(description="跨省通办: other provinces may receive "
                                 "applications.")


class CatalogueIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [dx.CATALOGUE_IN]})
    items: list[ServiceItem] = Field(min_length=1)


class CatalogueOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [dx.CATALOGUE]})
    items: list[ServiceItem]
    created: int | None = None
    updated: int | None = None


class ApplicantIn(BaseModel):
    """Plain personal data: kept in the receiving province's database only. Records carry
    `0x` + SHA-256(salt ‖ id_type:id_number) with a per-case secret salt."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=128)
    id_type: Annotated[str, Field(json_schema_extra={"enum": list(ID_TYPES)})]
    id_number: str = Field(description="Resident ID numbers are checked (GB 11643).")
    phone: str | None = None


class CaseIn(BaseModel):
    """Submit a case in the key's province (the receiving province)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [dx.SUBMISSION]})
    item_code: Ident
    applicant: ApplicantIn
    actor: ActorIn
    channel: Annotated[str, Field(json_schema_extra={"enum": list(casesteps.CHANNELS)})] = \
        "online"
    case_no: Ident | None = Field(None, description="National case number; omitted: "
                                  "assigned as <province>-<yyyymmdd>-<6 digits>.")
    receiving_province: Province | None = Field(None, description="Must be the key's "
                                                "province when given.")
    record_id: RecordId | None = None
    occurred_at: str | None = Field(None, json_schema_extra={"format": "date-time"})


class Receipt(BaseModel):
    record_id: str
    province: int
    seq: int
    leaf_hash: str
    recorded_at: str
    created: bool


class ProvinceRef(BaseModel):
    code: int
    name: str


class Deadline(BaseModel):
    """Working-day deadline (docs/cases.md §Deadlines)."""

    promised_days: int
    clock: Literal["not_started", "running", "stopped", "finished"]
    due_date: str | None
    working_days_used: int
    working_days_left: int | None = Field(description="Negative when overdue.")
    suspended_working_days: int
    late: bool
    calendar_covers: bool = Field(description="False when counted days fall outside the "
                                  "holiday calendar's years (weekends only there).")


class NextStep(BaseModel):
    step: StepName
    label: str
    province: int = Field(description="The province that would write it.")


class Case(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [dx.CASE]})
    case_no: str
    item: dict[str, str]
    receiving_province: ProvinceRef
    handling_province: ProvinceRef
    cross_province: bool
    channel: str
    state: State
    state_label: str
    decision: Literal["approved", "denied"] | None
    applicant: dict[str, Any] = Field(description="`commitment` always; name and ID only "
                                      "for operators of the receiving/handling province.")
    submitted_at: str
    accepted_at: str | None
    completed_at: str | None
    steps: int
    deadline: Deadline
    evaluation_score: int | None
    license_id: str | None
    next_steps: list[NextStep]


class Submitted(BaseModel):
    """`query_code` is shown once, here: give it to the applicant. Only a hash is kept."""

    model_config = ConfigDict(json_schema_extra={"examples": [dx.SUBMITTED]})
    case_no: str
    query_code: str
    receipt: Receipt
    case: Case


class StepIn(BaseModel):
    """One step; the state machine (docs/cases.md) decides whether it may happen now and
    which province writes it. The payload fields depend on the step."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [dx.STEP_IN]})
    step: StepName
    actor: ActorIn
    payload: dict[str, Any] = Field(default_factory=dict)
    occurred_at: str | None = Field(None, json_schema_extra={"format": "date-time"})
    record_id: RecordId | None = None
    comment: str | None = Field(None, max_length=500, description="Evaluation only: kept "
                                "in this database; the record holds a keyed digest.")


class StepResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [dx.STEP_RESULT]})
    receipt: Receipt
    case: Case


class CaseSummary(BaseModel):
    case_no: str
    item_code: str
    receiving_province: int
    handling_province: int
    state: State
    decision: str | None
    submitted_at: str
    due_date: str | None
    late: bool


class CasePage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [dx.CASE_PAGE]})
    cases: list[CaseSummary]
    next_after: str | None


class TraceStep(BaseModel):
    index: int
    step: str
    label: str
    kind: str
    province: int
    seq: int
    record_id: str
    occurred_at: str
    leaf_hash: Hash = Field(description="Recomputed from the stored record.")
    prev: str | None
    links_to_previous: bool
    altered: bool
    status: Literal["pending", "sealed", "anchored"]
    batch: dict[str, Any] | None
    anchor: dict[str, Any] | None
    record: dict[str, Any] | None
    evidence: dict[str, Any] | None = Field(description="govtrace.evidence/1 bundle; null "
                                            "until sealed.")


class TraceBreak(BaseModel):
    index: int
    record_id: str | None
    reason: Literal["altered", "missing-predecessor", "fork", "missing-latest",
                    "length-mismatch"]
    detail: str


class Trace(BaseModel):
    """Every record of the case in chain order, across provinces. `complete` is true only
    when every `prev` names the record before it and the chain ends at the ledger's head."""

    model_config = ConfigDict(json_schema_extra={"examples": [dx.TRACE]})
    subject: dict[str, str]
    complete: bool
    breaks: list[TraceBreak]
    length: int
    head: str | None
    provinces: list[int]
    steps: list[TraceStep]


class PublicStep(BaseModel):
    step: str
    label: str
    province: ProvinceRef
    occurred_at: str
    anchored: bool
    status: Literal["pending", "sealed", "anchored"]
    leaf_hash: str


class PublicCase(BaseModel):
    """A citizen's view of their own case: progress only, no personal data."""

    model_config = ConfigDict(json_schema_extra={"examples": [dx.PUBLIC]})
    case_no: str
    item: dict[str, str]
    receiving_province: ProvinceRef
    handling_province: ProvinceRef
    state: State
    state_label: str
    decision: str | None
    submitted_at: str
    deadline: dict[str, Any]
    steps: list[PublicStep]
    chain_complete: bool


REQUEST_MODELS: tuple[type[BaseModel], ...] = (CatalogueIn, CaseIn, StepIn)
