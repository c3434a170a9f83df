"""The server app freezes its start-up heap for the GC (api/app.py); other apps do not."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from api import Services, create_app
from govtrace.settings import Settings
from ledger.store import Database


def _frozen_after_startup(tmp_path: Path, *, server: bool) -> int:
    settings = Settings(data_dir=tmp_path)
    db = Database(settings.database_options())
    app = create_app(settings, Services(db), server=server)

    async def start() -> int:
        async with app.router.lifespan_context(app):
            return gc.get_freeze_count()

    try:
        return asyncio.run(start())
    finally:
        gc.unfreeze()  # give this test process its GC back
        db.dispose()


def test_server_app_freezes_the_startup_heap(tmp_path: Path) -> None:
    gc.unfreeze()
    assert _frozen_after_startup(tmp_path, server=True) > 10_000


def test_other_apps_leave_the_gc_alone(tmp_path: Path) -> None:
    gc.unfreeze()
    assert _frozen_after_startup(tmp_path, server=False) == 0
