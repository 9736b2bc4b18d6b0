"""Bulk import on several processes: the cases shared out among workers, the ledger chain kept by one.

The file is read in chunks of lines. The parent routes each line to a share by the case it names
(read from the raw line by `Router`) and sends each worker the lines of its share; the worker
parses them with the command models, judges them by the case's aggregate, encodes the events and
links them into the case's chain, exactly as `BulkImporter` does. The parent merges the workers'
sealed events back into line order, links them into the ledger chain and stores them, from a
writer thread, in transactions of whole chunks. The ledger that results is the one a one-process
import of the same file would store, event for event and in the same order.

An offer belongs to the share of its koncern, named in the first line that mentions it (its
application), so the koncern's record of its offers' approvals (bek § 3) is kept by the same
worker. A worker checks every case it touches against the routing; where a line cannot be judged
within one share (an offer that joins another koncern on a new application, a correction that
needs the case's stored history, a key spelled differently from the line's), or a worker fails,
the import carries on from the last stored chunk on one process, which judges everything alike.
A refused line stops the import as it does on one process: the transactions stored before it
stay, whole, and nothing after them is stored.
"""

from __future__ import annotations

import gc
import itertools
import json
import logging
import multiprocessing
import operator
import os
import pickle
import re
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import wait
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

from ledger.aggregates.base import Case
from ledger.bulk import (
    IMPORT_BATCH,
    QUIET_THRESHOLDS,
    PROGRESS_EVERY,
    BulkImporter,
    Sealed,
    command_of_line,
    import_numbered,
    quiet_collector,
)
from ledger.commands import COMMANDS, party_alias
from ledger.errors import LedgerError
from ledger.store.imports import Checkpoint, LineDigest

_log = logging.getLogger("ledger.import")

# Lines sent to the workers at a time, and chunks in flight before the parent waits for results.
CHUNK_LINES = 2_000
IN_FLIGHT = 12
# Transactions queued for the writer thread or being written (see _import_lines_parallel).
QUEUED_WRITES = 2

# The field of a command line that names its case, by the kind of case.
_KEY_FIELD = {"offer": "offer", "authority": "region", "koncern": "koncern", "employer": "part"}
_KIND_OF = {name: cls.CASE for name, cls in COMMANDS.items()}


class Unpartitionable(Exception):
    """A line that cannot be judged within one share; the import goes on on one process."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.line_number = 0


class Router:
    """Which share judges a line (the parent routes every line, in order), and which share keeps a
    koncern's, a Socialtilsyn's or a chapter-2 party's case (the workers check what they touch)."""

    def __init__(self, shares: int) -> None:
        self.shares = shares
        # An offer's group, fixed by the first line that names it: its koncern's, or its own.
        self.offer_group: dict[str, str] = {}
        self._shares: dict[str, int] = {}  # by group
        self._compact: dict[bytes, tuple[int, str | None]] = {}  # by a compact line's beginning
        self.load = [0] * shares  # lines routed to each share so far

    def share(self, group: str) -> int:
        """A koncern's, a Socialtilsyn's or a party's group goes by its name's hash, which every
        worker computes alike. An offer of no koncern goes to the share with the fewest lines so
        far: only the parent places those (a worker knows its offers by the lines it is sent),
        and the shares even out (measured on the generated national file: 50.2 % and 49.8 % of the
        lines, against 51.6 % and 48.4 % by hash; the worker with less waits for the other)."""
        found = self._shares.get(group)
        if found is None:
            if group.startswith("offer:"):
                load = self.load
                found = min(range(self.shares), key=load.__getitem__)
            else:
                found = zlib.crc32(group.encode()) % self.shares
            self._shares[group] = found
        return found

    def case_share(self, kind: str, key: str) -> int:
        if kind == "offer":
            return self.share(self.offer_group.get(key) or f"offer:{key}")
        return self.share(f"{kind}:{key}")

    def route(self, raw: bytes) -> tuple[int, str | None]:
        """The share that judges a line, and the case key it was routed by (None: no case named;
        such a line is judged by share 0, which refuses it with the usual message)."""
        found = self._which(raw)
        self.load[found[0]] += 1
        return found

    def _which(self, raw: bytes) -> tuple[int, str | None]:
        head = _HEAD(raw)
        if head is not None:
            # A compactly written line (`{"command":"NAME","FIELD":"KEY",...`, as json.dumps with
            # separators=(",", ":") and the generator write it): routed as the line with the same
            # beginning was, where the command cannot name a koncern (an application is read whole).
            found = self._compact.get(head[0])
            if found is not None:
                return found
            compact = _COMPACT_FIELD.get(head[1])
            if compact is not None and compact[1] == head[2] and head[3]:
                found = self._route(compact[0], head[3].decode("utf-8", "replace"), None)
                if len(self._compact) < _COMPACT_KEPT:
                    self._compact[head[0]] = found
                return found
        return self._route(*_case_of(raw))

    def _route(self, kind: str | None, key: str | None, koncern: str | None) -> tuple[int, str | None]:
        if kind is None or key is None:
            return 0, None
        if kind == "offer":
            group = self.offer_group.get(key)
            if group is None:
                group = self.offer_group[key] = f"koncern:{koncern}" if koncern else f"offer:{key}"
            return self.share(group), key
        return self.share(f"{kind}:{key}"), key


