"""The command line: exact exit codes and output; refusals leave the ledger byte-for-byte as it was;
every command has help with an example."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from support import approved, besoeg, dialog, godkendelse, paabud, run_cli

import cli
from cli import ledger
from ledger.commands import COMMANDS


def jsonl(*commands: dict[str, Any]) -> str:
    return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in commands)


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "ledger.db"
    result = run_cli(["init", "--db", str(path)], None)
    assert result.exit_code == 0, result.output
    return str(path)


def digest_of(db: str) -> str:
    return hashlib.sha256(Path(db).read_bytes()).hexdigest()


def test_init_creates_an_empty_ledger_and_is_safe_to_repeat(tmp_path: Path) -> None:
    path = str(tmp_path / "l.db")
    first = run_cli(["init", "--db", path], None)
    assert first.exit_code == 0 and "Created an empty ledger" in first.output
    # Given a ledger holding an offer's events
    assert run_cli(["submit", "-", "--db", path], jsonl(*approved(), besoeg())).exit_code == 0
    history = run_cli(["history", "T-1", "--db", path, "--format", "json"], None).output
    before = digest_of(path)
    # When init runs again, then it succeeds and every event is still there, unchanged
    second = run_cli(["init", "--db", path], None)
    assert second.exit_code == 0, second.output
    assert digest_of(path) == before
    assert run_cli(["history", "T-1", "--db", path, "--format", "json"], None).output == history
    assert len(json.loads(history)["entries"]) == 3
    assert run_cli(["verify", "--db", path], None).exit_code == 0


def test_a_command_on_a_missing_ledger_says_to_run_init(tmp_path: Path) -> None:
    result = run_cli(["status", "T-1", "--db", str(tmp_path / "none.db")], None)
    assert result.exit_code == 4
    assert "ledger init" in result.output


def test_submit_records_a_file_atomically(db: str, tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(jsonl(*approved(), besoeg(), dialog(), paabud()), encoding="utf-8")
    result = run_cli(["submit", str(path), "--db", db], None)
    assert result.exit_code == 0, result.output
    assert "Recorded 5 events from 5 lines for 1 offer(s): T-1." in result.output


def test_submit_reads_stdin(db: str) -> None:
    result = run_cli(["submit", "-", "--db", db, "--format", "json"], jsonl(*approved()))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["events"] == 2 and data["receipts"][1]["events"][0]["type"] == "Godkendt"


@pytest.mark.parametrize(
    ("line", "code", "message"),
    [
        ("{not json", 2, "line 3: not valid JSON"),
        (json.dumps({"command": "tilsynsbesoeg", "offer": "T-1", "date": "2024-02-30", "form": "anmeldt"}), 2, "line 3: date:"),
        (json.dumps({"command": "flyt-tilbud", "offer": "T-1", "date": "2024-05-01"}), 2, "unknown command 'flyt-tilbud'"),
        (json.dumps({"command": "tilsynsbesoeg", "offer": "T-1", "date": "2024-05-01", "form": "anmeldt", "farve": "blå"}), 2, "farve: unknown field"),
        (json.dumps(paabud()), 3, "line 3: bek § 8 stk 1"),
        (json.dumps(besoeg(offer="T-9")), 4, "line 3: the offer has no case"),
        (json.dumps(besoeg(date="2099-01-01")), 2, "is in the future"),
    ],
)
def test_a_bad_line_refuses_the_whole_file_naming_its_line(db: str, tmp_path: Path, line: str, code: int, message: str) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(jsonl(*approved()) + line + "\n" + jsonl(besoeg()), encoding="utf-8")
    before = digest_of(db)
    result = run_cli(["submit", str(path), "--db", db], None)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert result.output.startswith("Error: ")
    assert digest_of(db) == before


def test_submit_each_stores_line_by_line_until_the_first_refusal(db: str, tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(jsonl(*approved(), besoeg(), paabud(), besoeg(date="2024-06-01")), encoding="utf-8")
    result = run_cli(["submit", str(path), "--db", db, "--each"], None)
    assert result.exit_code == 3
    assert "Stored 3 of 5 lines" in result.output and "line 4:" in result.output
    status = run_cli(["status", "T-1", "--db", db, "--format", "json"], None)
    assert json.loads(status.output)["seneste_tilsynsbesoeg"] == "2024-04-15"


def test_dry_run_judges_but_stores_nothing(db: str, tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(jsonl(*approved()), encoding="utf-8")
    before = digest_of(db)
    result = run_cli(["submit", str(path), "--db", db, "--dry-run"], None)
    assert result.exit_code == 0 and "Would record 2 events" in result.output
    assert digest_of(db) == before


def test_per_decision_commands_record_and_refuse_like_submit(db: str) -> None:
    ok = run_cli(["ansoegning", "T-7", "--date", "2024-01-10", "--navn", "Lærkely", "--tilbudstype", "SEL107",
                "--pladser", "12", "--ejerform", "privat", "--region", "Øst", "--afdeling", "Hus|Vej 1", "--db", db], None)
    assert ok.exit_code == 0, ok.output
    assert ok.output == "Recorded #1 Ansøgning modtaget for T-7\n"
    ok = run_cli(["godkendelse", "T-7", "--date", "2024-03-01", "--begrundelse", "OK", "--vilkaar", "Brandsyn|2024-06-01", "--db", db], None)
    assert ok.output == "Recorded #2 Godkendt med vilkår for T-7 (vilkaar V1)\n"
    before = digest_of(db)
    refused = run_cli(["skaerpet-tilsyn", "T-7", "--date", "2024-04-01", "--periode-til", "2024-09-01", "--baggrund", "kvalitet",
                     "--straks-begrundelse", "Akut risiko", "--begrundelse", "x", "--paabud", "Vagter|2024-05-01|organisatorisk", "--db", db], None)
    assert refused.exit_code == 3
    assert refused.output.startswith("Error: bek § 6 stk 2: skærpet tilsyn is decided for at most 3 months")
    assert digest_of(db) == before


def test_status_and_history_as_text_and_json(db: str, tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(jsonl(*approved(), besoeg(), dialog(), paabud()), encoding="utf-8")
    assert run_cli(["submit", str(path), "--db", db], None).exit_code == 0
    status = json.loads(run_cli(["status", "T-1", "--as-of", "2024-10-01", "--db", db, "--format", "json"], None).output)
    assert status["status"] == "godkendt" and status["flags"] == ["paabud"]
    assert status["paabud"]["P1"]["frist"] == "2024-11-01"
    text = run_cli(["status", "T-1", "--as-of", "2024-02-01", "--db", db], None).output
    assert "Status 1 February 2024: Ansøgt" in text
    history = json.loads(run_cli(["history", "T-1", "--db", db, "--format", "json"], None).output)
    entries = history["entries"]
    assert [e["number"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[4]["paragraph"].startswith("bek §§ 7-9") and entries[4]["status_after"] == "godkendt"
    assert {"date", "recorded_at", "by", "event", "summary", "paragraph", "regelsaet"} <= set(entries[0])
    md = run_cli(["history", "T-1", "--db", db, "--format", "md"], None).output
    assert md.startswith("# History of T-1") and "| 5 | 2024-09-20 |" in md


def test_bad_options_are_clear_errors(db: str) -> None:
    result = run_cli(["status", "T-1", "--as-of", "31-12-2024", "--db", db], None)
    assert result.exit_code == 2 and "not a date" in result.output
    result = run_cli(["stats", "1066", "--db", db], None)
    assert result.exit_code == 2 and "outside" in result.output


def test_schema_describes_every_command() -> None:
    result = CliRunner().invoke(ledger, ["schema"])
    schema = json.loads(result.output)
    tags = set(schema["discriminator"]["mapping"])
    assert tags == set(COMMANDS)
    one = json.loads(CliRunner().invoke(ledger, ["schema", "--command", "paabud"]).output)
    assert "frist" in one["properties"] and "offer" in one["required"]


def test_the_decision_list_in_cli_matches_the_command_models() -> None:
    assert list(cli.DECISIONS) == list(COMMANDS)
    assert all(cli.DECISIONS[name] == model.SUMMARY for name, model in COMMANDS.items())


def _all_commands() -> list[list[str]]:
    group = ledger
    ctx = click.Context(group)
    paths = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            paths += [[name, sub] for sub in command.list_commands(ctx)]
        paths.append([name])
    return paths


@pytest.mark.parametrize("path", _all_commands(), ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example(path: list[str]) -> None:
    result = CliRunner().invoke(ledger, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert "ledger " in result.output.split("Example:", 1)[1]


def test_top_level_help_lists_the_commands() -> None:
    result = CliRunner().invoke(ledger, ["--help"])
    assert result.exit_code == 0
    for name in ("submit", "status", "history", "paabud", "skaerpet-tilsyn", "verify"):
        assert name in result.output


def test_godkendelse_needs_its_application(db: str) -> None:
    before = digest_of(db)
    result = run_cli(["submit", "-", "--db", db], jsonl(godkendelse()))
    assert result.exit_code == 4
    assert result.output.startswith("Error: line 1: ") and "ansoegning" in result.output, result.output
    assert digest_of(db) == before


def test_import_loads_a_file_in_batches_and_stops_at_a_refused_line(db: str, tmp_path: Path) -> None:
    from ledger.application import Ledger
    from ledger.verify import verify

    good = [*approved(), *approved(offer="T-2")] + [besoeg(date=f"2024-04-{d:02d}") for d in range(1, 21)]
    path = tmp_path / "big.jsonl"
    path.write_text(jsonl(*good, paabud(), besoeg(date="2024-05-01")), encoding="utf-8")
    result = run_cli(["import", str(path), "--db", db, "--batch", "100"], None)
    assert result.exit_code == 3 and "line 25: bek § 8 stk 1" in result.output
    assert "big.jsonl was stored: line 25 was refused before the first transaction." in result.output
    path.write_text(jsonl(*good), encoding="utf-8")
    result = run_cli(["import", str(path), "--db", db, "--batch", "100"], None)
    assert result.exit_code == 0 and "Imported 24 events from 24 lines" in result.output
    app = Ledger(db)
    assert verify(app.engine).ok and app.case("T-1").version == 22
    app.close()


def test_projections_check_says_ok_or_names_the_difference_and_exits_1(db: str) -> None:
    assert run_cli(["submit", "-", "--db", db], jsonl(*approved(), besoeg())).exit_code == 0
    assert run_cli(["projections", "rebuild", "--db", db], None).exit_code == 0  # the check itself catches nothing up
    ok = run_cli(["projections", "check", "--db", db], None)
    assert ok.exit_code == 0 and "OK: every row matches the ledger." in ok.stdout, ok.output
    import sqlite3

    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE case_states SET navn = 'Forkert'")
    bad = run_cli(["projections", "check", "cases", "--db", db, "--format", "json"], None)
    assert bad.exit_code == 1, bad.output
    report = json.loads(bad.stdout)
    assert not report["ok"] and report["differences"][0]["case"].startswith("T-1 (")
    assert "in navn" in report["differences"][0]["problem"]
    assert "run `ledger projections rebuild cases`" in bad.stderr
    assert run_cli(["projections", "rebuild", "cases", "--db", db], None).exit_code == 0
    assert run_cli(["projections", "check", "--db", db], None).exit_code == 0
