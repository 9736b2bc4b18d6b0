"""File names for ids: one name per id, the same every time, safe on every file system.

An id the ledger accepts may hold any printable text (`T:3003`, `T/3003`, `Æble-1`, `..`), while a
file name must be short, must not climb out of its directory, and must stay distinct on a file
system that ignores case (`t-1` and `T-1` are two offers). `file_key()` keeps a plain id as it is
and gives every other id a readable, folded part and the hash of the exact id:

- an id of capital letters, digits and inner hyphens (`T-1004`, `K1`), at most 64 characters and
  not a name Windows reserves, is its own name;
- any other id becomes its ASCII-folded, upper-cased text with every other character as `_`
  (at most 40 of them), then `~` and the first 16 hex digits of the SHA-256 of the id's UTF-8 bytes.

The two kinds never meet (only the second holds `~`), names of the first kind differ exactly when
their ids do, and two ids of the second kind share a name only if their hashes share 64 bits.
Nothing in a name is upper and lower case of the same letter apart from the hex digits, which are
always lower case, so a case-insensitive file system keeps every name apart.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_PLAIN = re.compile(r"[A-Z0-9](?:[A-Z0-9-]{0,62}[A-Z0-9])?")
_UNSAFE = re.compile(r"[^A-Z0-9-]")
_FOLD = str.maketrans({"Æ": "AE", "æ": "ae", "Ø": "OE", "ø": "oe", "Å": "AA", "å": "aa", "ß": "ss"})
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(10)}
READABLE_LENGTH = 40


def file_key(text: str) -> str:
    """The file-name form of an id: injective, stable, and safe (see the module's docstring)."""
    if _PLAIN.fullmatch(text) and text not in _RESERVED:
        return text
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c)).upper()
    readable = _UNSAFE.sub("_", ascii_only)[:READABLE_LENGTH].strip("-") or "_"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{readable}~{digest}"
