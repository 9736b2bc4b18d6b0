"""Danish for the people who read the ledger, English on request: every message has both, and the
numbers, money and dates are written as each language writes them."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import run_cli

from ledger import i18n

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import i18n as catalogues  # noqa: E402  (scripts/i18n.py)


def test_every_message_has_a_translation_in_both_languages() -> None:
    wanted = catalogues.messages()
    assert len(wanted) > 100
    for lang in i18n.LANGUAGES:
        assert catalogues.missing(lang, wanted) == [], f"untranslated in {lang}"


def test_a_translation_keeps_the_placeholders_of_its_message() -> None:
    danish = i18n.catalogue("da")
    for message, translated in danish.items():
        assert sorted(re.findall(r"\{[^}]*\}", message)) == sorted(re.findall(r"\{[^}]*\}", translated)), message


def test_the_paragraphs_of_the_law_stay_as_the_law_writes_them() -> None:
    for message, translated in i18n.catalogue("da").items():
        paragraph = r"§+ \d+(?:-\d+)?(?: stk \d+(?:-\d+)?)?(?: nr \d+)?"
        assert re.findall(paragraph, message) == re.findall(paragraph, translated), message


def test_danish_is_the_default_and_english_is_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "l.db")
    monkeypatch.delenv("LEDGER_LANG")
    assert run_cli(["init", "--db", db]).output.startswith("Oprettede et tomt register i ")
    assert run_cli(["offers", "--db", db, "--as-of", "2026-12-03"]).output == "Ingen tilbud passer (pr. 3. december 2026).\n"
    assert run_cli(["--lang", "en", "offers", "--db", db, "--as-of", "2026-12-03"]).output == "No offers match (as of 3 December 2026).\n"
    monkeypatch.setenv("LEDGER_LANG", "en")
    assert run_cli(["offers", "--db", db, "--as-of", "2026-12-03"]).output == "No offers match (as of 3 December 2026).\n"
    refused = run_cli(["--lang", "da", "status", "T-1", "--db", str(tmp_path / "none.db")])
    assert refused.exit_code == 4 and refused.output.startswith("Fejl: ")


def test_an_unknown_language_is_refused_with_exit_2(tmp_path: Path) -> None:
    result = run_cli(["--lang", "fr", "offers", "--db", str(tmp_path / "l.db")])
    assert result.exit_code == 2 and "unknown language 'fr'; one of: da, en" in result.output
    env_result = subprocess.run(
        [sys.executable, "-m", "ledger", "offers", "--db", str(tmp_path / "l.db")],
        capture_output=True, text=True, env={"LEDGER_LANG": "klingon", "PATH": ""}, check=False,
    )
    assert env_result.returncode == 2 and "klingon" in env_result.stderr


def test_numbers_money_and_dates_are_written_the_danish_way() -> None:
    i18n.choose("da")
    try:
        assert i18n.money(3_605_000_000) == "36.050.000,00\xa0kr."
        assert i18n.number(57151) == "57.151" and i18n.number(14.5, 1) == "14,5"
        assert i18n.day(dt.date(2026, 12, 3)) == "3. december 2026"
    finally:
        i18n.choose("en")
    assert i18n.number(57151) == "57,151" and i18n.day(dt.date(2026, 12, 3)) == "3 December 2026"
    i18n.choose(None)
