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
