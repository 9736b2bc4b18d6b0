"""Runs projections: catch up from the ledger by pulling notifications in batches, rebuild from
scratch, report positions, and follow new events live (PostgreSQL LISTEN/NOTIFY).

Each projection's rows and its position are written in one transaction. The position update is
conditional (`WHERE position = the one we started from`), so two runners can never apply the same
events twice: the loser rolls back and reads again. Notifications are read on their own
connection before the projection's write transaction opens.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from ledger.errors import LedgerError
from ledger.events.base import LedgerEvent
from ledger.projections.base import Notification, Projection, metadata, positions
from ledger.projections.cases import CasesProjection
from ledger.projections.statistics import StatisticsProjection
from ledger.settings import env_int
from ledger.store.persistence import writing
from ledger.store.stream import stream_rows

PROJECTIONS: tuple[type[Projection], ...] = (CasesProjection, StatisticsProjection)
READ_BATCH = 5_000
# Events applied in memory before rows and position are committed together (one transaction).
FLUSH_EVERY = env_int("LEDGER_PROJECTION_FLUSH")
# A rebuild worker flushes more often: what it holds between flushes is all it holds.
REBUILD_FLUSH_EVERY = env_int("LEDGER_REBUILD_FLUSH")

Progress = Callable[[int], None]


class PositionMoved(LedgerError):
    """Another runner advanced the projection first; this batch was rolled back."""


class ProjectionAhead(LedgerError):
    """A projection's position lies past the ledger's head (set by hand, or copied from another
    ledger): it would hide every new event, so nothing is read from it until it is rebuilt."""

    exit_code = 6


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int
    version: int
    current_version: int

    @property
    def behind(self) -> int:
        return max(self.head - self.position, 0)

    @property
    def ahead(self) -> int:
        """How far the position lies past the ledger's head (0 for a sound projection)."""
        return max(self.position - self.head, 0)

    @property
    def rebuilding(self) -> bool:
        return self.position == REBUILDING

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "position": self.position,
            "head": self.head,
            "behind": 0 if self.rebuilding else self.behind,
            "ahead": self.ahead,
            "rebuilding": self.rebuilding,
            "version": self.version,
            "needs_rebuild": self.version != self.current_version or self.ahead > 0 or self.rebuilding,
        }


