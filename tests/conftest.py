"""Fixtures: the store is parametrised over SQLite and PostgreSQL.

PostgreSQL tests read the server's URL from LEDGER_TEST_PG_URL (`.ci/run` sets it) and run each
test in a fresh schema of its own, dropped afterwards, so runs cannot disturb each other. Without
the variable they skip and say why; with it set and the server down they fail.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ledger.application import Ledger, normalise_url

PG_ENV = "LEDGER_TEST_PG_URL"

# The suite reads what the ledger prints in English (`--lang en`); tests/test_i18n.py checks the
# Danish that people see by default, and that every message has both.
os.environ["LEDGER_LANG"] = "en"


class FakeClock:
    """A clock the test moves; each reading is a little later than the one before."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now

    def set(self, moment: dt.datetime) -> None:
        self.now = moment


def pg_base_url() -> str | None:
    url = os.environ.get(PG_ENV)
    return normalise_url(url) if url else None


def with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    base = pg_base_url()
    if base is None:
        if os.environ.get("LEDGER_REQUIRE_PG"):
            pytest.fail(f"LEDGER_REQUIRE_PG is set but {PG_ENV} is not: CI must test PostgreSQL")
        pytest.skip(f"{PG_ENV} is not set, so there is no PostgreSQL server to test against (.ci/run sets it)")
    schema = f"ledger_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield with_search_path(base, schema)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL on each store."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return str(request.getfixturevalue("pg_schema_url"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(store_url: str, clock: FakeClock) -> Iterator[Ledger]:
    ledger = Ledger(store_url, create=True, clock=clock, user="test")
    try:
        yield ledger
    finally:
        ledger.close()
        ledger.engine.dispose()
