"""A Socialtilsyn's own case (one per region): income from other tasks (bek § 31), and, recorded
like decisions, the texts and tables its annual report and fees are made from."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from ledger.aggregates.base import Case, Recording, case_id, check_effective_date, require_text
from ledger.digest import Digest
from ledger.errors import InvalidInput, LedgerError, NotFound, RuleViolation
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

    # -- takster and objektiv finansiering (bek §§ 27-30) -----------------------------------------
    def live(self, kind: type[ev.AuthorityEvent]) -> list[ev.AuthorityEvent]:
        """The events of a kind that no later event supersedes, in event order."""
        superseded = {e.supersedes for e in self.events if e.supersedes is not None}
        return [e for e in self.events if isinstance(e, kind) and e.originator_version not in superseded]

    def takster_for(self, aar: int) -> ev.TaksterFastsat | None:
        """The takster in force for a year (the latest correction of them), or None."""
        found = [e for e in self.live(ev.TaksterFastsat) if isinstance(e, ev.TaksterFastsat) and e.aar == aar]
        return found[-1] if found else None

    def objektiv_for(self, aar: int) -> ev.ObjektivFinansieringFastsat | None:
        """The objektive finansieringsandel fixed for a year, or None."""
        found = [
            e for e in self.live(ev.ObjektivFinansieringFastsat)
            if isinstance(e, ev.ObjektivFinansieringFastsat) and e.aar == aar
        ]
        return found[-1] if found else None

    def _one_per_year(
        self, paragraph: str, what: str, current: ev.AuthorityEvent | None, aar: int, supersedes: int | None
    ) -> None:
        """A year has one table: a second one must correct the first by naming it (supersedes)."""
        if supersedes is None:
            if current is not None:
                raise RuleViolation(
                    paragraph,
                    f"{what} for {aar} are already fixed (#{current.originator_version}); to change them record a "
                    f"correction with supersedes={current.originator_version} and a correction_reason",
                )
            return
        target = self.event(supersedes)
        if getattr(target, "aar", None) != aar:
            raise RuleViolation("rettelse", f"#{supersedes} fixes {what} for {getattr(target, 'aar', '?')}, not for {aar}")

    @staticmethod
    def _year_rules(rec: Recording, paragraph: str, date: dt.date, aar: int) -> Any:
        if aar > date.year + 1:
            raise InvalidInput(f"{paragraph}: takster for {aar} cannot be fixed on {date} (at most for the next year)")
        return rec.rulebooks.in_force(dt.date(aar, 1, 1))

    def fastsaet_takster(
        self, rec: Recording, *, date: dt.date, region: Region, aar: int, godkendelse: list[int], tilsyn: list[int],
        vaesentlig_aendring: list[int], godkendelse_66_7: int | None = None, tilsyn_66_7: int | None = None,
        godkendelse_kapitel2: int | None = None, tilsyn_kapitel2: int | None = None,
        vaesentlig_aendring_kapitel2: int | None = None, begrundelse: str | None = None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """The year's takster (bek § 28 stk 1-5, § 29 stk 3, § 30 stk 2-4), one per size category, in øre."""
        rules = self._begin(rec, date, supersedes, correction_reason, ev.TaksterFastsat)
        year_rules = self._year_rules(rec, "bek § 28 stk 1", date, aar)
        categories = len(year_rules.size_categories)
        labels = ", ".join(year_rules.size_label(n) for n in range(1, categories + 1))
        for name, values in (("godkendelse", godkendelse), ("tilsyn", tilsyn), ("vaesentlig_aendring", vaesentlig_aendring)):
            if len(values) != categories:
                raise RuleViolation(
                    "bek § 28 stk 1",
                    f"{name} needs one takst per size category ({categories}: {labels}), not {len(values)}",
                )
        amounts = [*godkendelse, *tilsyn, *vaesentlig_aendring]
        specials = (godkendelse_66_7, tilsyn_66_7, godkendelse_kapitel2, tilsyn_kapitel2, vaesentlig_aendring_kapitel2)
        amounts += [v for v in specials if v is not None]
        if any(v < 0 for v in amounts):
            raise InvalidInput("a takst is not negative (amounts in øre)")
        self._one_per_year("bek § 28 stk 1", "takster", self.takster_for(aar), aar, supersedes)
        self._trigger(
            ev.TaksterFastsat, rec, rules, date,
            region=region, aar=aar, godkendelse=tuple(godkendelse), tilsyn=tuple(tilsyn),
            vaesentlig_aendring=tuple(vaesentlig_aendring), godkendelse_66_7=godkendelse_66_7, tilsyn_66_7=tilsyn_66_7,
            godkendelse_kapitel2=godkendelse_kapitel2, tilsyn_kapitel2=tilsyn_kapitel2,
            vaesentlig_aendring_kapitel2=vaesentlig_aendring_kapitel2, begrundelse=begrundelse,
            note=note, supersedes=supersedes, correction_reason=correction_reason if supersedes else None,
        )

    def fastsaet_objektiv_finansiering(
        self, rec: Recording, *, date: dt.date, region: Region, aar: int, samlet_beloeb_oere: int,
        kommuner: dict[str, int], begrundelse: str | None = None, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """The year's objektive finansieringsandel (bek § 27) and each kommune's number of 0-17-year-olds."""
        rules = self._begin(rec, date, supersedes, correction_reason, ev.ObjektivFinansieringFastsat)
        self._year_rules(rec, "bek § 27", date, aar)
        if samlet_beloeb_oere < 0:
            raise InvalidInput("the objektive finansieringsandel is not negative (amount in øre)")
        cleaned: dict[str, int] = {}
        for name, antal in kommuner.items():
            key = require_text(name, "bek § 27 stk 2", "each kommune has a name")
            if key in cleaned:
                raise InvalidInput(f"kommune {key!r} is named twice")
            if antal < 0:
                raise InvalidInput(f"kommune {key}: the number of 0-17-year-olds is not negative")
            cleaned[key] = antal
        if not cleaned or sum(cleaned.values()) == 0:
            raise RuleViolation(
                "bek § 27 stk 2",
                "the andel is charged by each kommune's share of the 0-17-year-olds: name the kommuner and their numbers",
            )
        self._one_per_year("bek § 27", "the objektive finansieringsandel", self.objektiv_for(aar), aar, supersedes)
        self._trigger(
            ev.ObjektivFinansieringFastsat, rec, rules, date,
            region=region, aar=aar, samlet_beloeb_oere=samlet_beloeb_oere, kommuner=dict(sorted(cleaned.items())),
            begrundelse=begrundelse, note=note, supersedes=supersedes,
            correction_reason=correction_reason if supersedes else None,
        )

    # -- the Socialtilsyn's own annual report (bek § 18 stk 3-5) --------------------------------
    def report_texts(self, aar: int) -> list[ev.TilsynsrapportTekst]:
        """The live texts of a year's report, general considerations first, then focus points."""
        texts = [e for e in self.live(ev.TilsynsrapportTekst) if isinstance(e, ev.TilsynsrapportTekst) and e.aar == aar]
        return sorted(texts, key=lambda e: (e.afsnit != "generelle_overvejelser", e.originator_version))

    def report_delivered(self, aar: int) -> ev.TilsynsrapportAfgivet | None:
        found = [e for e in self.live(ev.TilsynsrapportAfgivet) if isinstance(e, ev.TilsynsrapportAfgivet) and e.aar == aar]
        return found[-1] if found else None

    def tilsynsrapport_tekst(
        self, rec: Recording, *, date: dt.date, region: Region, aar: int, afsnit: str, overskrift: str, tekst: str,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Socialtilsynet's general considerations (bek § 18 stk 3) or a focus point (stk 4) for a year."""
        rules = self._begin(rec, date, supersedes, correction_reason, ev.TilsynsrapportTekst)
        if afsnit not in ("generelle_overvejelser", "fokuspunkt"):
            raise InvalidInput("afsnit is 'generelle_overvejelser' (bek § 18 stk 3) or 'fokuspunkt' (stk 4)")
        if aar > date.year:
            raise InvalidInput(f"the report for {aar} cannot be written on {date}")
        if supersedes is None and afsnit == "generelle_overvejelser" and any(
            e.afsnit == afsnit for e in self.report_texts(aar)
        ):
            current = next(e for e in self.report_texts(aar) if e.afsnit == afsnit)
            raise RuleViolation(
                "bek § 18 stk 3",
                f"the general considerations for {aar} are already recorded (#{current.originator_version}); "
                f"change them with supersedes={current.originator_version} and a correction_reason",
            )
        if self.report_delivered(aar) is not None:
            raise RuleViolation("bek § 18 stk 5", f"the report for {aar} has been delivered and published; it is not changed afterwards")
        self._trigger(
            ev.TilsynsrapportTekst, rec, rules, date,
            region=region, aar=aar, afsnit=afsnit,
            overskrift=require_text(overskrift, "bek § 18 stk 3-4", "a section has a heading (overskrift)"),
            tekst=require_text(tekst, "bek § 18 stk 3-4", "a section has a text (tekst)"),
            note=note, supersedes=supersedes, correction_reason=correction_reason if supersedes else None,
        )

    def tilsynsrapport_afgivet(
        self, rec: Recording, *, date: dt.date, region: Region, aar: int, digest: str, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """The year's report sent and published (bek § 18 stk 5), naming the ledger digest it was made from."""
        rules = self._begin(rec, date, supersedes, correction_reason, ev.TilsynsrapportAfgivet)
        if date.year <= aar:
            raise RuleViolation("bek § 18 stk 5", f"the report for {aar} is delivered after the year ends, not on {date}")
        if not any(e.afsnit == "generelle_overvejelser" for e in self.report_texts(aar)):
            raise RuleViolation(
                "bek § 18 stk 3", f"the report for {aar} must hold Socialtilsynet's general considerations before it is delivered"
            )
        if supersedes is None and self.report_delivered(aar) is not None:
            raise RuleViolation("bek § 18 stk 5", f"the report for {aar} was already delivered")
        try:
            published = Digest.parse(digest)
        except LedgerError:
            raise InvalidInput(f"{digest!r} is not a ledger digest (ledger-digest:v1:POSITION:HASH, as `ledger annual-report` prints it)") from None
        self._trigger(
            ev.TilsynsrapportAfgivet, rec, rules, date, region=region, aar=aar, digest=published.text(),
            note=note, supersedes=supersedes, correction_reason=correction_reason if supersedes else None,
        )
