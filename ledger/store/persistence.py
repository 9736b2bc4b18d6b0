"""The eventsourcing-sqlalchemy infrastructure, extended for a system of record.

* The events table carries two more columns, ``case_hash`` and ``ledger_hash`` (see
  ``ledger.store.chain``), filled in the same transaction as the event.
* Writers are serialised before the chain head is read: PostgreSQL takes the library's
  ``LOCK TABLE ... IN EXCLUSIVE MODE``; SQLite begins write transactions with
  ``BEGIN IMMEDIATE`` (readers use plain ``BEGIN`` and never block in WAL mode).
* Triggers make the events table append-only at the database level.
* Inserts and reads of events use SQLAlchemy Core, not the ORM.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.models import StoredEventRecord  # type: ignore[attr-defined]  # see the class below
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import Column, Index, LargeBinary, event
from sqlalchemy.orm import Mapped, Session

from ledger.settings import env_float
from ledger.store.chain import GENESIS, case_hash, ledger_hash

EVENTS_TABLE = "ledger_events"
_WRITING: contextvars.ContextVar[bool] = contextvars.ContextVar("ledger_writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Mark the transactions opened inside as writers (SQLite: BEGIN IMMEDIATE)."""
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


# eventsourcing_sqlalchemy.models is wholly `# type: ignore`d upstream: mypy sees none of its names (hence the
# attr-defined ignore on the import) and StoredEventRecord is Any to it (hence the misc ignore here).
class ChainedStoredEventRecord(StoredEventRecord):  # type: ignore[misc]
    """The library's stored event, plus its two links of the hash chain."""

    __tablename__ = "stored_events"
    __abstract__ = True

    # The library's legacy declarative style (classic Column under a Mapped annotation); cast for the checker only.
    case_hash: Mapped[bytes] = cast("Mapped[bytes]", Column(LargeBinary(32), nullable=False))
    ledger_hash: Mapped[bytes] = cast("Mapped[bytes]", Column(LargeBinary(32), nullable=False))

    __table_args__ = (
        Index("stored_aggregate_event_index", "originator_id", "originator_version", unique=True),
    )


class _FlaggedTransaction:
    def __init__(self, inner: Any, commit: bool) -> None:
        self.inner = inner
        self.commit = commit
        self.token: contextvars.Token[bool] | None = None

    def __enter__(self) -> Session:
        if self.commit:
            self.token = _WRITING.set(True)
        session: Session = self.inner.__enter__()
        return session

    def __exit__(self, *exc: Any) -> None:
        try:
            self.inner.__exit__(*exc)
        finally:
            if self.token is not None:
                _WRITING.reset(self.token)
                self.token = None


class LedgerDatastore(SQLAlchemyDatastore):
    base_stored_event_record_cls = ChainedStoredEventRecord

    def __init__(self, *, url: str | None = None, **kwargs: Any) -> None:
        if url and url.startswith("sqlite") and ":memory:" not in url:
            # How long a writer waits for another writer's lock before giving up (seconds).
            kwargs.setdefault("connect_args", {"timeout": env_float("LEDGER_SQLITE_TIMEOUT")})
        elif url and url.startswith("postgresql"):
            kwargs.setdefault("pool_pre_ping", True)
            kwargs.setdefault("connect_args", {"application_name": "supervision-ledger", "connect_timeout": 10})
        super().__init__(url=url, **kwargs)
        engine = self.engine
        if isinstance(engine, sa.Engine) and engine.dialect.name == "sqlite":
            _install_sqlite_begin(engine)

    def transaction(self, commit: bool) -> Any:
        return _FlaggedTransaction(super().transaction(commit), commit)

    def init_sqlite_wal_mode(self) -> None:
        # WAL mode is set on each new SQLite connection (see _install_sqlite_begin), outside any
        # transaction; the library's own attempt would run inside one.
        self._tried_init_sqlite_wal_mode = True
        self.is_sqlite_wal_mode = self.is_sqlite_filedb


def _install_sqlite_begin(engine: sa.Engine) -> None:
    """Take SQLite's transaction control from pysqlite, so writers can BEGIN IMMEDIATE."""

    file_db = engine.url.database not in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        if file_db:
            # SQLite's default 4 KB pages: 16 KB pages stored a bulk import's events for less CPU
            # (about 1 µs a row), but the rebuild and the history read a case's events in case order,
            # a few rows from each page, and read them slower (measured: history 16.3-21.0 against
            # 15.7-15.8 ms; the rebuild below its target in a slow hour).
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _WRITING.get() else "BEGIN")


# Tests only (tests/test_scale_out.py): a writer that has inserted its rows says how many in this
# file and waits there, its transaction open, to be killed in the middle of its write.
HOLD_WRITE = "LEDGER_TEST_HOLD_WRITE"


def _hold_the_write(rows: int) -> None:
    import time

    path = os.environ[HOLD_WRITE]
    with open(f"{path}.tmp", "w", encoding="utf-8") as marker:
        marker.write(str(rows))
    os.replace(f"{path}.tmp", path)
    time.sleep(600)


