"""Where each bulk import's stored part ends, so that a stopped import can be resumed.

Every transaction of `ledger import` writes, beside its events and in the same transaction, one
row here: the file's name, the last input line whose events are all in the ledger, and the
SHA-256 of the file's lines up to and including it. A successful import ends with a row marked
complete. `ledger import FILE --resume` reads the last row, checks that FILE's first lines are
those (byte for byte), and goes on after them; a file imported whole before is a no-op.

The rows are bookkeeping, not the record: they sit outside the hash chain, and a ledger whose
table is missing (written before it existed) simply has no import to resume.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

IMPORTS_TABLE = "ledger_imports"

_metadata = sa.MetaData()
imports = sa.Table(
    IMPORTS_TABLE,
    _metadata,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("through_line", sa.BigInteger, nullable=False),
    sa.Column("lines_sha256", sa.String(64), nullable=False),
    sa.Column("events_stored", sa.BigInteger, nullable=False),
    sa.Column("complete", sa.Boolean, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Checkpoint:
    """The stored part of an import: lines 1..through_line of file_name, whose digest is lines_sha256."""

    file_name: str
    through_line: int
    lines_sha256: str
    events_stored: int = 0
    complete: bool = False
    recorded_at: dt.datetime | None = None


class LineDigest:
    """The SHA-256 of a file's lines so far, and how many there were."""

    def __init__(self, name: str, lines: int = 0, hasher: Any = None) -> None:
        self.name = name
        self.lines = lines
        self.hasher = hasher if hasher is not None else hashlib.sha256()

    def add(self, raw: bytes) -> None:
        self.hasher.update(raw)
        self.lines += 1

    def add_all(self, lines: list[bytes]) -> None:
        self.hasher.update(b"".join(lines))
        self.lines += len(lines)

    def copy(self) -> LineDigest:
        return LineDigest(self.name, self.lines, self.hasher.copy())

    def checkpoint(self, events_stored: int = 0, *, complete: bool = False) -> Checkpoint:
        return Checkpoint(self.name, self.lines, self.hasher.hexdigest(), events_stored, complete)

    def with_line(self, raw: bytes) -> LineDigest:
        """This digest and one more line (the line being judged), leaving this one as it is."""
        following = self.copy()
        following.add(raw)
        return following


def ensure_table(engine: sa.Engine) -> None:
    """Create the table if the ledger has none yet (a ledger written before it existed)."""
    _metadata.create_all(engine, tables=[imports], checkfirst=True)


def write(connection: sa.Connection, checkpoint: Checkpoint, now: dt.datetime) -> None:
    """One row, in the caller's transaction (the one that stores the events it describes)."""
    connection.execute(
        imports.insert().values(
            file_name=checkpoint.file_name,
            through_line=checkpoint.through_line,
            lines_sha256=checkpoint.lines_sha256,
            events_stored=checkpoint.events_stored,
            complete=checkpoint.complete,
            recorded_at=now,
        )
    )


def latest(engine: sa.Engine) -> Checkpoint | None:
    """The last import's stored part, or None if the ledger holds no import."""
    if not sa.inspect(engine).has_table(IMPORTS_TABLE):
        return None
    with engine.connect() as connection:
        row = connection.execute(sa.select(imports).order_by(imports.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    return Checkpoint(row.file_name, row.through_line, row.lines_sha256, row.events_stored, row.complete, row.recorded_at)


def completed_with(engine: sa.Engine, lines_sha256: str, lines: int) -> Checkpoint | None:
    """An import that stored a file with exactly these lines, whole, if there was one."""
    if not sa.inspect(engine).has_table(IMPORTS_TABLE):
        return None
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(imports)
            .where(imports.c.complete, imports.c.lines_sha256 == lines_sha256, imports.c.through_line == lines)
            .order_by(imports.c.id.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    return Checkpoint(row.file_name, row.through_line, row.lines_sha256, row.events_stored, row.complete, row.recorded_at)
