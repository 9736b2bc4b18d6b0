"""The store, on SQLite and PostgreSQL: events round-trip, the chain, append-only triggers,
upcasting, optimistic concurrency, atomic batches."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from eventsourcing.persistence import StoredEvent
from support import ansoegning, approved, besoeg, dialog, godkendelse, paabud

from ledger.aggregates.offer import Offer
from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.errors import ConcurrencyConflict, NotFound, RuleViolation
from ledger.events.offer import OfferEvent
from ledger.store.chain import GENESIS, case_hash, ledger_hash
from ledger.verify import current_digest, verify


def record(app: Ledger, *commands: dict[str, Any]) -> None:
    app.execute([parse_command(c) for c in commands])


def count(app: Ledger) -> int:
    with app.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(app.events_table)).scalar() or 0)


def test_events_round_trip_through_the_store(app: Ledger) -> None:
    record(app, *approved(), besoeg(), dialog(), paabud())
    offer = app.case("T-1")
    assert offer.version == 5
    assert [type(e).__name__ for e in offer.events] == [
        "AnsoegningModtaget", "Godkendt", "TilsynsbesoegGennemfoert", "DialogIndledt", "PaabudUdstedt",
    ]
    assert offer.state.status_on("2024-10-01") == "godkendt"
    assert offer.events[4].paabud == "P1"
    assert offer.events[0].timestamp.tzinfo is not None
    # The history's own read (the driver's cursor; binary on PostgreSQL) gives the same events.
    assert app.events_of("T-1") == offer.events


def test_every_stored_event_is_chained_to_the_one_before(app: Ledger) -> None:
    record(app, *approved(), *approved(offer="T-2"), besoeg())
    t = app.events_table
    with app.engine.connect() as connection:
        rows = connection.execute(sa.select(t).order_by(t.c.id)).all()
    previous_ledger, previous_case = GENESIS, {}
    for row in rows:
        digest = case_hash(previous_case.get(row.originator_id, GENESIS), row.originator_id, row.originator_version, row.topic, bytes(row.state))
        assert bytes(row.case_hash) == digest
        previous_ledger = ledger_hash(previous_ledger, digest)
        assert bytes(row.ledger_hash) == previous_ledger
        previous_case[row.originator_id] = digest
    assert verify(app.engine).ok


def test_the_events_table_refuses_update_and_delete(app: Ledger) -> None:
    record(app, *approved())
    for statement in ("UPDATE ledger_events SET topic = 'x'", "DELETE FROM ledger_events"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with app.engine.begin() as connection:
                connection.exec_driver_sql(statement)
    assert count(app) == 2


def test_a_refused_command_appends_nothing(app: Ledger) -> None:
    record(app, *approved())
    before = current_digest(app.engine)
    with pytest.raises(RuleViolation):
        record(app, besoeg(), paabud())  # the visit is lawful, the påbud (no dialog) is not
    assert current_digest(app.engine) == before


def test_a_batch_is_stored_whole_or_not_at_all(app: Ledger) -> None:
    with pytest.raises(NotFound):
        record(app, *approved(), besoeg(offer="T-unknown"))
    assert count(app) == 0


class VisitV1(OfferEvent):
    """A visit as first stored: 'anmeldt' was a boolean."""

    anmeldt: bool


class UpcastVisit(OfferEvent):
    """The same visit today: a 'form'. Version 2 upcasts version 1."""

    class_version: ClassVar[int] = 2
    form: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["form"] = "anmeldt" if state.pop("anmeldt") else "uanmeldt"


def test_an_old_version_of_an_event_is_read_back_upcast(app: Ledger) -> None:
    record(app, *approved())
    offer = app.case("T-1")
    old = VisitV1(
        originator_id=offer.id, originator_version=3, timestamp=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc),
        effective_date=dt.date(2024, 4, 30), recorded_by="test", paragraph="bek § 5", rulebook="bek-2017", anmeldt=False,
    )
    stored = app.mapper_.to_stored_event(old)
    # Store it under the new class's topic, as it would be after the class changed.
    stored = StoredEvent(stored.originator_id, stored.originator_version, app.mapper_.topic_of(UpcastVisit), stored.state)
    assert b"class_version" not in stored.state
    app.recorder.insert_events([stored])
    read = app.mapper_.to_domain_event(app.recorder.select_events(offer.id)[-1])
    assert isinstance(read, UpcastVisit)
    assert read.form == "uanmeldt"
    # A new event of the class records its version, and reads back as it was.
    again = app.mapper_.to_stored_event(read)
    assert json.loads(again.state)["class_version"] == 2
    assert app.mapper_.to_domain_event(again) == read


def test_two_writers_deciding_on_the_same_offer_at_once_one_wins_the_other_gets_a_conflict(app: Ledger, store_url: str) -> None:
    record(app, *approved())
    other = Ledger(store_url, user="other")
    try:
        first = app.case("T-1")
        second = other.case("T-1")  # both have read version 2
        rec = app.recording()
        first.tilsynsbesoeg(rec, date=dt.date(2024, 4, 1), form="anmeldt")
        second.tilsynsbesoeg(other.recording(), date=dt.date(2024, 4, 2), form="uanmeldt")
        app.store([first])
        with pytest.raises(ConcurrencyConflict, match="nothing of this command was stored"):
            other.store([second])
    finally:
        other.close()
    offer = app.case("T-1")
    assert offer.version == 3
    assert offer.state.last_visit_on("2024-12-31") == "2024-04-01"
    assert verify(app.engine).ok


def test_concurrent_threads_on_one_offer_lose_nothing_and_duplicate_nothing(app: Ledger, store_url: str) -> None:
    record(app, *approved())
    outcomes: list[str] = []
    # Every writer has decided on the offer as it stood (version 2) before any of them stores.
    decided = threading.Barrier(6)

    def visit(day: int) -> None:
        ledger = Ledger(store_url, user=f"writer-{day}")
        store = ledger.store
        ledger.store = lambda cases: (decided.wait(timeout=60), store(cases))[1]  # type: ignore[method-assign]
        try:
            ledger.execute([parse_command(besoeg(date=f"2024-05-{day:02d}"))])
            outcomes.append(f"ok-{day}")
        except ConcurrencyConflict:
            outcomes.append(f"conflict-{day}")
        finally:
            ledger.close()

    threads = [threading.Thread(target=visit, args=(day,)) for day in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = app.case("T-1")
    accepted = sorted(o for o in outcomes if o.startswith("ok"))
    assert len(outcomes) == 6
    assert len(accepted) == 1  # the first to store wins; the five others were refused as conflicts
    assert stored.version == 2 + len(accepted)
    visits = sorted(e.effective_date.day for e in stored.events[2:])
    assert visits == sorted(int(o.split("-")[1]) for o in accepted)
    assert verify(app.engine).ok


def test_the_application_records_who_and_when_never_the_caller(app: Ledger, clock: Any) -> None:
    record(app, ansoegning(by="karen.sagsbehandler"))
    event = app.case("T-1").events[0]
    if app.session_user is None:  # SQLite: the name given records
        assert (event.recorded_by, event.on_behalf_of) == ("karen.sagsbehandler", None)
    else:  # PostgreSQL: the database's session user records, on the named one's behalf
        assert (event.recorded_by, event.on_behalf_of) == (app.session_user, "karen.sagsbehandler")
    assert event.timestamp == clock.now
    assert event.rulebook == "bek-2017"
    assert event.paragraph.startswith("bek § 1 stk 1")


def test_an_unknown_offer_is_not_found(app: Ledger) -> None:
    with pytest.raises(NotFound, match="not in the ledger"):
        app.case("T-404")


def test_opening_a_missing_sqlite_ledger_says_to_run_init(tmp_path: Any) -> None:
    with pytest.raises(NotFound, match="ledger init"):
        Ledger(str(tmp_path / "nothing.db"))


def test_offer_ids_map_to_stable_case_ids() -> None:
    assert Offer.id_for("T-1") == Offer.id_for("T-1") != Offer.id_for("T-2")


def test_godkendelse_builder_is_lawful_after_ansoegning(app: Ledger) -> None:
    record(app, ansoegning(), godkendelse())
    assert app.case("T-1").state.status_on("2024-03-01") == "godkendt"



@pytest.mark.parametrize("whole", [False, True])
def test_a_stream_read_whole_is_planned_for_every_row(whole: bool, pg_schema_url: str) -> None:
    """A PostgreSQL cursor is planned for its first tenth unless the reader says it reads every row
    (the rebuild does: see ledger/store/stream.py); the setting is the transaction's own."""
    from ledger.store.stream import stream_rows

    engine = sa.create_engine(pg_schema_url)
    try:
        sql = "SELECT current_setting('cursor_tuple_fraction')"
        rows = [row for batch in stream_rows(engine, sql, {}, batch=10, whole=whole) for row in batch]
        assert [float(row[0]) for row in rows] == [1.0 if whole else 0.1]
        with engine.connect() as connection:
            assert float(connection.exec_driver_sql(sql).scalar()) == 0.1  # not left on the connection
    finally:
        engine.dispose()
