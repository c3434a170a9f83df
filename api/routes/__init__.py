"""Routers, one per resource. Endpoints are sync `def` (SQLAlchemy here is sync, so FastAPI
runs them in its threadpool) and return ready `Response`s serialised with orjson: FastAPI
then skips its own validation and encoding of the return value, which we do not need for
dicts the ledger built."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from ledger.anchoring import Anchor
from ledger.batch import Batch


def json_response(content: Any, status_code: int = 200,
                  headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(content), status_code=status_code, headers=headers,
                    media_type="application/json")


def batch_view(batch: Batch) -> dict[str, Any]:
    return {**batch.to_json(), "sealed_at": batch.sealed_at}


def anchor_view(anchor: Anchor | None) -> dict[str, Any] | None:
    if anchor is None:
        return None
    return {"chain_id": anchor.chain_id, "contract": anchor.contract, "tx_hash": anchor.tx_hash,
            "block_number": anchor.block_number, "block_hash": anchor.block_hash,
            "status": anchor.status, "submitted_at": anchor.submitted_at,
            "confirmed_at": anchor.confirmed_at}
