"""Who recorded: the recorder and on whose behalf.

`on_behalf_of` was added to every event after ledgers had been stored. The corpus file
`ledger_before_on_behalf_of.jsonl` holds the rows of a ledger written by the code before it (the
demo's 66 commands, stored by commit 670759a), hashes and all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.reports.history import history_entries
from ledger.verify import verify
from tests.conftest import FakeClock
from tests.support import ansoegning, godkendelse

BEFORE = Path(__file__).parent / "corpus" / "ledger_before_on_behalf_of.jsonl"


def _old_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in BEFORE.read_text(encoding="utf-8").splitlines()]


def _load_old_ledger(url: str) -> Ledger:
    app = Ledger(url, create=True)
    table = app.events_table
    rows = [
        {
            "originator_id": UUID(row["originator_id"]),
            "originator_version": row["originator_version"],
            "topic": row["topic"],
            "state": row["state"].encode("utf-8"),
            "case_hash": bytes.fromhex(row["case_hash"]),
            "ledger_hash": bytes.fromhex(row["ledger_hash"]),
        }
        for row in _old_rows()
    ]
    with app.engine.begin() as connection:
        connection.execute(table.insert(), rows)
    return app


def test_a_ledger_written_before_on_behalf_of_existed_still_verifies(store_url: str) -> None:
    # given the rows of a ledger stored before events had on_behalf_of
    app = _load_old_ledger(store_url)
    # when it is verified
    result = verify(app.engine)
    # then every link holds, up to the head it had then
    assert result.ok, result.problem
    assert result.checked == len(_old_rows())
    assert result.ledger_hash == _old_rows()[-1]["ledger_hash"]


def test_an_event_stored_before_on_behalf_of_existed_is_read_and_written_back_to_the_same_bytes(tmp_path: Path) -> None:
    import json

    app = Ledger(f"sqlite:///{tmp_path / 'l.db'}", create=True)
    for row in _old_rows():
        stored = row["state"].encode("utf-8")
        event = app.mapper_.decode(row["topic"], stored)
        assert event.on_behalf_of is None
        again = app.mapper_.encode(event)
        # Byte for byte, but for a field a later version added with its empty default (the
        # approval's oekonomisk_begrundelse): the old event reads back with nothing lost or changed.
        old, new = json.loads(stored), json.loads(again)
        added = {key: new.pop(key) for key in list(new) if key not in old}
        assert new == old and all(value is None for value in added.values()), added
        if not added:
            assert again == stored


def test_on_behalf_of_is_stored_beside_the_recorder_and_shown_in_the_history(tmp_path: Path) -> None:
    app = Ledger(f"sqlite:///{tmp_path / 'l.db'}", create=True, clock=FakeClock())
    # when a command is recorded by an authenticated identity on someone's behalf
    app.execute([parse_command(ansoegning())], recorder="anne@nord", on_behalf_of="Direktøren for Socialtilsyn Nord")
    # then the recorder is the identity, with the one on whose behalf beside it
    event = app.events_of("T-1")[0]
    assert (event.recorded_by, event.on_behalf_of) == ("anne@nord", "Direktøren for Socialtilsyn Nord")
    assert '"on_behalf_of":"Direktøren for Socialtilsyn Nord"'.encode() in app.mapper_.encode(event)
    entry = history_entries(app.events_of("T-1"))[0]
    assert entry["recorded_by"] == "anne@nord" and entry["on_behalf_of"] == "Direktøren for Socialtilsyn Nord"


def test_an_authenticated_recorder_is_never_replaced_by_a_command_s_by(tmp_path: Path) -> None:
    app = Ledger(f"sqlite:///{tmp_path / 'l.db'}", create=True, clock=FakeClock())
    app.execute([parse_command(ansoegning(by="Direktøren"))], recorder="anne@nord")
    event = app.events_of("T-1")[0]
    assert (event.recorded_by, event.on_behalf_of) == ("anne@nord", "Direktøren")


def test_on_sqlite_the_cli_s_by_records_as_before_and_nothing_is_added_to_the_event(tmp_path: Path) -> None:
    app = Ledger(f"sqlite:///{tmp_path / 'l.db'}", create=True, clock=FakeClock())
    app.execute([parse_command(ansoegning())], by="Sagsbehandler Nord")
    event = app.events_of("T-1")[0]
    assert (event.recorded_by, event.on_behalf_of) == ("Sagsbehandler Nord", None)
    assert b"on_behalf_of" not in app.mapper_.encode(event)


@pytest.mark.postgres
def test_on_postgresql_the_session_user_records_and_by_is_kept_as_on_whose_behalf(pg_schema_url: str) -> None:
    app = Ledger(pg_schema_url, create=True, clock=FakeClock(), user="Direktøren")
    with app.engine.connect() as connection:
        session_user = connection.exec_driver_sql("SELECT session_user").scalar()
    app.execute([parse_command(ansoegning())], by="Direktøren")
    app.execute([parse_command(godkendelse())])
    first, second = app.events_of("T-1")
    assert (first.recorded_by, first.on_behalf_of) == (session_user, "Direktøren")
    assert (second.recorded_by, second.on_behalf_of) == (session_user, None)


@pytest.mark.postgres
def test_a_bulk_import_on_postgresql_keeps_by_as_on_whose_behalf_and_its_chain_verifies(pg_schema_url: str) -> None:
    import json as json_

    from tests.support import run_cli

    Ledger(pg_schema_url, create=True)
    data = "".join(json_.dumps(line, ensure_ascii=False) + "\n" for line in (ansoegning(), godkendelse())).encode()
    result = run_cli(["import", "-", "--db", pg_schema_url, "--by", "Direktøren"], data)
    assert result.exit_code == 0, result.output
    app = Ledger(pg_schema_url)
    assert [(e.recorded_by, e.on_behalf_of) for e in app.events_of("T-1")] == [(app.session_user, "Direktøren")] * 2
    assert verify(app.engine).ok


def test_on_behalf_of_is_the_last_member_of_the_stored_json_and_reads_back_to_the_same_bytes(tmp_path: Path) -> None:
    app = Ledger(f"sqlite:///{tmp_path / 'l.db'}", create=True, clock=FakeClock())
    app.execute([parse_command(ansoegning())], recorder="anne", on_behalf_of='Direktøren "Nord"')
    event = app.events_of("T-1")[0]
    stored = app.mapper_.encode(event)
    assert stored.endswith(',"on_behalf_of":"Direktøren \\"Nord\\""}'.encode())
    assert app.mapper_.encode(app.mapper_.decode(app.mapper_.topic_of(type(event)), stored)) == stored
