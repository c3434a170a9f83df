"""OpenAPI helpers. Request bodies are read raw (one parse, one validation, in the ledger), so
FastAPI cannot derive their schemas: routes describe them with `json_body`, and
`complete_schema` adds the referenced models to `components.schemas`. Errors are documented
as `application/problem+json` with one example per problem type.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from govtrace.settings import Settings

from . import problems
from .schemas import Problem, RecordBatchIn, RecordIn
from .schemas import cases as case_schemas
from .schemas import licenses as license_schemas

REF = "#/components/schemas/"
#: Models referenced from `json_body`/`problem_responses` but used by no FastAPI parameter.
EXTRA_MODELS: tuple[type[BaseModel], ...] = (RecordIn, RecordBatchIn, Problem,
                                              *case_schemas.REQUEST_MODELS,
                                              *license_schemas.REQUEST_MODELS)

_EXAMPLE_DETAILS = {
    "malformed-json": "request body is not valid JSON: unexpected end of data (at character 87)",
    "unauthorized": "the API key is invalid or has been revoked",
    "forbidden": "this key writes only for province 310000, not 320000; nothing was written",
    "not-found": "no record 0f8b7c1e-3c55-4d5e-9a41-6f7d2b9e8a10",
    "duplicate-record": "record 0f8b7c1e-3c55-4d5e-9a41-6f7d2b9e8a10 exists with different "
                        "content",
    "chain-conflict": "prev of 6d1f0a52-8e0b-4c1a-b7a2-3f4e5d6c7b8a is not the latest record "
                      "of case SH-2026-000123 (latest is 0x1cf5…2da8)",
    "not-sealed": "record 0f8b7c1e-3c55-4d5e-9a41-6f7d2b9e8a10 is waiting to be sealed into a "
                  "batch; an evidence bundle exists once its batch is sealed (usually within "
                  "seconds): retry later",
    "body-too-large": "request body exceeds the limit of 8388608 bytes",
    "unsupported-media-type": "send the body as application/json",
    "invalid-record": "occurred_at must be an RFC 3339 timestamp with a zone, e.g. "
                      "2026-11-25T08:00:00Z",
    "not-canonicalizable": "payload.amount: number 12.5 has a fraction or exponent; records "
                           "admit only integers (send decimals as strings)",
    "invalid-request": "query.limit: Input should be less than or equal to 500",
    "too-many-records": "a batch holds at most 5000 records; this one has 5001",
    "storage-error": "the ledger database is temporarily unavailable; retry later",
}
_EXAMPLE_FIELDS = {"invalid-record": "occurred_at", "not-canonicalizable": "payload.amount",
                   "invalid-request": "query.limit"}


def json_body(model: type[BaseModel], examples: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    """`openapi_extra` documenting a JSON request body of `model`; examples: name -> (summary,
    value)."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": REF + model.__name__},
        "examples": {name: {"summary": summary, "value": value}
                     for name, (summary, value) in examples.items()},
    }}}}


def ok(model: type[BaseModel], description: str, example: Any) -> dict[str, Any]:
    """A `responses` entry for a success status, with its example."""
    return {"model": model, "description": description,
            "content": {"application/json": {"example": example}}}


def problem_responses(*codes: str) -> dict[int | str, dict[str, Any]]:
    """`responses` entries for problem `codes`, grouped by HTTP status."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        status, title = problems.CATALOG[code]
        entry = out.setdefault(status, {"description": "", "content": {problems.MEDIA_TYPE: {
            "schema": {"$ref": REF + "Problem"}, "examples": {}}}})
        entry["description"] = "; ".join(filter(None, (entry["description"], title)))
        value: dict[str, Any] = {"type": problems.TYPE_BASE + code, "title": title,
                                 "status": status, "detail": _EXAMPLE_DETAILS.get(code, title),
                                 "instance": "/v1/records"}
        if code in _EXAMPLE_FIELDS:
            value["field"] = _EXAMPLE_FIELDS[code]
        entry["content"][problems.MEDIA_TYPE]["examples"][code] = {"summary": title,
                                                                     "value": value}
    return out


#: Problems any authenticated route can answer (writes add "forbidden").
AUTH_PROBLEMS = ("unauthorized", "invalid-request", "storage-error")


def complete_schema(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Add EXTRA_MODELS to components and state limits that come from settings."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in EXTRA_MODELS:
        model_schema = model.model_json_schema(ref_template=REF + "{model}")
        components.update(model_schema.pop("$defs", {}))
        components[model.__name__] = model_schema
    components["RecordBatchIn"]["properties"]["records"]["maxItems"] = settings.max_batch_records
    return schema
