"""How the command models read a field before pydantic checks its type: a day, an event number,
a JSON integer, printable text. Compiled with the judging path (`ledger._native`): an import
calls them for nearly every field of every line.

Text is stored for good, published and shown to people, so `printable` refuses in every text field
and id (the README's "The command format" says the same):

* a CPR number, in any spelling: six digits that are a real day and month (DDMMYY) and four more,
  read after Unicode normalisation (NFKC; format characters and combining marks dropped; any
  decimal digit counts), with or without separators (white space, dashes of every kind, `.`, `/`,
  `\\`, `_`, `,`, `:`, middle dots) between DD, MM, YY and the last four: `0101901234`,
  `010190-1234`, `01.01.90/1234`, `01-01-90-1234`, `010190\u2010 1234`. The digits must not be
  part of a longer run (`2024-01-08` and an 11-digit number are not CPR numbers);
* control characters (NUL, terminal escape codes), a carriage return that is not part of a line
  break, invisible formatting characters (bidi overrides, embeddings and isolates, zero-width
  characters, the byte order mark, soft hyphens, tags; a zero-width joiner only inside an emoji),
  the line and paragraph separators U+2028/U+2029, noncharacters, private-use characters and
  surrogates. Line breaks and tabs stay.

The usual text costs little: printable ASCII without a run of digits is passed by two string
methods and one scan of a precompiled pattern; only text that is not ASCII is normalised, and only
when it holds ten digits is it read character by character.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from pydantic_core import PydanticCustomError

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EVENT_NUMBER = re.compile(r"#?\d{1,9}")

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
    """Text is stored for good and shown to people: no personal numbers, no control characters,
    nothing invisible that changes how it reads (the module's docstring says what is refused)."""
    if isinstance(value, str) and value not in _CLEAN:
        refusal = text_refusal(value)
        if refusal is not None:
            raise ValueError(refusal)
        if len(_CLEAN) < _CLEAN_KEPT and len(value) <= 300:
            _CLEAN.add(value)
    return value


# Short texts already found clean: an import reads the same names, addresses and references again
# and again.
_CLEAN: set[str] = set()
_CLEAN_KEPT = 100_000

CPR_REFUSAL = (
    "the ledger holds no personal numbers (no personal data): the text looks like a CPR number "
    "(a real date DDMMYY and four digits, in any spelling)"
)


def text_refusal(value: str) -> str | None:
    """Why the text cannot be stored, or None."""
    if value.isascii():
        if len(value) >= 10 and _count(value.encode("ascii"), _DIGIT_BYTES) >= 10 and _holds_cpr_shape(value):
            return CPR_REFUSAL
    else:
        # Normalised (a fullwidth or mathematical digit becomes a digit), and read closely only if
        # it holds ten digits: ASCII ones, or characters from U+0660 on, where the other scripts'
        # digits are (their UTF-8 encoding begins with a byte from 0xD9).
        text = unicodedata.normalize("NFKC", value)
        if _count(text.encode("utf-8", "surrogatepass"), _DIGIT_OR_HIGH_BYTES) >= 10 and _holds_cpr_number(text):
            return CPR_REFUSAL
    if value.isprintable():
        return None  # every character refused below is one Python does not count as printable
    found = hostile_character(value)
    return None if found is None else _refusal(found)


def holds_cpr_number(text: str) -> bool:
    """Whether the text holds a CPR number in any spelling (see the module's docstring)."""
    return _holds_cpr_number(unicodedata.normalize("NFKC", text))


def _count(data: bytes, wanted: bytes) -> int:
    return len(data) - len(data.translate(None, wanted))


_DIGIT_BYTES = b"0123456789"
_DIGIT_OR_HIGH_BYTES = _DIGIT_BYTES + bytes(range(0xD9, 0x100))

# Between DD, MM, YY and the last four digits, at most a run of separators: white space, every dash
# (Unicode's Pd, the minus sign), the full stop, slashes, the low line, the comma, the colon and the
# middle dots. Read after normalisation, so a fullwidth or mathematical digit is a digit here.
_SEPARATORS = (
    r"[\s\-./\\_,:\u00b7\u02d7\u058a\u05be\u1400\u1806\u2010-\u2015\u2022\u2027\u2043\u2044"
    r"\u2212\u2215\u2219\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\u30fb\ufe31\ufe32"
    r"\ufe58\ufe63\uff0d\U00010ead]*"
)
_CPR_SHAPE = re.compile(rf"(\d\d){_SEPARATORS}(\d\d){_SEPARATORS}\d\d{_SEPARATORS}\d\d\d\d(?!\d)")
_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_INVISIBLE = frozenset(("Cf", "Mn", "Me"))


def _holds_cpr_number(text: str) -> bool:
    """The same, of normalised text: format characters and combining marks dropped."""
    if text.isascii():
        return _holds_cpr_shape(text)
    category = unicodedata.category
    invisible = _INVISIBLE
    return _holds_cpr_shape("".join([ch for ch in text if ch.isascii() or category(ch) not in invisible]))


def _holds_cpr_shape(text: str) -> bool:
    search = _CPR_SHAPE.search
    position = 0
    while True:
        found = search(text, position)
        if found is None:
            return False
        start = found.start()
        if start == 0 or not text[start - 1].isdecimal():  # a run's first digit, not one inside it
            day = int(found.group(1))
            month = int(found.group(2))
            if 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month]:
                return True
        position = start + 1