# For each command that cannot name a koncern (not an application), the kind of case it names and
# the field that names it; a line that begins with the two is routed by a quick look at its
# beginning. A quick look can be fooled (a key given twice, an escape in it): the worker checks
# the parsed command against the key it was routed by, and every case it touches against its
# share, and a line that fails either goes to one process.
_HEAD = re.compile(rb'\{"command":"([^"\\]*)","([^"\\]*)":"([^"\\]*)"').match
_COMPACT_FIELD = {
    name.encode(): (kind, _KEY_FIELD[kind].encode())
    for name, kind in _KIND_OF.items()
    if "koncern" not in COMMANDS[name].model_fields or kind == "koncern"
}
_COMPACT_KEPT = 1_000_000  # line beginnings whose route is kept


def _case_of(raw: bytes) -> tuple[str | None, str | None, str | None]:
    """The kind of case a line names, its key and (for an offer) its koncern, read from the
    line's JSON."""
    try:
        data = json.loads(raw.decode("utf-8").strip().lstrip("\ufeff"))
    except (ValueError, UnicodeDecodeError):
        return None, None, None
    if not isinstance(data, dict):
        return None, None, None
    aliased = party_alias(data)  # a chapter-2 party's change written as the offer's command with part
    name = (aliased or data).get("command")
    kind = _KIND_OF.get(name) if isinstance(name, str) else None
    if kind is None:
        return None, None, None
    key = data.get(_KEY_FIELD[kind])
    koncern = data.get("koncern") if kind == "offer" else None
    return kind, key if isinstance(key, str) else None, koncern if isinstance(koncern, str) else None


class ShareImporter(BulkImporter):
    """A worker's importer: judges and seals the lines routed to its share; the parent stores them."""

    def __init__(self, app: Any, router: Router, share: int, *, by: str | None) -> None:
        super().__init__(app, flush_every=2**62, by=by)
        self.router = router
        self.share = share
        self.offers: set[str] = set()  # the offers whose lines were routed here

    def case(self, kind: str, key: str) -> Case:
        mine = key in self.offers if kind == "offer" else self.router.case_share(kind, key) == self.share
        if not mine:
            raise Unpartitionable(f"the line touches the {kind} case {key!r}, kept by another worker")
        return super().case(kind, key)

    def _names_party(self, key: str) -> bool:
        offer = self.cases.get(("offer", key))
        if (offer is not None and offer.version) or self._new_case("offer", key) is None:
            return False  # an offer's (an offer's lines all come to the worker that keeps it)
        if super()._names_party(key):
            return True
        if self.router.case_share("employer", key) != self.share:
            # A party of that name may be being created by another worker: only one process can tell.
            raise Unpartitionable(f"the line names {key!r}, which may be a chapter-2 party kept by another worker")
        return False

    def _with_history(self, kind: str, key: str, case: Case) -> Case:
        if len(case.events) == case.version:
            return case
        raise Unpartitionable("a correction needs the case's stored history")

    def flush(self) -> int:
        raise AssertionError("a worker's events are stored by the parent")

    def judge_chunk(self, lines: list[tuple[int, bytes, str | None]]) -> tuple[int, list[int], list[Sealed]]:
        """Judge the lines routed here (line number, line, the case key it was routed by).
        Returns (lines judged, each sealed event's line number, the sealed events)."""
        numbers: list[int] = []
        judged = 0
        pending = self.pending
        for number, raw, key in lines:
            try:
                command = command_of_line(raw)
                if command is None:
                    continue
                if command.case_key() != key:
                    raise Unpartitionable("the line's case key reads differently once parsed")
                if command.CASE == "offer":
                    self.offers.add(key)
                before = len(pending)
                self.submit(command)
            except (LedgerError, Unpartitionable) as error:
                error.line_number = number  # type: ignore[union-attr]
                raise
            judged += 1
            made = len(pending) - before
            if made == 1:
                numbers.append(number)
            else:
                numbers.extend([number] * made)
        return judged, numbers, self.seal(self.take_pending())