class ProjectionRunner:
    def __init__(self, app: Any, names: Sequence[str] | None = None, *, ensure: bool = True) -> None:
        """`ensure=False` (status, check) reads only: no table is created, dropped or reset."""
        self.app = app
        self.engine: sa.Engine = app.engine
        self.events = app.events_table
        wanted = set(names) if names else None
        unknown = (wanted or set()) - {p.name for p in PROJECTIONS}
        if unknown:
            raise LedgerError(f"unknown projection(s) {sorted(unknown)}; known: {[p.name for p in PROJECTIONS]}")
        self.projections = [cls(self.read_case) for cls in PROJECTIONS if wanted is None or cls.name in wanted]
        if ensure:
            self.ensure_tables()

    # -- storage --------------------------------------------------------------------------
    def ensure_tables(self) -> None:
        with writing(), self.engine.begin() as connection:
            metadata.create_all(connection, tables=[positions, *[t for p in self.projections for t in p.tables]])
            known = {row.name: row for row in connection.execute(sa.select(positions))}
            for projection in self.projections:
                row = known.get(projection.name)
                if row is None:
                    connection.execute(positions.insert().values(name=projection.name, position=0, version=projection.version))
                elif row.version != projection.version or row.position == REBUILDING:
                    # A new version of the projection, or a rebuild that stopped halfway.
                    self._drop_and_reset(connection, projection)

    def _drop_and_reset(self, connection: sa.Connection, projection: Projection) -> None:
        for table in projection.tables:
            table.drop(connection, checkfirst=True)
            table.create(connection)
        connection.execute(
            positions.update().where(positions.c.name == projection.name).values(position=0, version=projection.version)
        )
        projection.reset()

    def head(self) -> int:
        with self.engine.connect() as connection:
            value = connection.execute(sa.select(sa.func.max(self.events.c.id))).scalar()
        return int(value or 0)

    def positions(self) -> dict[str, int]:
        return {name: position for name, (position, _) in self._position_rows().items()}

    def _position_rows(self) -> dict[str, tuple[int, int]]:
        """name -> (position, version); empty for a ledger whose projections were never built."""
        with self.engine.connect() as connection:
            if not sa.inspect(connection).has_table(positions.name):
                return {}
            return {row.name: (int(row.position), int(row.version)) for row in connection.execute(sa.select(positions))}

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        rows = self._position_rows()
        return [
            ProjectionStatus(p.name, rows.get(p.name, (0, 0))[0], head, rows.get(p.name, (0, 0))[1], p.version)
            for p in self.projections
        ]

    def refuse_if_ahead(self, head: int) -> None:
        """A projection whose position is past the head would hide every new event: refuse to read it."""
        for name, position in self.positions().items():
            if position > head and any(p.name == name for p in self.projections):
                raise ProjectionAhead(
                    f"projection {name} is at position {position}, past the ledger's head ({head}): its position was "
                    f"set by hand or belongs to another ledger, and it would hide every new event; run "
                    f"`ledger projections rebuild {name}`"
                )

    # -- reading the ledger ---------------------------------------------------------------
    def read_case(self, case_id: UUID, up_to_version: int) -> list[LedgerEvent]:
        t = self.events
        query = (
            sa.select(t.c.topic, t.c.state)
            .where(t.c.originator_id == case_id, t.c.originator_version <= up_to_version)
            .order_by(t.c.originator_version)
        )
        decode = self.app.mapper_.decode
        with self.engine.connect() as connection:
            return [decode(topic, bytes(state)) for topic, state in connection.execute(query)]

    def read_after(self, position: int, limit: int, stop: int | None = None) -> list[Notification]:
        t = self.events
        query = sa.select(t.c.id, t.c.topic, t.c.state).where(t.c.id > position).order_by(t.c.id).limit(limit)
        if stop is not None:
            query = query.where(t.c.id <= stop)
        decode = self.app.mapper_.decode
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [Notification(int(row[0]), decode(row[1], bytes(row[2]))) for row in rows]

    # -- running --------------------------------------------------------------------------
    def catch_up(self, progress: Progress | None = None) -> int:
        """Bring every projection up to the ledger's head. Returns how many events were applied."""
        head = self.head()
        self.refuse_if_ahead(head)
        applied = 0
        for group_position, group in self._groups():
            applied += self._run(group, group_position, head, progress)
        return applied

    def _groups(self) -> Iterator[tuple[int, list[Projection]]]:
        """Projections at the same position share one read of the ledger."""
        current = self.positions()
        by_position: dict[int, list[Projection]] = {}
        for projection in self.projections:
            by_position.setdefault(current.get(projection.name, 0), []).append(projection)
        yield from sorted(by_position.items(), key=lambda item: item[0])

    def _run(self, group: list[Projection], start: int, head: int, progress: Progress | None) -> int:
        if start >= head:
            return 0
        position = start
        committed = start
        pending = 0
        for projection in group:
            projection.reset()
            projection.written = False
            projection.fresh = start == 0 and self._empty(projection)
        try:
            while position < head:
                batch = self.read_after(position, READ_BATCH, stop=head)
                if not batch:
                    break
                loading = [p for p in group if not p.fresh]
                if loading:
                    with self.engine.connect() as connection:
                        for projection in loading:
                            projection.load(connection, batch)
                for projection in group:
                    projection.apply(batch)
                position = batch[-1].position
                pending += len(batch)
                if pending >= FLUSH_EVERY or position >= head:
                    self._commit(group, committed, position)
                    committed = position
                    pending = 0
                if progress is not None:
                    progress(position)
        except BaseException:
            for projection in group:
                projection.reset()
            raise
        return committed - start

    def _empty(self, projection: Projection) -> bool:
        with self.engine.connect() as connection:
            return all(connection.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first() is None for t in projection.tables)

    def _commit(self, group: list[Projection], expected: int, position: int) -> None:
        with writing(), self.engine.begin() as connection:
            for projection in group:
                moved = connection.execute(
                    positions.update()
                    .where(positions.c.name == projection.name, positions.c.position == expected)
                    .values(position=position)
                ).rowcount
                if moved != 1:
                    raise PositionMoved(
                        f"projection {projection.name} was advanced by another runner; this batch was not applied"
                    )
                projection.flush(connection)
                projection.written = True

    def rebuild(self, progress: Progress | None = None, workers: int | None = None) -> int:
        """Drop the projections' tables and replay the whole ledger into them.

        A large ledger is replayed by worker processes (one per core by default, or
        LEDGER_REBUILD_WORKERS), each folding the cases of its share in case order, so that memory
        stays bounded; the rows are the ones a replay in the ledger's order would write."""
        if workers is None:  # read (and refused if malformed) before anything is emptied
            workers = env_int("LEDGER_REBUILD_WORKERS") or (os.cpu_count() or 1)
        with writing(), self.engine.begin() as connection:
            for projection in self.projections:
                self._drop_and_reset(connection, projection)
        head = self.head()
        if head < PARALLEL_FROM or ":memory:" in str(self.engine.url):
            return self.catch_up(progress)
        return self._rebuild_parallel(head, max(1, workers), progress)

    def _rebuild_parallel(self, head: int, workers: int, progress: Progress | None) -> int:
        """Workers write their shares' rows themselves while the positions say REBUILDING; the
        positions move to the head only when every worker has finished. A rebuild that stops
        halfway leaves REBUILDING behind, and the next runner drops the tables and starts over."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with writing(), self.engine.begin() as connection:
            for projection in self.projections:
                connection.execute(
                    positions.update().where(positions.c.name == projection.name, positions.c.position == 0)
                    .values(position=REBUILDING)
                )

        # fork starts a worker in milliseconds; each worker opens its own engine.
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        counters = [context.Value("q", 0, lock=False) for _ in range(workers)]
        self.engine.dispose()  # no pooled connection may be shared with a forked worker
        names = [p.name for p in self.projections]
        url = self.engine.url.render_as_string(hide_password=False)
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_share, initargs=(counters, os.getpid())) as pool:
            futures = [pool.submit(_replay_share, url, names, share, workers, head) for share in range(workers)]
            while progress is not None and not all(f.done() for f in futures):
                progress(min(head, sum(c.value for c in counters)))  # events replayed so far
                time.sleep(0.2)
            for future in futures:
                future.result()
        with writing(), self.engine.begin() as connection:
            for projection in self.projections:
                moved = connection.execute(
                    positions.update()
                    .where(positions.c.name == projection.name, positions.c.position == REBUILDING)
                    .values(position=head)
                ).rowcount
                if moved != 1:
                    raise PositionMoved(f"projection {projection.name} was changed by another runner; the rebuild was not applied")
        if progress is not None:
            progress(head)
        return head

    def catch_up_retrying(self, progress: Progress | None = None, attempts: int = 5) -> int:
        for attempt in range(attempts):
            try:
                return self.catch_up(progress)
            except PositionMoved:
                time.sleep(0.05 * (attempt + 1))
        return self.catch_up(progress)


    # -- following live ---------------------------------------------------------------------
    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """One follower per projection: on PostgreSQL an advisory lock per projection, held on a
        connection of its own for as long as the runner follows."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        with self.engine.connect() as connection:
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
            taken: list[str] = []
            try:
                for projection in self.projections:
                    key = f"supervision-ledger:{schema}:projection:{projection.name}"
                    got = connection.execute(sa.text("SELECT pg_try_advisory_lock(hashtext(:k))"), {"k": key}).scalar()
                    connection.commit()
                    if not got:
                        raise LedgerError(
                            f"projection {projection.name} is already being followed by another runner; "
                            "only one may run per projection"
                        )
                    taken.append(key)
                yield
            finally:
                for key in taken:
                    connection.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": key})
                    connection.commit()

    def follow(
        self,
        stop: threading.Event | None = None,
        *,
        interval: float = 1.0,
        on_caught_up: Callable[[int], None] | None = None,
    ) -> int:
        """Keep the projections current until `stop` is set (or Ctrl-C). Returns the position reached.

        On PostgreSQL the runner LISTENs on the ledger's channel before it first reads the ledger, so
        an event committed between a catch-up and the wait that follows still wakes it; it also
        looks again every `interval` seconds without a notification, so a lost one costs at most
        that long. On SQLite it polls every `interval` seconds. `on_caught_up` is called after
        every catch-up, before the wait. Each batch commits its rows with its position, so stopping
        at any moment loses nothing."""
        stop = stop or threading.Event()
        done = 0

        def catch_up() -> None:
            nonlocal done
            self.catch_up_retrying()
            done = min(self.positions()[p.name] for p in self.projections)
            if on_caught_up is not None:
                on_caught_up(done)

        with self.exclusive():
            if self.engine.dialect.name == "postgresql":
                with self._listening() as wait:
                    catch_up()
                    while not stop.is_set():
                        wait(interval, stop)
                        if not stop.is_set():
                            catch_up()
            else:
                catch_up()
                while not stop.wait(interval):
                    catch_up()
        return done

    @contextmanager
    def _listening(self) -> Iterator[Callable[[float, threading.Event], None]]:
        """LISTEN on the channel the store NOTIFYs on at each commit, on a connection of its own
        (autocommit, so the LISTEN is in force at once). Yields `wait(timeout, stop)`, which returns
        when a notification arrives, `timeout` seconds pass, or `stop` is set (checked every 0.2 s)."""
        channel = self.app.recorder.channel_name
        with self.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql(f"LISTEN {channel}")
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
            raw: Any = connection.connection.driver_connection

            def wait(timeout: float, stop: threading.Event) -> None:
                deadline = time.monotonic() + timeout
                while not stop.is_set():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return
                    # The store names its schema in the payload; ledgers in other schemas share the channel.
                    if any(n.payload == schema for n in raw.notifies(timeout=min(left, 0.2))):
                        return

            try:
                yield wait
            finally:
                connection.invalidate()  # closed, not pooled: no other user inherits the LISTEN


