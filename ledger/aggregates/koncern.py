"""A koncern (bek § 3): where its head address is, and which Socialtilsyn approved its offers when.

The ledger records an approval or an ophør of a koncern's offer here in the same transaction as
the offer's own event, so two Socialtilsyn approving offers of one koncern at the same moment
conflict instead of both passing the check."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from ledger.aggregates.base import Case, Recording, case_id, check_effective_date, require_text
from ledger.errors import NotFound, RuleViolation
from ledger.events import koncern as ev
from ledger.events.base import LedgerEvent
from ledger.events.vocab import Region


class Koncern(Case):
    KIND: ClassVar[str] = "koncern"

    def __init__(self, id: Any) -> None:  # noqa: A002
        super().__init__(id)
        self.name: str | None = None
        self.head: ev.KoncernRegistreret | None = None
        # offer -> [(region, from, until)] of its approvals
        self.approvals: dict[str, list[list[Any]]] = {}

    @staticmethod
    def id_for(koncern: str) -> Any:
        return case_id(Koncern.KIND, koncern.strip().casefold())

    @property
    def region(self) -> str | None:
        return self.head.region.value if self.head else None

    def _evolve(self, event: LedgerEvent) -> None:
        assert isinstance(event, ev.KoncernEvent)
        self.name = event.koncern
        if isinstance(event, ev.KoncernRegistreret):
            self.head = event
        elif isinstance(event, ev.KoncernTilbudGodkendt):
            self.approvals.setdefault(event.tilbud, []).append([event.region.value, event.effective_date, None])
        elif isinstance(event, ev.KoncernTilbudOphoert):
            for period in self.approvals.get(event.tilbud, []):
                if period[2] is None:
                    period[2] = event.ophoert_fra

    def approved_on(self, on: dt.date, *, besides: str | None = None) -> dict[str, str]:
        """The koncern's offers approved on a date, with the Socialtilsyn that approved them."""
        found = {}
        for offer, periods in self.approvals.items():
            if offer == besides:
                continue
            for region, start, until in periods:
                if start <= on and (until is None or on < until):
                    found[offer] = region
        return found

    def registrer(
        self, rec: Recording, *, date: dt.date, koncern: str, navn: str, hovedadresse: str, region: Region,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Register the koncern's head address (bek § 3: it decides which Socialtilsyn handles its offers)."""
        rules = check_effective_date(rec, date)
        if supersedes is None and self.head is not None:
            raise RuleViolation(
                "bek § 3",
                f"koncern {koncern} is registered (#{self.head.originator_version}); a new head address is a correction "
                f"with supersedes={self.head.originator_version}",
            )
        if supersedes is not None:
            target = self.event(supersedes)
            if not isinstance(target, ev.KoncernRegistreret):
                raise NotFound(f"#{supersedes} is not this koncern's registration")
            require_text(correction_reason, "rettelse", "a correction must state its reason (correction_reason)")
        self._trigger(
            ev.KoncernRegistreret, rec, rules, date,
            koncern=require_text(koncern, "bek § 3", "name the koncern"), navn=require_text(navn, "bek § 3", "the koncern has a name"),
            hovedadresse=require_text(hovedadresse, "bek § 3", "the koncern's head address (hovedadresse)"),
            region=region, note=note, supersedes=supersedes, correction_reason=correction_reason if supersedes else None,
        )

    def record_approval(self, rec: Recording, *, koncern: str, date: dt.date, tilbud: str, region: str) -> None:
        """Recorded by the ledger with the offer's approval."""
        self._trigger(ev.KoncernTilbudGodkendt, rec, check_effective_date(rec, date), date,
                      koncern=self.name or koncern, tilbud=tilbud, region=Region(region))

    def record_end(self, rec: Recording, *, koncern: str, date: dt.date, tilbud: str, ophoert_fra: dt.date) -> None:
        """Recorded by the ledger with the offer's ophør or closure."""
        if not any(period[2] is None for period in self.approvals.get(tilbud, [])):
            return
        self._trigger(ev.KoncernTilbudOphoert, rec, check_effective_date(rec, date), date,
                      koncern=self.name or koncern, tilbud=tilbud, ophoert_fra=ophoert_fra)
