"""Per-app state of the case and license API (calendar, citizen rate limiter), and the one
call `create_app` makes to mount it. Kept on `app.state.casework`, never in module globals,
like the rest of the app's state (api/app.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from govtrace.settings import Settings
from ledger.workcalendar import Calendar

from .ratelimit import QueryLimiter

TAGS = [
    {"name": "catalogue", "description": "Service items (事项) per handling province."},
    {"name": "cases", "description": "Cases (办件) across provinces: submit, steps (the state "
                                     "machine decides), status with deadline, trace."},
    {"name": "licenses", "description": "Electronic licenses (电子证照): issue, status events, "
                                        "verification for partner provinces."},
    {"name": "public", "description": "Citizens' progress query with the query code; no key."},
]


@dataclass(frozen=True, slots=True)
class Casework:
    calendar: Calendar
    limiter: QueryLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> Casework:
        return cls(Calendar.load(settings.holiday_calendar),
                   QueryLimiter(settings.public_query_per_case, settings.public_query_per_ip,
                                settings.public_query_window_seconds))


async def get_casework(request: Request) -> Casework:
    cw = request.app.state.casework
    assert isinstance(cw, Casework)
    return cw


CaseworkDep = Annotated[Casework, Depends(get_casework)]


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the catalogue, case, license and public routers on `app`."""
    # Imported here: the routers import CaseworkDep from this module.
    from .routes import cases, catalogue, licenses, public

    app.state.casework = Casework.from_settings(settings)
    if app.openapi_tags is not None:
        app.openapi_tags.extend(TAGS)
    for module in (catalogue, cases, licenses, public):
        app.include_router(module.router)
