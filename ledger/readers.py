"""How the command models read a field before pydantic checks its type: a day, an event number,
a JSON integer, printable text. Compiled with the judging path (`ledger._native`): an import
calls them for nearly every field of every line."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic_core import PydanticCustomError

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EVENT_NUMBER = re.compile(r"#?\d{1,9}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_DAYS: dict[str, dt.date] = {}  # days already read: an import reads the same few thousand again and again
_DAYS_KEPT = 100_000


def read_day(value: Any) -> Any:
    """A day written YYYY-MM-DD (or a date); never a date and time."""
    if type(value) is str:
        known = _DAYS.get(value)
        if known is not None:
            return known
        day = _read_day(value)
        if len(_DAYS) < _DAYS_KEPT:
            _DAYS[value] = day
        return day
    return _read_day(value)


def _read_day(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("give a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DAY.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as error:
            raise ValueError(f"{value!r} is not a real date ({error})") from None
    raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD")


def event_number(value: Any) -> Any:
    """An event number: 7, or "#7" / "7" as people write it."""
    if isinstance(value, str) and _EVENT_NUMBER.fullmatch(value.strip()):
        return int(value.strip().lstrip("#"))
    return value


def printable(value: Any) -> Any:
    """Text is stored for good and shown to people: no NUL, no terminal escape codes."""
    # Printable ASCII (the usual text) holds none; anything else is searched.
    if isinstance(value, str) and not (value.isascii() and value.isprintable()) and _CONTROL.search(value):
        raise ValueError("text must not hold control characters (NUL, escape codes and the like)")
    return value


def json_integer(value: Any) -> Any:
    """A JSON number: true is not 1 and "12" is not 12 (the CLI converts its own options); 12.0 is 12."""
    if isinstance(value, (bool, str)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value
