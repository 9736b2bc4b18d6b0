"""The `cases` projection: every offer's folded state, so that status on any date, the deadline
radar and the Tilbudsportal view need not replay the ledger.

One row per offer: search columns (key, region, types, koncern, name) and the state as JSON.
The state is the same `CaseState` the aggregate folds, so an offer's status as of any date is
answered by the same code in both places; what lapses by time alone is computed when asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar
from uuid import UUID

import orjson
import sqlalchemy as sa

from ledger.aggregates.state import CaseState, fold, is_correction
from ledger.events.offer import OfferEvent
from ledger.projections.base import Notification, Projection, metadata

case_states = sa.Table(
    "case_states",
    metadata,
    sa.Column("offer_id", sa.String(36), primary_key=True),
    sa.Column("offer_key", sa.String(64), nullable=False, index=True),
    sa.Column("region", sa.String(32), nullable=False, index=True),
    sa.Column("types", sa.String(400), nullable=False),
    sa.Column("koncern", sa.String(300), nullable=True, index=True),
    sa.Column("navn", sa.String(300), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("state", sa.LargeBinary, nullable=False),
)

_CHUNK = 500


def encode_state(state: CaseState) -> bytes:
    return orjson.dumps(state.to_json(), option=orjson.OPT_SORT_KEYS)


def decode_state(data: bytes) -> CaseState:
    return CaseState.from_json(orjson.loads(data))


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CasesProjection(Projection):
    name: ClassVar[str] = "cases"
    version: ClassVar[int] = 6
    tables: ClassVar[tuple[sa.Table, ...]] = (case_states,)

    def __init__(self, read_case: Any) -> None:
        super().__init__(read_case)
        self.states: dict[UUID, CaseState] = {}
        self.dirty: set[UUID] = set()

    def reset(self) -> None:
        self.states.clear()
        self.dirty.clear()

    def forget_except(self, case_id: UUID | None) -> None:
        kept = self.states.get(case_id) if case_id is not None else None
        self.states = {case_id: kept} if case_id is not None and kept is not None else {}

    def load(self, connection: sa.Connection, notifications: Sequence[Notification]) -> None:
        wanted = {n.case_id for n in notifications if isinstance(n.event, OfferEvent)} - set(self.states)
        for part in chunks(sorted(str(case_id) for case_id in wanted)):
            query = sa.select(case_states.c.offer_id, case_states.c.state).where(case_states.c.offer_id.in_(part))
            for offer_id, data in connection.execute(query):
                self.states[UUID(offer_id)] = decode_state(bytes(data))

    def apply(self, notifications: Sequence[Notification]) -> None:
        for notification in notifications:
            event = notification.event
            if not isinstance(event, OfferEvent):
                continue
            offer_id = event.originator_id
            if is_correction(event):
                self.states[offer_id] = fold(self.read_case(event.originator_id, event.originator_version))
            else:
                state = self.states.get(offer_id)
                if state is None:
                    state = self.states[offer_id] = CaseState()
                state.apply(event)
                state.version = event.originator_version
            self.dirty.add(offer_id)

    def pending_size(self) -> int:
        return len(self.dirty)

    def pending_rows(self) -> dict[str, list[dict[str, Any]]]:
        """The rows the next flush inserts, by table."""
        rows = [self._row(str(offer_id), self.states[offer_id]) for offer_id in sorted(self.dirty) if self.states[offer_id].key]
        return {case_states.name: rows}

    def flush(self, connection: sa.Connection) -> None:
        if not self.fresh or self.written:
            for part in chunks([str(offer_id) for offer_id in sorted(self.dirty)]):
                connection.execute(case_states.delete().where(case_states.c.offer_id.in_(part)))
        insert_rows(connection, self.pending_rows())
        self.dirty.clear()

    @staticmethod
    def _row(offer_id: str, state: CaseState) -> dict[str, Any]:
        profile = state.profile
        return {
            "offer_id": offer_id,
            "offer_key": state.key,
            "region": profile.get("region", ""),
            "types": ",".join(profile.get("tilbudstyper", [])),
            "koncern": profile.get("koncern"),
            "navn": profile.get("navn", ""),
            "version": state.version,
            "state": encode_state(state),
        }


def insert_rows(connection: sa.Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Batched inserts of a projection's rows, by table name."""
    for name, table_rows in rows.items():
        if table_rows:
            connection.execute(metadata.tables[name].insert(), table_rows)


def read_states(
    connection: sa.Connection,
    *,
    region: str | None = None,
    offer_type: str | None = None,
    koncern: str | None = None,
    keys: Iterable[str] | None = None,
) -> list[CaseState]:
    """The states of the offers that match, ordered by key."""
    query = sa.select(case_states.c.state, case_states.c.types).order_by(case_states.c.offer_key)
    if region:
        query = query.where(case_states.c.region == region)
    if koncern:
        query = query.where(case_states.c.koncern == koncern)
    if keys is not None:
        query = query.where(case_states.c.offer_key.in_(list(keys)))
    result = []
    for data, types in connection.execute(query):
        if offer_type and offer_type not in types.split(","):
            continue
        result.append(decode_state(bytes(data)))
    return result