# What makes a worker's importer (read when a worker starts: a test puts one there that fails).
make_share_importer: Callable[..., Any] = ShareImporter


def _work(app: Any, inbox: Any, outbox: Any, share: int, shares: int, by: str | None, parent: int) -> None:
    """A worker process: judge the lines routed to this share until told to stop."""
    app.engine.dispose(close=False)  # the parent's connections stay the parent's
    gc.freeze()
    gc.set_threshold(*QUIET_THRESHOLDS)
    importer = make_share_importer(app, Router(shares), share, by=by)
    while True:
        try:
            message = inbox.get(timeout=1.0)
        except Exception:  # noqa: BLE001 - queue.Empty: look whether the parent is still there
            if os.getppid() != parent:
                return
            continue
        if message is None:
            return
        number, lines = message
        judged_ok = False
        try:
            judged, numbers, sealed = importer.judge_chunk(lines)
            reply = pickle.dumps(("ok", number, judged, numbers, sealed), protocol=pickle.HIGHEST_PROTOCOL)
            judged_ok = True
        except LedgerError as error:
            line = error.line_number  # type: ignore[attr-defined]
            try:
                reply = pickle.dumps(("refused", number, line, error))
            except Exception:  # noqa: BLE001 - an error that does not travel: the parent judges the line itself
                reply = pickle.dumps(("fallback", number, line, str(error)))
        except Unpartitionable as error:
            reply = pickle.dumps(("fallback", number, error.line_number, str(error)))
        except BaseException as error:  # noqa: BLE001 - any other failure: the parent goes on alone
            reply = pickle.dumps(("fallback", number, lines[0][0] if lines else 0, f"worker failed: {error!r}"))
        outbox.send_bytes(reply)
        if not judged_ok:
            return


class _Workers:
    """The worker processes and their channels."""

    def __init__(self, app: Any, shares: int, by: str | None) -> None:
        context: Any = multiprocessing.get_context("fork")  # the workers start from the parent's ledger
        self.inboxes = [context.Queue() for _ in range(shares)]
        self.outboxes = []
        self.processes = []
        for share in range(shares):
            receive, send = context.Pipe(duplex=False)
            _widen(send)
            process = context.Process(
                target=_work, args=(app, self.inboxes[share], send, share, shares, by, os.getpid()), daemon=True
            )
            process.start()
            send.close()
            self.outboxes.append(receive)
            self.processes.append(process)
        self.replies: list[dict[int, tuple[Any, ...]]] = [{} for _ in range(shares)]  # read ahead, by chunk
        self.failed: dict[int, tuple[Any, ...]] = {}  # workers that stopped without a reply

    def send(self, number: int, shares: list[list[tuple[int, bytes, str | None]]]) -> None:
        for inbox, lines in zip(self.inboxes, shares):
            inbox.put((number, lines))

    def gather(self, number: int) -> list[tuple[Any, ...]]:
        """Every worker's reply for chunk `number`. Whatever any worker has sent meanwhile is read
        and kept, so that no worker waits for the parent to read it (a reply is larger than a
        pipe holds): a worker that is ahead goes on judging."""
        while True:
            replies = [self.replies[share].get(number) or self.failed.get(share) for share in range(len(self.processes))]
            if all(reply is not None for reply in replies):
                for kept in self.replies:
                    kept.pop(number, None)
                return replies  # type: ignore[return-value]
            live = [outbox for share, outbox in enumerate(self.outboxes) if share not in self.failed]
            ready = wait(live, timeout=1.0)
            if not ready:
                for share, process in enumerate(self.processes):
                    if share not in self.failed and not process.is_alive():
                        self._stopped(share)
            for outbox in ready:
                share = self.outboxes.index(outbox)
                try:
                    reply: tuple[Any, ...] = pickle.loads(outbox.recv_bytes())  # type: ignore[union-attr]
                except (EOFError, OSError):
                    self._stopped(share)
                    continue
                self.replies[share][reply[1]] = reply

    def _stopped(self, share: int) -> None:
        """A worker that ended without a reply: the import goes on on one process."""
        process = self.processes[share]
        process.join(timeout=5)
        self.failed[share] = ("fallback", -1, 0, f"worker {share} stopped (exit code {process.exitcode})")

    def stop(self) -> None:
        for inbox in self.inboxes:
            try:
                inbox.put(None)
            except (ValueError, OSError):
                pass
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()
        for inbox in self.inboxes:
            inbox.close()
            inbox.cancel_join_thread()
        for outbox in self.outboxes:
            outbox.close()


