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
            raise InvalidInput("this ledger holds no import to resume; run `ledger import FILE` without --resume")
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
                f"{name} has {digest.lines} lines, but the last import stored lines 1-{last.through_line} of "
                f"{last.file_name}: this is not the file to resume; nothing was stored"
            )
        digest.add(raw)
    if digest.hasher.hexdigest() != last.lines_sha256:
        raise InvalidInput(
            f"lines 1-{last.through_line} of {name} are not the lines the last import stored (lines "
            f"1-{last.through_line} of {last.file_name}): only lines after them may change; nothing was stored"
        )
    return digest


def _has_more(file: IO[bytes]) -> bool:
    peek = getattr(file, "peek", None)
    if peek is not None:
        return bool(peek(1))
    return True


def _already(name: str, found: Checkpoint) -> str:
    when = f" on {found.recorded_at:%Y-%m-%d %H:%M}" if found.recorded_at else ""
    return (
        f"{name} was imported whole before{when} (lines 1-{found.through_line}, {found.events_stored:,} events): "
        "nothing to do, nothing stored."
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
            length=max(size - first_byte, 1), label="Importing", file=sys.stderr, show_eta=True, show_percent=True,
            item_show_func=lambda item: item,
        ) as bar:
            done = [first_byte]

            def on_terminal(lines: int, stored: int) -> None:
                position = _position(file) or done[0]
                bar.update(position - done[0], current_item=f"{skipped + lines:,} lines, {stored:,} events")
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
        parts = [f"{skipped + lines:,} lines", f"{stored:,} events stored", f"{lines / elapsed:,.0f} lines/s"]
        position = _position(file)
        if size and position is not None and position > first_byte:
            share = (position - first_byte) / max(size - first_byte, 1)
            left = elapsed * (1 - share) / share
            parts.insert(0, f"{100 * position / size:.0f} % of the file")
            parts.append(f"about {_duration(left)} left")
        click.echo("import: " + ", ".join(parts), err=True)

    yield logged


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
