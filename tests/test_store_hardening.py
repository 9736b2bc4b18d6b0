"""What a hostile campaign broke in the store (issue 17 items 5, 6, 12, 13, 14), each held by a
test: INSERT OR REPLACE through a plain sqlite3 connection, triggers disabled or bypassed on
PostgreSQL, errors that were "internal" (exit 70), a projection position past the head, the
count `submit` reports, and `verify --offer` of an offer the ledger does not hold."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import ansoegning, approved, besoeg, close_cached_apps, godkendelse, run_cli
from test_cli import jsonl

from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.projections.base import positions
from ledger.projections.cases import case_states
from ledger.projections.runner import ProjectionRunner, up_to_date
from ledger.verify import verify


@pytest.fixture(autouse=True)
def _close_cli_ledgers() -> Iterator[None]:
    yield
    close_cached_apps()


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "ledger.db")
    assert run_cli(["init", "--db", path]).exit_code == 0
    assert run_cli(["submit", "-", "--db", path], jsonl(*approved(), besoeg(), *approved(offer="T-2"))).exit_code == 0
    close_cached_apps()
    return path


# -- item 5: SQLite's INSERT OR REPLACE ------------------------------------------------------------

@pytest.mark.parametrize(
    "statement",
    [
        # a collision on the position (id)
        ("INSERT OR REPLACE INTO ledger_events (id, originator_id, originator_version, topic, state, case_hash, ledger_hash) "
         "SELECT id, originator_id, originator_version, topic, CAST('{}' AS BLOB), case_hash, ledger_hash FROM ledger_events WHERE id = 2"),
        # a collision on the case and its version, under a new position
        ("REPLACE INTO ledger_events (originator_id, originator_version, topic, state, case_hash, ledger_hash) "
         "SELECT originator_id, originator_version, topic, CAST('{}' AS BLOB), case_hash, ledger_hash FROM ledger_events WHERE id = 2"),
        # the upsert form
        ("INSERT INTO ledger_events (id, originator_id, originator_version, topic, state, case_hash, ledger_hash) "
         "SELECT id, originator_id, originator_version, topic, state, case_hash, ledger_hash FROM ledger_events WHERE id = 2 "
         "ON CONFLICT DO UPDATE SET state = CAST('{}' AS BLOB)"),
    ],
)
def test_a_plain_sqlite3_connection_cannot_replace_a_stored_event(db: str, statement: str) -> None:
    with sqlite3.connect(db) as connection:
        before = connection.execute("SELECT * FROM ledger_events ORDER BY id").fetchall()
    connection = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        connection.execute(statement)
    connection.commit()
    assert connection.execute("SELECT * FROM ledger_events ORDER BY id").fetchall() == before
    connection.close()
    assert run_cli(["verify", "--db", db]).exit_code == 0


def test_replace_is_refused_even_with_recursive_triggers_off_and_foreign_keys_on(db: str) -> None:
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA recursive_triggers = OFF")
    connection.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.DatabaseError, match="may not replace a stored event"):
        connection.execute(
            "INSERT OR REPLACE INTO ledger_events (id, originator_id, originator_version, topic, state, case_hash, ledger_hash) "
            "SELECT id, originator_id, originator_version, topic, state, case_hash, ledger_hash FROM ledger_events WHERE id = 1"
        )
    connection.close()


def test_a_ledger_written_before_the_replace_trigger_gets_it_when_opened_and_still_verifies(db: str) -> None:
    with sqlite3.connect(db) as connection:  # the ledger as the previous version left it
        connection.execute("DROP TRIGGER ledger_events_no_replace")
        connection.execute("PRAGMA user_version = 0")
    before = verify(Ledger(db).engine)
    assert before.ok
    with sqlite3.connect(db) as connection:
        names = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert "ledger_events_no_replace" in names
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
    result = run_cli(["verify", "--db", db, "--strict"])
    assert result.exit_code == 0 and "Warning" not in result.output, result.output
    assert f"ledger-digest:v1:{before.position}:{before.ledger_hash}" in result.output  # the same chain


def test_verify_warns_when_the_replace_trigger_was_removed_and_strict_exits_8(db: str) -> None:
    with sqlite3.connect(db) as connection:  # removed after the upgrade: it is not put back silently
        connection.execute("DROP TRIGGER ledger_events_no_replace")
    result = run_cli(["verify", "--db", db])
    assert result.exit_code == 0 and "append-only trigger ledger_events_no_replace is missing" in result.output
    close_cached_apps()
    strict = run_cli(["verify", "--db", db, "--strict"])
    assert strict.exit_code == 8 and "--strict" in strict.output


# -- item 6: PostgreSQL triggers enabled, and who could disable them ----------------------------

@pytest.fixture
def pg(pg_schema_url: str) -> Iterator[Ledger]:
    app = Ledger(pg_schema_url, create=True, user="test")
    app.execute([parse_command(c) for c in approved()])
    yield app
    app.close()
    app.engine.dispose()


def test_the_postgresql_triggers_fire_even_under_session_replication_role_replica(pg: Ledger) -> None:
    with pg.engine.connect() as connection:
        assert {r[0] for r in connection.exec_driver_sql(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = to_regclass('ledger_events')")} == {"A"}
        connection.exec_driver_sql("SET session_replication_role = replica")
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            connection.exec_driver_sql("UPDATE ledger_events SET topic = 'x'")
        connection.rollback()


def test_verify_warns_of_a_disabled_trigger_and_strict_makes_it_exit_8(pg: Ledger) -> None:
    with pg.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only")
    warnings = verify(pg.engine).warnings or []
    assert any("ledger_events_append_only is disabled" in w for w in warnings)
    result = run_cli(["verify", "--db", pg.url, "--strict"])
    assert result.exit_code == 8 and "is disabled" in result.output


def test_verify_warns_when_a_trigger_only_fires_in_origin_sessions(pg: Ledger) -> None:
    with pg.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE ledger_events ENABLE TRIGGER ledger_events_no_truncate")
    warnings = verify(pg.engine).warnings or []
    assert any("not ENABLE ALWAYS" in w and "session_replication_role = replica" in w for w in warnings)


def test_verify_warns_when_the_connected_role_is_a_superuser(pg: Ledger) -> None:
    warnings = verify(pg.engine).warnings or []
    assert any("is a superuser: it can disable or drop the append-only triggers" in w for w in warnings)


def test_a_role_that_owns_nothing_runs_the_ledger_and_verify_strict_is_clean(pg_schema_url: str) -> None:
    """The README's recipe: an owner role (no login) owns the schema and the events table; the
    ledger's role may read and append, owns only the projections' tables, and cannot disable
    the triggers."""
    from conftest import pg_base_url, with_search_path

    base = pg_base_url()
    assert base is not None
    schema = pg_schema_url.rsplit("%3D", 1)[1]
    suffix = uuid.uuid4().hex[:8]
    owner, writer = f"ledger_owner_{suffix}", f"ledger_app_{suffix}"
    admin = sa.create_engine(base)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE ROLE {owner} NOLOGIN")
            connection.exec_driver_sql(f"CREATE ROLE {writer} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
            connection.exec_driver_sql(f"ALTER SCHEMA {schema} OWNER TO {owner}")
            connection.exec_driver_sql(f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {writer}")
        init_url = f"{pg_schema_url}%20-crole%3D{owner}"
        assert run_cli(["init", "--db", init_url]).exit_code == 0
        with admin.begin() as connection:
            connection.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE ON {schema}.ledger_events TO {writer}")
            connection.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {schema}.ledger_events_id_seq TO {writer}")
        url = with_search_path(sa.make_url(base).set(username=writer).render_as_string(hide_password=False), schema)
        assert run_cli(["submit", "-", "--db", url], jsonl(*approved(), besoeg())).exit_code == 0
        assert run_cli(["offers", "--db", url]).exit_code == 0
        result = run_cli(["verify", "--db", url, "--strict"])
        assert result.exit_code == 0 and "Warning" not in result.output, result.output
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            for statement in ("ALTER TABLE ledger_events DISABLE TRIGGER ALL", "SET session_replication_role = replica",
                              "UPDATE ledger_events SET topic = 'x'"):
                with pytest.raises(sa.exc.DBAPIError):
                    connection.exec_driver_sql(statement)
                connection.rollback()
        engine.dispose()
    finally:
        close_cached_apps()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            for role in (writer, owner):
                connection.exec_driver_sql(f"DROP OWNED BY {role}")
                connection.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


# -- item 12: clear errors where exit 70 was ---------------------------------------------------

def test_a_known_at_past_year_9999_in_utc_is_malformed(db: str) -> None:
    result = run_cli(["status", "T-1", "--db", db, "--known-at", "9999-12-31T23:59-12:00"])
    assert result.exit_code == 2 and "--known-at" in result.output and "outside the years 1-9999" in result.output


def test_a_mysql_url_is_malformed_not_a_database_failure(tmp_path: Path) -> None:
    result = run_cli(["verify", "--db", "mysql://u:geheim@db.example/ledger"])
    assert result.exit_code == 2 and "'mysql' is not a database the ledger runs on" in result.output
    assert "geheim" not in result.output


@pytest.mark.parametrize(
    "variable", ["LEDGER_REBUILD_WORKERS", "LEDGER_PARALLEL_FROM", "LEDGER_PARALLEL_IMPORT_FROM",
                 "LEDGER_PROJECTION_FLUSH", "LEDGER_REBUILD_FLUSH", "LEDGER_SQLITE_TIMEOUT"],
)
@pytest.mark.parametrize("value", ["abc", "-3", "1e400", "9" * 5000])
def test_a_malformed_numeric_variable_is_refused_by_name_before_a_rebuild_empties_anything(db: str, variable: str, value: str) -> None:
    assert run_cli(["projections", "rebuild", "--db", db]).exit_code == 0
    close_cached_apps()
    with sqlite3.connect(db) as connection:
        before = connection.execute("SELECT count(*) FROM case_states").fetchone()[0]
    result = run_cli(["projections", "rebuild", "--db", db], env={variable: value})
    assert result.exit_code == 2 and f"the environment variable {variable}=" in result.output, result.output
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM case_states").fetchone()[0] == before == 2


def test_a_rebuild_reads_its_worker_count_before_it_empties_the_tables(app: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.errors import InvalidInput

    app.execute([parse_command(c) for c in approved()])
    runner = up_to_date(app)
    monkeypatch.setenv("LEDGER_REBUILD_WORKERS", "many")
    with pytest.raises(InvalidInput, match="LEDGER_REBUILD_WORKERS"):
        runner.rebuild()
    with app.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(case_states)).scalar() == 1


def test_a_sqlite_file_with_a_damaged_page_is_reported_damaged(tmp_path: Path, db: str) -> None:
    with sqlite3.connect(db) as connection:  # enough events for the table to span many pages
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    lines = [ansoegning(offer=f"T-{n}", navn=f"Bosted nummer {n}") for n in range(10, 400)]
    assert run_cli(["submit", "-", "--db", db], jsonl(*lines)).exit_code == 0
    close_cached_apps()
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    assert pages > 20
    with open(db, "r+b") as file:  # the second half of the file: leaf pages of the events table among them
        file.seek(4096 * (pages // 2))
        file.write(b"\xff" * 4096 * (pages - pages // 2 - 1))
    result = run_cli(["verify", "--db", db])
    assert result.exit_code in (6, 7) and "damaged" in result.output, result.output
    assert "internal error" not in result.output


def test_an_output_path_that_cannot_be_written_is_a_clear_error_not_an_internal_one(db: str) -> None:
    for out in ("/dev/null", "/proc/nope"):
        result = run_cli(["portal", "export", "--db", db, "--out", out])
        assert result.exit_code not in (0, 70) and "internal error" not in result.output and out in result.output, result.output


# -- item 13: the projections check reads only; a position past the head --------------------------

def test_projections_check_writes_nothing_and_reports_a_projection_behind(db: str) -> None:
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT name FROM sqlite_master WHERE name = 'projection_positions'").fetchone() is None
    result = run_cli(["projections", "check", "--db", db])
    assert result.exit_code == 0 and "cases is 5 events behind the ledger (at position 0)" in result.output
    with sqlite3.connect(db) as connection:  # no table was created, nothing caught up
        assert connection.execute("SELECT name FROM sqlite_master WHERE name = 'projection_positions'").fetchone() is None


def test_a_projection_position_past_the_head_is_detected_by_status_and_check_and_mended_by_rebuild(db: str) -> None:
    assert run_cli(["projections", "rebuild", "--db", db]).exit_code == 0
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE projection_positions SET position = 900 WHERE name = 'cases'")
    close_cached_apps()
    status = run_cli(["projections", "status", "--db", db, "--format", "json"])
    row = next(r for r in json.loads(status.stdout) if r["name"] == "cases")
    assert row["ahead"] == 895 and row["needs_rebuild"] is True
    text = run_cli(["projections", "status", "--db", db])
    assert "PAST the ledger's head by 895 events" in text.output and "up to date" not in text.output.splitlines()[0]
    check = run_cli(["projections", "check", "--db", db])
    assert check.exit_code == 1 and "its position 900 lies past the ledger's head 5" in check.output
    # A reading command refuses to show what the position would hide.
    assert run_cli(["submit", "-", "--db", db], jsonl(besoeg(offer="T-2", date="2024-05-01"))).exit_code == 0
    offers = run_cli(["offers", "--db", db])
    assert offers.exit_code == 6 and "run `ledger projections rebuild cases`" in offers.output
    assert run_cli(["projections", "rebuild", "cases", "--db", db]).exit_code == 0
    assert run_cli(["projections", "check", "--db", db]).exit_code == 0
    assert "T-2" in run_cli(["offers", "--db", db]).output


def test_the_runner_refuses_to_catch_up_a_projection_past_the_head(app: Ledger) -> None:
    from ledger.projections.runner import ProjectionAhead

    app.execute([parse_command(c) for c in approved()])
    runner = up_to_date(app)
    with app.engine.begin() as connection:
        connection.execute(positions.update().where(positions.c.name == "statistics").values(position=99))
    with pytest.raises(ProjectionAhead, match="past the ledger's head"):
        ProjectionRunner(app).catch_up()
    runner.rebuild()
    assert ProjectionRunner(app, ensure=False).positions()["statistics"] == app.head()[0]


# -- item 14: what submit reports; verify --offer of an unknown offer ------------------------------

def test_submit_counts_the_koncern_follow_ups_it_stored(db: str) -> None:
    lines = [
        {"command": "koncern", "date": "2024-01-02", "koncern": "Gruppen A/S", "navn": "Gruppen A/S",
         "hovedadresse": "Havnegade 1, 9000 Aalborg", "region": "Nord"},
        ansoegning(offer="K-1", koncern="Gruppen A/S"),
        godkendelse(offer="K-1"),
    ]
    with sqlite3.connect(db) as connection:
        before = connection.execute("SELECT count(*) FROM ledger_events").fetchone()[0]
    result = run_cli(["submit", "-", "--db", db, "--format", "json"], jsonl(*lines))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    with sqlite3.connect(db) as connection:
        stored = connection.execute("SELECT count(*) FROM ledger_events").fetchone()[0] - before
    assert report["events"] == stored == 4 and report["follow_ups"] == 1
    close_cached_apps()
    text = run_cli(["submit", "-", "--db", db],
                   jsonl(ansoegning(offer="K-2", koncern="Gruppen A/S", date="2024-02-01"), godkendelse(offer="K-2", date="2024-04-01")))
    assert "Recorded 3 events (1 of them in koncerner's cases, bek § 3) from 2 lines" in text.output


def test_verify_of_an_offer_the_ledger_does_not_hold_is_not_found(db: str) -> None:
    result = run_cli(["verify", "--db", db, "--offer", "T-9999"])
    assert result.exit_code == 4 and "T-9999" in result.output and "OK" not in result.output
    assert run_cli(["verify", "--db", db, "--offer", "T-2"]).exit_code == 0
