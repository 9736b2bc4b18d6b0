"""The `statistics` projection: one fact row per event that bek § 18 stk 2 counts.

Facts are keyed by (case, event number, kind, category), so a correction can replace exactly the
rows of the events it touches: on an annulment or a supersession the whole case's facts are
derived again from its live events. `case_facts()` is the pure part (events in, facts out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

import sqlalchemy as sa

from ledger.aggregates.state import fold_order, is_correction
from ledger.events import employer as emp
from ledger.events import offer as ev
from ledger.events.authority import IndtaegtAndreOpgaver
from ledger.events.base import LedgerEvent
from ledger.projections.base import Notification, Projection, metadata
from ledger.projections.cases import chunks, insert_rows

stat_facts = sa.Table(
    "stat_facts",
    metadata,
    sa.Column("offer_id", sa.String(36), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("category", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("offer_key", sa.String(64), nullable=False),
    # Days of case processing, or øre of income.
    sa.Column("value", sa.BigInteger, nullable=True),
)

stat_cases = sa.Table(
    "stat_cases",
    metadata,
    sa.Column("offer_id", sa.String(36), primary_key=True),
    sa.Column("offer_key", sa.String(64), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("types", sa.String(400), nullable=False),
    sa.Column("pending_since", sa.String(10), nullable=True),
)

# Kinds of fact, in the order of bek § 18 stk 2.
GODKENDELSE = "godkendelse"
TILSYNSBESOEG = "tilsynsbesoeg"
SKAERPET = "skaerpet_tilsyn"
PAABUD = "paabud"
OPHOER = "ophoer"
SAGSBEHANDLING = "sagsbehandling"
INDTAEGT = "indtaegt_andre_opgaver"

_COUNTED = {
    "AnsoegningModtaget",
    "Godkendt",
    "Afslaaet",
    "TilsynsbesoegGennemfoert",
    "SkaerpetTilsynIvaerksat",
    "PaabudUdstedt",
    "GodkendelseOphoert",
    "RegistreringAnnulleret",
    "IndtaegtAndreOpgaver",
    "ArbejdsgiverAnsoegt",
    "ArbejdsgiverGodkendt",
    "ArbejdsgiverAfslaaet",
    "ArbejdsgiverTilsynGennemfoert",
    "ArbejdsgiverGodkendelseOphoert",
}
_EMPLOYER_VISITS = {"anmeldt_besoeg": "anmeldt", "uanmeldt_besoeg": "uanmeldt", "uden_besoeg": "uden_besoeg"}


@dataclass
class CaseContext:
    offer_key: str = ""
    region: str = ""
    types: tuple[str, ...] = ()
    pending_since: str | None = None


@dataclass(frozen=True)
class Fact:
    version: int
    kind: str
    category: str
    year: int
    day: str
    region: str
    offer_key: str
    value: int | None = None


def event_facts(event: LedgerEvent, context: CaseContext) -> Iterator[Fact]:
    """The facts one event contributes, given (and updating) its case's context."""
    day = event.effective_date.isoformat()
    version = event.originator_version

    def fact(kind: str, category: str, value: int | None = None) -> Fact:
        return Fact(version, kind, category, event.effective_date.year, day, context.region, context.offer_key, value)

    if isinstance(event, IndtaegtAndreOpgaver):
        region = event.region.value
        yield Fact(version, INDTAEGT, event.modpart[:64], event.aar, day, region, region, event.beloeb_oere)
    elif isinstance(event, ev.AnsoegningModtaget):
        context.offer_key = event.tilbud
        context.region = event.region.value
        context.types = tuple(t.value for t in event.tilbudstyper)
        context.pending_since = day
    elif isinstance(event, emp.ArbejdsgiverAnsoegt):
        context.offer_key = event.part
        context.region = event.region.value
        context.types = ("ARBEJDSGIVER",)
        context.pending_since = day
    elif isinstance(event, (ev.Godkendt, ev.Afslaaet, emp.ArbejdsgiverGodkendt, emp.ArbejdsgiverAfslaaet)):
        approved = isinstance(event, (ev.Godkendt, emp.ArbejdsgiverGodkendt))
        if approved:
            for offer_type in context.types:
                yield fact(GODKENDELSE, offer_type)
        if context.pending_since is not None:
            waited = (event.effective_date - dt.date.fromisoformat(context.pending_since)).days
            yield fact(SAGSBEHANDLING, "godkendt" if approved else "afslaaet", waited)
        context.pending_since = None
    elif isinstance(event, emp.ArbejdsgiverTilsynGennemfoert):
        yield fact(TILSYNSBESOEG, _EMPLOYER_VISITS[event.form])
    elif isinstance(event, emp.ArbejdsgiverGodkendelseOphoert):
        yield fact(OPHOER, event.baggrund.value)
    elif isinstance(event, ev.TilsynsbesoegGennemfoert):
        yield fact(TILSYNSBESOEG, event.form.value)
    elif isinstance(event, ev.SkaerpetTilsynIvaerksat):
        yield fact(SKAERPET, event.baggrund.value)
    elif isinstance(event, ev.PaabudUdstedt):
        yield fact(PAABUD, event.karakter.value)
    elif isinstance(event, ev.GodkendelseOphoert):
        yield fact(OPHOER, event.baggrund.value)


