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


def test_report_commands_choose_their_files_with_files_not_format(tmp_path: Path) -> None:
    klage = {"command": "klage", "offer": "T-1", "date": "2024-10-01", "afgoerelse": 4, "emne": "afgoerelsens_indhold",
             "klager": "Bostedet Lærkely ApS", "afgoerelse_modtaget": "2024-09-22"}
    path = str(tmp_path / "l.db")
    assert run_cli(["init", "--db", path]).exit_code == 0
    assert run_cli(["submit", "-", "--db", path], _jsonl(*approved(), dialog(), paabud(), klage)).exit_code == 0
    out = tmp_path / "klage"
    written = run_cli(["complaint", "file", "T-1/K1", "--out", str(out), "--files", "md", "--db", path])
    assert written.exit_code == 0, written.output
    assert sorted(p.suffix for p in out.iterdir()) == [".md"]
    wrong = run_cli(["complaint", "file", "T-1/K1", "--out", str(out), "--files", "md,docx", "--db", path])
    assert wrong.exit_code == 2 and "--files takes a comma-separated list of md, json, pdf" in wrong.output
    report = tmp_path / "rapport"
    made = run_cli(["annual-report", "2024", "--region", "Nord", "--out", str(report), "--files", "md,json", "--db", path])
    assert made.exit_code == 0, made.output
    assert {p.suffix for p in report.iterdir()} <= {".md", ".json", ".svg"} and any(p.suffix == ".json" for p in report.iterdir())


def test_the_year_of_a_report_is_given_as_year_or_as_aar_like_the_decisions(db: str) -> None:
    positional = run_cli(["stats", "2024", "--db", db, "--format", "json"])
    named = run_cli(["stats", "--aar", "2024", "--db", db, "--format", "json"])
    assert positional.exit_code == named.exit_code == 0 and positional.output == named.output
    both = run_cli(["stats", "2024", "--aar", "2023", "--db", db])
    assert both.exit_code == 2 and "two years given: 2024 and --aar 2023" in both.output
    neither = run_cli(["stats", "--db", db])
    assert neither.exit_code == 2 and "give the year: YEAR or --aar YEAR" in neither.output


def test_history_as_json_lines_is_the_json_document_s_entries_one_a_line(db: str) -> None:
    from ledger.reports.outputs import validate

    whole = json.loads(run_cli(["history", "T-1", "--db", db, "--format", "json"]).output)["entries"]
    lines = [json.loads(line) for line in run_cli(["history", "T-1", "--db", db, "--format", "jsonl"]).output.splitlines()]
    assert lines == whole and len(lines) == 5
    for line in lines:
        validate("history-entry", line)
