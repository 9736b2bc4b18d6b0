"""What a projection is: a reader of events that owns its SQL tables and its tracked position.

A projection's `apply()` is given events in notification order and a connection inside the
transaction that will also record its new position, so every event is applied exactly once even
across crashes. Writes are SQLAlchemy Core with batched statements. `pending` holds the rows a
projection has computed but not yet written; the runner asks it to `flush()` inside the same
transaction that records the position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

import sqlalchemy as sa

from ledger.events.base import LedgerEvent

metadata = sa.MetaData()

positions = sa.Table(
    "projection_positions",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)


@dataclass(frozen=True)
class Notification:
    """One event with its position in the ledger."""

    position: int
    event: LedgerEvent

    @property
    def case_id(self) -> UUID:
        return self.event.originator_id


# Reads one case's events (up to a version) from the store: used to refold after a correction.
CaseReader = Callable[[UUID, int], Sequence[LedgerEvent]]


class Projection:
    """Base class. Subclasses define `name`, `version`, `tables`, `apply()` and `flush()`."""

    name: ClassVar[str]
    # Bump when the tables or the logic change: the runner then rebuilds the projection.
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[sa.Table, ...]] = ()
    # Topics this projection needs; None means every event.
    topics: ClassVar[frozenset[str] | None] = None

    def __init__(self, read_case: CaseReader) -> None:
        self.read_case = read_case
        # True while the projection's tables hold nothing this run did not write (a replay from 0):
        # nothing needs loading and no old row needs deleting.
        self.fresh = False
        # Whether this run already flushed rows (which a later flush must replace).
        self.written = False

    def reset(self) -> None:
        """Forget any cached state (after a rollback or before a rebuild)."""

    def load(self, connection: sa.Connection, notifications: Sequence[Notification]) -> None:
        """Read what the coming batch needs from the projection's own tables."""

    def forget_except(self, case_id: UUID | None) -> None:
        """Drop what is held in memory for every case but one (called just after a flush, when a
        replay in case order has finished with those cases)."""

    def apply(self, notifications: Sequence[Notification]) -> None:
        raise NotImplementedError

    def pending_rows(self) -> dict[str, list[dict[str, Any]]]:
        """The rows the next flush inserts, by table name."""
        raise NotImplementedError

    def flush(self, connection: sa.Connection) -> None:
        """Write the pending rows."""
        raise NotImplementedError

    def pending_size(self) -> int:
        return 0

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "tables": [t.name for t in self.tables]}
