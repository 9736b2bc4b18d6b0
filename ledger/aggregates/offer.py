"""The offer (tilbud): one case per offer, each legal use case a method that decides.

Every method checks the law against the case's state *on the command's effective date* and
either raises a `RuleViolation` naming its paragraph or emits events. Nothing is appended when
a check fails: the events are only stored when the application saves the aggregate.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from ledger.aggregates.base import Case, Recording, case_id, check_effective_date, check_key, require_text
from ledger.aggregates.state import APPROVED, STATUS_LABELS, CaseState, created_refs, day_text, fold, is_correction
from ledger.errors import InvalidInput, NotFound, RuleViolation
from ledger.events import employer as emp
from ledger.events import offer as ev
from ledger.events.base import LedgerEvent
from ledger.events.vocab import (
    FOSTER_FAMILY_TYPES,
    LOV_4_NR,
    TREATMENT_TYPES,
    AnkeUdfald,
    Baggrund,
    Ejerform,
    KlageEmne,
    MagtVurdering,
    OfferType,
    PaabudKarakter,
    Region,
    StraksGrund,
    VisitKind,
)
from ledger.quality.catalogue import OfferProfile, catalogue_for_types
from ledger.rulebook import Rulebook

# Which field of a creating event holds the local reference it creates.
_REF_FIELD = {
    "DialogIndledt": ("dialog", "D"),
    "PaabudUdstedt": ("paabud", "P"),
    "SkaerpetTilsynIvaerksat": ("skaerpet_tilsyn", "S"),
    "FravigelseBevilget": ("fravigelse", "F"),
    "MagtanvendelseIndberettet": ("magtanvendelse", "M"),
    "KlageModtaget": ("klage", "K"),
    "AendringAnsoegt": ("aendring", "Æ"),
}
_PAST = {"annul": "annulled", "supersede": "superseded"}
_PHASE_EVENTS = (ev.AnsoegningModtaget, ev.Godkendt, ev.Afslaaet, ev.GodkendelseOphoert, ev.TilbudLukket)
# A CPR number, written 0101901234, 010190-1234 or 010190 1234.
_CPR = re.compile(r"\b\d{6}[-\s]?\d{4}\b")
_NOT_FOR_ANKESTYRELSEN = {KlageEmne.SAGSBEHANDLINGSTID, KlageEmne.PERSONALETS_OPTRAEDEN}
_MAX_YEARS_AHEAD = 10
# Once an approval has ended (ophør in effect, or the offer's own closure), nothing but a new application
# can be recorded (lov § 5 stk 7), except what is not a decision on the offer: the complaint about the
# ophør and its handling by Socialtilsynet and Ankestyrelsen (side: Klagevejledning; `klage` checks that
# it names the ophør), telling the municipalities of a decision already made (bek § 4 stk 4, § 9), the
# offer's årsrapport or a party's accounts for a year it was approved (bek §§ 17, 25: duties that outlive
# the approval), Socialtilsynet's assessment of a use of force reported while the offer was approved
# (side: Magtanvendelse: a record of what happened then, not a decision), and the annulment of a wrong
# record (a correction, not a legal act).
_AFTER_ENDING: frozenset[type] = frozenset({
    ev.KlageModtaget, ev.KlageGenvurderet, ev.KlageVideresendt, ev.AnkestyrelsensAfgoerelse,
    ev.KommunerOrienteret, ev.AarsrapportIndsendt, emp.RegnskabIndsendt, ev.MagtanvendelseVurderet,
    ev.RegistreringAnnulleret,
})


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day-of-month `months` later, clamped to the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def started_months(start: dt.date, end: dt.date) -> int:
    """How many months a period from `start` to `end` spans, a started month counting whole."""
    months = 0
    while add_months(start, months) < end:
        months += 1
    return max(months, 1)


class _Decision:
    """The checked context of one command: the state it is judged against and its rules."""

    def __init__(self, state: CaseState, rules: Rulebook, date: dt.date, supersedes: int | None) -> None:
        self.state = state
        self.rules = rules
        self.date = date
        self.day = day_text(date)
        self.supersedes = supersedes

    @property
    def status(self) -> str:
        return self.state.status_on(self.day)


@functools.lru_cache(maxsize=4096)
def _profile(
    types: tuple[str, ...], ejerform: str | None, ambulant: bool, sikret: bool, kun_aflastning: bool, bestyrelse: bool
) -> OfferProfile:
    """An offer's quality profile (frozen, so shared by the offers that have the same one)."""
    return OfferProfile(
        types=types, ejerform=ejerform, ambulant=ambulant, sikret=sikret, kun_aflastning=kun_aflastning,
        bestyrelse=bestyrelse,
    )


