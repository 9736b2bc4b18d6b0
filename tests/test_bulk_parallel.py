"""The parallel import stores what a one-process import stores, line for line, and refuses alike.

`ledger import` of a large file judges its cases on several processes (ledger/bulk_parallel.py).
These tests import the same files both ways, with a clock that stands still so that the two
ledgers can be compared byte for byte, hashes and all.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from support import ansoegning, approved, besoeg, godkendelse, paabud

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import generate  # noqa: E402  (scripts/ is not a package)

from ledger.application import Ledger  # noqa: E402
from ledger.bulk import IMPORT_BATCH, import_lines  # noqa: E402
from ledger.bulk_parallel import _KIND_OF, Router, _case_of  # noqa: E402
from ledger.errors import LedgerError  # noqa: E402
from ledger.verify import verify  # noqa: E402

MOMENT = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def national() -> list[bytes]:
    """A small national ledger with every kind of event (the generator's --rich rates)."""
    out = io.BytesIO()
    generate.write_jsonl(out, 0.01, 3, rich=True)
    return out.getvalue().splitlines(keepends=True)


def _rows(url: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT id, originator_id, originator_version, topic, state, case_hash, ledger_hash FROM ledger_events ORDER BY id"
        ).all()
    engine.dispose()
    # Case ids as their 16 bytes on both stores (PostgreSQL returns a UUID).
    return [tuple(bytes(v) if isinstance(v, memoryview) else v.bytes if isinstance(v, UUID) else v for v in row) for row in rows]


def _session_user(url: str) -> str | None:
    """Who records on this store when `by` is "test": on PostgreSQL its session user ("test" is kept
    as on whose behalf); on SQLite "test" itself."""
    return Ledger(url, create=True).session_user


def _import(url: str, lines: list[bytes], workers: int, batch: int = 1_000, recorder: str | None = None) -> tuple[int, int]:
    app = Ledger(url, create=True, clock=lambda: MOMENT, user="test")
    if recorder is not None:  # a SQLite reference recording as a PostgreSQL ledger does (Ledger.who)
        app.session_user = recorder
    try:
        return import_lines(app, iter(lines), batch=batch, workers=workers)
    finally:
        app.close()
        app.engine.dispose()


def _sqlite(tmp_path: Path, name: str) -> str:
    return f"sqlite:///{tmp_path / name}"


def _line(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False) + "\n").encode()


def test_two_workers_store_the_same_ledger_as_one_process(national: list[bytes], tmp_path: Path) -> None:
    one = _import(_sqlite(tmp_path, "one.db"), national, workers=1)
    two = _import(_sqlite(tmp_path, "two.db"), national, workers=2)
    assert one == two and one[1] > 5_000
    assert _rows(_sqlite(tmp_path, "one.db")) == _rows(_sqlite(tmp_path, "two.db"))
    assert verify(sa.create_engine(_sqlite(tmp_path, "two.db"))).ok


def test_on_postgresql_too(national: list[bytes], tmp_path: Path, pg_schema_url: str) -> None:
    one = _import(_sqlite(tmp_path, "one.db"), national[:3_000], workers=1, recorder=_session_user(pg_schema_url))
    two = _import(pg_schema_url, national[:3_000], workers=2)
    assert one == two
    sqlite_rows = [row[1:] for row in _rows(_sqlite(tmp_path, "one.db"))]
    pg_rows = [row[1:] for row in _rows(pg_schema_url)]
    assert [row[1:] for row in sqlite_rows] == [row[1:] for row in pg_rows]
    assert [row[0] for row in sqlite_rows] == [row[0] for row in pg_rows]


def test_three_workers_and_lines_that_are_not_plainly_written(tmp_path: Path) -> None:
    """Keys after other fields, blank lines, a byte-order mark: routed by parsing the line."""
    lines = [b"\xef\xbb\xbf" + _line(ansoegning(offer="T-1")), b"\n"]
    for number in range(2, 40):
        application = ansoegning(offer=f"T-{number}")
        lines.append(_line(dict(reversed(list(application.items())))))
        lines.append(_line(godkendelse(offer=f"T-{number}")))
    lines += [_line(godkendelse()), b"   \n", _line(besoeg(offer="T-7"))]
    one = _import(_sqlite(tmp_path, "one.db"), lines, workers=1, batch=100)
    three = _import(_sqlite(tmp_path, "three.db"), lines, workers=3, batch=100)
    assert one == three == (len(lines) - 2, len(lines) - 2)
    assert _rows(_sqlite(tmp_path, "one.db")) == _rows(_sqlite(tmp_path, "three.db"))