class ChainedApplicationRecorder(SQLAlchemyApplicationRecorder):
    """Inserts events with their hash-chain links, and reads them with Core queries."""

    @property
    def table(self) -> sa.Table:
        return self.events_record_cls.__table__  # type: ignore[no-any-return]

    def create_table(self) -> None:
        super().create_table()
        assert isinstance(self.datastore.engine, sa.Engine)
        with self.datastore.engine.begin() as connection:
            install_append_only_triggers(connection, self.table.name)

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        if not stored_events:
            return []
        self._lock_table(session)
        connection = session.connection()
        rows = chain_rows(connection, self.table, stored_events)
        result = connection.execute(
            self.table.insert().returning(self.table.c.id, sort_by_parameter_order=True), rows
        )
        ids = [row[0] for row in result]
        if os.environ.get(HOLD_WRITE):
            _hold_the_write(len(ids))
        self._notify_channel(session)
        return ids

    def _notify_channel(self, session: Session) -> None:
        """NOTIFY the followers on PostgreSQL, naming the schema: ledgers that share a database in
        schemas of their own share the channel, and a follower wakes only for its own ledger."""
        if session.get_bind().dialect.name == "postgresql":
            session.connection().exec_driver_sql(f"SELECT pg_notify('{self.channel_name}', current_schema())")

    def select_events(
        self,
        originator_id: UUID | str,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        t = self.table
        query = sa.select(t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state).where(
            t.c.originator_id == originator_id
        )
        if gt is not None:
            query = query.where(t.c.originator_version > gt)
        if lte is not None:
            query = query.where(t.c.originator_version <= lte)
        query = query.order_by(t.c.originator_version.desc() if desc else t.c.originator_version)
        if limit is not None:
            query = query.limit(limit)
        with self.transaction(commit=False) as session:
            rows = session.connection().execute(query).all()
        return [StoredEvent(originator_id=r[0], originator_version=r[1], topic=r[2], state=bytes(r[3])) for r in rows]


def chain_rows(connection: sa.Connection, table: sa.Table, stored_events: Sequence[StoredEvent]) -> list[dict[str, Any]]:
    """The rows to insert, each linked to the chain head read inside the writer's lock."""
    head = connection.execute(sa.select(table.c.ledger_hash).order_by(table.c.id.desc()).limit(1)).scalar()
    previous_ledger = bytes(head) if head is not None else GENESIS
    previous_case: dict[Any, bytes] = {}
    rows = []
    for stored in stored_events:
        originator_id = stored.originator_id
        assert isinstance(originator_id, UUID)
        version = stored.originator_version
        if version == 1:
            previous = GENESIS
        elif originator_id in previous_case:
            previous = previous_case[originator_id]
        else:
            found = connection.execute(
                sa.select(table.c.case_hash).where(
                    table.c.originator_id == originator_id, table.c.originator_version == version - 1
                )
            ).scalar()
            if found is None:
                raise IntegrityError(f"case {originator_id} has no event {version - 1} to follow")
            previous = bytes(found)
        digest = case_hash(previous, originator_id, version, stored.topic, stored.state)
        previous_ledger = ledger_hash(previous_ledger, digest)
        previous_case[originator_id] = digest
        rows.append(
            {
                "originator_id": originator_id,
                "originator_version": version,
                "topic": stored.topic,
                "state": stored.state,
                "case_hash": digest,
                "ledger_hash": previous_ledger,
            }
        )
    return rows


_APPEND_ONLY_MESSAGE = "the ledger is append-only: stored events cannot be changed or deleted"


# SQLite's `PRAGMA user_version` of a ledger whose triggers are all installed (1: no REPLACE).
SQLITE_PROTECTION_VERSION = 1


def append_only_triggers(dialect: str, table: str = EVENTS_TABLE) -> tuple[str, ...]:
    """The names of the triggers that keep the events table append-only."""
    if dialect == "sqlite":
        return (f"{table}_no_update", f"{table}_no_delete", f"{table}_no_replace")
    return (f"{table}_append_only", f"{table}_no_truncate")


def install_append_only_triggers(connection: sa.Connection, table: str) -> None:
    if connection.dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            connection.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY_MESSAGE}'); END"
            )
        # INSERT OR REPLACE (and REPLACE INTO) deletes the row it collides with without firing the
        # delete trigger (unless a connection turns recursive_triggers on): refuse an insert that
        # collides, on any connection, before SQLite resolves the conflict.
        connection.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
            f"OR EXISTS (SELECT 1 FROM {table} WHERE originator_id = NEW.originator_id "
            "AND originator_version = NEW.originator_version) "
            f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY_MESSAGE} (an insert may not replace a stored event)'); END"
        )
        connection.exec_driver_sql(f"PRAGMA user_version = {SQLITE_PROTECTION_VERSION}")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{_APPEND_ONLY_MESSAGE} (%% on %%)', TG_OP, TG_TABLE_NAME; END $$"
        )
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_trigger WHERE tgname = :name AND tgrelid = to_regclass(:table)"),
            {"name": f"{table}_append_only", "table": table},
        ).first()
        if exists is None:
            connection.exec_driver_sql(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )
            connection.exec_driver_sql(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )
        # ENABLE ALWAYS: the triggers fire even under `SET session_replication_role = replica`
        # (which otherwise turns every ordinary trigger off). Only the table's owner may do this.
        owner = connection.execute(
            sa.text("SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(:table)"),
            {"table": table},
        ).scalar()
        if owner:
            for name in append_only_triggers("postgresql", table):
                connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}")


def upgrade_append_only(engine: sa.Engine, table: str = EVENTS_TABLE) -> None:
    """Bring an existing SQLite ledger's triggers up to date (once: `PRAGMA user_version` records it).

    A ledger written before the REPLACE trigger existed gets it when it is next opened; its events
    and hashes are untouched. Should the file be read-only, the ledger opens as it is (and
    `ledger verify` warns that the trigger is missing)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    with engine.connect() as connection:
        if (connection.exec_driver_sql("PRAGMA user_version").scalar() or 0) >= SQLITE_PROTECTION_VERSION:
            return
    try:
        with writing(), engine.begin() as connection:
            install_append_only_triggers(connection, table)
    except sa.exc.OperationalError:
        pass


class LedgerFactory(SQLAlchemyFactory):
    datastore_class = LedgerDatastore
    application_recorder_class = ChainedApplicationRecorder
