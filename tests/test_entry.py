"""How the ledger is started: `python -m ledger`, the version from one source, the top-level --db."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

from support import run_cli

ROOT = Path(__file__).resolve().parent.parent


def test_python_dash_m_ledger_runs_the_same_command_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ledger", "init", "--db", str(tmp_path / "l.db")],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Created an empty ledger" in result.stdout
    helped = subprocess.run([sys.executable, "-m", "ledger", "--help"], capture_output=True, text=True, check=False)
    assert helped.returncode == 0 and helped.stdout.startswith("Usage: python -m ledger ")


def test_the_version_printed_is_the_one_in_pyproject() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert version("supervision-ledger") == declared
    result = run_cli(["--version"], None)
    assert result.exit_code == 0 and result.output.strip() == f"ledger, version {declared}"


def test_the_top_level_db_option_names_the_database_of_the_command(tmp_path: Path) -> None:
    path = str(tmp_path / "top.db")
    assert run_cli(["--db", path, "init"], None).exit_code == 0
    assert Path(path).exists()
    listed = run_cli(["--db", path, "offers"], None)
    assert listed.exit_code == 0, listed.output
    missing = run_cli(["--db", str(tmp_path / "none.db"), "offers"], None)
    assert missing.exit_code == 4 and "ledger init" in missing.output


def test_every_option_of_every_decision_has_help_and_choices_forgive_spelling() -> None:
    import click

    from ledger.commands import COMMANDS
    from ledger.console.decisions import FoldedChoice, decision_command

    for name in COMMANDS:
        for param in decision_command(name).params:
            if isinstance(param, click.Option):
                assert param.help, f"ledger {name} {param.opts[0]} has no help"
    karakter = next(p for p in decision_command("paabud").params if p.name == "karakter")
    assert isinstance(karakter.type, FoldedChoice)
    assert [karakter.type.convert(v, None, None) for v in ("Økonomisk", "OEKONOMISK", "fysiske rammer", "nope")] == [
        "oekonomisk", "oekonomisk", "fysiske_rammer", "nope"
    ]
    emne = next(p for p in decision_command("klage").params if p.name == "emne")
    assert "sagsbehandlingstid" not in (emne.help or "") and "personalets" not in (emne.help or "")


def test_offers_status_and_type_accept_danish_letters_and_any_case(tmp_path: Path) -> None:
    import json

    from support import approved, dialog, paabud

    def jsonl_of(*commands: dict[str, object]) -> str:
        return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in commands)

    db = str(tmp_path / "l.db")
    assert run_cli(["init", "--db", db]).exit_code == 0
    assert run_cli(["submit", "-", "--db", db], jsonl_of(*approved(), dialog(), paabud())).exit_code == 0
    for spelling in ("påbud", "Påbud", "PAABUD", "paabud"):
        result = run_cli(["offers", "--db", db, "--status", spelling, "--as-of", "2024-10-01", "--format", "json"])
        assert result.exit_code == 0 and '"count": 1' in result.output, (spelling, result.output)
    typed = run_cli(["offers", "--db", db, "--tilbudstype", "sel107", "--status", "Godkendt", "--as-of", "2024-10-01"])
    assert typed.exit_code == 0 and "T-1" in typed.output
    wrong = run_cli(["offers", "--db", db, "--status", "paabudd"])
    assert wrong.exit_code == 2 and "unknown status 'paabudd'" in wrong.output


def test_stats_shows_money_as_kroner_and_figures_by_their_names() -> None:
    from ledger.reports.stats import _amount, _shown

    assert _amount("tilsynstakster_oere", 3_605_000_000) == "36.050.000,00 kr"
    assert _shown("tilsyn_i_alt") == "Tilsyn i alt" and _amount("anmeldte", 7) == "7"