# A projection whose rebuild is under way (or stopped halfway) has this position.
REBUILDING = -1
# A rebuild replays in several processes from this many events on.
PARALLEL_FROM = env_int("LEDGER_PARALLEL_FROM")
_counters: list[Any] = []
_parent: list[int] = []


def _share(counters: list[Any], parent: int) -> None:
    """Worker set-up: die with the parent (a killed rebuild must leave no writer behind)."""
    _counters[:] = counters
    _parent[:] = [parent]
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the worker checks for its parent before each write instead
    if os.getppid() != parent:
        os._exit(1)


def _orphaned() -> bool:
    return bool(_parent) and os.getppid() != _parent[0]


def _replay_share(url: str, names: list[str], share: int, shares: int, head: int) -> int:
    """In a worker process: fold the cases whose id falls in this share, up to `head`, writing
    their rows as it goes. A case's share is the last byte of its id, so every event of a case,
    and every correction's refold, lands in one worker.

    The share is read in case order (case id, then version), not in the ledger's order: a case is
    finished when the next one begins, so after each flush only the case in progress stays in
    memory, and a rebuild's memory does not grow with the number of cases."""
    from ledger.application import Ledger

    app = Ledger(url, user="rebuild")
    runner = ProjectionRunner.__new__(ProjectionRunner)
    runner.app, runner.engine, runner.events = app, app.engine, app.events_table
    projections = [cls(runner.read_case) for cls in PROJECTIONS if cls.name in names]
    for projection in projections:
        projection.fresh = True
    table = app.events_table.name
    decode = app.mapper_.decode
    if app.engine.dialect.name == "sqlite":
        # The id is a 16-byte blob: its last hex digit picks the share.
        mine = f"(instr('0123456789ABCDEF', substr(hex(originator_id), 32, 1)) - 1) % {shares} = {share}"
    else:
        mine = f"mod(get_byte(uuid_send(originator_id), 15), {shares}) = {share}"
    columns = f"SELECT id, originator_id, originator_version, topic, state FROM {table} WHERE id <= :head AND {mine}"
    order = "ORDER BY originator_id, originator_version"
    size = READ_BATCH * 4

    def batches() -> Iterator[Sequence[Any]]:
        if app.engine.dialect.name == "postgresql":
            # One server-side cursor: PostgreSQL sorts the share once (paging would sort per page).
            yield from stream_rows(
                app.engine, f"{columns} {order}", {"head": head}, batch=size, name=f"rebuild_share_{share}", binary=True,
                whole=True,
            )
            return
        # SQLite walks the (case, version) index page by page, holding no read lock in between.
        # (check.whole_cases pages the same way through typed columns; here raw text keeps the ids
        # as bytes: converting each to a UUID made the rebuild 15 % slower.)
        first = sa.text(f"{columns} {order} LIMIT :limit")
        after = sa.text(f"{columns} AND (originator_id, originator_version) > (:case_id, :version) {order} LIMIT :limit")
        last: tuple[Any, int] | None = None
        while True:
            with app.engine.connect() as connection:
                if last is None:
                    rows = connection.execute(first, {"head": head, "limit": size}).all()
                else:
                    rows = connection.execute(after, {"head": head, "limit": size, "case_id": last[0], "version": last[1]}).all()
            if not rows:
                return
            last = (rows[-1][1], rows[-1][2])
            yield rows

    applied = pending = 0

    def flush(in_progress: UUID | None) -> None:
        if _orphaned():
            os._exit(1)  # the rebuild was stopped: write nothing more
        with writing(), app.engine.begin() as connection:
            for projection in projections:
                projection.flush(connection)
                projection.written = True
        for projection in projections:
            projection.forget_except(in_progress)

    for rows in batches():
        batch = [Notification(int(row[0]), decode(row[3], bytes(row[4]))) for row in rows]
        for projection in projections:
            projection.apply(batch)
        applied += len(batch)
        pending += len(batch)
        if pending >= REBUILD_FLUSH_EVERY:
            flush(batch[-1].event.originator_id)
            pending = 0
        if _counters:
            _counters[share].value = applied
    flush(None)
    app.close()
    app.engine.dispose()
    return applied


def up_to_date(app: Any, names: Sequence[str] | None = None) -> ProjectionRunner:
    """A runner whose projections have caught up with the ledger (used by every reading command)."""
    runner = ProjectionRunner(app, names)
    runner.catch_up_retrying()
    return runner
