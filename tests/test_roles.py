"""`ledger roles setup` on a real PostgreSQL: each role holds only what it needs, the append-only
triggers stay, and the CLI records the database's session user."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ledger.application import Ledger
from tests.support import ansoegning, godkendelse, run_cli

pytestmark = pytest.mark.postgres


@pytest.fixture
def logins(pg_schema_url: str) -> Iterator[dict[str, str]]:
    """A ledger with its roles set up, and one login per role (URLs that log in as each)."""
    Ledger(pg_schema_url, create=True)
    result = run_cli(["roles", "setup", "--db", pg_schema_url, "--format", "json"], None)
    assert result.exit_code == 0, result.output
    engine = sa.create_engine(pg_schema_url)
    made: dict[str, str] = {}
    suffix = uuid.uuid4().hex[:8]
    with engine.begin() as connection:
        for group in ("sagsbehandler", "revisor", "klagesag", "offentlig"):
            login = f"t_{group}_{suffix}"
            connection.exec_driver_sql(f'CREATE ROLE "{login}" LOGIN IN ROLE "ledger_{group}"')
            made[group] = pg_schema_url.replace("postgres@", f"{login}@", 1)
    try:
        yield made
    finally:
        with engine.begin() as connection:
            for url in made.values():
                login = sa.make_url(url).username
                connection.exec_driver_sql(f'DROP OWNED BY "{login}"')
                connection.exec_driver_sql(f'DROP ROLE "{login}"')
        engine.dispose()


def _submit(url: str, *lines: dict[str, object], by: str | None = None) -> object:
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    args = ["submit", "-", "--db", url] + (["--by", by] if by else [])
    return run_cli(args, data)


def test_a_sagsbehandler_login_records_and_is_stored_as_the_recorder(logins: dict[str, str]) -> None:
    url = logins["sagsbehandler"]
    result = _submit(url, ansoegning(), godkendelse(), by="Direktøren for Socialtilsyn Nord")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    login = sa.make_url(url).username
    events = Ledger(url).events_of("T-1")
    assert [(e.recorded_by, e.on_behalf_of) for e in events] == [(login, "Direktøren for Socialtilsyn Nord")] * 2


def test_a_revisor_login_reads_and_verifies_but_cannot_insert(logins: dict[str, str]) -> None:
    assert _submit(logins["sagsbehandler"], ansoegning()).exit_code == 0  # type: ignore[attr-defined]
    revisor = logins["revisor"]
    refused = _submit(revisor, godkendelse())
    assert refused.exit_code == 6  # type: ignore[attr-defined]
    assert "permission denied" in refused.output  # type: ignore[attr-defined]
    assert run_cli(["verify", "--db", revisor], None).exit_code == 0
    assert run_cli(["history", "T-1", "--db", revisor], None).exit_code == 0
    offers = run_cli(["offers", "--db", revisor, "--format", "json"], None)
    assert offers.exit_code == 0, offers.output
    assert Ledger(revisor).head()[0] == 1


def test_no_role_can_change_or_delete_an_event(logins: dict[str, str]) -> None:
    assert _submit(logins["sagsbehandler"], ansoegning()).exit_code == 0  # type: ignore[attr-defined]
    for group in ("sagsbehandler", "revisor", "klagesag"):
        engine = sa.create_engine(logins[group])
        for statement in ("UPDATE ledger_events SET topic = 'x'", "DELETE FROM ledger_events"):
            with pytest.raises(sa.exc.DBAPIError) as refused, engine.begin() as connection:
                connection.exec_driver_sql(statement)
            assert "append-only" in str(refused.value) or "permission denied" in str(refused.value)
        engine.dispose()


def test_the_offentlig_login_cannot_read_the_events(logins: dict[str, str]) -> None:
    assert _submit(logins["sagsbehandler"], ansoegning()).exit_code == 0  # type: ignore[attr-defined]
    engine = sa.create_engine(logins["offentlig"])
    with pytest.raises(sa.exc.DBAPIError) as refused, engine.connect() as connection:
        connection.exec_driver_sql("SELECT state FROM ledger_events").all()
    assert "permission denied" in str(refused.value)
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT * FROM projection_positions").all()
    engine.dispose()


def test_roles_setup_refuses_a_sqlite_ledger(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/l.db"
    Ledger(url, create=True)
    result = run_cli(["roles", "setup", "--db", url], None)
    assert result.exit_code == 2
    assert "PostgreSQL's" in result.output
