"""What `ledger import` does around the import itself: where a resumed import starts, whether the
file was imported whole before, and the progress shown while it runs."""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import click

from ledger.errors import InvalidInput
from ledger.i18n import _, moment, number
from ledger.store import imports
from ledger.store.imports import Checkpoint, LineDigest

# Seconds between two progress lines when stderr is not a terminal (a log, a CI job).
LOG_EVERY = 5.0


@dataclass
class Start:
    """Where an import starts: the lines already read (and stored), or a message that it is done."""

    digest: LineDigest | None
    stored: int = 0
    done: str | None = None


def prepare(app: Any, file: IO[bytes], name: str, *, resume: bool, dry_run: bool) -> Start:
    """Read past the stored part of the last import (--resume), or find that this very file was
    imported whole before (then nothing is to be done)."""
    if resume:
        last = imports.latest(app.engine)
        if last is None:
            raise InvalidInput(_("this ledger holds no import to resume; run `ledger import FILE` without --resume"))
        digest = _skip(file, name, last)
        if last.complete and not _has_more(file):
            return Start(digest, last.events_stored, done=_already(name, last))
        return Start(digest, last.events_stored)
    if not dry_run and _regular(file) and imports.latest(app.engine) is not None:
        whole = LineDigest(name)
        for raw in file:
            whole.add(raw)
        file.seek(0)
        found = imports.completed_with(app.engine, whole.hasher.hexdigest(), whole.lines)
        if found is not None:
            return Start(None, done=_already(name, found))
    return Start(LineDigest(name))


def _skip(file: IO[bytes], name: str, last: Checkpoint) -> LineDigest:
    digest = LineDigest(name)
    while digest.lines < last.through_line:
        raw = file.readline()
        if not raw:
            raise InvalidInput(
                _(
                    "{name} has {lines} lines, but the last import stored lines 1-{through} of {stored_from}: this is "
                    "not the file to resume; nothing was stored"
                ).format(name=name, lines=digest.lines, through=last.through_line, stored_from=last.file_name)
            )
        digest.add(raw)
    if digest.hasher.hexdigest() != last.lines_sha256:
        raise InvalidInput(
            _(
                "lines 1-{through} of {name} are not the lines the last import stored (lines 1-{through} of "
                "{stored_from}): only lines after them may change; nothing was stored"
            ).format(through=last.through_line, name=name, stored_from=last.file_name)
        )
    return digest


def _has_more(file: IO[bytes]) -> bool:
    peek = getattr(file, "peek", None)
    if peek is not None:
        return bool(peek(1))
    return True


def _already(name: str, found: Checkpoint) -> str:
    when = _(" on {moment}").format(moment=moment(found.recorded_at)) if found.recorded_at else ""
    return _("{name} was imported whole before{when} (lines 1-{through}, {events} events): nothing to do, nothing stored.").format(
        name=name, when=when, through=found.through_line, events=number(found.events_stored)
    )


def _regular(file: IO[bytes]) -> bool:
    try:
        return stat.S_ISREG(os.fstat(file.fileno()).st_mode) and file.seekable()
    except (AttributeError, OSError, ValueError):
        return False


def _size(file: IO[bytes]) -> int | None:
    return os.fstat(file.fileno()).st_size if _regular(file) else None


def _position(file: IO[bytes]) -> int | None:
    try:
        return file.tell()
    except (OSError, ValueError):
        return None


@contextmanager
def progress_reporter(file: IO[bytes], skipped: int) -> Iterator[Callable[[int, int], None]]:
    """A callback told (lines judged, events stored): a bar with the share of the file read, the
    rate and the time left on a terminal; a line every LOG_EVERY seconds otherwise."""
    size = _size(file)
    started = time.monotonic()
    first_byte = _position(file) or 0
    if sys.stderr.isatty() and size:
        with click.progressbar(
            length=max(size - first_byte, 1), label=_("Importing"), file=sys.stderr, show_eta=True, show_percent=True,
            item_show_func=lambda item: item,
        ) as bar:
            done = [first_byte]

            def on_terminal(lines: int, stored: int) -> None:
                position = _position(file) or done[0]
                bar.update(
                    position - done[0],
                    current_item=_("{lines} lines, {events} events").format(lines=number(skipped + lines), events=number(stored)),
                )
                done[0] = position

            yield on_terminal
        return
    last = [started]

    def logged(lines: int, stored: int) -> None:
        now = time.monotonic()
        if now - last[0] < LOG_EVERY:
            return
        last[0] = now
        elapsed = now - started
        parts = [
            _("{lines} lines").format(lines=number(skipped + lines)),
            _("{events} events stored").format(events=number(stored)),
            _("{rate} lines/s").format(rate=number(lines / elapsed)),
        ]
        position = _position(file)
        if size and position is not None and position > first_byte:
            share = (position - first_byte) / max(size - first_byte, 1)
            left = elapsed * (1 - share) / share
            parts.insert(0, _("{percent} % of the file").format(percent=number(100 * position / size)))
            parts.append(_("about {duration} left").format(duration=_duration(left)))
        click.echo(_("import: ") + ", ".join(parts), err=True)

    yield logged


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{number(seconds)} s"
    if seconds < 5400:
        return f"{number(seconds / 60)} min"
    return _("{hours} h").format(hours=number(seconds / 3600, 1))
