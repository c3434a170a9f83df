"""Horizontal bar charts laid out on the server and drawn as inline SVG by the templates.

No chart library and no script: the page computes every rectangle, so charts render with
JavaScript off, under a CSP that forbids scripts, and print. The viewBox is phone-sized
(360 units wide) and scales up on wider screens, so labels stay readable on a phone. Each
chart has an SVG title and description, and pages also show the numbers in a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 360
LABEL_WIDTH = 112
VALUE_ROOM = 64  # room right of the longest bar for its value text
BAR_HEIGHT = 20
GAP = 10


@dataclass(frozen=True, slots=True)
class Item:
    label: str
    value: float
    value_text: str
    warn: bool = False


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value_text: str
    y: float
    height: float
    width: float
    warn: bool


@dataclass(frozen=True, slots=True)
class BarChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    label_width: int
    bars: tuple[Bar, ...]


def bar_chart(chart_id: str, title: str, description: str, items: Sequence[Item], *,
              max_value: float | None = None) -> BarChart:
    """Bars proportional to `value` (negative values draw as zero); `max_value` fixes the
    scale (e.g. 100 for percentages) instead of the largest value."""
    top = max_value if max_value is not None else max((i.value for i in items), default=0.0)
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    bars = []
    for n, item in enumerate(items):
        share = max(0.0, item.value) / top if top > 0 else 0.0
        # A non-zero value always shows a sliver, so "small" never looks like "none".
        width = max(2.0, round(room * min(1.0, share), 1)) if item.value > 0 else 0.0
        bars.append(Bar(_fit(item.label), item.value_text, GAP + n * (BAR_HEIGHT + GAP),
                        BAR_HEIGHT, width, item.warn))
    height = GAP + len(items) * (BAR_HEIGHT + GAP)
    return BarChart(chart_id, title, description, WIDTH, max(height, 2 * GAP), LABEL_WIDTH,
                    tuple(bars))


def _fit(label: str, limit: int = 14) -> str:
    """Labels longer than the label column are cut (the table beside shows them whole)."""
    return label if len(label) <= limit else label[:limit - 1] + "…"
