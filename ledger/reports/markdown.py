"""Stored text in the Markdown outputs (the complaint file, the annual report, `ledger history
--format md`): shown as written, never changing the document's structure.

A name, a begrundelse or an authority's text is written by people outside this code. In Markdown,
raw HTML passes through to the reader's renderer, and `#`, `>`, `-`, `*`, `_`, `|`, `[` and the
backtick make headings, quotes, lists, emphasis, table cells, links and code. So every stored text
is escaped: `<` and `>` as the entities `&lt;` and `&gt;` (no tag, comment or script can start), an
`&` that would begin an entity as `&amp;`, and the Markdown characters with a backslash (`\\*`), a
block marker only where a line starts with it. A renderer shows the text exactly; a bare `&`, an
apostrophe or a hyphen inside a name is left as it is.
"""

from __future__ import annotations

import re

_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")
# What makes a line a heading, a quote, a list item, a thematic break or a setext underline.
_BLOCK_START = re.compile(r"^([#+\-=]|\d{1,9}(?=[.)]))")
_CODE_SPAN = re.compile(r"`([^`]+)`")


def inline(text: str, *, starts_line: bool = True) -> str:
    """Stored text as one line of inline Markdown (a heading, a list item, a table cell): line
    breaks become spaces, and nothing in it is markup. `starts_line=False` where the text cannot
    begin a block (a table cell, the value after a list item's bold key), so a leading '-' stays."""
    return _escape_line(" ".join(str(text).split("\n")).replace("\r", " ").strip(), first=starts_line)


def lines(text: str) -> list[str]:
    """Stored text as lines of a Markdown paragraph: each escaped as `inline`, its line breaks kept."""
    return [_escape_line(line.rstrip()) for line in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def with_code(text: str) -> str:
    """A paragraph of the ledger's own text, where `backticks` mark a command or a digest: those
    spans stay code (when they hold nothing HTML-like) and the rest is escaped as `inline`."""
    parts = _CODE_SPAN.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2 and not re.search(r"[<>&]", part):
            out.append(f"`{part}`")
        elif index % 2:
            out.append(_escape_line(f"`{part}`", first=False))
        else:
            out.append(_escape_line(part, first=index == 0))
    return "".join(out)


def _escape_line(text: str, *, first: bool = True) -> str:
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    text = _PUNCTUATION.sub(r"\\\1", text)
    if first:
        stripped = text.lstrip()
        match = _BLOCK_START.match(stripped)
        if match:
            # A digit run ends in '.' or ')': escape that; '#', '-', '+', '=' are escaped themselves.
            at = match.end() if match.group(1)[0].isdigit() else 0
            stripped = stripped[:at] + "\\" + stripped[at:]
        text = stripped
    return text
