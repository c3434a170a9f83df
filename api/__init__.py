"""HTTP API (FastAPI): the only place ledger errors become HTTP. Build it with `create_app`."""

from .app import create_app
from .services import Services

__all__ = ["Services", "create_app"]
