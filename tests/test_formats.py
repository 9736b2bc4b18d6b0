"""One --format for every command that prints records: JSON Lines that programs stream, CSV that
Danish Excel opens as it is (UTF-8 with BOM, `;`, CRLF), Markdown tables; the same records as JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from support import ansoegning, approved, besoeg, dialog, godkendelse, paabud, run_cli


def _jsonl(*commands: dict[str, object]) -> str:
    return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in commands)


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "l.db")
    assert run_cli(["init", "--db", path]).exit_code == 0
    lines = _jsonl(*approved(), besoeg(), dialog(), paabud(), ansoegning(offer="T-2", navn='Bo; "Lærkely"'), godkendelse(offer="T-2"))
    assert run_cli(["submit", "-", "--db", path], lines).exit_code == 0
    return path


def _excel(raw: bytes) -> list[list[str]]:
    """Read CSV as Danish Excel does: a BOM says UTF-8, `;` separates, CRLF ends a row."""
    assert raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would not read UTF-8"
    text = raw.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


@pytest.mark.parametrize(
    ("argv", "key"),
    [
        (["offers", "--as-of", "2024-10-01"], "offers"),
        (["deadlines", "--as-of", "2025-06-01", "--within", "365"], "deadlines"),
    ],
)
def test_every_format_carries_the_same_records(db: str, argv: list[str], key: str) -> None:
    whole = json.loads(run_cli([*argv, "--db", db, "--format", "json"]).output)[key]
    assert whole, "nothing to compare"
    lines = run_cli([*argv, "--db", db, "--format", "jsonl"]).output.splitlines()
    assert [json.loads(line) for line in lines] == whole
    table = _excel(run_cli([*argv, "--db", db, "--format", "csv"]).stdout_bytes)
    assert len(table) == len(whole) + 1
    column = table[0].index("offer")
    assert [row[column] for row in table[1:]] == [r["offer"] for r in whole]
    markdown = run_cli([*argv, "--db", db, "--format", "md"]).output.splitlines()
    assert markdown[1].startswith("|---|") and len(markdown) == len(whole) + 2


def test_a_name_with_the_separator_and_quotes_survives_csv(db: str) -> None:
    table = _excel(run_cli(["offers", "--db", db, "--format", "csv", "--as-of", "2024-10-01"]).stdout_bytes)
    assert 'Bo; "Lærkely"' in [row[1] for row in table]


def test_stats_as_json_lines_and_excel_csv(db: str) -> None:
    lines = [json.loads(line) for line in run_cli(["stats", "2024", "--db", db, "--format", "jsonl"]).output.splitlines()]
    visits = [r for r in lines if r["punkt"] == "2_tilsyn" and r["kategori"] == "tilsynsbesoeg" and r["region"] == "Nord"]
    assert visits == [{"aar": 2024, "region": "Nord", "punkt": "2_tilsyn", "kategori": "tilsynsbesoeg", "vaerdi": 1}]
    table = _excel(run_cli(["stats", "2024", "--db", db, "--format", "csv"]).stdout_bytes)
    assert table[0] == ["aar", "region", "punkt", "kategori", "vaerdi"]
    assert ["2024", "Nord", "2_tilsyn", "tilsynsbesoeg", "1"] in table