@pytest.mark.parametrize(
    "odd",
    [
        _line(besoeg(offer=" T-8 ")),  # a key that the model strips
        # (an escaped key is read by parsing the line: see the quick-look test; a key given twice is
        # refused, on one process and on two: tests/test_hostile_input.py)
    ],
)
def test_a_key_the_router_reads_wrong_hands_the_rest_to_one_process(
    odd: bytes, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [_line(c) for number in range(1, 15) for c in approved(offer=f"T-{number}")]
    lines += [odd, _line(besoeg(offer="T-3", date="2024-04-18"))]
    one = _import(_sqlite(tmp_path, "one.db"), lines, workers=1)
    with caplog.at_level(logging.INFO, logger="ledger.import"):
        two = _import(_sqlite(tmp_path, "two.db"), lines, workers=2)
    assert "the line's case key reads differently once parsed" in caplog.text
    assert one == two == (len(lines), len(lines))
    assert _rows(_sqlite(tmp_path, "one.db")) == _rows(_sqlite(tmp_path, "two.db"))


def test_a_refused_line_stops_the_import_as_on_one_process(national: list[bytes], tmp_path: Path) -> None:
    refused_at = 2_500
    lines = national[: refused_at - 1] + [_line(paabud(offer="T-NOT-THERE"))] + national[refused_at - 1 :]
    errors = []
    for workers, name in ((1, "one.db"), (2, "two.db")):
        with pytest.raises(LedgerError) as caught:
            _import(_sqlite(tmp_path, name), lines, workers=workers)
        errors.append(caught.value)
    one, two = errors
    assert type(one) is type(two) and str(one) == str(two)
    assert one.line_number == two.line_number == refused_at  # type: ignore[attr-defined]
    # Only whole transactions of the lines before the refused one are stored, each counted.
    _import(_sqlite(tmp_path, "before.db"), lines[: refused_at - 1], workers=1)
    before = _rows(_sqlite(tmp_path, "before.db"))
    for error, name in ((one, "one.db"), (two, "two.db")):
        stored = _rows(_sqlite(tmp_path, name))
        assert len(stored) == error.stored > 0  # type: ignore[attr-defined]
        assert len(stored) < len(before) and before[: len(stored)] == stored
        assert verify(sa.create_engine(_sqlite(tmp_path, name))).ok


def test_a_correction_carries_on_on_one_process_with_the_same_result(
    national: list[bytes], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A correction needs the case's stored history: the workers hand over at that line."""
    head = [*approved(offer="T-1"), besoeg(offer="T-1")]
    correction = besoeg(offer="T-1", date="2024-03-02", supersedes=3, correction_reason="Forkert dato.")
    lines = [_line(c) for c in head] + national[:2_000] + [_line(correction)] + national[2_000:2_600]
    one = _import(_sqlite(tmp_path, "one.db"), lines, workers=1)
    with caplog.at_level(logging.INFO, logger="ledger.import"):
        two = _import(_sqlite(tmp_path, "two.db"), lines, workers=2)
    assert "goes on on one process from line 2001: a correction needs the case's stored history" in caplog.text
    assert one == two
    assert _rows(_sqlite(tmp_path, "one.db")) == _rows(_sqlite(tmp_path, "two.db"))


def test_an_offer_that_joins_a_koncern_kept_by_another_worker(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The offer's cases were shared out by its first line; its new application names a koncern
    another worker keeps: the import goes on on one process, with the same result."""
    router = Router(2)
    offer = "T-500"
    mine = router.case_share("offer", offer)
    koncern = next(name for name in (f"Koncern {n} ApS" for n in range(100)) if router.case_share("koncern", name) != mine)
    lines = [_line(c) for c in approved(offer=offer)]
    lines.append(_line({"command": "lukning", "offer": offer, "date": "2024-05-01", "begrundelse": "Lukket."}))
    lines.append(_line(ansoegning(offer=offer, date="2024-06-01", koncern=koncern, ejerform="privat")))
    lines.append(_line(godkendelse(offer=offer, date="2024-07-01")))
    one = _import(_sqlite(tmp_path, "one.db"), lines, workers=1)
    with caplog.at_level(logging.INFO, logger="ledger.import"):
        two = _import(_sqlite(tmp_path, "two.db"), lines, workers=2)
    assert f"touches the koncern case '{koncern}', kept by another worker" in caplog.text
    assert one == two
    assert _rows(_sqlite(tmp_path, "one.db")) == _rows(_sqlite(tmp_path, "two.db"))


def test_the_quick_look_at_a_line_agrees_with_parsing_it(national: list[bytes]) -> None:
    router = Router(2)
    for raw in national[:3_000] * 2:  # the second time, routed as the line with the same beginning was
        data = json.loads(raw)
        kind = _KIND_OF[data["command"]]
        field = {"offer": "offer", "authority": "region", "koncern": "koncern", "employer": "part"}[kind]
        share, key = router.route(raw)
        assert key == data[field]
        assert share == router.case_share(kind, key)
        if kind == "offer" and data.get("koncern"):
            assert share == router.case_share("koncern", data["koncern"])
    # A quick look can be fooled; the worker then finds that the parsed key differs (tested below).
    assert router.route(b'{"command":"paabud","offer":"T-1","offer":"T-9"}')[1] == "T-1"
    assert router.route(b'{"command": "paabud", "offer": "T-1", "offer": "T-9"}')[1] == "T-9"
    assert router.route(b'{"command":"paabud","offer":"T-\\u0031"}')[1] == "T-1"
    assert _case_of(b'{"command":"ansoegning","offer":"T-1","koncern":"K"}') == ("offer", "T-1", "K")
    assert router.route(b"not json") == (0, None)
    assert router.route(b'{"command":"no-such-command","offer":"T-1"}') == (0, None)


def test_ledger_import_with_workers(national: list[bytes], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli import ledger

    path = tmp_path / "national.jsonl"
    path.write_bytes(b"".join(national[:1_500]))
    db = str(tmp_path / "cli.db")
    assert CliRunner().invoke(ledger, ["init", "--db", db]).exit_code == 0
    result = CliRunner().invoke(ledger, ["import", str(path), "--db", db, "--workers", "2", "--batch", "500"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Imported 1,5\d\d events from 1,500 lines", result.output)
    assert verify(sa.create_engine(f"sqlite:///{db}")).ok
    help_text = CliRunner().invoke(ledger, ["import", "--help"]).output
    assert "--workers" in help_text
    assert f"default: {IMPORT_BATCH}" in help_text  # the CLI writes the import's default out


@pytest.mark.parametrize("how", ["raises", "dies"])
def test_a_failing_worker_hands_the_rest_to_one_process(
    how: str, national: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker that fails (a bug, memory) or dies (killed) is not trusted further: the import
    goes on on one process from the last stored transaction, and stores what one process stores."""
    import os

    from ledger import bulk_parallel

    class Failing:
        """Worker 1's importer fails once the import is past line 1,500."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.importer = bulk_parallel.ShareImporter(*args, **kwargs)

        def judge_chunk(self, lines: list[tuple[int, bytes, str | None]]) -> Any:
            if self.importer.share == 1 and any(number > 1_500 for number, _, _ in lines):
                if how == "dies":
                    os._exit(9)
                raise MemoryError("simulated")
            return self.importer.judge_chunk(lines)

    monkeypatch.setattr(bulk_parallel, "make_share_importer", Failing)  # the forked workers inherit it
    lines = national[:2_600]
    one = _import(_sqlite(tmp_path, "one.db"), lines, workers=1)
    with caplog.at_level(logging.INFO, logger="ledger.import"):
        two = _import(_sqlite(tmp_path, "two.db"), lines, workers=2)
    expected = "worker 1 stopped (exit code 9)" if how == "dies" else "worker failed: MemoryError('simulated')"
    assert expected in caplog.text
    assert one == two
    assert _rows(_sqlite(tmp_path, "one.db")) == _rows(_sqlite(tmp_path, "two.db"))


def test_into_a_ledger_that_already_holds_the_cases(national: list[bytes], tmp_path: Path) -> None:
    """The workers take up cases stored before the import: their state and their chain's last hash
    are read from the database."""
    whole = _import(_sqlite(tmp_path, "whole.db"), national[:4_000], workers=1)
    first = _import(_sqlite(tmp_path, "halves.db"), national[:2_000], workers=1)
    second = _import(_sqlite(tmp_path, "halves.db"), national[2_000:4_000], workers=2)
    assert first[1] + second[1] == whole[1]
    assert _rows(_sqlite(tmp_path, "whole.db")) == _rows(_sqlite(tmp_path, "halves.db"))
    assert verify(sa.create_engine(_sqlite(tmp_path, "halves.db"))).ok


@pytest.mark.parametrize("workers", [1, 2])
def test_an_import_leaves_sqlites_write_ahead_log_empty(workers: int, national: list[bytes], tmp_path: Path) -> None:
    """The import's last transactions are copied into the database file: later reads do not look
    for every page in a large log first."""
    url = _sqlite(tmp_path, "ledger.db")
    app = Ledger(url, create=True, clock=lambda: MOMENT, user="test")
    try:
        # A reader holds the ledger while the import runs (as a projection runner might); it
        # has let go by the end.
        with app.engine.connect() as reader:
            reader.exec_driver_sql("SELECT count(*) FROM ledger_events").scalar()
        lines, events = import_lines(app, iter(national[:2_500]), batch=500, workers=workers)
        assert lines == 2_500 and events >= lines
        wal = tmp_path / "ledger.db-wal"
        assert not wal.exists() or wal.stat().st_size == 0
        assert verify(app.engine).ok
    finally:
        app.close()
        app.engine.dispose()


def test_a_log_that_cannot_be_emptied_does_not_hide_why_the_import_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Emptying the log runs however the import ended (it may have ended because the database
    failed): its own failure is logged, never raised over the import's."""
    from ledger.bulk import empty_wal

    app = Ledger(_sqlite(tmp_path, "ledger.db"), create=True, clock=lambda: MOMENT, user="test")
    lines = [_line(c) for c in approved(offer="T-1")] + [_line(paabud(offer="T-NOT-THERE"))]
    try:
        with pytest.raises(LedgerError) as caught:
            import_lines(app, iter(lines), batch=500, workers=1)
        assert caught.value.line_number == len(lines)  # type: ignore[attr-defined]

        def locked() -> Any:
            raise sa.exc.OperationalError("PRAGMA wal_checkpoint", {}, Exception("database is locked"))

        monkeypatch.setattr(app.engine, "raw_connection", locked)
        with caplog.at_level(logging.INFO, logger="ledger.import"):
            empty_wal(app)
        assert "the write-ahead log was not emptied after the import: " in caplog.text
    finally:
        monkeypatch.undo()
        app.close()
        app.engine.dispose()


def _fail_on(url: str, case: bytes, version: int) -> None:
    """A new ledger at `url` whose database refuses to store one event, as a failing disk would."""
    Ledger(url, create=True, user="test").engine.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER fail_once BEFORE INSERT ON ledger_events "
                f"WHEN NEW.originator_id = x'{case.hex()}' AND NEW.originator_version = {version} "
                "BEGIN SELECT RAISE(ABORT, 'simulated failure of the disk'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.originator_id = '{UUID(bytes=case)}' AND NEW.originator_version = {version} THEN "
                "RAISE EXCEPTION 'simulated failure of the disk'; END IF; RETURN NEW; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER fail_once BEFORE INSERT ON ledger_events FOR EACH ROW EXECUTE FUNCTION fail_once()"
            )
    engine.dispose()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_transaction_that_fails_stops_the_import_and_nothing_after_it_is_written(
    workers: int, national: list[bytes], tmp_path: Path, store_url: str
) -> None:
    """The writer thread may hold the next transaction queued behind the one it writes: when one
    fails, the import stops with its error, and the queued one is never written (the ledger keeps
    the whole transactions before the failure, a prefix of what one process stores). On
    PostgreSQL the events are written with COPY: a row the database refuses fails its transaction
    as an INSERT would, with the database's message."""
    lines = national[:8_000]
    _import(_sqlite(tmp_path, "one.db"), lines, workers=1, recorder=_session_user(store_url))
    everything = _rows(_sqlite(tmp_path, "one.db"))
    assert len(everything) > 6_000
    _, case, version, *_ = everything[3_000]  # an event in the second transaction of about 2,000
    _fail_on(store_url, bytes(case), version)
    with pytest.raises(LedgerError, match="simulated failure of the disk"):
        _import(store_url, lines, workers=workers)
    stored = _rows(store_url)
    assert 0 < len(stored) <= 3_000
    assert stored == everything[: len(stored)]  # whole transactions before the failure, nothing after


def test_an_offer_of_no_koncern_goes_to_the_share_with_the_fewest_lines() -> None:
    """The parent evens the shares out with the offers it alone places; a koncern's offers go by
    the koncern's hash, which every worker computes alike (so each knows whose koncern it keeps)."""
    import zlib

    router = Router(2)
    first, _ = router.route(_line(ansoegning(offer="T-1")))
    for _ in range(10):
        assert router.route(_line(besoeg(offer="T-1")))[0] == first
    second, _ = router.route(_line(ansoegning(offer="T-2")))
    assert second != first  # the share with fewer lines
    third, _ = router.route(_line(ansoegning(offer="T-3")))
    assert third == second  # still fewer lines there (2 against 11)
    assert router.load[first] == 11 and router.load[second] == 2
    koncern_share = zlib.crc32(b"koncern:Egebo Omsorg A/S") % 2
    for number in range(4, 10):
        placed, _ = router.route(_line(ansoegning(offer=f"T-{number}", koncern="Egebo Omsorg A/S")))
        assert placed == koncern_share == Router(2).case_share("koncern", "Egebo Omsorg A/S")
