"""Page language: Chinese by default, English on request, and the message catalog.

The language comes from `?lang=` (which the switch link sets, and which is remembered in a
cookie), then that cookie, then Accept-Language, then Chinese: the citizens served are in
China, and a partner clerk abroad is the exception. Each message keeps both languages side
by side, so a message cannot exist in one language only.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request

from ledger.province import PROVINCES

from .catalog import MESSAGES

LANGS = ("zh", "en")
DEFAULT = "zh"
COOKIE = "govtrace_lang"
#: `lang` attribute per page language (BCP 47).
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def _from_accept_language(header: str) -> str | None:
    best: tuple[float, str] | None = None
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q > 0 and (best is None or q > best[0]):
            best = (q, primary)
    return None if best is None else best[1]


def negotiate(request: Request) -> tuple[str, bool]:
    """(language, chosen explicitly by `?lang=`): the caller remembers explicit choices."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked, True
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGS:
        return cookie, False
    return _from_accept_language(request.headers.get("accept-language", "")) or DEFAULT, False


class Translator:
    """`t("key", n=3)`: the message in one language, with `{name}` fields filled in."""

    def __init__(self, lang: str, catalog: Mapping[str, tuple[str, str]] = MESSAGES) -> None:
        self.lang = lang
        self._index = LANGS.index(lang)
        self._catalog = catalog

    def __call__(self, key: str, **fields: object) -> str:
        text = self._catalog[key][self._index]
        return text.format(**fields) if fields else text

    def has(self, key: str) -> bool:
        return key in self._catalog

    def province(self, code: int | None) -> str:
        if code is None:
            return "—"
        names = PROVINCES.get(code)
        return f"{code}" if names is None else f"{names[self._index]} ({code})"

    def province_short(self, code: int) -> str:
        names = PROVINCES.get(code)
        return f"{code}" if names is None else names[self._index]

    def state(self, state: str, fallback: str) -> str:
        """A case state in this language; `fallback` (the ledger's Chinese label) otherwise."""
        key = f"state.{state}"
        return self(key) if key in self._catalog else fallback

    def step(self, step: str, fallback: str) -> str:
        key = f"step.{step}"
        return self(key) if key in self._catalog else fallback

    def kind(self, kind: str) -> str:
        """A record kind (`case.accepted`) in words when the catalog knows it."""
        family, _, name = kind.partition(".")
        key = f"{'step' if family == 'case' else 'event'}.{name}"
        return self(key) if key in self._catalog else kind

    @property
    def other(self) -> str:
        """The language the switch link offers."""
        return LANGS[1 - self._index]
