"""Working-day calendars: weekends, public holidays and make-up working days (调休).

Promised time limits (承诺时限) count working days in China Standard Time. A calendar file
lists, per covered year, the holidays and the weekend days that are working days:

    {"name": "...", "years": [2026], "holidays": ["2026-10-01", ...],
     "workdays": ["2026-10-10", ...]}

Outside its `years` a calendar knows only weekends; `covers` lets callers say so instead of
silently trusting a guess. The 2026 PRC calendar ships as sample data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from . import timestamps
from .errors import InvalidInput

#: China Standard Time has no daylight saving: a fixed offset needs no tz database.
CHINA = timezone(timedelta(hours=8), "CST")
SAMPLE = "holidays-cn-2026.json"


def local_date(value: str | datetime) -> date:
    """The date in China of an RFC 3339 timestamp (or aware datetime)."""
    dt = timestamps.parse(value, field="timestamp") if isinstance(value, str) else value
    return dt.astimezone(CHINA).date()


@dataclass(frozen=True, slots=True)
class Calendar:
    name: str
    years: frozenset[int]
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_workday(self, d: date) -> bool:
        if d in self.workdays:
            return True
        return d not in self.holidays and d.weekday() < 5

    def covers(self, d: date) -> bool:
        return d.year in self.years

    def days_covered(self, today: date) -> int:
        """Days from `today` through the last day of the years covered without a break from
        today's year on (today included); 0 when today's year is not covered.

        Operators alert on it (`/metrics`) so that next year's State Council notice is
        loaded before new deadlines start counting weekends only.
        """
        year = today.year
        while year in self.years:
            year += 1
        return (date(year, 1, 1) - today).days if year > today.year else 0

    @classmethod
    def weekends_only(cls) -> Calendar:
        return cls("weekends only", frozenset(), frozenset(), frozenset())

    @classmethod
    def from_json(cls, obj: Any) -> Calendar:
        if not isinstance(obj, dict):
            raise InvalidInput("a calendar is a JSON object {name, years, holidays, workdays}")
        years = obj.get("years", [])
        if not isinstance(years, list) or not all(type(y) is int for y in years):
            raise InvalidInput("calendar.years must be a list of years", field="years")
        holidays = _dates(obj.get("holidays", []), "holidays")
        workdays = _dates(obj.get("workdays", []), "workdays")
        if both := sorted(holidays & workdays):
            raise InvalidInput(f"{both[0]} is both a holiday and a working day",
                               field="workdays")
        if weekday := sorted(d for d in workdays if d.weekday() < 5):
            raise InvalidInput(f"make-up working day {weekday[0]} is not a weekend day",
                               field="workdays")
        if outside := sorted(d for d in holidays | workdays if d.year not in years):
            raise InvalidInput(f"{outside[0]} lies outside the calendar's years {years}",
                               field="years")
        name = obj.get("name", "calendar")
        return cls(str(name), frozenset(years), frozenset(holidays), frozenset(workdays))

    @classmethod
    def load(cls, path: Path | None = None) -> Calendar:
        """A calendar file; without `path`, the shipped 2026 PRC sample."""
        if path is None:
            text = resources.files("ledger").joinpath("data", SAMPLE).read_text("utf-8")
        else:
            text = path.read_text("utf-8")
        try:
            obj = json.loads(text)
        except ValueError as exc:
            raise InvalidInput(f"calendar {path or SAMPLE} is not JSON: {exc}") from exc
        return cls.from_json(obj)


def _dates(values: Any, field: str) -> set[date]:
    if not isinstance(values, list):
        raise InvalidInput(f"calendar.{field} must be a list of dates", field=field)
    out: set[date] = set()
    for v in values:
        try:
            out.add(date.fromisoformat(v))
        except (TypeError, ValueError):
            raise InvalidInput(f"calendar.{field}: {v!r} is not a date YYYY-MM-DD",
                               field=field) from None
    return out
