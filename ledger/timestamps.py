"""RFC 3339 timestamps in the one canonical form the protocol hashes.

Canonical form: `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, always six fractional digits), so the
same instant always has the same bytes in a leaf.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from .errors import InvalidRecord

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)
FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # what `render` produces (for strptime users)
#: Where "now" comes from: `now` below, unless a caller (the API's services, a test) says else.
Clock = Callable[[], datetime]


def parse(value: object, *, field: str) -> datetime:
    """Parse an RFC 3339 timestamp that carries a zone; return an aware UTC datetime."""
    if not isinstance(value, str) or not (m := _RFC3339.match(value)):
        raise InvalidRecord(
            f"{field} must be an RFC 3339 timestamp with a zone, e.g. 2026-11-25T08:00:00Z",
            field=field,
        )
    frac = (m.group(7) or ".0")[1:]
    if len(frac) > 6 and frac[6:].strip("0"):
        raise InvalidRecord(f"{field} has more than microsecond precision", field=field)
    text = value[: m.start(7)] if m.group(7) else value[: m.start(8)]
    zone = m.group(8).upper()
    try:
        offset = "+00:00" if zone == "Z" else zone
        dt = datetime.fromisoformat(f"{text}.{frac[:6].ljust(6, '0')}{offset}")
    except ValueError as exc:
        raise InvalidRecord(f"{field} is not a valid date/time: {exc}", field=field) from exc
    return dt.astimezone(UTC)


def render(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    # isoformat, not strftime(FORMAT): a quarter faster, and it pads years before 1000 to
    # four digits, where glibc's %Y wrote "999-…", a form `parse` then refused.
    return dt.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def normalize(value: object, *, field: str) -> str:
    return render(parse(value, field=field))


def now() -> datetime:
    return datetime.now(UTC)
