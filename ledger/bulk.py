"""Bulk import: many commands judged by the same aggregates and rules, stored in large batches.

Used to load a ledger from another system or from the generator. Every command goes through its
case's aggregate exactly as `Ledger.execute()` does; only the storing differs: cases stay in
memory between commands, and their events are written in batches (SQLite: one prepared INSERT
for many rows; PostgreSQL: COPY), chained like any other, in transactions of `flush_every`
events. A batch is stored whole or not at all; an import stopped halfway leaves whole batches
behind, never a partial one.

Historical records may carry the time they were originally recorded (`recorded_at`); the ledger's
clock is used otherwise.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from pydantic import ValidationError

from ledger.aggregates.authority import Authority
from ledger.aggregates.base import Case, Recording
from ledger.aggregates.employer import Arbejdsgiver
from ledger.aggregates.koncern import Koncern
from ledger.aggregates.offer import Offer
from ledger.application import utc_now
from ledger.commands import (
    ALL_COMMANDS,
    PARTY_ALIASES,
    BaseCommand,
    check_recorder,
    command_adapter,
    keys_given,
    object_fields,
    parse_json_line,
    refuse_repeated_key,
    require_legal_fields,
)
from ledger.coordination import KONCERN_EVENTS, NEEDS_CONTEXT, context_for, follow_up
from ledger.errors import InvalidInput, LedgerError
from ledger.events.base import LedgerEvent, with_on_behalf_of
from ledger.store import imports
from ledger.store.chain import GENESIS, case_hash_of, ledger_hash
from ledger.store.imports import Checkpoint, LineDigest
from ledger.store.persistence import writing


# Events a bulk import stores in one transaction. Each transaction writes every page of the
# (case, version) index it touched, and an import's events touch nearly all of them: fewer,
# larger transactions write less (measured at 975,025 events: 1.48 against 2.14 GB written with
# 100,000 against 20,000 events a transaction).
IMPORT_BATCH = 100_000

_log = logging.getLogger("ledger.import")

_SAME_MOMENT = dt.timedelta(milliseconds=1)
_NO_TIME = dt.timedelta(0)


class BulkImporter:
    def __init__(self, app: Any, *, flush_every: int = 20_000, by: str | None = None) -> None:
        self.app = app
        self.flush_every = flush_every
        self.by = check_recorder(by, "--by") if by else app.user
        self.cases: dict[tuple[str, str], Case] = {}
        self.pending: list[LedgerEvent] = []
        self.stored = 0
        # Each case's id (as bytes, and as the driver stores it) and its chain's last hash, by the
        # id's number (UUID.bytes is computed at each call).
        self._chains: dict[int, list[Any]] = {}
        self._writers: dict[type[LedgerEvent], tuple[str, Callable[[Any], bytes]]] = {}  # see _writer
        self.mapper = app.mapper_
        table = app.events_table
        self.table = table
        self.dialect = app.engine.dialect.name
        self.known_cases: set[UUID] | None = None
        # The cases with events not yet stored.
        self.touched: set[Case] = set()
        self._recordings: dict[str, Recording] = {}  # the latest, by who records
        self._moment: dt.datetime | None = None
        self._tick = 0
        self._system_clock = getattr(app, "clock", None) is utc_now
        # Where the stored part of an import of a file ends (ledger.store.imports): the digest of the
        # lines judged so far, the line being judged, and whether its events are already pending.
        self.digest: LineDigest | None = None
        self.line_raw: bytes = b""
        self.line_judged = False
        self.stored_through = 0
        # --dry-run: judge, store nothing (each case keeps its events: a correction needs them).
        self.dry_run = False
        placeholder = "?" if self.dialect == "sqlite" else "%s"
        self.insert_sql = (
            f"INSERT INTO {table.name} (originator_id, originator_version, topic, state, case_hash, ledger_hash) "
            f"VALUES ({', '.join([placeholder] * 6)})"
        )

    def __enter__(self) -> BulkImporter:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is None:
            self.flush()

    # -- judging --------------------------------------------------------------------------
    def case(self, kind: str, key: str) -> Case:
        found = self.cases.get((kind, key))
        if found is None:
            found = self._new_case(kind, key) or self.app._case_or_new(kind, key)
            self.cases[(kind, key)] = found
        return found

    def _new_case(self, kind: str, key: str) -> Case | None:
        """A case the store does not hold yet: no need to ask the database for its events."""
        if self.known_cases is None:
            t = self.table
            with self.app.engine.connect() as connection:
                self.known_cases = set(connection.execute(sa.select(t.c.originator_id).where(t.c.originator_version == 1)).scalars())
        cls: type[Any] = {"offer": Offer, "authority": Authority, "koncern": Koncern, "employer": Arbejdsgiver}[kind]
        case_id = cls.id_for(key)
        return None if case_id in self.known_cases else cls(case_id)

    def submit(self, command: BaseCommand, *, recorded_at: dt.datetime | None = None) -> list[LedgerEvent]:
        """Judge one validated command; its events are stored with the next flush."""
        kwargs = command.handler_kwargs()
        kind, key = command.CASE, command.case_key()
        if command.NAME in PARTY_ALIASES and self._names_party(key):
            kind = "employer"  # aendring-* naming a chapter-2 party by `offer`
        return self.record(kind, key, command.HANDLER, kwargs, recorded_at=recorded_at, by=command.by)

    def _names_party(self, key: str) -> bool:
        """Whether `key`, named as an offer, is a chapter-2 party's and no offer's."""
        offer = self.cases.get(("offer", key))
        if offer is not None and offer.version:
            return False
        party = self.cases.get(("employer", key))
        if party is not None:
            return bool(party.version)
        if self._new_case("offer", key) is None:
            return False
        return self._new_case("employer", key) is None

    def record(
        self,
        kind: str,
        key: str,
        handler: str,
        kwargs: dict[str, Any],
        *,
        recorded_at: dt.datetime | None = None,
        by: str | None = None,
    ) -> list[LedgerEvent]:
        """Call a case's use case directly (the generator's path): the same checks, no parsing."""
        case = self.case(kind, key)
        if kwargs.get("supersedes") is not None or handler == "annuller":
            case = self._with_history(kind, key, case)
        rec = self._recording(recorded_at, by or self.by)
        before = len(case.pending_events)
        if handler in NEEDS_CONTEXT:
            kwargs = kwargs | context_for(case, handler, self.case)
        getattr(case, handler)(rec, **kwargs)
        made = case.pending_events[before:]
        pending = self.pending
        pending.extend(made)
        self.line_judged = True
        self.touched.add(case)
        for event in made:
            if isinstance(event, KONCERN_EVENTS):
                pending.extend(self._touched(case, made, rec))
                break
        if len(pending) >= self.flush_every:
            self.flush()
        return made

    def _recording(self, recorded_at: dt.datetime | None, by: str) -> Recording:
        """Who records and when. The commands judged within the same millisecond share one reading
        of the clock (and their Recording: it is not free, and an import judges thousands a second)."""
        if recorded_at is None:
            if self._system_clock:
                # The system clock: whether a millisecond has passed is asked of the monotonic clock, which
                # costs a tenth of reading the time of day.
                tick = time.monotonic_ns()
                if self._moment is None or tick - self._tick >= 1_000_000:
                    self._moment, self._tick = self.app.clock(), tick
            else:
                now = self.app.clock()
                if self._moment is None or not _SAME_MOMENT > now - self._moment >= _NO_TIME:
                    self._moment = now
            recorded_at = self._moment
        last = self._recordings.get(by)
        if last is not None and last.recorded_at == recorded_at:
            return last
        # On PostgreSQL the session user records and `by` is kept as on whose behalf (Ledger.who).
        recorder, behalf = self.app.who(by)
        recording = self._recordings[by] = Recording(
            recorded_at=recorded_at, recorded_by=recorder, rulebooks=self.app.rulebooks, on_behalf_of=behalf
        )
        return recording

    def _touched(self, case: Case, made: list[LedgerEvent], rec: Recording) -> list[LedgerEvent]:
        """Events other cases record because of these (a koncern's record of its approvals and
        ophør; asked only where one of them is among the events)."""
        name = case.state.profile.get("koncern") if isinstance(case, Offer) else None
        if not name:
            return []
        koncern = self.case("koncern", name)
        self.touched.add(koncern)
        before = len(koncern.pending_events)
        follow_up(case, made, self.case, rec)
        return list(koncern.pending_events[before:])

    def _with_history(self, kind: str, key: str, case: Case) -> Case:
        """Corrections need the case's whole history: store what is pending and reload it."""
        if len(case.events) == case.version:
            return case
        self.flush()
        del self.cases[(kind, key)]
        return self.case(kind, key)

    # -- storing --------------------------------------------------------------------------
    def flush(self) -> int:
        """Store the pending events, in the order they were decided, in one transaction."""
        events = self.take_pending()
        if not events:
            return 0
        if self.dry_run:
            self.stored += len(events)
            return len(events)
        checkpoint = self._checkpoint(len(events))
        with self.writer() as connection:
            store_sealed(connection, self.table, self.insert_sql, self.seal(events, connection))
            if checkpoint is not None:
                imports.write(connection, checkpoint, self.app.clock())
        self.stored += len(events)
        if checkpoint is not None:
            self.stored_through = checkpoint.through_line
        return len(events)

    def _checkpoint(self, events: int) -> Checkpoint | None:
        """The stored part of the file once these events are stored: the lines judged, and the line
        being judged if its events are among them (a correction flushes before it is judged)."""
        digest = self.digest
        if digest is None:
            return None
        if self.line_judged:
            digest = digest.with_line(self.line_raw)
        return digest.checkpoint(self.stored + events)

    def store(self, sealed: list[Sealed], checkpoint: Checkpoint | None = None) -> None:
        """Store events sealed elsewhere (by the parallel import's workers) in one transaction,
        with the checkpoint of the lines they come from."""
        with self.writer() as connection:
            store_sealed(connection, self.table, self.insert_sql, sealed)
            if checkpoint is not None:
                imports.write(connection, checkpoint, self.app.clock())

    @contextmanager
    def writer(self) -> Iterator[sa.Connection]:
        """A write transaction on the ledger, its failures turned into the ledger's errors."""
        with self.app.guarded(), writing(), self.app.engine.begin() as connection:
            yield connection

    def take_pending(self) -> list[LedgerEvent]:
        """The events decided since the last call. Their cases keep their folded state, not the
        events themselves: those are about to be stored."""
        events, self.pending = self.pending, []
        keep = self.dry_run
        for case in self.touched:
            case.collect_events()
            if not keep:
                case.events = []
        self.touched.clear()
        return events

    def seal(self, events: list[LedgerEvent], connection: sa.Connection | None = None) -> list[Sealed]:
        """Encode events and link each into its case's chain (the ledger chain is linked when stored)."""
        as_sqlite = self.dialect == "sqlite"
        sealed: list[Sealed] = []
        chains = self._chains
        known = self.known_cases
        writers = self._writers
        for event in events:
            writer = writers.get(type(event))
            if writer is None:
                writer = writers[type(event)] = self._writer(type(event))
            originator_id = event.originator_id
            version = event.originator_version
            chain = chains.get(originator_id.int)
            if chain is None:
                case = originator_id.bytes
                chain = chains[originator_id.int] = [case, bytearray(case) if as_sqlite else originator_id, None]
            if version == 1:
                previous = GENESIS
                if known is not None:
                    known.add(originator_id)
            else:
                previous = chain[2] or self._stored_case_hash(connection, originator_id, version - 1)
            topic = writer[0]
            state = writer[1](event)
            if event.on_behalf_of is not None:
                state = with_on_behalf_of(state, event)
            digest = chain[2] = case_hash_of(previous, chain[0], version, topic, state)
            if as_sqlite:
                sealed.append((chain[1], version, topic, bytearray(state), bytearray(digest)))
            else:
                sealed.append((originator_id, version, topic, state, digest))
        return sealed

    def _writer(self, cls: type[LedgerEvent]) -> tuple[str, Callable[[Any], bytes]]:
        """An event class's topic, and what encodes its events as the mapper does: for a class at
        its first version, its pydantic serialiser, called directly (the mapper's own call of it
        costs a Python frame an event)."""
        mapper = self.mapper
        encode = cls.__pydantic_serializer__.to_json if cls.class_version == 1 else mapper.encode
        return mapper.topic_of(cls), encode

    def _stored_case_hash(self, connection: sa.Connection | None, originator_id: UUID, version: int) -> bytes:
        t = self.table
        query = sa.select(t.c.case_hash).where(t.c.originator_id == originator_id, t.c.originator_version == version)
        if connection is None:
            with self.app.engine.connect() as own:
                found = own.execute(query).scalar()
        else:
            found = connection.execute(query).scalar()
        if found is None:
            raise LedgerError(f"case {originator_id} has no stored event {version} to follow")
        return bytes(found)