def case_facts(events: Sequence[LedgerEvent]) -> tuple[list[Fact], CaseContext]:
    """All facts of a case from its events (corrections folded)."""
    context = CaseContext()
    facts: list[Fact] = []
    for event in fold_order(events):
        facts.extend(event_facts(event, context))
    return facts, context


class StatisticsProjection(Projection):
    name: ClassVar[str] = "statistics"
    version: ClassVar[int] = 2
    tables: ClassVar[tuple[sa.Table, ...]] = (stat_facts, stat_cases)

    def __init__(self, read_case: Any) -> None:
        super().__init__(read_case)
        self.contexts: dict[UUID, CaseContext] = {}
        self.dirty: set[UUID] = set()
        self.new_facts: list[dict[str, Any]] = []
        self.replaced: set[UUID] = set()

    def reset(self) -> None:
        self.contexts.clear()
        self.dirty.clear()
        self.new_facts.clear()
        self.replaced.clear()

    def forget_except(self, case_id: UUID | None) -> None:
        kept = self.contexts.get(case_id) if case_id is not None else None
        self.contexts = {case_id: kept} if case_id is not None and kept is not None else {}

    def load(self, connection: sa.Connection, notifications: Sequence[Notification]) -> None:
        wanted = {n.case_id for n in notifications if type(n.event).__name__ in _COUNTED} - set(self.contexts)
        for part in chunks(sorted(str(case_id) for case_id in wanted)):
            query = sa.select(stat_cases).where(stat_cases.c.offer_id.in_(part))
            for row in connection.execute(query):
                self.contexts[UUID(row.offer_id)] = CaseContext(
                    row.offer_key, row.region, tuple(t for t in row.types.split(",") if t), row.pending_since
                )

    def apply(self, notifications: Sequence[Notification]) -> None:
        context: CaseContext | None
        for notification in notifications:
            event = notification.event
            offer_id = event.originator_id
            if is_correction(event):
                facts, context = case_facts(self.read_case(event.originator_id, event.originator_version))
                self.contexts[offer_id] = context
                self.new_facts = [f for f in self.new_facts if f["offer_id"] != str(offer_id)]
                self.replaced.add(offer_id)
                self.new_facts.extend(self._row(offer_id, f) for f in facts)
                self.dirty.add(offer_id)
                continue
            if type(event).__name__ not in _COUNTED:
                continue
            context = self.contexts.get(offer_id)
            if context is None:
                context = self.contexts[offer_id] = CaseContext()
            key = str(offer_id)
            self.new_facts.extend(self._row(key, f) for f in event_facts(event, context))
            self.dirty.add(offer_id)

    @staticmethod
    def _row(offer_id: UUID | str, fact: Fact) -> dict[str, Any]:
        return {
            "offer_id": str(offer_id),
            "version": fact.version,
            "kind": fact.kind,
            "category": fact.category,
            "year": fact.year,
            "day": fact.day,
            "region": fact.region,
            "offer_key": fact.offer_key,
            "value": fact.value,
        }

    def pending_size(self) -> int:
        return len(self.new_facts) + len(self.dirty)

    def pending_rows(self) -> dict[str, list[dict[str, Any]]]:
        """The rows the next flush inserts, by table."""
        cases = [
            {
                "offer_id": str(offer_id),
                "offer_key": c.offer_key,
                "region": c.region,
                "types": ",".join(c.types),
                "pending_since": c.pending_since,
            }
            for offer_id in sorted(self.dirty)
            for c in [self.contexts[offer_id]]
        ]
        return {stat_facts.name: list(self.new_facts), stat_cases.name: cases}

    def flush(self, connection: sa.Connection) -> None:
        for part in chunks(sorted(str(offer_id) for offer_id in self.replaced)):
            connection.execute(stat_facts.delete().where(stat_facts.c.offer_id.in_(part)))
        if not self.fresh or self.written:
            for part in chunks([str(offer_id) for offer_id in sorted(self.dirty)]):
                connection.execute(stat_cases.delete().where(stat_cases.c.offer_id.in_(part)))
        insert_rows(connection, self.pending_rows())
        self.new_facts.clear()
        self.replaced.clear()
        self.dirty.clear()
