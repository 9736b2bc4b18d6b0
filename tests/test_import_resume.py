"""A stopped import says where its stored part ends, and `ledger import FILE --resume` goes on
after it: the ledger that results is the one a clean import stores, nothing doubled; a file
imported whole before is a no-op; --dry-run stores nothing.

The ledgers are compared byte for byte (hashes and all), with a clock that stands still."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from support import close_cached_apps, paabud, run_cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import generate  # noqa: E402  (scripts/ is not a package)

from ledger.application import Ledger  # noqa: E402
from ledger.bulk import import_lines  # noqa: E402
from ledger.console.importing import prepare  # noqa: E402
from ledger.errors import InvalidInput, LedgerError  # noqa: E402
from ledger.store import imports  # noqa: E402
from ledger.verify import verify  # noqa: E402

MOMENT = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def national() -> list[bytes]:
    out = io.BytesIO()
    generate.write_jsonl(out, 0.01, 5, rich=False)
    return out.getvalue().splitlines(keepends=True)


def _rows(url: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT id, originator_id, originator_version, topic, state, case_hash, ledger_hash FROM ledger_events ORDER BY id"
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def _file(tmp_path: Path, name: str, lines: list[bytes]) -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join(lines))
    return path


def _import_file(url: str, path: Path, *, workers: int, resume: bool = False, create: bool = True) -> tuple[int, int]:
    """What `ledger import` does, with a clock that stands still."""
    app = Ledger(url, create=create, clock=lambda: MOMENT, user="test")
    try:
        with path.open("rb") as file:
            start = prepare(app, file, path.name, resume=resume, dry_run=False)
            assert start.done is None, start.done
            return import_lines(app, file, batch=500, workers=workers, digest=start.digest, stored=start.stored)
    finally:
        app.close()
        app.engine.dispose()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failed_import_resumed_after_its_stored_part_equals_one_clean_import(
    national: list[bytes], tmp_path: Path, workers: int
) -> None:
    _failed_then_resumed(national, tmp_path, workers, f"sqlite:///{tmp_path / 'clean.db'}", f"sqlite:///{tmp_path / 'resumed.db'}")


@pytest.mark.postgres
def test_a_failed_import_resumed_on_postgresql_equals_one_clean_import(national: list[bytes], tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from conftest import pg_base_url, with_search_path

    clean = str(request.getfixturevalue("pg_schema_url"))  # skips (or fails in CI) without a server
    base = pg_base_url()
    assert base is not None
    engine = sa.create_engine(base)
    schema = f"ledger_test_{uuid.uuid4().hex[:12]}"
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    try:
        _failed_then_resumed(national, tmp_path, 2, clean, with_search_path(base, schema))
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()


def _failed_then_resumed(national: list[bytes], tmp_path: Path, workers: int, clean: str, resumed: str) -> None:
    refused_at = 4_321
    good = _file(tmp_path, "good.jsonl", national)
    bad = _file(tmp_path, "bad.jsonl", national[: refused_at - 1] + [json.dumps(paabud(offer="T-NONE")).encode() + b"\n"] + national[refused_at:])
    _import_file(clean, good, workers=workers)

    with pytest.raises(LedgerError) as caught:
        _import_file(resumed, bad, workers=workers)
    error = caught.value
    assert error.line_number == refused_at  # type: ignore[attr-defined]
    through = error.stored_through  # type: ignore[attr-defined]
    assert 0 < through < refused_at
    stored = _rows(resumed)
    assert len(stored) == error.stored > 0  # type: ignore[attr-defined]
    last = imports.latest(sa.create_engine(resumed))
    assert last is not None and last.through_line == through and not last.complete

    # The corrected file (the refused line as it should have been) goes on after line `through`.
    _import_file(resumed, good, workers=workers, resume=True, create=False)
    assert _rows(resumed) == _rows(clean)
    assert verify(sa.create_engine(resumed)).ok


def test_resume_refuses_a_file_whose_stored_lines_differ_and_stores_nothing(national: list[bytes], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    bad = _file(tmp_path, "bad.jsonl", national[:999] + [json.dumps(paabud(offer="T-NONE")).encode() + b"\n"])
    with pytest.raises(LedgerError):
        _import_file(url, bad, workers=1)
    before = _rows(url)
    other = _file(tmp_path, "other.jsonl", [national[1]] + national[:1] + national[2:1200])
    with pytest.raises(InvalidInput, match=r"lines 1-500 of other.jsonl are not the lines the last import stored"):
        _import_file(url, other, workers=1, resume=True, create=False)
    short = _file(tmp_path, "short.jsonl", national[:10])
    with pytest.raises(InvalidInput, match=r"short.jsonl has 10 lines, but the last import stored lines 1-500 of bad.jsonl"):
        _import_file(url, short, workers=1, resume=True, create=False)
    assert _rows(url) == before


def test_the_cli_names_the_stored_part_then_resumes_and_a_rerun_is_a_no_op(national: list[bytes], tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    assert run_cli(["init", "--db", db]).exit_code == 0
    lines = national[:2_000]
    bad = _file(tmp_path, "cases.jsonl", lines[:1_499] + [b'{"command": "paabud", "offer": \n'] + lines[1_500:])
    failed = run_cli(["import", str(bad), "--db", db, "--batch", "500"])
    assert failed.exit_code == 2, failed.output
    assert "cases.jsonl (in whole transactions); nothing from line" in failed.output
    assert "Correct line 1500 and run `ledger import" in failed.output and "--resume` to go on after line" in failed.output

    good = _file(tmp_path, "cases.jsonl", lines)
    resumed = run_cli(["import", str(good), "--db", db, "--resume", "--batch", "500"])
    assert resumed.exit_code == 0, resumed.output
    assert " lines after line " in resumed.output
    close_cached_apps()
    count = len(_rows(f"sqlite:///{db}"))

    again = run_cli(["import", str(good), "--db", db])
    assert again.exit_code == 0, again.output
    assert "was imported whole before" in again.output and "nothing stored" in again.output
    close_cached_apps()
    assert len(_rows(f"sqlite:///{db}")) == count


def test_import_dry_run_judges_the_whole_file_and_stores_nothing(national: list[bytes], tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    assert run_cli(["init", "--db", db]).exit_code == 0
    good = _file(tmp_path, "cases.jsonl", national[:3_000])
    judged = run_cli(["import", str(good), "--db", db, "--dry-run", "--batch", "500"])
    assert judged.exit_code == 0, judged.output
    assert "Judged " in judged.output and "nothing was stored (--dry-run)" in judged.output
    bad = _file(tmp_path, "bad.jsonl", national[:2_000] + [b"not json\n"])
    refused = run_cli(["import", str(bad), "--db", db, "--dry-run", "--batch", "500"])
    assert refused.exit_code == 2 and "line 2001" in refused.output and "Nothing was stored (--dry-run)" in refused.output
    close_cached_apps()
    assert _rows(f"sqlite:///{db}") == []


def test_progress_is_logged_every_few_seconds_when_stderr_is_not_a_terminal(
    national: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger.console import importing

    monkeypatch.setattr(importing, "LOG_EVERY", 0.0)
    db = str(tmp_path / "l.db")
    assert run_cli(["init", "--db", db]).exit_code == 0
    good = _file(tmp_path, "cases.jsonl", national[:12_000])
    result = run_cli(["import", str(good), "--db", db, "--workers", "1"])
    assert result.exit_code == 0, result.output
    logged = [line for line in result.output.splitlines() if line.startswith("import: ")]
    assert logged, result.output
    assert "% of the file" in logged[-1] and "events stored" in logged[-1] and "left" in logged[-1]


def test_the_catch_up_after_an_import_logs_its_progress_when_not_on_a_terminal(
    national: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger.console import common, views

    monkeypatch.setattr(common, "PROGRESS_LOG_EVERY", 0.0)
    monkeypatch.setattr(views, "CATCH_UP_SHOWN_FROM", 1_000)
    db = str(tmp_path / "l.db")
    assert run_cli(["init", "--db", db]).exit_code == 0
    good = _file(tmp_path, "cases.jsonl", national)
    assert run_cli(["import", str(good), "--db", db]).exit_code == 0
    listed = run_cli(["offers", "--db", db, "--format", "json"])
    assert listed.exit_code == 0
    logged = [line for line in listed.output.splitlines() if line.startswith("Bringing projections up to date: ")]
    assert logged and logged[-1].endswith("s left") and " % (" in logged[-1], listed.output[:500]
