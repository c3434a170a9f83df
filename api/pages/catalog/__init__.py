"""Every text the pages show, as key -> (Chinese, English), one module per page.

Wording is for citizens and counter clerks, not engineers: say what happened and what to do.
Technical detail (reason codes, hashes) is shown beside the words, never instead of them.
`{name}` marks a field filled in at render time.
"""

from __future__ import annotations

from . import alerts, cases, site, supervision, verify

M = dict[str, tuple[str, str]]


def _merge(*parts: M) -> M:
    merged: M = {}
    for part in parts:
        clash = merged.keys() & part.keys()
        assert not clash, f"message keys defined twice: {sorted(clash)}"
        merged.update(part)
    return merged

MESSAGES: M = _merge(site.SITE, site.ERRORS, site.EXPLORER, verify.VERIFY, verify.CHECKS,
                     supervision.SUPERVISION, cases.CASES, alerts.ALERTS)