IMPORT_CACHE_KIB = 131_072  # SQLite's page cache while importing: 128 MB
STORE_SLICE = 5_000  # events linked and inserted at a time, within one transaction

# An event ready to store: case id as the driver stores it, version, topic, state, case hash.
# For SQLite the byte strings are bytearrays: Python's sqlite3 binds a bytearray as a BLOB
# directly, but looks for an adapter for every bytes parameter first (measured: 2.8 against
# 1.1 µs a row of four BLOBs, 0.2 µs to make each bytearray); the stored BLOBs are the same.
Sealed = tuple[Any, int, str, bytes | bytearray, bytes | bytearray]


def store_sealed(connection: sa.Connection, table: sa.Table, insert_sql: str, sealed: list[Sealed]) -> None:
    """Link sealed events into the ledger chain after the head, read inside the writer's lock, and
    write them: on SQLite with one prepared INSERT, on PostgreSQL with COPY (`copy_sealed`)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"LOCK TABLE {table.name} IN EXCLUSIVE MODE")
    else:
        # Each event adds to the (case, version) index at a random place: with SQLite's default
        # 2 MB page cache, a large ledger's index pages are read from the file again and again.
        connection.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    head = connection.execute(sa.select(table.c.ledger_hash).order_by(table.c.id.desc()).limit(1)).scalar()
    previous = bytes(head) if head is not None else GENESIS
    if connection.dialect.name == "postgresql":
        copy_sealed(connection, table, sealed, previous)
        connection.exec_driver_sql(f"SELECT pg_notify('{table.name}', current_schema())")  # as the store does
        return
    # Linked and inserted a slice at a time: compiled, the linking holds the GIL until it is done,
    # and the parallel import's parent must not stop feeding its workers for a whole transaction.
    for start in range(0, len(sealed), STORE_SLICE):
        rows: list[tuple[Any, ...]] = []
        for row in sealed[start : start + STORE_SLICE]:
            previous = ledger_hash(previous, row[4])
            rows.append((*row, bytearray(previous)))
        connection.exec_driver_sql(insert_sql, rows)


# The columns a bulk import writes, in the order of a sealed event and its ledger hash, with their
# PostgreSQL types (for COPY's binary format).
_COPY_COLUMNS = "originator_id, originator_version, topic, state, case_hash, ledger_hash"
_COPY_TYPES = ["uuid", "int8", "text", "bytea", "bytea", "bytea"]


def copy_sealed(connection: sa.Connection, table: sa.Table, sealed: list[Sealed], previous: bytes) -> None:
    """PostgreSQL: link sealed events into the ledger chain after `previous` and write them with
    COPY in its binary format, in the transaction of `connection` (after its table lock). Measured
    against psycopg's executemany of the same INSERT, 300,000 stored events on this machine: 2.1
    against 8.9 µs of the client's CPU an event, twice the rows a second. The ids come from the
    table's sequence in the order written, as an INSERT's do; a failure (a unique violation: another
    writer's event on the same case and version) is raised as SQLAlchemy raises the driver's errors."""
    sql = f"COPY {table.name} ({_COPY_COLUMNS}) FROM STDIN (FORMAT BINARY)"
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types(_COPY_TYPES)
            write = copy.write_row  # psycopg sends its buffer to the server as it fills
            for row in sealed:
                previous = ledger_hash(previous, row[4])
                write((*row, previous))
    except connection.dialect.loaded_dbapi.Error as error:
        raise sa.exc.DBAPIError.instance(sql, None, error, connection.dialect.loaded_dbapi.Error) from error


def import_commands(app: Any, commands: Any, *, flush_every: int = 20_000, progress: Callable[[int], None] | None = None) -> int:
    """Judge and store an iterable of commands in batches. Returns the number of events stored."""
    with BulkImporter(app, flush_every=flush_every) as importer:
        for number, command in enumerate(commands, start=1):
            try:
                importer.submit(command)
            except LedgerError as error:
                error.command_number = number  # type: ignore[attr-defined]
                raise
            if progress is not None and number % 10_000 == 0:
                progress(importer.stored)
    return importer.stored


__all__ = ["BulkImporter", "import_commands", "Offer", "Authority"]


def command_of_line(raw: bytes) -> BaseCommand | None:
    """One line of a command file, validated; None for a blank line."""
    if len(raw) > 1_000_000:
        raise InvalidInput("the line is longer than 1000000 bytes")
    if raw.startswith(b"{"):
        # The usual line: validated straight from its bytes (by the adapter's own validator, as
        # TypeAdapter.validate_json calls it, without the wrapper's argument handling). Anything
        # the models refuse is read again below, so that the message is the one `ledger submit` gives.
        try:
            command: BaseCommand = _validate_json(raw)
        except ValidationError:
            pass
        else:
            if not _names_each_key_once(raw, command):
                refuse_repeated_key(raw.decode("utf-8", "replace"))
            require_legal_fields(command)  # a field the law demands, left out: its paragraph, as `ledger submit` says
            return command
    try:
        text = raw.decode("utf-8").strip().lstrip("\ufeff")
    except UnicodeDecodeError:
        raise InvalidInput("the line is not valid UTF-8") from None
    return parse_json_line(text) if text else None


_validate_json = command_adapter().validator.validate_json
# The commands that are one flat JSON object (no nested objects, no dicts): most lines.
_FLAT = frozenset(cls for cls in ALL_COMMANDS if not object_fields(cls))


def _names_each_key_once(raw: bytes, command: BaseCommand) -> bool:
    """The quick check of `ledger.commands.refuse_repeated_keys`: True when the line holds as many
    colons as its command has keys (see there why that proves no key is repeated); False means:
    look carefully."""
    given = len(command.__pydantic_fields_set__) if type(command) in _FLAT else keys_given(command)
    return raw.count(b":") == given

PARALLEL_IMPORT_FROM = 8_000_000  # bytes: about 40,000 lines of the generated file


def can_fork() -> bool:
    """Whether worker processes can share the ledger's setup (the parallel import forks them)."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def default_workers(file: Any) -> int:
    """How many processes an import of this file judges on: one per core (at most 8) for a file
    on disk of at least $LEDGER_PARALLEL_IMPORT_FROM bytes (default 8,000,000), else one (a pipe, a
    small file, a machine of one core, or one that cannot fork)."""
    import stat

    try:
        status = os.fstat(file.fileno())
    except (AttributeError, OSError, ValueError):
        return 1
    threshold = int(os.environ.get("LEDGER_PARALLEL_IMPORT_FROM", PARALLEL_IMPORT_FROM))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if not stat.S_ISREG(status.st_mode) or status.st_size < threshold or not can_fork():
        return 1
    return max(1, min(cores, 8))


def import_lines(
    app: Any,
    lines: Any,
    *,
    batch: int = IMPORT_BATCH,
    by: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    digest: LineDigest | None = None,
    stored: int = 0,
    dry_run: bool = False,
) -> tuple[int, int]:
    """Import JSON command lines (the `ledger submit` format) in batches. A refused or malformed
    line raises its error with `line_number`, `stored` (events stored before it, in whole
    batches) and `stored_through` (the last line whose events are all stored). Returns (lines,
    events stored).

    With `digest` (the lines already read, none or a resumed import's), each transaction records
    where the stored part of the file ends (ledger.store.imports), and a whole import ends with a
    row marked complete; `lines` then holds the lines after those. `dry_run` judges every line on
    one process and stores nothing.

    With `workers` > 1 the cases are judged on that many processes (`ledger.bulk_parallel`); the
    result is the same, line for line."""
    if digest is not None and not dry_run:
        imports.ensure_table(app.engine)
    try:
        if workers > 1 and not dry_run:
            from ledger.bulk_parallel import import_lines_parallel

            if not can_fork():
                raise InvalidInput("this system cannot fork: import with one worker (--workers 1)")
            counted, stored = import_lines_parallel(
                app, lines, batch=batch, by=by, progress=progress, workers=workers, digest=digest, stored=stored
            )
        else:
            first = digest.lines + 1 if digest is not None else 1
            counted, stored = import_numbered(
                app, enumerate(lines, start=first), batch=batch, by=by, progress=progress, stored=stored,
                digest=digest, dry_run=dry_run,
            )
        if digest is not None and not dry_run:
            with app.guarded(), writing(), app.engine.begin() as connection:
                imports.write(connection, digest.checkpoint(stored, complete=True), app.clock())
        return counted, stored
    finally:
        if not dry_run:
            empty_wal(app)


def empty_wal(app: Any) -> None:
    """After a bulk import on SQLite: copy the write-ahead log into the database file and empty it.
    An import's last transactions leave tens of MB in the log, and every later read looks there
    first for each page it reads (measured after an import of 975,025 events in transactions of
    100,000: a 1,000-event history 25.1-28.0 ms and verify 125,262-152,720 events/s with the log
    left, 16.2 ms and 195,853 events/s with it emptied). If a reader
    holds the log, SQLite copies what it can and the rest waits for its next checkpoint. A failure
    here is not the import's (it may be the reason the import stopped): the log stays as it is."""
    if app.engine.dialect.name != "sqlite" or app.engine.url.database in (None, "", ":memory:"):
        return
    try:
        raw = app.engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # outside any transaction
        finally:
            raw.close()
    except Exception as error:  # noqa: BLE001 - see above
        _log.info("the write-ahead log was not emptied after the import: %s", error)


# The cyclic garbage collector's thresholds during an import (Python's default: 700, 10, 10).
QUIET_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Python's cyclic garbage collector, kept quiet while an import runs.

    An import holds every case's folded state in memory and allocates several objects per event.
    With the default thresholds the collector walks that ever-growing heap again and again
    (measured: a fifth of a worker's time at 1M events); the objects alive when the import starts
    are frozen, and young collections wait for 50,000 allocations. Plain reference counting still
    frees everything at once; nothing in the import makes reference cycles. Entered again inside
    itself (the parallel import's fallback), it changes nothing."""
    if gc.get_threshold() == QUIET_THRESHOLDS:
        yield
        return
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*QUIET_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def import_numbered(
    app: Any,
    numbered: Any,
    *,
    batch: int = IMPORT_BATCH,
    by: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    counted: int = 0,
    stored: int = 0,
    digest: LineDigest | None = None,
    dry_run: bool = False,
) -> tuple[int, int]:
    """The sequential import of (line number, line) pairs; `counted` and `stored` carry on the
    figures of an import begun elsewhere (the parallel import's fallback, a resumed import), and
    `digest` is kept up to date with every line judged."""
    importer = BulkImporter(app, flush_every=batch, by=by)
    importer.stored = stored
    importer.digest = digest
    importer.dry_run = dry_run
    importer.stored_through = digest.lines if digest is not None else 0
    count = counted
    with quiet_collector():
        for number, raw in numbered:
            importer.line_raw = raw
            importer.line_judged = False
            try:
                command = command_of_line(raw)
                if command is not None:
                    importer.submit(command)
            except LedgerError as error:
                error.line_number = number  # type: ignore[attr-defined]
                error.stored = importer.stored  # type: ignore[attr-defined]
                error.stored_through = importer.stored_through  # type: ignore[attr-defined]
                raise
            if digest is not None:
                digest.add(raw)
            if command is None:
                continue
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count, importer.stored)
        importer.line_judged = False
        importer.flush()
    return count, importer.stored


# Lines between two calls of an import's progress callback.
PROGRESS_EVERY = 5_000