class Offer(Case):
    """One offer's case under lov om socialtilsyn and bek om socialtilsyn (2017)."""

    KIND: ClassVar[str] = "tilbud"
    NOUN: ClassVar[str] = "offer"
    # The paragraph by which an ended approval leaves nothing but a new application to record.
    ENDING: ClassVar[str] = "lov § 5 stk 7"
    MISSING: ClassVar[str] = (
        "the offer has no case in the ledger: a decision needs a written application first (bek § 1 stk 1); "
        "record its application (ansoegning)"
    )

    def __init__(self, id: Any) -> None:  # noqa: A002
        super().__init__(id)
        self.state = CaseState()

    @staticmethod
    def id_for(key: str) -> Any:
        return case_id(Offer.KIND, check_key(key))

    @property
    def key(self) -> str | None:
        return self.state.key

    def _evolve(self, event: LedgerEvent) -> None:
        if is_correction(event):
            self.state = fold(self.events)
        else:
            self.state.apply(event)

    def state_known_at(self, known_at: dt.datetime | None) -> CaseState:
        """The case as the ledger knew it at a moment (events recorded at or before it)."""
        if known_at is None:
            return self.state
        return fold([e for e in self.events if e.timestamp <= known_at])

    # -- shared checks ------------------------------------------------------------------
    def _begin(
        self,
        rec: Recording,
        date: dt.date,
        *,
        supersedes: int | None = None,
        correction_reason: str | None = None,
        event_class: type[LedgerEvent] | None = None,
        creating: bool = False,
    ) -> _Decision:
        rules = check_effective_date(rec, date)
        if date.year < 2000:
            raise InvalidInput(f"effective date {date} is not a plausible date for this ledger")
        if self.version == 0 and not creating:
            raise NotFound(self.MISSING)
        state = self.state
        if supersedes is not None:
            state = self._without(supersedes, event_class, correction_reason)
        d = _Decision(state, rules, date, supersedes)
        if not creating and state.first_applied is not None and d.day < state.first_applied:
            raise RuleViolation(
                "bek § 1 stk 1",
                f"{date} precedes the offer's application of {state.first_applied}: "
                "no event can be dated before the case began",
            )
        if not creating and event_class not in _AFTER_ENDING:
            phase = state.governing_phase(d.day)
            if phase is not None and phase["kind"] == "ophoert":
                what = event_class.TITLE if event_class is not None else "this record"
                raise RuleViolation(self.ENDING, f"{what} cannot be recorded: {self._status_text(d)}")
        return d

    def _without(self, version: int, event_class: type[LedgerEvent] | None, reason: str | None) -> CaseState:
        target = self._live_target(version, "supersede")
        if event_class is not None and type(target) is not event_class:
            raise RuleViolation(
                "rettelse",
                f"#{version} is a {target.title}; a correction that supersedes it must be the same kind of event",
            )
        require_text(reason, "rettelse", "a correction must state its reason (correction_reason)")
        return fold([e for e in self.events if e.originator_version != version])

    def _live_target(self, version: int, verb: str) -> LedgerEvent:
        target = self.event(version)
        if target is None:
            raise NotFound(f"event #{version} does not exist in this case (it has {self.version} events)")
        if isinstance(target, ev.RegistreringAnnulleret):
            raise RuleViolation("rettelse", f"#{version} is itself a correction and cannot be {_PAST[verb]}")
        dead = {e.annulleret for e in self.events if isinstance(e, ev.RegistreringAnnulleret)}
        dead |= {e.supersedes for e in self.events if e.supersedes is not None and e.originator_version not in dead}
        if version in dead:
            raise RuleViolation("rettelse", f"#{version} has already been annulled or superseded")
        dependants = self._dependants(target, dead)
        if isinstance(target, _PHASE_EVENTS):
            # Everything recorded after an application, approval, refusal or ophør was judged on
            # the phase it set: it cannot be taken away from under them.
            dependants += [
                e.originator_version
                for e in self.events
                if e.originator_version > version
                and not isinstance(e, ev.RegistreringAnnulleret)
                and e.originator_version not in dead
                and e.supersedes != version
            ]
        if dependants:
            listed = ", ".join(f"#{v}" for v in sorted(set(dependants)))
            raise RuleViolation(
                "rettelse",
                f"#{version} cannot be {_PAST[verb]} while later records rely on it ({listed}); correct those first",
            )
        return target

    def _dependants(self, target: LedgerEvent, dead: set[int]) -> list[int]:
        """The live records that rely on a record: naming it (#n) or a reference it created."""
        version = target.originator_version
        created = set(created_refs(target))
        found = []
        for event in self.events:
            if event.originator_version == version or event.originator_version in dead or isinstance(
                event, ev.RegistreringAnnulleret
            ):
                continue
            if version in event.references() or created.intersection(event.item_refs()):
                found.append(event.originator_version)
        return found

    def _ref(self, d: _Decision, event_class: type[LedgerEvent]) -> str:
        field, prefix = _REF_FIELD[event_class.__name__]
        if d.supersedes is not None:
            target = self.event(d.supersedes)
            if target is not None and hasattr(target, field):
                return str(getattr(target, field))
        return d.state.next_ref(prefix)

    def _envelope(self, d: _Decision, correction_reason: str | None, **fields: Any) -> dict[str, Any]:
        if d.supersedes is not None:
            fields["supersedes"] = d.supersedes
            fields["correction_reason"] = correction_reason
        return fields

    @staticmethod
    def _decision_text(begrundelse: str | None) -> str:
        return require_text(
            begrundelse, "bek § 1 stk 2", "a decision must be written with its begrundelse (reasons)"
        )

    def _require_approved(self, d: _Decision, paragraph: str, what: str) -> dict[str, Any]:
        approval = d.state.current_approval(d.day)
        if approval is not None:
            return approval
        raise RuleViolation(paragraph, f"{what} requires an approved offer; {self._status_text(d)}")

    def _status_text(self, d: _Decision) -> str:
        status = d.status
        if status == "ophoert":
            phase = d.state.governing_phase(d.day)
            assert phase is not None
            return (
                f"the {self.NOUN}'s approval ended on {phase['start']}: nothing but a new application "
                f"can be recorded ({self.ENDING})"
            )
        return f"on {d.day} the offer's status is {STATUS_LABELS[status].lower()}"

    def _require_open(self, d: _Decision, what: str) -> None:
        """Applied for or approved: not refused, not ended."""
        # The governing phase's kind is the status, but for the conditions an approval may carry
        # (which do not matter here, and cost a look at every vilkår).
        phase = d.state.governing_phase(d.day)
        if phase is None or phase["kind"] in ("afslaaet", "ophoert"):
            raise RuleViolation(self.ENDING if d.status == "ophoert" else "bek § 1 stk 1",
                                f"{what} cannot be recorded: {self._status_text(d)}")

    def _require_dialog_or_straks(
        self,
        d: _Decision,
        paragraph: str,
        what: str,
        dialog: Sequence[str] | None,
        straks: bool,
        straks_grund: StraksGrund | None,
        straks_begrundelse: str | None,
    ) -> tuple[tuple[str, ...], bool, StraksGrund | None, str | None]:
        """Prior dialog about the forhold, unless decided straks for a stated special reason."""
        straks = straks or bool(straks_begrundelse and straks_begrundelse.strip())
        if straks:
            reason = require_text(
                straks_begrundelse,
                paragraph,
                f"{what} decided straks must state the special reason (straks_begrundelse), such as a "
                "suddenly arisen suspicion of criminal acts or an acute risk to the citizens' safety or health",
            )
            return tuple(dialog or ()), True, straks_grund or StraksGrund.ANDRE_SAERLIGE_FORHOLD, reason
        approval = d.state.current_approval(d.day)
        since = approval["start"] if approval else (d.state.first_applied or "")
        if dialog:
            for ref in dialog:
                item = d.state.dialogs.get(ref)
                if item is None:
                    raise NotFound(f"dialog {ref} does not exist in this case")
                if item["opened"] < since:
                    raise RuleViolation(
                        paragraph, f"dialog {ref} ({item['opened']}) belongs to an earlier approval, before {since}"
                    )
                if item["opened"] >= d.day:
                    raise RuleViolation(
                        paragraph, f"{what} needs prior dialog: dialog {ref} was opened {item['opened']}, "
                        f"not before the decision of {d.day}"
                    )
            return tuple(dialog), False, None, None
        earlier = tuple(
            ref for ref, item in d.state.dialogs.items() if since <= item["opened"] < d.day
        )
        if not earlier:
            raise RuleViolation(
                paragraph,
                f"{what} can only be decided after prior dialog with the offer about the forhold "
                "(record a dialog first), or straks with the special reason stated",
            )
        return earlier, False, None, None

    @staticmethod
    def _check_future(d: _Decision, value: dt.date | None, paragraph: str, what: str, strictly: bool = True) -> None:
        if value is None:
            return
        if (value <= d.date) if strictly else (value < d.date):
            word = "after" if strictly else "on or after"
            raise RuleViolation(paragraph, f"{what} ({value}) must be {word} the decision date {d.date}")
        if value.year > d.date.year + _MAX_YEARS_AHEAD:
            raise InvalidInput(f"{what} {value} is more than {_MAX_YEARS_AHEAD} years after {d.date}")

    def _vilkaar(self, d: _Decision, specs: Sequence[Mapping[str, Any]], taken: int = 0) -> tuple[ev.Vilkaar, ...]:
        made = []
        prefix_next = d.state.counters.get("V", 0) + taken
        for number, spec in enumerate(specs, start=1):
            tekst = require_text(spec.get("tekst"), "bek § 1 stk 3", "a vilkår must have a text")
            frist = spec.get("frist")
            self._check_future(d, frist, "bek § 1 stk 3", "a vilkår's frist")
            made.append(ev.Vilkaar(id=f"V{prefix_next + number}", tekst=tekst, frist=frist))
        return tuple(made)

    # -- 1: application -------------------------------------------------------------------
    def ansoeg(
        self,
        rec: Recording,
        *,
        date: dt.date,
        tilbud: str,
        navn: str,
        tilbudstyper: Sequence[OfferType],
        pladser: int,
        ejerform: Ejerform,
        region: Region,
        afdelinger: Sequence[Mapping[str, str]],
        koncern: str | None = None,
        forventede_borgere: int | None = None,
        ambulant: bool = False,
        sikret: bool = False,
        kun_aflastning: bool = False,
        bestyrelse: bool = False,
        skriftlig: bool = True,
        note: str | None = None,
        supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """Ansøgning modtaget (bek § 1 stk 1): a written application for approval."""
        d = self._begin(
            rec, date, supersedes=supersedes, correction_reason=correction_reason,
            event_class=ev.AnsoegningModtaget, creating=True,
        )
        if not skriftlig:
            raise RuleViolation("bek § 1 stk 1", "an application for approval must be written (skriftlig)")
        if self.version and d.state.key is not None and d.state.phases:
            status = d.status
            if status == "ansoegt":
                raise RuleViolation("bek § 1 stk 1", f"the offer already has an application pending on {d.day}")
            if status in APPROVED:
                raise RuleViolation(
                    "lov § 5 stk 1",
                    "the offer is approved; a change is applied for as a væsentlig ændring (ansoeg-aendring)",
                )
            if status == "ikke_ansoegt":
                raise RuleViolation(
                    "bek § 1 stk 1", f"{d.day} precedes the offer's first application of {d.state.first_applied}"
                )
        types = tuple(dict.fromkeys(tilbudstyper))
        if not types:
            raise InvalidInput("an application names at least one offer type (tilbudstyper)")
        if OfferType.ARBEJDSGIVER in types:
            raise InvalidInput("an employer under SEL §§ 95-96 is not an offer: record it with arbejdsgiver-ansoegning")
        fosters = [t for t in types if t in FOSTER_FAMILY_TYPES]
        if fosters and len(fosters) != len(types):
            raise InvalidInput("a plejefamilie cannot be applied for together with other offer types")
        if any(t in TREATMENT_TYPES for t in types) and not forventede_borgere:
            raise RuleViolation(
                "bek § 28 stk 2",
                "a treatment offer (SEL §§ 101, 101 a, SUL § 141) states how many citizens it expects to "
                "treat in a year (forventede_borgere)",
            )
        if not afdelinger:
            raise InvalidInput("an application names at least one afdeling with its address")
        if ejerform != Ejerform.PRIVAT and koncern:
            raise InvalidInput("only a private offer belongs to a koncern (bek § 3)")
        # A new application after an ophør keeps the ids of the afdelinger it names again, so that their
        # visits (bek § 5 stk 2) read as one history; other afdelinger get new ids.
        known = {} if supersedes is not None else {v["navn"].casefold(): k for k, v in d.state.afdelinger.items()}
        next_number = d.state.counters.get("A", 0) if supersedes is None else 0
        made_list: list[ev.Afdeling] = []
        for a in afdelinger:
            afdeling_navn = require_text(a.get("navn"), "bek § 1 stk 1", "each afdeling has a name")
            adresse = require_text(a.get("adresse"), "bek § 1 stk 1", "each afdeling has an address")
            if any(m.navn.casefold() == afdeling_navn.casefold() for m in made_list):
                raise InvalidInput(f"the application names the afdeling {afdeling_navn!r} twice")
            ref = known.get(afdeling_navn.casefold())
            if ref is None:
                next_number += 1
                ref = f"A{next_number}"
            made_list.append(ev.Afdeling(id=ref, navn=afdeling_navn, adresse=adresse))
        made = tuple(made_list)
        self._trigger(
            ev.AnsoegningModtaget, rec, d.rules, date,
            **self._envelope(
                d, correction_reason,
                tilbud=check_key(tilbud), navn=require_text(navn, "bek § 1 stk 1", "the offer has a name"),
                tilbudstyper=types, pladser=pladser, forventede_borgere=forventede_borgere,
                ejerform=ejerform, region=region, afdelinger=made, koncern=koncern or None,
                ambulant=ambulant, sikret=sikret, kun_aflastning=kun_aflastning, bestyrelse=bestyrelse,
                note=note,
            ),
        )

    # -- 2-3: approval or refusal ---------------------------------------------------------
    def _require_pending_application(self, d: _Decision, what: str) -> None:
        if d.status != "ansoegt":
            if d.status in APPROVED:
                raise RuleViolation("bek § 1 stk 1", f"{what}: the offer is already approved on {d.day}")
            raise RuleViolation("bek § 1 stk 1", f"{what} needs a pending application; {self._status_text(d)}")

    def godkend(
        self,
        rec: Recording,
        *,
        date: dt.date,
        begrundelse: str | None,
        vilkaar: Sequence[Mapping[str, Any]] = (),
        pladser: int | None = None,
        note: str | None = None,
        supersedes: int | None = None,
        correction_reason: str | None = None,
        koncern: Any = None,
        oekonomisk_begrundelse: str | None = None,
    ) -> None:
        """Godkendt / godkendt med vilkår (bek § 1 stk 1-3, 5; lov § 5 stk 1, 5). For a private offer
        of a koncern, `koncern` (the Koncern case, given by the ledger) tells which Socialtilsyn
        approved its other offers (bek § 3). An approval after an economic assessment with a negative
        conclusion states why it stands (`oekonomisk_begrundelse`); one after an assessment at
        approval that does not rate every indicator is refused (bilag 1/2)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.Godkendt)
        self._require_pending_application(d, "an approval")
        self._check_koncern_jurisdiction(d, koncern)
        text = self._decision_text(begrundelse)
        economy = self._economy_at_approval(d, oekonomisk_begrundelse)
        self._check_quality_at_approval(d)
        made = self._vilkaar(d, vilkaar)
        self._trigger(
            ev.Godkendt, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, begrundelse=text, vilkaar=made, pladser=pladser, note=note,
                oekonomisk_begrundelse=economy,
            ),
        )

    def _economy_at_approval(self, d: _Decision, reason: str | None) -> str | None:
        """bek § 1 stk 1: an offer is approved if it meets the conditions of lov § 6, among them the
        necessary economic quality (lov § 6 stk 2 nr 7; nr 8 for plejefamilier), which the economic
        assessment judges (bek §§ 12-13). The quality is judged as a whole (lov § 6 stk 1: "samlet
        set"), so a negative conclusion does not by itself forbid the approval, but an approval
        that follows one must say why the offer has the economic quality all the same."""
        given = reason.strip() if reason and reason.strip() else None
        economy = d.state.economy
        phase = d.state.governing_phase(d.day)
        if economy is None or phase is None or not phase["start"] <= economy["date"] <= d.day:
            return given
        negative = [key for key, value in economy["konklusioner"].items() if value is False]
        if not negative or given is not None:
            return given
        foster = "stabil_anbringelse" in economy["konklusioner"]
        texts = [(FOSTER_CONCLUSIONS if foster else ECONOMY_CONCLUSIONS).get(key, key) for key in negative]
        raise RuleViolation(
            "bek § 1 stk 1; lov § 6 stk 2 nr 8" if foster else "bek § 1 stk 1; lov § 6 stk 2 nr 7",
            f"the economic assessment of {economy['date']} concludes that the offer is not: " + "; ".join(texts)
            + ". An offer is approved only if it has the necessary economic quality: refuse the application "
            "(afslag), record a new economic assessment, or state why the approval stands all the same "
            "(oekonomisk_begrundelse)",
        )

    def _check_quality_at_approval(self, d: _Decision) -> None:
        """Bilag 1 (bilag 2 for plejefamilier): at approval Socialtilsynet "skal ... foretage en
        bedømmelse af alle indikatorer". An assessment at approval that rates fewer (recorded before
        the ledger refused them) cannot carry the approval."""
        phase = d.state.governing_phase(d.day)
        since = phase["start"] if phase is not None else ""
        at_approval = [
            q for q in d.state.quality if q["anledning"] == "godkendelse" and since <= q["date"] <= d.day
        ]
        if not at_approval:
            return
        latest = at_approval[-1]
        profile = self.profile(d.state)
        catalogue = catalogue_for_types(profile.types)
        live, _ = catalogue.live_map(profile)
        rated = int(latest.get("rated", len(live)))
        if rated >= len(live):
            return
        event = self.event(latest["version"])  # held in memory unless a bulk import has stored it
        missing = (
            [i for i in live if i not in event.indikatorer] if isinstance(event, ev.KvalitetsvurderingForetaget) else []
        )
        raise RuleViolation(
            f"bek § 11, {catalogue.model}",
            f"the approval rests on the quality assessment #{latest['version']} of {latest['date']}, which rates "
            f"{rated} of the {len(live)} indicators that apply; at approval every indicator is rated"
            + (" (not rated: " + ", ".join(missing) + ")" if missing else "") + ": record a complete assessment first",
        )

    def _check_koncern_jurisdiction(self, d: _Decision, koncern: Any) -> None:
        """bek § 3: when another offer of the koncern is approved by another Socialtilsyn, the
        application is handled by the Socialtilsyn of the region of the koncern's head address."""
        profile = d.state.profile
        name = profile.get("koncern")
        if not name or profile.get("ejerform") != "privat" or koncern is None:
            return
        own = profile.get("region")
        elsewhere = {o: r for o, r in koncern.approved_on(d.date, besides=d.state.key).items() if r != own}
        if not elsewhere:
            return
        listed = ", ".join(f"{offer} (Socialtilsyn {region})" for offer, region in sorted(elsewhere.items()))
        head = koncern.region
        if head is None:
            raise RuleViolation(
                "bek § 3",
                f"koncern {name} already has offers approved by another Socialtilsyn ({listed}); the application must "
                "be handled by the Socialtilsyn of the koncern's head address, which the ledger does not know: "
                "register it first (ledger koncern)",
            )
        if own != head:
            raise RuleViolation(
                "bek § 3",
                f"koncern {name} already has offers approved by another Socialtilsyn ({listed}); the application must "
                f"be handled by Socialtilsyn {head}, where the koncern has its head address, not by Socialtilsyn {own}",
            )

    def afslaa(
        self,
        rec: Recording,
        *,
        date: dt.date,
        begrundelse: str | None,
        note: str | None = None,
        supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """Afslag på godkendelse (bek § 1 stk 1-2)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.Afslaaet)
        self._require_pending_application(d, "a refusal")
        text = self._decision_text(begrundelse)
        self._trigger(ev.Afslaaet, rec, d.rules, date, **self._envelope(d, correction_reason, begrundelse=text, note=note))

    # -- 4: vilkår ------------------------------------------------------------------------
    def _active_vilkaar(self, d: _Decision, ref: str) -> dict[str, Any]:
        if ref not in d.state.vilkaar:
            known = ", ".join(d.state.vilkaar) or "none"
            raise NotFound(f"bek § 1 stk 3: vilkår {ref} does not exist in this case (its vilkår: {known})")
        active = d.state.active_vilkaar_on(d.day)
        if ref not in active:
            raise RuleViolation("bek § 1 stk 3", f"vilkår {ref} is not in force on {d.day}")
        return active[ref]

    def vilkaar_opfyldt(
        self, rec: Recording, *, date: dt.date, vilkaar: str, begrundelse: str | None = None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Vilkår opfyldt: names one existing vilkår in force (bek § 1 stk 3)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.VilkaarOpfyldt)
        self._active_vilkaar(d, vilkaar)
        self._trigger(
            ev.VilkaarOpfyldt, rec, d.rules, date,
            **self._envelope(d, correction_reason, vilkaar=vilkaar, begrundelse=begrundelse, note=note),
        )

    def vilkaar_aendret(
        self, rec: Recording, *, date: dt.date, vilkaar: str, tekst: str, frist: dt.date | None = None,
        begrundelse: str | None, note: str | None = None, supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """Vilkår ændret: a decision that changes one existing vilkår (bek § 1 stk 3; lov § 5 stk 5)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.VilkaarAendret)
        self._active_vilkaar(d, vilkaar)
        text = self._decision_text(begrundelse)
        self._check_future(d, frist, "bek § 1 stk 3", "a vilkår's frist")
        self._trigger(
            ev.VilkaarAendret, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, vilkaar=vilkaar,
                tekst=require_text(tekst, "bek § 1 stk 3", "a vilkår must have a text"),
                frist=frist, begrundelse=text, note=note,
            ),
        )

    def vilkaar_ophaevet(
        self, rec: Recording, *, date: dt.date, vilkaar: str, begrundelse: str | None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Vilkår ophævet (bek § 1 stk 3; lov § 5 stk 5)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.VilkaarOphaevet)
        self._active_vilkaar(d, vilkaar)
        text = self._decision_text(begrundelse)
        self._trigger(
            ev.VilkaarOphaevet, rec, d.rules, date,
            **self._envelope(d, correction_reason, vilkaar=vilkaar, begrundelse=text, note=note),
        )

    # -- 5: fravigelse --------------------------------------------------------------------
    def fravig(
        self, rec: Recording, *, date: dt.date, begrundelse: str | None, anmodning_modtaget: dt.date | None,
        betingelser: str | None = None, periode_fra: dt.date | None = None, periode_til: dt.date | None = None,
        vilkaar: Sequence[Mapping[str, Any]] = (), note: str | None = None, supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """Fravigelse (bek § 1 stk 4; lov § 5 stk 6): only for an approved offer, on its request."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.FravigelseBevilget)
        self._require_approved(d, "bek § 1 stk 4", "a fravigelse")
        if anmodning_modtaget is None:
            raise RuleViolation(
                "bek § 1 stk 4",
                "a fravigelse is decided only at the offer's request: state when the request was received "
                "(anmodning_modtaget)",
            )
        if anmodning_modtaget > date:
            raise RuleViolation("bek § 1 stk 4", f"the offer's request ({anmodning_modtaget}) must precede the decision ({date})")
        if not (betingelser and betingelser.strip()) and periode_til is None:
            raise RuleViolation(
                "bek § 1 stk 4",
                "a fravigelse is bounded by stated conditions (betingelser) and/or a period (periode_til)",
            )
        start = periode_fra or date
        if start < date:
            raise RuleViolation("bek § 1 stk 4", f"the fravigelse cannot begin ({start}) before it is decided ({date})")
        if periode_til is not None and periode_til < start:
            raise RuleViolation("bek § 1 stk 4", f"the period ends ({periode_til}) before it begins ({start})")
        self._check_future(d, periode_til, "bek § 1 stk 4", "the end of the period", strictly=False)
        text = self._decision_text(begrundelse)
        made = self._vilkaar(d, vilkaar)
        self._trigger(
            ev.FravigelseBevilget, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, fravigelse=self._ref(d, ev.FravigelseBevilget),
                anmodning_modtaget=anmodning_modtaget, betingelser=betingelser or None,
                periode_fra=start, periode_til=periode_til, vilkaar=made, begrundelse=text, note=note,
            ),
        )

    def fravigelse_bortfaldet(
        self, rec: Recording, *, date: dt.date, fravigelse: str, begrundelse: str | None = None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Fravigelse bortfaldet: its conditions are no longer met (bek § 1 stk 4, 4. pkt.)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.FravigelseBortfaldet)
        if fravigelse not in d.state.fravigelser:
            raise NotFound(f"fravigelse {fravigelse} does not exist in this case")
        if fravigelse not in d.state.active_fravigelser_on(d.day):
            raise RuleViolation("bek § 1 stk 4", f"fravigelse {fravigelse} is not in force on {d.day}")
        self._trigger(
            ev.FravigelseBortfaldet, rec, d.rules, date,
            **self._envelope(d, correction_reason, fravigelse=fravigelse, begrundelse=begrundelse, note=note),
        )

    # -- 6: akut forlængelse --------------------------------------------------------------
    def akut_forlaeng(
        self, rec: Recording, *, date: dt.date, kommune: str | None, akut_fra: dt.date,
        forlaenget_til: dt.date | None = None, bevilget: bool = True, begrundelse: str | None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Akut forlængelse (bek § 2; lov § 5 stk 4): a not-approved offer used acutely for up to
        3 weeks may be used at most 3 more, on the placing municipality's application."""
        event_class = ev.AkutForlaengelseBevilget if bevilget else ev.AkutForlaengelseAfslaaet
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=event_class)
        if d.status in APPROVED:
            raise RuleViolation("bek § 2", "akut forlængelse concerns offers that are not approved; this offer is approved")
        types = [OfferType(t) for t in d.state.profile.get("tilbudstyper", [])]
        if any(LOV_4_NR[t] not in (1, 2, 3) for t in types):
            raise RuleViolation("bek § 2", "akut forlængelse applies only to offers under lov § 4 stk 1 nr 1-3")
        kommune_text = require_text(
            kommune, "bek § 2", "akut forlængelse is decided on the application of the placing municipality (kommune)"
        )
        text = self._decision_text(begrundelse)
        initial = dt.timedelta(weeks=d.rules.akut_initial_weeks)
        if akut_fra > date:
            raise RuleViolation("bek § 2", f"the acute use ({akut_fra}) must have begun by the decision ({date})")
        if date > akut_fra + initial:
            raise RuleViolation(
                "bek § 2",
                f"the acute use from {akut_fra} ran out after {d.rules.akut_initial_weeks} weeks "
                f"({akut_fra + initial}); it cannot be extended on {date}",
            )
        granted = [a for a in d.state.akut if a["akut_fra"] == akut_fra.isoformat() and a["bevilget"]]
        if granted and bevilget:
            raise RuleViolation("bek § 2", f"the acute use from {akut_fra} was already extended once (#{granted[0]['version']})")
        fields: dict[str, Any] = {"kommune": kommune_text, "akut_fra": akut_fra, "begrundelse": text, "note": note}
        if bevilget:
            if forlaenget_til is None:
                raise RuleViolation("bek § 2", "an akut forlængelse states the date it runs until (forlaenget_til)")
            limit = akut_fra + initial + dt.timedelta(weeks=d.rules.akut_extension_weeks)
            if forlaenget_til > limit:
                raise RuleViolation(
                    "bek § 2",
                    f"akut forlængelse allows at most {d.rules.akut_extension_weeks} more weeks: until {limit}, "
                    f"not {forlaenget_til}",
                )
            if forlaenget_til <= date:
                raise RuleViolation("bek § 2", f"the extension must run past the decision date ({date})")
            fields["forlaenget_til"] = forlaenget_til
        self._trigger(event_class, rec, d.rules, date, **self._envelope(d, correction_reason, **fields))

    # -- 7: dialog ------------------------------------------------------------------------
    def indled_dialog(
        self, rec: Recording, *, date: dt.date, forhold: Sequence[str], form: str = "moede",
        svarfrist: dt.date | None = None, note: str | None = None, supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """Dialog indledt about named concerns (bek § 4 stk 1, § 8 stk 1)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.DialogIndledt)
        self._require_open(d, "a dialog")
        named = tuple(f.strip() for f in forhold if f and f.strip())
        if not named:
            raise RuleViolation("bek § 8 stk 1", "a dialog names the forhold (concerns) it is about")
        self._check_future(d, svarfrist, "bek § 8 stk 1", "the svarfrist")
        self._trigger(
            ev.DialogIndledt, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, dialog=self._ref(d, ev.DialogIndledt), forhold=named, form=form,
                svarfrist=svarfrist, note=note,
            ),
        )

    def dialog_svar(
        self, rec: Recording, *, date: dt.date, dialog: str, resume: str, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """The offer's remarks in a dialog or hearing (bek § 8 stk 1)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.DialogSvarModtaget)
        item = d.state.dialogs.get(dialog)
        if item is None:
            raise NotFound(f"dialog {dialog} does not exist in this case")
        if item["opened"] > d.day:
            raise RuleViolation("bek § 8 stk 1", f"dialog {dialog} opened {item['opened']}, after {d.day}")
        self._trigger(
            ev.DialogSvarModtaget, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, dialog=dialog,
                resume=require_text(resume, "bek § 8 stk 1", "record what the offer said (resume)"), note=note,
            ),
        )

    # -- 8-10: påbud ----------------------------------------------------------------------
    def _paabud_event(
        self, rec: Recording, d: _Decision, *, ref: str, forhold: str, frist: dt.date, karakter: PaabudKarakter,
        begrundelse: str, dialog: tuple[str, ...], straks: bool, straks_grund: StraksGrund | None,
        straks_begrundelse: str | None, forventes_rettet: bool, kommuner_orienteret: Sequence[str],
        skaerpet_tilsyn: str | None, note: str | None, correction_reason: str | None,
    ) -> ev.PaabudUdstedt:
        return self._trigger(
            ev.PaabudUdstedt, rec, d.rules, d.date,
            **self._envelope(
                d, correction_reason, paabud=ref, forhold=forhold, frist=frist, karakter=karakter,
                begrundelse=begrundelse, dialog=dialog, straks=straks, straks_grund=straks_grund,
                straks_begrundelse=straks_begrundelse, forventes_rettet=forventes_rettet,
                kommuner_orienteret=tuple(kommuner_orienteret), skaerpet_tilsyn=skaerpet_tilsyn, note=note,
            ),
        )

    def _check_paabud_spec(self, d: _Decision, forhold: str | None, frist: dt.date | None) -> tuple[str, dt.date]:
        text = require_text(forhold, "bek § 7 stk 2", "a påbud states the forhold the offer must rectify")
        if frist is None:
            raise RuleViolation("bek § 7 stk 3", "a påbud must have a frist for its compliance")
        self._check_future(d, frist, "bek § 7 stk 3", "a påbud's frist")
        return text, frist

    @staticmethod
    def _require_expectation(forventes_rettet: bool, what: str) -> None:
        if not forventes_rettet:
            raise RuleViolation(
                "bek § 8 stk 2",
                f"{what} can only be decided when the offer is expected to be able and willing to rectify; "
                "otherwise the decision must be ophør of the approval",
            )

    def udsted_paabud(
        self, rec: Recording, *, date: dt.date, forhold: str, frist: dt.date | None, karakter: PaabudKarakter,
        begrundelse: str | None, dialog: Sequence[str] | None = None, straks: bool = False,
        straks_grund: StraksGrund | None = None, straks_begrundelse: str | None = None,
        forventes_rettet: bool = True, kommuner_orienteret: Sequence[str] = (), note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Påbud udstedt (bek §§ 7-9; lov § 8 stk 2)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.PaabudUdstedt)
        self._require_approved(d, "bek § 7 stk 1", "a påbud")
        text, frist_ = self._check_paabud_spec(d, forhold, frist)
        self._require_expectation(forventes_rettet, "a påbud")
        dialogs, straks_, grund, straks_text = self._require_dialog_or_straks(
            d, "bek § 8 stk 1", "a påbud", dialog, straks, straks_grund, straks_begrundelse
        )
        reasons = self._decision_text(begrundelse)
        self._paabud_event(
            rec, d, ref=self._ref(d, ev.PaabudUdstedt), forhold=text, frist=frist_, karakter=karakter,
            begrundelse=reasons, dialog=dialogs, straks=straks_, straks_grund=grund, straks_begrundelse=straks_text,
            forventes_rettet=True, kommuner_orienteret=kommuner_orienteret, skaerpet_tilsyn=None, note=note,
            correction_reason=correction_reason,
        )

    def _active_paabud(self, d: _Decision, ref: str) -> dict[str, Any]:
        if ref not in d.state.paabud:
            raise NotFound(f"påbud {ref} does not exist in this case")
        active = d.state.active_paabud_on(d.day)
        if ref not in active:
            raise RuleViolation("bek § 7", f"påbud {ref} is not in force on {d.day}")
        return active[ref]

    def forlaeng_paabudsfrist(
        self, rec: Recording, *, date: dt.date, paabud: str, ny_frist: dt.date, anmodning_modtaget: dt.date | None,
        saerlige_omstaendigheder: str | None, begrundelse: str | None = None, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Påbudsfrist forlænget: only at the offer's request, under special circumstances (bek § 7 stk 3)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.PaabudFristForlaenget)
        item = self._active_paabud(d, paabud)
        if anmodning_modtaget is None:
            raise RuleViolation(
                "bek § 7 stk 3",
                "a påbud's frist is extended only at the offer's request: state when it was received (anmodning_modtaget)",
            )
        if anmodning_modtaget > date:
            raise RuleViolation("bek § 7 stk 3", f"the request ({anmodning_modtaget}) must precede the decision ({date})")
        reason = require_text(
            saerlige_omstaendigheder, "bek § 7 stk 3",
            "a påbud's frist is extended only under special circumstances: state them (saerlige_omstaendigheder)",
        )
        old = dt.date.fromisoformat(item["frist"])
        if ny_frist <= old:
            raise RuleViolation("bek § 7 stk 3", f"the new frist ({ny_frist}) must be later than the old ({old})")
        self._check_future(d, ny_frist, "bek § 7 stk 3", "the new frist")
        self._trigger(
            ev.PaabudFristForlaenget, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, paabud=paabud, tidligere_frist=old, ny_frist=ny_frist,
                anmodning_modtaget=anmodning_modtaget, saerlige_omstaendigheder=reason,
                begrundelse=begrundelse or reason, note=note,
            ),
        )

    def paabud_opfyldt(
        self, rec: Recording, *, date: dt.date, paabud: str, begrundelse: str | None = None, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Påbud opfyldt (bek § 7)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.PaabudOpfyldt)
        self._active_paabud(d, paabud)
        self._trigger(
            ev.PaabudOpfyldt, rec, d.rules, date,
            **self._envelope(d, correction_reason, paabud=paabud, begrundelse=begrundelse, note=note),
        )

    def ophaev_paabud(
        self, rec: Recording, *, date: dt.date, paabud: str, begrundelse: str | None,
        kommuner_orienteret: Sequence[str] = (), note: str | None = None, supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """Påbud ophævet; the municipalities are told (bek § 9)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.PaabudOphaevet)
        self._active_paabud(d, paabud)
        text = self._decision_text(begrundelse)
        self._trigger(
            ev.PaabudOphaevet, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, paabud=paabud, begrundelse=text,
                kommuner_orienteret=tuple(kommuner_orienteret), note=note,
            ),
        )

    # -- 11: skærpet tilsyn ---------------------------------------------------------------
    def skaerpet_tilsyn(
        self, rec: Recording, *, date: dt.date, periode_til: dt.date, baggrund: Baggrund, begrundelse: str | None,
        periode_fra: dt.date | None = None, paabud: Sequence[Mapping[str, Any]] = (),
        paabud_refs: Sequence[str] = (), dialog: Sequence[str] | None = None, straks: bool = False,
        straks_grund: StraksGrund | None = None, straks_begrundelse: str | None = None,
        forventes_rettet: bool = True, kommuner_orienteret: Sequence[str] = (), note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Skærpet tilsyn iværksat (bek §§ 6, 8, 9; lov § 8 stk 1), decided together with a påbud."""
        d = self._begin(
            rec, date, supersedes=supersedes, correction_reason=correction_reason,
            event_class=ev.SkaerpetTilsynIvaerksat,
        )
        self._require_approved(d, "bek § 6 stk 1", "skærpet tilsyn")
        self._require_expectation(forventes_rettet, "skærpet tilsyn")
        start = periode_fra or date
        if start < date:
            raise RuleViolation("bek § 6 stk 2", f"the period cannot begin ({start}) before the decision ({date})")
        if periode_til <= start:
            raise RuleViolation("bek § 6 stk 2", f"the period must end ({periode_til}) after it begins ({start})")
        longest = d.rules.skaerpet_tilsyn_max_months
        if periode_til > add_months(start, longest):
            raise RuleViolation(
                "bek § 6 stk 2",
                f"skærpet tilsyn is decided for at most {longest} months at a time "
                f"({d.rules.id}); {start} to {periode_til} is longer (at most until {add_months(start, longest)})",
            )
        for ref, decided in d.state.decided_skaerpet_on(d.day).items():
            if decided["fra"] <= periode_til.isoformat() and start.isoformat() <= decided["til"]:
                raise RuleViolation(
                    "bek § 6 stk 2",
                    f"skærpet tilsyn {ref} runs {decided['fra']} to {decided['til']}; a renewal is a new decision "
                    "for a period that begins after it",
                )
        if not paabud and not paabud_refs:
            raise RuleViolation(
                "bek § 6 stk 3", "skærpet tilsyn must be decided together with a påbud (give paabud or paabud_refs)"
            )
        existing = d.state.active_paabud_on(d.day)
        for ref in paabud_refs:
            if ref not in existing:
                raise NotFound(f"påbud {ref} is not in force in this case on {d.day}")
            if existing[ref]["skaerpet"]:
                raise RuleViolation(
                    "bek § 6 stk 3", f"påbud {ref} already belongs to skærpet tilsyn {existing[ref]['skaerpet']}"
                )
            if existing[ref]["issued"] != d.day:
                raise RuleViolation(
                    "bek § 6 stk 3",
                    f"påbud {ref} was issued {existing[ref]['issued']}; the påbud must be decided together with "
                    "the skærpet tilsyn (the same day)",
                )
        dialogs, straks_, grund, straks_text = self._require_dialog_or_straks(
            d, "bek § 8 stk 1", "skærpet tilsyn", dialog, straks, straks_grund, straks_begrundelse
        )
        reasons = self._decision_text(begrundelse)
        specs = [self._check_paabud_spec(d, spec.get("forhold"), spec.get("frist")) for spec in paabud]
        karakterer = [PaabudKarakter(spec.get("karakter") or "andet") for spec in paabud]
        ref = self._ref(d, ev.SkaerpetTilsynIvaerksat)
        refs = list(paabud_refs)
        counter = d.state.counters.get("P", 0)
        for n, ((text, frist), karakter, spec) in enumerate(zip(specs, karakterer, paabud, strict=True), start=1):
            made = self._paabud_event(
                rec, d, ref=f"P{counter + n}", forhold=text, frist=frist, karakter=karakter,
                begrundelse=(spec.get("begrundelse") or reasons), dialog=dialogs, straks=straks_,
                straks_grund=grund, straks_begrundelse=straks_text, forventes_rettet=True,
                kommuner_orienteret=kommuner_orienteret, skaerpet_tilsyn=ref, note=None, correction_reason=None,
            )
            refs.append(made.paabud)
        self._trigger(
            ev.SkaerpetTilsynIvaerksat, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, skaerpet_tilsyn=ref, periode_fra=start, periode_til=periode_til,
                baggrund=baggrund, paabud=tuple(refs), dialog=dialogs, straks=straks_, straks_grund=grund,
                straks_begrundelse=straks_text, forventes_rettet=True,
                kommuner_orienteret=tuple(kommuner_orienteret), begrundelse=reasons, note=note,
            ),
        )

    def ophaev_skaerpet_tilsyn(
        self, rec: Recording, *, date: dt.date, skaerpet_tilsyn: str, begrundelse: str | None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Skærpet tilsyn ophævet before its period ends (bek § 6)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.SkaerpetTilsynOphaevet)
        if skaerpet_tilsyn not in d.state.skaerpet:
            raise NotFound(f"skærpet tilsyn {skaerpet_tilsyn} does not exist in this case")
        if skaerpet_tilsyn not in d.state.active_skaerpet_on(d.day):
            raise RuleViolation("bek § 6 stk 2", f"skærpet tilsyn {skaerpet_tilsyn} is not in force on {d.day}")
        text = self._decision_text(begrundelse)
        self._trigger(
            ev.SkaerpetTilsynOphaevet, rec, d.rules, date,
            **self._envelope(d, correction_reason, skaerpet_tilsyn=skaerpet_tilsyn, begrundelse=text, note=note),
        )

    # -- 12: ophør ------------------------------------------------------------------------
    def ophoer(
        self, rec: Recording, *, date: dt.date, baggrund: Baggrund, begrundelse: str | None,
        virkning_fra: dt.date | None = None, dialog: Sequence[str] | None = None, straks: bool = False,
        straks_grund: StraksGrund | None = None, straks_begrundelse: str | None = None,
        kommuner_underrettet: Sequence[str] = (), note: str | None = None, supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """Ophør af godkendelse decided by Socialtilsynet (bek § 4; lov § 5 stk 7)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.GodkendelseOphoert)
        self._require_approved(d, "bek § 4", "ophør of approval")
        pending = d.state.pending_ophoer_on(d.day)
        if pending is not None:
            raise RuleViolation(
                "bek § 4 stk 2",
                f"ophør was already decided (#{pending['version']}) with effect from {pending['start']}",
            )
        dialogs, straks_, grund, straks_text = self._require_dialog_or_straks(
            d, "bek § 4 stk 1", "ophør of approval", dialog, straks, straks_grund, straks_begrundelse
        )
        if straks_:
            if virkning_fra is not None and virkning_fra != date:
                raise RuleViolation("bek § 4 stk 3", "an ophør straks takes effect on the day it is decided")
            effective = date
        else:
            if virkning_fra is None:
                raise RuleViolation(
                    "bek § 4 stk 2", "ophør needs a reasonable frist: state the date it takes effect (virkning_fra)"
                )
            self._check_future(d, virkning_fra, "bek § 4 stk 2", "the ophør's effective date (a reasonable frist)")
            effective = virkning_fra
        text = self._decision_text(begrundelse)
        self._trigger(
            ev.GodkendelseOphoert, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, virkning_fra=effective, baggrund=baggrund, dialog=dialogs, straks=straks_,
                straks_grund=grund, straks_begrundelse=straks_text,
                kommuner_underrettet=tuple(kommuner_underrettet), begrundelse=text, note=note,
            ),
        )

    def luk(
        self, rec: Recording, *, date: dt.date, virkning_fra: dt.date | None = None, begrundelse: str | None = None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """The offer closes on its own initiative: its approval ends without a decision to revoke it."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.TilbudLukket)
        self._require_approved(d, "lov § 5 stk 1", "closing an offer")
        effective = virkning_fra or date
        if effective < date:
            raise RuleViolation("lov § 5 stk 1", f"the closure ({effective}) cannot take effect before it is recorded as decided ({date})")
        self._check_future(d, effective, "lov § 5 stk 1", "the closing date", strictly=False)
        self._trigger(
            ev.TilbudLukket, rec, d.rules, date,
            **self._envelope(d, correction_reason, virkning_fra=effective, begrundelse=begrundelse, note=note),
        )

    # -- 13-14: visits and quality --------------------------------------------------------
    def _afdeling(self, d: _Decision, afdeling: str | None) -> str | None:
        if afdeling is None:
            return None
        if afdeling in d.state.afdelinger:
            return afdeling
        for ref, item in d.state.afdelinger.items():
            if item["navn"].casefold() == afdeling.casefold():
                return ref
        known = ", ".join(f"{k} ({v['navn']})" for k, v in d.state.afdelinger.items())
        raise NotFound(f"afdeling {afdeling!r} does not exist in this offer; it has: {known}")

    def tilsynsbesoeg(
        self, rec: Recording, *, date: dt.date, form: VisitKind, afdeling: str | None = None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Tilsynsbesøg, anmeldt or uanmeldt, per afdeling (bek § 5)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.TilsynsbesoegGennemfoert)
        self._require_open(d, "a supervision visit")
        self._trigger(
            ev.TilsynsbesoegGennemfoert, rec, d.rules, date,
            **self._envelope(d, correction_reason, form=form, afdeling=self._afdeling(d, afdeling), note=note),
        )

    def profile(self, state: CaseState | None = None) -> OfferProfile:
        p = (state or self.state).profile
        return _profile(
            tuple(p.get("tilbudstyper", [])), p.get("ejerform"), p.get("ambulant", False), p.get("sikret", False),
            p.get("kun_aflastning", False), p.get("bestyrelse", False),
        )

    def kvalitetsvurdering(
        self, rec: Recording, *, date: dt.date, anledning: str, indikatorer: Mapping[str, Any],
        temaer: Mapping[str, str], note: str | None = None, supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """Kvalitetsvurdering against Bilag 1 or 2 (bek § 11): at approval forventes / forventes ikke,
        at supervision a score 1-5 per indicator, and a written assessment per theme."""
        d = self._begin(
            rec, date, supersedes=supersedes, correction_reason=correction_reason,
            event_class=ev.KvalitetsvurderingForetaget,
        )
        self._require_open(d, "a quality assessment")
        if anledning == "tilsyn":
            self._require_approved(d, "bek § 11", "a quality assessment at driftsorienteret tilsyn")
        elif anledning != "godkendelse":
            raise InvalidInput("anledning is 'godkendelse' or 'tilsyn'")
        profile = self.profile(d.state)
        catalogue = catalogue_for_types(profile.types)
        if not indikatorer:
            raise RuleViolation("bek § 11", "a quality assessment scores at least one indicator")
        live, live_themes = catalogue.live_map(profile)
        values: dict[str, int | str] = {}
        scored_themes: set[str] = set()
        for raw_id, value in indikatorer.items():
            theme_id = live.get(raw_id)
            indicator_id = raw_id
            if theme_id is None:
                indicator_id = self._not_live(catalogue, profile, raw_id)
                theme_id = live[indicator_id]
            values[indicator_id] = self._indicator_value(anledning, indicator_id, value, catalogue.model)
            scored_themes.add(theme_id)
        if anledning == "godkendelse" and len(values) < len(live):
            missing = [i for i in live if i not in values]
            raise RuleViolation(
                f"bek § 11, {catalogue.model}",
                f"at approval Socialtilsynet rates every indicator of the quality model that applies to the offer: "
                f"{len(values)} of {len(live)} rated; not rated: " + ", ".join(missing),
            )
        written: dict[str, str] = {}
        for theme_id, text in temaer.items():
            key = str(theme_id).strip()
            if key not in live_themes:
                try:
                    theme = catalogue.theme(key)
                except KeyError:
                    raise NotFound(f"theme {theme_id!r} does not exist in {catalogue.model}") from None
                raise RuleViolation(f"bek § 11, {catalogue.model}", f"theme {theme.id} ({theme.name}) does not apply to this offer")
            written[key] = require_text(text, f"bek § 11, {catalogue.model}", f"theme {key} needs a written assessment")
        missing = sorted(scored_themes - set(written))
        if missing:
            raise RuleViolation(
                f"bek § 11, {catalogue.model}",
                "each assessed theme has a written assessment; missing for theme(s) " + ", ".join(missing),
            )
        self._trigger(
            ev.KvalitetsvurderingForetaget, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, anledning=anledning, model=catalogue.model, indikatorer=values,
                temaer=written, note=note,
            ),
        )

    @staticmethod
    def _not_live(catalogue: Any, profile: OfferProfile, raw_id: str) -> str:
        """An indicator not found among the live ones: its normal id if it is live after all
        (written as '5 a'), else the refusal that says why."""
        try:
            indicator = catalogue.indicator(raw_id)
        except KeyError:
            raise NotFound(f"indicator {raw_id!r} does not exist in {catalogue.model}") from None
        if indicator.udgaaet:
            raise RuleViolation(f"bek § 11, {catalogue.model}", f"indicator {indicator.id} is udgået and cannot be scored")
        if not indicator.applies_to(profile):
            raise RuleViolation(
                f"bek § 11, {catalogue.model}",
                f"indicator {indicator.id} does not apply to this offer's type "
                f"({', '.join(profile.types)}): {indicator.applicability_text or 'its theme does not apply'}",
            )
        return str(indicator.id)

    @staticmethod
    def _indicator_value(anledning: str, indicator: str, value: Any, model: str) -> int | str:
        if anledning == "godkendelse":
            if value in ("forventes", "forventes_ikke"):
                return str(value)
            raise RuleViolation(
                f"bek § 11, {model}",
                f"at approval indicator {indicator} is judged 'forventes' or 'forventes_ikke', not {value!r}",
            )
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise RuleViolation(
                f"bek § 11, {model}", f"at supervision indicator {indicator} scores 1-5, not {value!r}"
            )
        return value

    # -- 15-16: budgets and annual reports ------------------------------------------------
    def _require_budget_duty(self, d: _Decision, paragraph: str, what: str) -> None:
        types = [OfferType(t) for t in d.state.profile.get("tilbudstyper", [])]
        if not types or any(LOV_4_NR[t] == 1 for t in types):
            raise RuleViolation(paragraph, f"{what} concerns offers under lov § 4 stk 1 nr 2-4, not plejefamilier")
        if all(t == OfferType.SEL66_7 for t in types):
            raise RuleViolation("bek § 14 stk 1", f"{what}: offers under SEL § 66 stk 1 nr 7 make no annual budget")

    def budget_indsendt(
        self, rec: Recording, *, date: dt.date, budgetaar: int, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Årsbudget indsendt via Tilbudsportalen (bek §§ 14-15)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.BudgetIndsendt)
        self._require_open(d, "a budget")
        self._require_budget_duty(d, "bek § 14 stk 1", "an annual budget")
        if not date.year <= budgetaar <= date.year + 1:
            raise RuleViolation(
                "bek § 15 stk 3", f"a budget submitted on {date} is for {date.year} or {date.year + 1}, not {budgetaar}"
            )
        existing = d.state.budgets.get(str(budgetaar))
        if existing and existing["submitted"]:
            raise RuleViolation("bek § 15", f"the budget for {budgetaar} was already submitted on {existing['submitted']}")
        self._trigger(
            ev.BudgetIndsendt, rec, d.rules, date, **self._envelope(d, correction_reason, budgetaar=budgetaar, note=note)
        )

    def koncernnote_indsendt(
        self, rec: Recording, *, date: dt.date, budgetaar: int, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Koncernnote submitted with a koncern's budgets (bek § 14 stk 3, § 15 stk 2)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.KoncernnoteIndsendt)
        self._require_open(d, "a koncernnote")
        if not d.state.profile.get("koncern"):
            raise RuleViolation("bek § 14 stk 3", "only an offer in a koncern submits a koncernnote")
        self._trigger(
            ev.KoncernnoteIndsendt, rec, d.rules, date,
            **self._envelope(d, correction_reason, budgetaar=budgetaar, note=note),
        )

    def budget_afgoer(
        self, rec: Recording, *, date: dt.date, budgetaar: int, godkendt: bool, begrundelse: str | None,
        kriterier: Mapping[str, bool] | None = None, kontroller: Mapping[str, bool] | None = None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Budget godkendt / ikke godkendt (bek § 16): approved only when the three criteria of stk 2
        are established as met and no check of stk 3 fails (nr 4 recorded for an offer in a koncern);
        refused only for an unmet criterion or a failed check (stk 2: "skal godkende")."""
        event_class = ev.BudgetGodkendt if godkendt else ev.BudgetIkkeGodkendt
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=event_class)
        self._require_open(d, "a budget decision")
        self._require_budget_duty(d, "bek § 16", "a budget decision")
        budget = d.state.budgets.get(str(budgetaar))
        if not budget or not budget["submitted"] or budget["submitted"] > d.day:
            raise RuleViolation("bek § 16", f"the budget for {budgetaar} has not been submitted by {d.day}")
        if budget["decided"]:
            raise RuleViolation("bek § 16", f"the budget for {budgetaar} was already decided on {budget['decided']}")
        criteria = dict(kriterier or {})
        unknown = set(criteria) - set(BUDGET_CRITERIA)
        if unknown:
            raise InvalidInput(f"unknown budget criteria {sorted(unknown)}; known: {sorted(BUDGET_CRITERIA)}")
        checks = dict(kontroller or {})
        unknown = set(checks) - set(BUDGET_CHECKS)
        if unknown:
            raise InvalidInput(f"unknown budget checks {sorted(unknown)}; known: {sorted(BUDGET_CHECKS)}")
        needed = dict(BUDGET_CHECKS_FOR_KONCERN) if d.state.profile.get("koncern") else {}
        text = judge_budget(
            godkendt, begrundelse, criteria, checks, BUDGET_CRITERIA, BUDGET_CHECKS, needed,
            paragraph="bek § 16", decision_text=self._decision_text,
        )
        self._trigger(
            event_class, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, budgetaar=budgetaar, kriterier=criteria, kontroller=checks,
                begrundelse=text, note=note,
            ),
        )

    def aarsrapport(
        self, rec: Recording, *, date: dt.date, aar: int, noegletal: Mapping[str, Any] | None = None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Årsrapport indsendt (bek § 17): every approved offer under lov § 4 stk 1 nr 2-4 makes one,
        SEL § 66 stk 1 nr 7 offers included (stk 2 nr 1 only spares them the economic key figures)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.AarsrapportIndsendt)
        types = [OfferType(t) for t in d.state.profile.get("tilbudstyper", [])]
        if not types or any(LOV_4_NR[t] == 1 for t in types):
            raise RuleViolation("bek § 17 stk 1", "an årsrapport concerns offers under lov § 4 stk 1 nr 2-4, not plejefamilier")
        if aar >= date.year:
            raise RuleViolation("bek § 17 stk 3", f"the årsrapport for {aar} is made after the year ends, not on {date}")
        approved_in_year = any(
            d.state.is_approved_on(dt.date(aar, month, 1)) for month in range(1, 13)
        ) or d.state.is_approved_on(dt.date(aar, 12, 31))
        if not approved_in_year:
            raise RuleViolation("bek § 17 stk 1", f"the offer was not approved in {aar}: it makes no årsrapport for it")
        if str(aar) in d.state.aarsrapporter:
            raise RuleViolation("bek § 17", f"the årsrapport for {aar} was already submitted on {d.state.aarsrapporter[str(aar)]}")
        self._trigger(
            ev.AarsrapportIndsendt, rec, d.rules, date,
            **self._envelope(d, correction_reason, aar=aar, noegletal=dict(noegletal or {}), note=note),
        )

    def oekonomisk_vurdering(
        self, rec: Recording, *, date: dt.date, konklusioner: Mapping[str, bool],
        kontroller: Mapping[str, bool] | None = None, begrundelse: str | None = None, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Økonomisk vurdering: the three conclusions and four checks of bek § 13 for offers, the
        overall assessment of bek § 12 for plejefamilier."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.OekonomiskVurdering)
        self._require_open(d, "an economic assessment")
        types = [OfferType(t) for t in d.state.profile.get("tilbudstyper", [])]
        foster = bool(types) and all(t in FOSTER_FAMILY_TYPES for t in types)
        wanted_conclusions = FOSTER_CONCLUSIONS if foster else ECONOMY_CONCLUSIONS
        private = d.state.profile.get("ejerform") == Ejerform.PRIVAT.value
        wanted_checks: Mapping[str, str] = {} if foster else (ECONOMY_CHECKS if private else PUBLIC_ECONOMY_CHECKS)
        paragraph = "bek § 12" if foster else "bek § 13"
        missing = [text for key, text in wanted_conclusions.items() if key not in konklusioner]
        if missing or set(konklusioner) - set(wanted_conclusions):
            raise RuleViolation(
                paragraph,
                "the economic assessment records exactly these conclusions: "
                + "; ".join(f"{k} ({v})" for k, v in wanted_conclusions.items()),
            )
        checks = dict(kontroller or {})
        if not foster and not private and _SOLIDITY in checks:
            raise RuleViolation(
                "bek § 13 stk 2 nr 3",
                f"the solidity check ({_SOLIDITY}) concerns the private offer's soliditetsgrad; this offer is "
                f"{d.state.profile.get('ejerform')}: leave it out",
            )
        if set(checks) != set(wanted_checks):
            raise RuleViolation(
                f"{paragraph} stk 2" if wanted_checks else paragraph,
                "the economic assessment records exactly these checks: "
                + ("; ".join(f"{k} ({v})" for k, v in wanted_checks.items()) or "none for a plejefamilie"),
            )
        self._trigger(
            ev.OekonomiskVurdering, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, konklusioner=dict(konklusioner), kontroller=checks,
                begrundelse=begrundelse, note=note, paragraph=f"{paragraph}; lov § 6 stk 2-3",
            ),
        )

    # -- 17: magtanvendelse ---------------------------------------------------------------
    def magtanvendelse(
        self, rec: Recording, *, date: dt.date, haendelsesdato: dt.date, reference: str,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Magtanvendelse indberettet by the offer. The ledger keeps only a reference, never personal data."""
        d = self._begin(
            rec, date, supersedes=supersedes, correction_reason=correction_reason,
            event_class=ev.MagtanvendelseIndberettet,
        )
        self._require_approved(d, "side: Magtanvendelse", "a report of magtanvendelse")
        if haendelsesdato > date:
            raise InvalidInput(f"the use of force ({haendelsesdato}) cannot be after its report ({date})")
        ref_text = require_text(reference, "side: Magtanvendelse", "a report carries the offer's reference")
        if _CPR.search(ref_text):
            raise InvalidInput("the ledger holds no personal data: the reference looks like a CPR number")
        self._trigger(
            ev.MagtanvendelseIndberettet, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, magtanvendelse=self._ref(d, ev.MagtanvendelseIndberettet),
                haendelsesdato=haendelsesdato, reference=ref_text, note=note,
            ),
        )

    def magtanvendelse_vurderet(
        self, rec: Recording, *, date: dt.date, magtanvendelse: str, vurdering: MagtVurdering,
        konsekvens: str | None = None, note: str | None = None, supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """Socialtilsynet's assessment of a reported magtanvendelse."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.MagtanvendelseVurderet)
        if not d.state.has_ref(magtanvendelse):
            raise NotFound(f"magtanvendelse {magtanvendelse} has not been reported in this case")
        reported = d.state.magt_open.get(magtanvendelse)
        if reported is None:
            raise RuleViolation("side: Magtanvendelse", f"magtanvendelse {magtanvendelse} has already been assessed")
        if reported > d.day:
            raise RuleViolation("side: Magtanvendelse", f"magtanvendelse {magtanvendelse} was reported {reported}, after {d.day}")
        if vurdering == MagtVurdering.TILSYNSMAESSIG_KONSEKVENS and not (konsekvens and konsekvens.strip()):
            raise RuleViolation("side: Magtanvendelse", "an assessment with supervisory consequence states it (konsekvens)")
        self._trigger(
            ev.MagtanvendelseVurderet, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, magtanvendelse=magtanvendelse, vurdering=vurdering,
                konsekvens=konsekvens or None, note=note,
            ),
        )

    # -- 18: complaints -------------------------------------------------------------------
    def klage(
        self, rec: Recording, *, date: dt.date, afgoerelse: int, emne: KlageEmne, klager: str,
        afgoerelse_modtaget: dt.date, begrundelse: str | None = None, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Klage modtaget: a complaint names one decision of this case (side: Klagevejledning)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.KlageModtaget)
        if emne in _NOT_FOR_ANKESTYRELSEN:
            raise RuleViolation(
                "side: Klagevejledning",
                "Ankestyrelsen cannot handle complaints about case-processing time or staff conduct; such a "
                "complaint goes to the head of department at Socialtilsynet and is not recorded as a complaint "
                "to Ankestyrelsen",
            )
        decision = d.state.decisions.get(str(afgoerelse))
        if decision is None:
            target = self.event(afgoerelse)
            if target is not None:
                # A visit, a report, a dialog...: something recorded, but not a decision to complain about.
                raise RuleViolation(
                    "side: Klagevejledning",
                    f"a complaint names a decision (afgørelse) of this case: #{afgoerelse} is a {target.title}, "
                    "not a decision",
                )
            raise NotFound(f"a complaint names an existing decision of this case: #{afgoerelse} does not exist")
        ended = d.state.governing_phase(d.day)
        if ended is not None and ended["kind"] == "ophoert" and ended["version"] != afgoerelse:
            raise RuleViolation(
                self.ENDING,
                f"a complaint about #{afgoerelse} ({decision['title']}) cannot be recorded: {self._status_text(d)}, "
                f"besides the complaint about the ophør itself (#{ended['version']})",
            )
        if not decision["appealable"]:
            raise RuleViolation(
                "side: Klagevejledning",
                f"#{afgoerelse} ({decision['title']}) is not a decision that can be complained about to Ankestyrelsen",
            )
        if afgoerelse_modtaget.isoformat() < decision["date"]:
            raise InvalidInput(
                f"the decision #{afgoerelse} of {decision['date']} cannot have been received on {afgoerelse_modtaget}"
            )
        if afgoerelse_modtaget > date:
            raise InvalidInput(f"the decision was received ({afgoerelse_modtaget}) after the complaint ({date})")
        for ref, open_ in d.state.open_complaints().items():
            if open_["decision"] == afgoerelse:
                raise RuleViolation("side: Klagevejledning", f"complaint {ref} about #{afgoerelse} is still open")
        late = date > afgoerelse_modtaget + dt.timedelta(weeks=d.rules.complaint_deadline_weeks)
        self._trigger(
            ev.KlageModtaget, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, klage=self._ref(d, ev.KlageModtaget), afgoerelse=afgoerelse, emne=emne,
                klager=require_text(klager, "side: Klagevejledning", "a complaint names who complains (klager)"),
                afgoerelse_modtaget=afgoerelse_modtaget, for_sent=late, begrundelse=begrundelse, note=note,
            ),
        )

    def _complaint(self, d: _Decision, ref: str) -> dict[str, Any]:
        item = d.state.complaints.get(ref)
        if item is None:
            raise NotFound(f"complaint {ref} does not exist in this case")
        if item["received"] > d.day:
            raise RuleViolation("side: Klagevejledning", f"complaint {ref} was received {item['received']}, after {d.day}")
        return item

    def klage_genvurderet(
        self, rec: Recording, *, date: dt.date, klage: str, udfald: str, begrundelse: str | None,
        ny_afgoerelse: int | None = None, note: str | None = None, supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """Socialtilsynet reconsiders: it upholds (fastholdt) or changes (aendret) the decision."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.KlageGenvurderet)
        item = self._complaint(d, klage)
        if item["genvurderet"]:
            raise RuleViolation("side: Klagevejledning", f"complaint {klage} was already reconsidered on {item['genvurderet']}")
        if udfald not in ("fastholdt", "aendret"):
            raise InvalidInput("udfald of a reconsideration is 'fastholdt' or 'aendret'")
        if ny_afgoerelse is not None:
            if udfald != "aendret":
                raise InvalidInput("ny_afgoerelse is given only when the decision is changed (aendret)")
            new = d.state.decisions.get(str(ny_afgoerelse))
            if new is None or new["date"] < item["received"] or ny_afgoerelse == item["decision"]:
                raise NotFound(
                    f"the new decision #{ny_afgoerelse} must be a decision of this case made after the complaint"
                )
        text = self._decision_text(begrundelse)
        self._trigger(
            ev.KlageGenvurderet, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, klage=klage, udfald=udfald, ny_afgoerelse=ny_afgoerelse, begrundelse=text,
                note=note,
            ),
        )

    def klage_videresendt(
        self, rec: Recording, *, date: dt.date, klage: str, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """An upheld complaint is forwarded with the case's documents to Ankestyrelsen."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.KlageVideresendt)
        item = self._complaint(d, klage)
        if item["udfald"] != "fastholdt" or item["genvurderet"] > d.day:
            raise RuleViolation(
                "side: Klagevejledning",
                f"complaint {klage} is forwarded only after Socialtilsynet has reconsidered and upheld the decision",
            )
        if item["videresendt"]:
            raise RuleViolation("side: Klagevejledning", f"complaint {klage} was already forwarded on {item['videresendt']}")
        self._trigger(ev.KlageVideresendt, rec, d.rules, date, **self._envelope(d, correction_reason, klage=klage, note=note))

    def ankestyrelsens_afgoerelse(
        self, rec: Recording, *, date: dt.date, klage: str, udfald: AnkeUdfald, begrundelse: str | None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Ankestyrelsen's outcome of a forwarded complaint."""
        d = self._begin(
            rec, date, supersedes=supersedes, correction_reason=correction_reason,
            event_class=ev.AnkestyrelsensAfgoerelse,
        )
        item = self._complaint(d, klage)
        if not item["videresendt"] or item["videresendt"] > d.day:
            raise RuleViolation("side: Klagevejledning", f"complaint {klage} has not been forwarded to Ankestyrelsen by {d.day}")
        if item["anke"]:
            raise RuleViolation("side: Klagevejledning", f"Ankestyrelsen already decided complaint {klage} on {item['anke']}")
        text = require_text(begrundelse, "side: Klagevejledning", "record Ankestyrelsen's reasons (begrundelse)")
        self._trigger(
            ev.AnkestyrelsensAfgoerelse, rec, d.rules, date,
            **self._envelope(d, correction_reason, klage=klage, udfald=udfald, begrundelse=text, note=note),
        )

    # -- notifications, significant changes, corrections ----------------------------------
    def kommuner_orienteret(
        self, rec: Recording, *, date: dt.date, afgoerelse: int, kommuner: Sequence[str], note: str | None = None,
    ) -> None:
        """The municipalities told of a decision (bek § 4 stk 4, § 9)."""
        d = self._begin(rec, date, event_class=ev.KommunerOrienteret)
        decision = d.state.decisions.get(str(afgoerelse))
        if decision is None:
            raise NotFound(f"#{afgoerelse} is not a decision of this case")
        if decision["date"] > d.day:
            raise InvalidInput(f"decision #{afgoerelse} is dated {decision['date']}, after {d.day}")
        named = tuple(k.strip() for k in kommuner if k and k.strip())
        if not named:
            raise InvalidInput("name at least one municipality (kommuner)")
        self._trigger(ev.KommunerOrienteret, rec, d.rules, date, afgoerelse=afgoerelse, kommuner=named, note=note)

    def ansoeg_aendring(
        self, rec: Recording, *, date: dt.date, beskrivelse: str, pladser: int | None = None,
        forventede_borgere: int | None = None, tilbudstyper: Sequence[OfferType] = (),
        nye_afdelinger: Sequence[Mapping[str, str]] = (), note: str | None = None, supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """An approved offer applies for approval of a significant change (bek § 28 stk 4)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.AendringAnsoegt)
        self._require_approved(d, "bek § 28 stk 4", "a significant change")
        start = d.state.counters.get("A", 0)
        made = tuple(
            ev.Afdeling(
                id=f"A{start + n}",
                navn=require_text(a.get("navn"), "bek § 1 stk 1", "each afdeling has a name"),
                adresse=require_text(a.get("adresse"), "bek § 1 stk 1", "each afdeling has an address"),
            )
            for n, a in enumerate(nye_afdelinger, start=1)
        )
        names = [a.navn.casefold() for a in made]
        for a in made:
            if any(v["navn"].casefold() == a.navn.casefold() for v in d.state.afdelinger.values()) or names.count(a.navn.casefold()) > 1:
                raise InvalidInput(f"the offer already has an afdeling named {a.navn!r}; a new afdeling has a name of its own")
        if pladser is None and forventede_borgere is None and not tilbudstyper and not made:
            raise InvalidInput("a significant change names what changes: pladser, forventede_borgere, tilbudstyper or nye_afdelinger")
        self._trigger(
            ev.AendringAnsoegt, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, aendring=self._ref(d, ev.AendringAnsoegt),
                beskrivelse=require_text(beskrivelse, "bek § 28 stk 4", "describe the change (beskrivelse)"),
                pladser=pladser, forventede_borgere=forventede_borgere, tilbudstyper=tuple(tilbudstyper),
                nye_afdelinger=made, note=note,
            ),
        )

    def afgoer_aendring(
        self, rec: Recording, *, date: dt.date, aendring: str, godkendt: bool, begrundelse: str | None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Decide an application for a significant change."""
        event_class = ev.AendringGodkendt if godkendt else ev.AendringAfslaaet
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=event_class)
        item = d.state.aendringer.get(aendring)
        if item is None:
            raise NotFound(f"change {aendring} has not been applied for in this case")
        if item["decided"]:
            raise RuleViolation("bek § 28 stk 4", f"change {aendring} was already decided on {item['decided']}")
        if item["applied"] > d.day:
            raise RuleViolation("bek § 28 stk 4", f"change {aendring} was applied for {item['applied']}, after {d.day}")
        self._require_approved(d, "bek § 28 stk 4", "deciding a significant change")
        text = self._decision_text(begrundelse)
        self._trigger(
            event_class, rec, d.rules, date,
            **self._envelope(d, correction_reason, aendring=aendring, begrundelse=text, note=note),
        )

    def annuller(
        self, rec: Recording, *, date: dt.date, annulleret: int, correction_reason: str | None,
        note: str | None = None,
    ) -> None:
        """Annul a wrong record. Both stay in the history; the annulled one no longer counts."""
        d = self._begin(rec, date, event_class=ev.RegistreringAnnulleret)
        target = self._live_target(annulleret, "annul")
        reason = require_text(correction_reason, "rettelse", "an annulment states its reason (correction_reason)")
        if date < target.effective_date:
            raise InvalidInput(f"an annulment ({date}) cannot be dated before the record it annuls ({target.effective_date})")
        if annulleret == 1 and self.version > 1 and len(d.state.phases) > 0:
            others = [e for e in self.events[1:] if not isinstance(e, ev.RegistreringAnnulleret)]
            if others:
                raise RuleViolation("rettelse", "the application that opened the case cannot be annulled while other records stand")
        self._trigger(
            ev.RegistreringAnnulleret, rec, d.rules, date,
            annulleret=annulleret, correction_reason=reason, note=note,
            paragraph=f"rettelse af #{annulleret} ({target.title})",
        )


BUDGET_CRITERIA: dict[str, str] = {
    "sammenhaeng": "sammenhæng mellem den faglige indsats og de afsatte økonomiske ressourcer (bek § 16 stk 2 nr 1)",
    "ingen_uvedkommende_poster": "ingen poster uvedkommende for tilbuddets virksomhed (bek § 16 stk 2 nr 2)",
    "ansvarlig_forvaltning": "mulighed for ansvarlig forvaltning af offentlige midler (bek § 16 stk 2 nr 3)",
}
BUDGET_CHECKS: dict[str, str] = {
    "markedsleje": "lejeudgifter overstiger ikke markedslejen (bek § 16 stk 3 nr 1)",
    "bestyrelsesvederlag": "bestyrelsesvederlag er sædvanlige (bek § 16 stk 3 nr 2)",
    "ingen_goodwill": "goodwill er ikke medregnet (bek § 16 stk 3 nr 3)",
    "koncernafregning_markedsvilkaar": "afregninger i koncernen sker på markedsvilkår (bek § 16 stk 3 nr 4)",
}
# § 16 stk 3 nr 4: settlements between the units of a koncern are on market terms; the ledger knows
# which offers are in a koncern, so their approval must record it.
BUDGET_CHECKS_FOR_KONCERN: dict[str, str] = {
    k: v for k, v in BUDGET_CHECKS.items() if k == "koncernafregning_markedsvilkaar"
}


def judge_budget(
    godkendt: bool, begrundelse: str | None, criteria: Mapping[str, bool], checks: Mapping[str, bool],
    all_criteria: Mapping[str, str], all_checks: Mapping[str, str], needed_checks: Mapping[str, str], *,
    paragraph: str, decision_text: Callable[[str | None], str],
) -> str:
    """A budget decision under bek § 16 (or § 24 for chapter 2): stk 2 says Socialtilsynet "skal
    godkende" a budget that meets every criterion, and stk 3 what it must see to as part of the
    approval. An approval needs every criterion established as met and every check the ledger can
    tell applies recorded, none failing; a refusal needs a reason the law allows: a criterion
    found unmet or a check that fails. Returns the decision's text."""
    unmet = [all_criteria[k] for k, v in criteria.items() if v is False]
    failed = [all_checks[k] for k, v in checks.items() if v is False]
    if godkendt:
        if unmet:
            raise RuleViolation(
                f"{paragraph} stk 2", "a budget is approved only if it meets every criterion; unmet: " + "; ".join(unmet)
            )
        if failed:
            raise RuleViolation(f"{paragraph} stk 3", "a budget cannot be approved while a check fails: " + "; ".join(failed))
        unassessed = [text for key, text in all_criteria.items() if key not in criteria]
        if unassessed:
            raise RuleViolation(
                f"{paragraph} stk 2",
                "a budget is approved only when every criterion is established as met; not assessed: "
                + "; ".join(unassessed),
            )
        missing = [text for key, text in needed_checks.items() if key not in checks]
        if missing:
            raise RuleViolation(
                f"{paragraph} stk 3",
                "as part of approving the budget Socialtilsynet must see to every check that applies; not recorded: "
                + "; ".join(missing),
            )
        return begrundelse or f"Budgettet opfylder betingelserne i {paragraph}, stk. 2."
    text = decision_text(begrundelse)
    if not unmet and not failed:
        raise RuleViolation(
            f"{paragraph} stk 2",
            "Socialtilsynet skal godkende a budget that meets the criteria of stk 2: a refusal names the criterion "
            "found unmet or the check of stk 3 that fails (kriterier or kontroller recorded as false)",
        )
    return text


ECONOMY_CONCLUSIONS: dict[str, str] = {
    "baeredygtig": "økonomisk bæredygtigt (bek § 13 stk 1 nr 1)",
    "kvalitet_for_prisen": "økonomien giver mulighed for den fornødne kvalitet i forhold til pris og målgruppe (nr 2)",
    "gennemsigtig": "gennemsigtighed med økonomien (nr 3)",
}
ECONOMY_CHECKS: dict[str, str] = {
    "ingen_revisorforbehold": "revisor har ikke anført forbehold eller væsentlige supplerende oplysninger (stk 2 nr 1)",
    "rimeligt_budget": "rimeligt forhold mellem forventet omsætning og omkostninger (stk 2 nr 2)",
    "rimelig_soliditet": "soliditetsgraden er rimelig for et privat tilbud (stk 2 nr 3)",
    "budget_afspejler_maalgruppe": "budgettet afspejler målgruppe, metoder og planer (stk 2 nr 4)",
}
# § 13 stk 2 nr 3 is about "det private tilbuds soliditetsgrad": a kommunal or regional offer has no
# such check.
_SOLIDITY = "rimelig_soliditet"
PUBLIC_ECONOMY_CHECKS: dict[str, str] = {k: v for k, v in ECONOMY_CHECKS.items() if k != _SOLIDITY}
FOSTER_CONCLUSIONS: dict[str, str] = {
    "stabil_anbringelse": "plejefamiliens økonomi giver grundlag for en stabil anbringelse (bek § 12)",
}