def _widen(connection: Any) -> None:
    """Let the pipe hold a whole reply (about 0.5 MB), so that a worker does not wait for the
    parent to read before judging its next chunk (Linux; elsewhere the pipe stays as it is)."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setting is None:
        return
    for size in (4 << 20, 1 << 20):
        try:
            fcntl.fcntl(connection.fileno(), setting, size)
            return
        except OSError:
            continue


def _chunks(lines: Any, size: int, first: int = 1) -> Iterator[tuple[int, list[bytes]]]:
    chunk: list[bytes] = []
    for raw in lines:
        chunk.append(raw)
        if len(chunk) == size:
            yield first, chunk
            first += size
            chunk = []
    if chunk:
        yield first, chunk


def import_lines_parallel(
    app: Any,
    lines: Any,
    *,
    batch: int = IMPORT_BATCH,
    by: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 2,
    digest: LineDigest | None = None,
    stored: int = 0,
) -> tuple[int, int]:
    """`import_lines` on `workers` processes. Same arguments, same result, same errors."""
    with quiet_collector():  # before the fork, so the workers start with the parent's objects frozen
        return _import_lines_parallel(
            app, lines, batch=batch, by=by, progress=progress, workers=workers, digest=digest, stored=stored
        )


def _import_lines_parallel(
    app: Any,
    lines: Any,
    *,
    batch: int,
    by: str | None,
    progress: Callable[[int, int], None] | None,
    workers: int,
    digest: LineDigest | None,
    stored: int,
) -> tuple[int, int]:
    chunks = _chunks(lines, CHUNK_LINES, first=digest.lines + 1 if digest is not None else 1)
    importer = BulkImporter(app)
    in_flight: list[tuple[int, int, list[bytes]]] = []  # chunks sent to the workers, not yet answered
    unstored: list[tuple[int, list[bytes]]] = []  # chunks answered, not yet stored (kept for a fallback)
    pending: list[Sealed] = []
    counted_stored = counted_pending = reported = 0
    # The digest of the lines up to the end of each chunk read (ledger.store.imports), and of the
    # lines whose events are stored or queued to be.
    read_to: dict[int, LineDigest] = {}
    stored_digest = digest.copy() if digest is not None else None
    merged_number = -1
    fallback: str | None = None
    exhausted = False  # every line of the file sent to the workers

    # Each transaction is written on a thread of its own while the workers go on (SQLite and the
    # PostgreSQL driver let other Python code run while they work); one at a time, in order. The
    # next one may wait its turn (QUEUED_WRITES in all), so that the parent goes on feeding the
    # workers while one is written; a transaction after a failed one is never written.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-import-store")
    storing: list[Future[None]] = []
    failed: list[BaseException] = []

    def write(sealed: list[Sealed], checkpoint: Checkpoint | None) -> None:
        if failed:
            raise failed[0]
        try:
            importer.store(sealed, checkpoint)
        except BaseException as error:
            failed.append(error)
            raise

    def settle(keep: int = 0) -> None:
        """Wait until at most `keep` transactions are queued or being written; a failure is the import's."""
        while len(storing) > keep:
            storing.pop(0).result()

    def store() -> None:
        nonlocal stored, counted_stored, counted_pending, stored_digest
        settle(QUEUED_WRITES - 1)
        if merged_number in read_to:
            stored_digest = read_to.pop(merged_number)
            for number_read in [n for n in read_to if n < merged_number]:
                del read_to[number_read]
        if pending:
            checkpoint = stored_digest.checkpoint(stored + len(pending)) if stored_digest is not None else None
            storing.append(writer.submit(write, pending[:], checkpoint))
            stored += len(pending)
            pending.clear()
        unstored.clear()
        counted_stored += counted_pending
        counted_pending = 0

    router = Router(workers)
    pool = _Workers(app, workers, by)
    try:
        number = 0
        while True:
            while len(in_flight) < IN_FLIGHT:
                following = next(chunks, None)
                if following is None:
                    exhausted = True
                    break
                first, chunk = following
                routed: list[list[tuple[int, bytes, str | None]]] = [[] for _ in range(workers)]
                for line_number, raw in enumerate(chunk, start=first):
                    share, key = router.route(raw)
                    routed[share].append((line_number, raw, key))
                if digest is not None:
                    digest.add_all(chunk)
                    read_to[number] = digest.copy()
                pool.send(number, routed)
                in_flight.append((number, first, chunk))
                number += 1
            if not in_flight:
                break
            number_done, first, chunk = in_flight.pop(0)
            replies = pool.gather(number_done)
            merged_number = number_done
            unstored.append((first, chunk))
            failures = sorted((reply for reply in replies if reply[0] != "ok"), key=lambda reply: int(reply[2]))
            if failures:
                settle()
                if failures[0][0] == "refused":
                    error: LedgerError = failures[0][3]
                    error.line_number = failures[0][2]  # type: ignore[attr-defined]
                    error.stored = stored  # type: ignore[attr-defined]
                    error.stored_through = stored_digest.lines if stored_digest is not None else 0  # type: ignore[attr-defined]
                    raise error
                fallback = str(failures[0][3])
                break
            # Back into the file's order: by line number, each line's events in the order decided
            # (the sort is stable, and a line's events all come from one worker).
            merged: list[tuple[int, Sealed]] = []
            for reply in replies:
                counted_pending += reply[2]
                merged.extend(zip(reply[3], reply[4]))
            merged.sort(key=_line)
            pending.extend(map(_event, merged))
            if len(pending) >= batch or exhausted:
                # Once the file is read, what is judged is stored at once: the last transaction
                # is written while the workers judge the last chunks, not after them.
                store()
            counted = counted_stored + counted_pending
            if progress is not None and counted - reported >= PROGRESS_EVERY:
                reported = counted - counted % PROGRESS_EVERY
                progress(counted, stored)
        if fallback is None:
            store()
            settle()
            return counted_stored, stored
    finally:
        pool.stop()
        writer.shutdown(wait=True)
    # Go on on one process from the first line not stored.
    first_unstored = unstored[0][0] if unstored else 1
    _log.info("the import goes on on one process from line %d: %s", first_unstored, fallback)
    left = itertools.chain(unstored, [(first, chunk) for _, first, chunk in in_flight], chunks)
    rest = stored_digest.copy() if stored_digest is not None else None
    counted, stored = import_numbered(
        app, _numbered(left), batch=batch, by=by, progress=progress, counted=counted_stored, stored=stored, digest=rest
    )
    if digest is not None and rest is not None:
        digest.lines, digest.hasher = rest.lines, rest.hasher  # the whole file, as the caller reads it
    return counted, stored


def _numbered(chunks: Iterator[tuple[int, list[bytes]]]) -> Iterator[tuple[int, bytes]]:
    """The lines of chunks with their numbers, read as they are needed (the rest of a large file
    is never held whole)."""
    for first, chunk in chunks:
        yield from enumerate(chunk, start=first)


_line = operator.itemgetter(0)
_event = operator.itemgetter(1)
