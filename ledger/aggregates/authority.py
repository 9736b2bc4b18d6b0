"""A Socialtilsyn's own case (one per region): income from other tasks (bek § 31), and, recorded
like decisions, the texts and tables its annual report and fees are made from."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from ledger.aggregates.base import Case, Recording, case_id, check_effective_date, require_text
from ledger.errors import InvalidInput, NotFound, RuleViolation
from ledger.events import authority as ev
from ledger.events.base import LedgerEvent
from ledger.events.vocab import Region


class Authority(Case):
    """One Socialtilsyn's case."""

    KIND: ClassVar[str] = "myndighed"

    def __init__(self, id: Any) -> None:  # noqa: A002
        super().__init__(id)
        self.region: Region | None = None
        self.incomes: dict[int, ev.IndtaegtAndreOpgaver] = {}

    @staticmethod
    def id_for(region: Region | str) -> Any:
        return case_id(Authority.KIND, Region(region).value)

    def _evolve(self, event: LedgerEvent) -> None:
        assert isinstance(event, ev.AuthorityEvent)
        self.region = event.region
        if event.supersedes is not None:
            self.incomes.pop(event.supersedes, None)
        if isinstance(event, ev.IndtaegtAndreOpgaver):
            self.incomes[event.originator_version] = event

    def _begin(self, rec: Recording, date: dt.date, supersedes: int | None, reason: str | None, kind: type[LedgerEvent]) -> Any:
        rules = check_effective_date(rec, date)
        if supersedes is not None:
            target = self.event(supersedes)
            if target is None:
                raise NotFound(f"event #{supersedes} does not exist in this Socialtilsyn's case")
            if type(target) is not kind:
                raise RuleViolation("rettelse", f"#{supersedes} is a {target.title}; a correction must be of the same kind")
            if any(e.supersedes == supersedes for e in self.events):
                raise RuleViolation("rettelse", f"#{supersedes} has already been superseded")
            require_text(reason, "rettelse", "a correction must state its reason (correction_reason)")
        return rules

    def indtaegt(
        self, rec: Recording, *, date: dt.date, region: Region, aar: int, beloeb_oere: int, modpart: str,
        beskrivelse: str, note: str | None = None, supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """Income from tasks other than those of lov § 2 (bek § 31), for § 18 stk 2 nr 8."""
        rules = self._begin(rec, date, supersedes, correction_reason, ev.IndtaegtAndreOpgaver)
        if beloeb_oere < 0:
            raise InvalidInput("an income is not negative; correct a wrong amount with supersedes")
        if aar > date.year:
            raise InvalidInput(f"income for {aar} cannot be recorded on {date}")
        self._trigger(
            ev.IndtaegtAndreOpgaver, rec, rules, date,
            region=region, aar=aar, beloeb_oere=beloeb_oere,
            modpart=require_text(modpart, "bek § 31", "name who paid for the task (modpart)"),
            beskrivelse=require_text(beskrivelse, "bek § 31", "describe the task (beskrivelse)"),
            note=note, supersedes=supersedes, correction_reason=correction_reason if supersedes else None,
        )