# What text must not hold: control characters but tab and line feed; a carriage return that does not
# begin a CR LF line break; every format character (Unicode's Cf, as of Unicode 14: soft hyphen,
# bidi marks, overrides, embeddings and isolates, zero-width characters, word joiner, invisible
# operators, the byte order mark, interlinear annotations, tags ...) but a zero-width joiner between
# two emoji; the line and paragraph separators; noncharacters; private-use characters; surrogates.
_SUSPECT = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f"
    r"\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    r"\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    r"\U000e0001\U000e0020-\U000e007f"
    r"\u2028\u2029"
    r"\ufdd0-\ufdef\ufffe\uffff\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff"
    r"\U0004fffe\U0004ffff\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff"
    r"\U0008fffe\U0008ffff\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff"
    r"\U000cfffe\U000cffff\U000dfffe\U000dffff\U000efffe\U000effff"
    r"\ue000-\uf8ff\U000f0000-\U0010ffff"
    r"\ud800-\udfff]"
)
_EMOJI = re.compile(r"[\u2190-\u2bff\ufe0f\U0001f000-\U0001faff]")


def hostile_character(text: str) -> str | None:
    """The first character the text must not hold, or None (a CR of a CR LF line break and a
    zero-width joiner between two emoji are kept)."""
    search = _SUSPECT.search
    position = 0
    while True:
        found = search(text, position)
        if found is None:
            return None
        character = found.group()
        at = found.start()
        position = at + 1
        if character == "\r":
            if not text.startswith("\n", position):
                return character
        elif character == "\u200d":
            if not (at > 0 and _EMOJI.match(text, at - 1) is not None and _EMOJI.match(text, position) is not None):
                return character
        else:
            return character


def _refusal(found: str) -> str:
    """What the text holds that it must not, named with its code point."""
    point = ord(found)
    code = f"U+{point:04X}"
    name = unicodedata.name(found, "")
    named = f"{code} {name}" if name else code
    if point < 0x20 or 0x7F <= point <= 0x9F:
        if found == "\r":
            return f"text must not hold control characters: a carriage return ({code}) must be followed by a line feed"
        return f"text must not hold control characters (NUL, escape codes and the like): {named}"
    if point in (0x2028, 0x2029):
        kind = "a line or paragraph separator (write a line feed)"
    elif 0xD800 <= point <= 0xDFFF:
        kind = "a surrogate (not a character)"
    elif 0xFDD0 <= point <= 0xFDEF or (point & 0xFFFE) == 0xFFFE:
        kind = "a noncharacter"
    elif 0xE000 <= point <= 0xF8FF or point >= 0xF0000:
        kind = "a private-use character"
    else:
        kind = "an invisible formatting character (it can make text read as other text)"
    return f"text must not hold {kind}: {named}"


def json_integer(value: Any) -> Any:
    """A JSON number: true is not 1 and "12" is not 12 (the CLI converts its own options); 12.0 is 12."""
    if isinstance(value, (bool, str)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value
