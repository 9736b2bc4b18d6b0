"""Scale-out and faults: live projections, concurrent writers in separate processes, kill -9
during submit and during a rebuild, the database failing mid-command."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from support import approved, besoeg, projection_rows
from workers import record_decisions

from ledger.application import Ledger
from ledger.bulk import BulkImporter
from ledger.commands import parse_command
from ledger.errors import LedgerError
from ledger.projections.runner import ProjectionRunner, up_to_date
from ledger.verify import current_digest, verify

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def cli(*args: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, **(env or {})}, timeout=300, **kwargs,
    )


def spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=ROOT, env={**os.environ, **(env or {})},
    )


def count(app: Ledger) -> int:
    with app.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(app.events_table)).scalar() or 0)


def wait_for(predicate: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


# -- live projections ------------------------------------------------------------------------

def test_following_keeps_every_projection_current_and_stopping_loses_nothing(app: Ledger, store_url: str) -> None:
    runner = ProjectionRunner(app)
    stop = threading.Event()
    follower = threading.Thread(target=runner.follow, args=(stop,), kwargs={"interval": 0.1})
    follower.start()
    try:
        app.execute([parse_command(c) for c in approved()])
        for day in range(1, 6):
            writer = Ledger(store_url, user="writer")
            writer.execute([parse_command(besoeg(date=f"2024-05-{day:02d}"))])
            writer.close()
        head = app.head()[0]
        wait_for(lambda: min(runner.positions().values()) == head)
    finally:
        stop.set()
        follower.join(timeout=30)
    assert not follower.is_alive()
    incremental = projection_rows(app)
    ProjectionRunner(app).rebuild()
    assert projection_rows(app) == incremental


def test_only_one_follower_per_projection_on_postgresql(pg_schema_url: str) -> None:
    app = Ledger(pg_schema_url, create=True, user="test")
    first, second = ProjectionRunner(app), ProjectionRunner(app)
    with first.exclusive():
        with pytest.raises(LedgerError, match="already being followed"):
            with second.exclusive():
                pass
    with second.exclusive():
        pass
    app.close()


def test_an_event_committed_between_the_followers_catch_up_and_its_wait_is_applied_without_another(
    pg_schema_url: str,
) -> None:
    # Given a follower on PostgreSQL that polls only once an hour, so that only its LISTEN can wake it
    app = Ledger(pg_schema_url, create=True, user="test")
    app.execute([parse_command(c) for c in approved()])
    runner = ProjectionRunner(app)
    stop = threading.Event()
    reports: list[int] = []

    def in_the_gap(position: int) -> None:
        # The hook runs after each catch-up and before the wait: the first time, another writer
        # commits an event there, after the follower's last read of the ledger.
        reports.append(position)
        if len(reports) == 1:
            writer = Ledger(pg_schema_url, user="writer")
            writer.execute([parse_command(besoeg())])
            writer.close()

    follower = threading.Thread(target=runner.follow, args=(stop,), kwargs={"interval": 3600, "on_caught_up": in_the_gap})
    follower.start()
    try:
        # When the event lands in the gap, then the follower applies it with no further event
        wait_for(lambda: min(runner.positions().values()) == 3, timeout=60)
    finally:
        stop.set()
        follower.join(timeout=30)
    assert not follower.is_alive()
    assert reports[:2] == [2, 3]
    assert count(app) == 3
    app.close()


def test_a_lost_notification_delays_the_follower_by_one_interval_at_most(
    pg_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a follower on PostgreSQL that looks again every half second without a notification
    app = Ledger(pg_schema_url, create=True, user="test")
    app.execute([parse_command(c) for c in approved()])
    runner = ProjectionRunner(app)
    stop = threading.Event()
    follower = threading.Thread(target=runner.follow, args=(stop,), kwargs={"interval": 0.5})
    follower.start()
    try:
        wait_for(lambda: min(runner.positions().values()) == 2, timeout=60)
        # When a writer commits an event whose NOTIFY never arrives
        writer = Ledger(pg_schema_url, user="writer")
        monkeypatch.setattr(writer.recorder_, "_notify_channel", lambda session: None)
        writer.execute([parse_command(besoeg())])
        writer.close()
        # Then the follower applies it all the same
        wait_for(lambda: min(runner.positions().values()) == 3, timeout=60)
    finally:
        stop.set()
        follower.join(timeout=30)
    assert not follower.is_alive()
    app.close()


def test_ctrl_c_stops_the_follower_cleanly(pg_schema_url: str) -> None:
    app = Ledger(pg_schema_url, create=True, user="test")
    app.execute([parse_command(c) for c in approved()])
    follower = spawn("projections", "follow", "--db", pg_schema_url)
    try:
        runner = ProjectionRunner(app)
        # Generous: a process starting on a loaded machine. The follower listens before it first
        # reads, so the event below cannot fall between its catch-up and its wait.
        wait_for(lambda: min(runner.positions().values()) == 2, timeout=120)
        app.execute([parse_command(besoeg())])
        wait_for(lambda: min(runner.positions().values()) == 3, timeout=60)
    finally:
        follower.send_signal(signal.SIGINT)
        _, err = follower.communicate(timeout=60)
    assert follower.returncode == 0, err
    assert "Stopped at position 3" in err
    incremental = projection_rows(app)
    ProjectionRunner(app).rebuild()
    assert projection_rows(app) == incremental
    app.close()


# -- concurrency --------------------------------------------------------------------------------

def test_eight_processes_recording_at_once_lose_nothing_and_duplicate_nothing(store_url: str) -> None:
    app = Ledger(store_url, create=True, user="setup")
    setup = [*approved(offer="S-1"), *approved(offer="S-2")]
    for worker in range(8):
        setup += approved(offer=f"W-{worker}")
    app.execute([parse_command(c) for c in setup])
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(8) as pool:
        decided = manager.Barrier(8)  # each worker's first visit, on S-1, is decided by all before any stores
        results = pool.starmap(record_decisions, [(store_url, worker, 20, 7, decided) for worker in range(8)])
    outcomes = [o for worker in results for o in worker]
    assert len(outcomes) == 168
    first = [o["outcome"] for o in outcomes if o["tag"].endswith("-first")]
    assert sorted(first) == ["acknowledged", *["conflict"] * 7]  # the contention really happened
    stored_tags: dict[str, int] = {}
    for key in ["S-1", "S-2", *[f"W-{w}" for w in range(8)]]:
        case = app.case(key)
        assert [e.originator_version for e in case.events] == list(range(1, case.version + 1))
        for event in case.events:
            if event.note:
                stored_tags[event.note] = stored_tags.get(event.note, 0) + 1
    acknowledged = {o["tag"] for o in outcomes if o["outcome"] == "acknowledged"}
    not_stored = {o["tag"] for o in outcomes if o["outcome"] != "acknowledged"}
    assert set(stored_tags) == acknowledged
    assert all(n == 1 for n in stored_tags.values())
    assert not (not_stored & set(stored_tags))
    assert {o.get("error") for o in outcomes if o["outcome"] == "refused"} <= {"RuleViolation"}
    assert any(o["outcome"] == "refused" for o in outcomes)
    assert verify(app.engine).ok
    up_to_date(app)
    incremental = projection_rows(app)
    ProjectionRunner(app).rebuild()
    assert projection_rows(app) == incremental
    app.close()


# -- crashes and faults -------------------------------------------------------------------------

def big_file(path: Path, lines: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for n in range(lines):
            day = dt.date(2024, 3, 2) + dt.timedelta(days=n % 600)
            handle.write(json.dumps({"command": "tilsynsbesoeg", "offer": "T-1", "date": day.isoformat(), "form": "anmeldt"}) + "\n")
    return path


def test_kill_9_in_the_middle_of_a_submits_write_stores_nothing_of_the_file(store_url: str, tmp_path: Path) -> None:
    # Given a ledger with two events and a file of 6,000 visits
    app = Ledger(store_url, create=True, user="setup")
    app.execute([parse_command(c) for c in approved()])
    before = current_digest(app.engine)
    path = big_file(tmp_path / "big.jsonl", 6000)
    # When `submit` has inserted every row of the file in its open transaction (the store says so in
    # the marker and waits, as LEDGER_TEST_HOLD_WRITE asks) and is killed there
    marker = tmp_path / "holding"
    process = spawn("submit", str(path), "--db", store_url, env={"LEDGER_TEST_HOLD_WRITE": str(marker)})
    try:
        wait_for(lambda: marker.exists() or process.poll() is not None, timeout=240)
        assert marker.exists(), process.communicate()[1]
        assert marker.read_text() == "6000"  # the kill lands inside the write: all rows inserted, none committed
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    # Then nothing of the file is stored, and the chain is whole
    assert current_digest(app.engine) == before
    assert count(app) == 2
    assert verify(app.engine).ok
    # And the same file, not killed, is stored whole
    again = cli("submit", str(path), "--db", store_url)
    assert again.returncode == 0, again.stderr
    assert count(app) == 6002
    assert verify(app.engine).ok
    app.close()


def bulk_ledger(url: str, offers: int = 40, visits: int = 150) -> None:
    app = Ledger(url, create=True, user="bulk", clock=lambda: dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc))
    with BulkImporter(app, flush_every=5000) as importer:
        for n in range(offers):
            for data in approved(offer=f"B-{n}", region=["Nord", "Midt", "Syd", "Øst", "Hovedstaden"][n % 5]):
                importer.submit(parse_command(data))
        for v in range(visits):
            for n in range(offers):
                day = dt.date(2024, 3, 2) + dt.timedelta(days=(v * 3 + n) % 600)
                importer.submit(parse_command(besoeg(offer=f"B-{n}", date=day.isoformat(), form=["anmeldt", "uanmeldt"][v % 2])))
    app.close()


def test_kill_9_during_a_rebuild_then_rerun_gives_byte_identical_statistics(store_url: str) -> None:
    bulk_ledger(store_url)
    env = {"LEDGER_PROJECTION_FLUSH": "1500"}
    assert cli("projections", "rebuild", "--db", store_url, env=env).returncode == 0
    clean = cli("stats", "2024", "--format", "json", "--db", store_url).stdout
    # One process replaying (committing every 700 events), then worker processes (their rows
    # written while the positions say a rebuild is under way).
    for delay, parallel in ((0.6, "1000000"), (1.2, "1")):
        process = spawn("projections", "rebuild", "--db", store_url,
                        env={**env, "LEDGER_PROJECTION_FLUSH": "700", "LEDGER_PARALLEL_FROM": parallel})
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        again = cli("stats", "2024", "--format", "json", "--db", store_url)
        assert again.returncode == 0, again.stderr
        assert again.stdout == clean
    later = json.loads(cli("stats", "2025", "--format", "json", "--db", store_url).stdout)
    visits = [json.loads(clean), later]
    assert sum(report["regioner"]["I alt"]["2_tilsyn"]["tilsynsbesoeg"] for report in visits) == 6000


def test_the_database_going_away_mid_command_is_a_clear_error_and_writes_nothing(pg_schema_url: str, tmp_path: Path) -> None:
    app = Ledger(pg_schema_url, create=True, user="setup")
    app.execute([parse_command(c) for c in approved()])
    before = current_digest(app.engine)
    path = big_file(tmp_path / "few.jsonl", 3)
    blocker = app.engine.connect()
    transaction = blocker.begin()
    blocker.exec_driver_sql("LOCK TABLE ledger_events IN ACCESS EXCLUSIVE MODE")
    process = spawn("submit", str(path), "--db", pg_schema_url)
    try:
        def stuck_pid() -> int | None:
            with app.engine.connect() as connection:
                return connection.execute(sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'supervision-ledger' "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )).scalar()
        wait_for(lambda: stuck_pid() is not None)
        with app.engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": stuck_pid()})
    finally:
        transaction.rollback()
        blocker.close()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 6, err
    assert err.startswith("Error: the database failed; nothing was written")
    assert current_digest(app.engine) == before
    app.close()


def test_a_locked_sqlite_database_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    app = Ledger(url, create=True, user="setup")
    app.execute([parse_command(c) for c in approved()])
    before = current_digest(app.engine)
    path = big_file(tmp_path / "few.jsonl", 3)
    holder = app.engine.raw_connection()
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = cli("submit", str(path), "--db", url, env={"LEDGER_SQLITE_TIMEOUT": "0.5"})
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == 6, result.stderr
    assert "database is locked" in result.stderr and result.stderr.startswith("Error: ")
    assert current_digest(app.engine) == before
    app.close()
