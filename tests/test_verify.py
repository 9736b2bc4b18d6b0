"""Tamper evidence, on SQLite and PostgreSQL: each way of altering the stored ledger directly is
detected, with the first broken link; a published digest catches a rewritten chain."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from support import approved, besoeg, dialog, paabud

from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.store.chain import GENESIS, case_hash, ledger_hash
from ledger.verify import Digest, current_digest, verify


@pytest.fixture
def filled(app: Ledger) -> Ledger:
    commands = [*approved(), besoeg(), dialog(), paabud(), *approved(offer="T-2"), besoeg(offer="T-2", date="2024-05-01")]
    app.execute([parse_command(c) for c in commands])
    assert verify(app.engine).ok
    return app


def unprotect(app: Ledger) -> None:
    """What an attacker with database access does first: remove the append-only triggers."""
    with app.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER ledger_events_no_update")
            connection.exec_driver_sql("DROP TRIGGER ledger_events_no_delete")
        else:
            connection.exec_driver_sql("DROP TRIGGER ledger_events_append_only ON ledger_events")
            connection.exec_driver_sql("DROP TRIGGER ledger_events_no_truncate ON ledger_events")


def rows(app: Ledger) -> list[Any]:
    t = app.events_table
    with app.engine.connect() as connection:
        return connection.execute(sa.select(t).order_by(t.c.id)).all()


def set_row(app: Ledger, row_id: int, **values: Any) -> None:
    t = app.events_table
    with app.engine.begin() as connection:
        connection.execute(t.update().where(t.c.id == row_id).values(**values))


def test_an_untouched_ledger_verifies_with_its_digest(filled: Ledger) -> None:
    digest = current_digest(filled.engine)
    result = verify(filled.engine, digest=digest)
    assert result.ok and result.checked == 8 and result.ledger_hash == digest.ledger_hash
    assert Digest.parse(digest.text()) == Digest(digest.position, digest.ledger_hash)


def test_changing_a_date_is_detected_at_its_position(filled: Ledger) -> None:
    unprotect(filled)
    target = rows(filled)[3]  # the dialog of T-1, 2024-09-01
    set_row(filled, target.id, state=bytes(target.state).replace(b"2024-09-01", b"2024-08-01"))
    result = verify(filled.engine)
    assert not result.ok and result.broken_at == target.id
    assert "does not match its hash" in (result.problem or "") and result.case == "T-1"


def test_deleting_a_row_is_detected(filled: Ledger) -> None:
    unprotect(filled)
    target = rows(filled)[2]
    with filled.engine.begin() as connection:
        connection.execute(filled.events_table.delete().where(filled.events_table.c.id == target.id))
    result = verify(filled.engine)
    assert not result.ok and "missing" in (result.problem or "")


def test_deleting_a_case_from_the_middle_is_detected_by_the_ledger_chain(filled: Ledger) -> None:
    filled.execute([parse_command(besoeg(date="2024-06-01"))])  # T-1 again, after T-2
    published = current_digest(filled.engine)
    unprotect(filled)
    t = filled.events_table
    victim = rows(filled)[5].originator_id  # T-2, whose events sit between T-1's
    with filled.engine.begin() as connection:
        connection.execute(t.delete().where(t.c.originator_id == victim))
    result = verify(filled.engine)
    assert not result.ok and "ledger chain breaks" in (result.problem or "")
    assert not verify(filled.engine, digest=published).ok


def test_reordering_two_rows_is_detected(filled: Ledger) -> None:
    unprotect(filled)
    all_rows = rows(filled)
    first, second = all_rows[1], all_rows[5]  # T-1 #2 and T-2 #1
    columns = ("originator_id", "originator_version", "topic", "state", "case_hash", "ledger_hash")
    with filled.engine.begin() as connection:
        t = filled.events_table
        connection.execute(t.update().where(t.c.id == first.id).values(originator_version=-1))
        connection.execute(t.update().where(t.c.id == second.id).values({c: getattr(first, c) for c in columns}))
        connection.execute(t.update().where(t.c.id == first.id).values({c: getattr(second, c) for c in columns}))
    result = verify(filled.engine)
    assert not result.ok and result.broken_at == first.id


def test_altering_a_stored_hash_is_detected(filled: Ledger) -> None:
    unprotect(filled)
    target = rows(filled)[4]
    set_row(filled, target.id, ledger_hash=bytes(32))
    result = verify(filled.engine)
    assert not result.ok and result.broken_at == target.id and "ledger chain breaks" in (result.problem or "")


def test_a_forged_row_appended_without_the_chain_is_detected(filled: Ledger) -> None:
    last = rows(filled)[-1]
    with filled.engine.begin() as connection:
        connection.execute(
            filled.events_table.insert().values(
                originator_id=last.originator_id, originator_version=last.originator_version + 1, topic=last.topic,
                state=bytes(last.state), case_hash=bytes(32), ledger_hash=bytes(32),
            )
        )
    result = verify(filled.engine)
    assert not result.ok


def rechain(app: Ledger) -> None:
    """A careful attacker recomputes every hash after an edit, so the chain holds again."""
    previous_ledger, previous_case = GENESIS, {}
    with app.engine.begin() as connection:
        t = app.events_table
        for row in connection.execute(sa.select(t).order_by(t.c.id)).all():
            digest = case_hash(previous_case.get(row.originator_id, GENESIS), row.originator_id, row.originator_version, row.topic, bytes(row.state))
            previous_ledger = ledger_hash(previous_ledger, digest)
            previous_case[row.originator_id] = digest
            connection.execute(t.update().where(t.c.id == row.id).values(case_hash=digest, ledger_hash=previous_ledger))


def test_a_rewritten_chain_is_caught_by_the_published_digest(filled: Ledger) -> None:
    published = current_digest(filled.engine)
    unprotect(filled)
    target = rows(filled)[2]  # the visit 2024-04-15
    set_row(filled, target.id, state=bytes(target.state).replace(b"2024-04-15", b"2024-04-16"))
    rechain(filled)
    assert verify(filled.engine).ok  # the chain itself was made whole again...
    result = verify(filled.engine, digest=published)
    assert not result.ok and "not the one whose digest was published" in (result.problem or "")


def test_removing_events_from_the_end_is_caught_by_the_published_digest(filled: Ledger) -> None:
    published = current_digest(filled.engine)
    unprotect(filled)
    with filled.engine.begin() as connection:
        connection.execute(filled.events_table.delete().where(filled.events_table.c.id == published.position))
    assert verify(filled.engine).ok
    result = verify(filled.engine, digest=published)
    assert not result.ok and "removed from its end" in (result.problem or "")


def test_a_missing_trigger_is_reported(filled: Ledger) -> None:
    unprotect(filled)
    result = verify(filled.engine)
    assert result.ok and result.warnings and "append-only trigger" in result.warnings[0]


def test_one_offers_chain_can_be_verified_alone(filled: Ledger) -> None:
    from ledger.aggregates.offer import Offer

    result = verify(filled.engine, case_id=Offer.id_for("T-2"))
    assert result.ok and result.checked == 3


def test_an_appended_event_after_a_published_digest_still_verifies_against_it(filled: Ledger) -> None:
    published = current_digest(filled.engine)
    filled.execute([parse_command(besoeg(date="2024-06-01"))])
    assert verify(filled.engine, digest=published).ok
    assert current_digest(filled.engine).position > published.position
