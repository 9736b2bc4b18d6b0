"""Records written for programs and spreadsheets, the same way by every command: JSON Lines (one
record a line), CSV that Danish Excel opens as it is (UTF-8 with a byte-order mark, `;` between
fields, CRLF line ends), and Markdown tables.

A record is a flat-ish dict; a list in a field is joined with ", " in CSV and Markdown, and a
nested dict is written as its JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

BOM = "\ufeff"
CSV_SEPARATOR = ";"


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def jsonl(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV for Danish Excel: BOM, `;`, CRLF; the header names the columns by their JSON keys."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return BOM + buffer.getvalue()


def csv_records(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    return csv_text(columns, ([r.get(c) for c in columns] for r in records))


def markdown(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")

    lines = ["| " + " | ".join(escape(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(escape(cell(v)) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def markdown_records(records: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    return markdown([label for _key, label in columns], ([r.get(key) for key, _label in columns] for r in records))
