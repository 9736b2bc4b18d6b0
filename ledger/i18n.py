"""The language a person reads: Danish by default, English with `--lang en` or LEDGER_LANG=en.

Messages are written in the code in English and looked up in the gettext catalogue of the
language in use (`ledger/locale/<lang>/LC_MESSAGES/ledger.po`, read with Babel); numbers, money
and dates are formatted by Babel's rules for that language (`da_DK`: 36.050.000,00 kr.,
3. december 2026). A message missing from a catalogue is shown as written (English), and a test
fails for it. The paragraphs of the law are never translated.

Only what people read goes through here; what programs read (JSON, CSV keys, codes) does not.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("da", "en")
DEFAULT = "da"
LOCALES = {"da": "da_DK", "en": "en_GB"}
CATALOGUES = Path(__file__).resolve().parent / "locale"

_chosen: list[str] = []


def choose(lang: str | None) -> None:
    """Use this language from now on (the command line's --lang)."""
    _chosen[:] = [] if lang is None else [normalise(lang)]


def normalise(lang: str) -> str:
    code = lang.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    if code not in LANGUAGES:
        from ledger.errors import InvalidInput

        raise InvalidInput(f"unknown language {lang!r}; one of: {', '.join(LANGUAGES)}")
    return code


def language() -> str:
    if _chosen:
        return _chosen[0]
    wanted = os.environ.get("LEDGER_LANG")
    if wanted:
        try:
            return normalise(wanted)
        except Exception:  # noqa: BLE001 - a bad LEDGER_LANG is reported where the CLI starts
            return DEFAULT
    return DEFAULT


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """The translations of one language, by message: `ledger/locale/<lang>.json`, which
    `scripts/i18n.py update` compiles from the language's catalogues (`ledger.po`, what the command
    line and the reports say; `rules.po`, the law's refusals) and a test keeps in step with them.
    (JSON, not the .po files: reading those would cost every command tens of milliseconds.)"""
    import json

    path = CATALOGUES / f"{lang}.json"
    if not path.exists():
        return {}
    found: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return found


def N_(message: str) -> str:
    """A message marked where it is defined, translated with `_` where it is shown."""
    return message


def _(message: str) -> str:
    """The message in the language in use."""
    return catalogue(language()).get(message, message)


def locale() -> str:
    return LOCALES[language()]


def number(value: int | float, decimals: int = 0) -> str:
    """A number as the reader writes it: 14.666 (da), 14,666 (en)."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(value, format=pattern, locale=locale()))


def money(oere: int) -> str:
    """Integer øre as Danish kroner in the reader's style: 36.050.000,00 kr."""
    from babel.numbers import format_currency

    return str(format_currency(oere / 100, "DKK", locale=locale()))


def day(value: dt.date) -> str:
    """A date as the reader writes it: 3. december 2026 (da), 3 December 2026 (en)."""
    from babel.dates import format_date

    return str(format_date(value, format="long", locale=locale()))


def moment(value: dt.datetime) -> str:
    """A time of day on a date: 3. december 2026 kl. 14.05 (da)."""
    from babel.dates import format_datetime

    return str(format_datetime(value, format="medium", locale=locale()))
