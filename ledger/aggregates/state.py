"""An offer's case as facts, and its legal state on any date.

`CaseState` is a fold over the case's events (in event-number order). Applying an event only
records facts; it never checks anything, because it re-runs on every replay. Every question
about the legal state is asked *as of a date*: `status_on(d)`, `active_paabud_on(d)`, ... and
what lapses by time alone (a fravigelse's period, a skærpet tilsyn's end, an ophør's effective
date) lapses in those answers without any event.

Dates are kept as ISO strings (they sort as dates) so the whole state is plain JSON, which the
projections store and reload. Corrections (annulment, supersession) are folded by `fold()`:
annulled and superseded events are left out and a superseding event takes the place of the one
it replaces.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Any

from ledger.events import offer as ev
from ledger.events.base import LedgerEvent

APPROVED = ("godkendt", "godkendt_med_vilkaar")
STATUSES = ("ikke_ansoegt", "ansoegt", "godkendt", "godkendt_med_vilkaar", "afslaaet", "ophoert")
FLAGS = ("fravigelse", "paabud", "skaerpet_tilsyn", "ophoer_besluttet", "ophoer_udsat_af_klage", "lukning_varslet")

STATUS_LABELS = {
    "ikke_ansoegt": "Ikke ansøgt",
    "ansoegt": "Ansøgt",
    "godkendt": "Godkendt",
    "godkendt_med_vilkaar": "Godkendt med vilkår",
    "afslaaet": "Afslået",
    "ophoert": "Ophørt",
}

# Outcomes that end a decision's effect from the date they are recorded.
_WITHDRAWING_ANKE = {"aendret", "ophaevet", "hjemvist"}


# The fold's method for each kind of event (None: the event changes no state), by state class.
_HANDLERS: dict[tuple[type, type], Any] = {}

# Events that never change which phase governs a date (they touch neither the phases, nor the
# withdrawn decisions, nor the complaints): applying one keeps the cache of governing phases.
_PHASE_NEUTRAL: frozenset[type] = frozenset({
    ev.TilsynsbesoegGennemfoert, ev.KvalitetsvurderingForetaget, ev.OekonomiskVurdering, ev.BudgetIndsendt,
    ev.KoncernnoteIndsendt, ev.BudgetGodkendt, ev.BudgetIkkeGodkendt, ev.AarsrapportIndsendt,
    ev.MagtanvendelseIndberettet, ev.MagtanvendelseVurderet, ev.KommunerOrienteret, ev.DialogIndledt,
    ev.DialogSvarModtaget,
})


def iso(value: dt.date | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return day_text(value)


_DAY_TEXT: dict[dt.date, str] = {}


def day_text(day: dt.date) -> str:
    """`day.isoformat()`, remembered: the fold and the checks ask for the same days again and again."""
    text = _DAY_TEXT.get(day)
    if text is None:
        text = day.isoformat()
        if len(_DAY_TEXT) < 100_000 and type(day) is dt.date:
            _DAY_TEXT[day] = text
    return text


_REF_PARTS: dict[str, tuple[str, int]] = {}  # refs already read: every case gives out M1, M2, ...


def ref_number(ref: str) -> tuple[str, int]:
    """'P12' -> ('P', 12); 'Æ3' -> ('Æ', 3)."""
    found = _REF_PARTS.get(ref)
    if found is None:
        head = ref.rstrip("0123456789")
        found = head, int(ref[len(head) :] or 0)
        if len(_REF_PARTS) < 100_000:
            _REF_PARTS[ref] = found
    return found


# The facts a CaseState holds (its public attributes), as the cases projection stores them.
_STATE_FIELDS = (
    "key", "uuid", "version", "profile", "afdelinger", "first_applied", "phases", "counters", "vilkaar",
    "fravigelser", "dialogs", "paabud", "skaerpet", "akut", "visits", "visit_count", "quality", "economy",
    "budgets", "aarsrapporter", "magt_open", "magt_count", "complaints", "decisions", "withdrawn",
    "notified", "aendringer", "capacity_changes", "tilsyn_uden_besoeg", "regnskaber", "last_effective",
)
_UNKNOWN_LAST = "9999-12-31"  # a state stored before `last_effective` was kept: any day may precede it


class CaseState:
    """The facts of one offer's case, folded from its events."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.uuid: str | None = None
        self.version = 0
        self.profile: dict[str, Any] = {}
        self.afdelinger: dict[str, dict[str, str]] = {}
        self.first_applied: str | None = None
        # Facts that move the offer between phases: ansoegt, godkendt, afslaaet, ophoert, lukket.
        self.phases: list[dict[str, Any]] = []
        self.counters: dict[str, int] = {}
        self.vilkaar: dict[str, dict[str, Any]] = {}
        self.fravigelser: dict[str, dict[str, Any]] = {}
        self.dialogs: dict[str, dict[str, Any]] = {}
        self.paabud: dict[str, dict[str, Any]] = {}
        self.skaerpet: dict[str, dict[str, Any]] = {}
        self.akut: list[dict[str, Any]] = []
        self.visits: dict[str, list[str]] = {}
        self.visit_count = 0
        self.quality: list[dict[str, Any]] = []
        self.economy: dict[str, Any] | None = None
        self.budgets: dict[str, dict[str, Any]] = {}
        self.aarsrapporter: dict[str, str] = {}
        self.magt_open: dict[str, str] = {}
        self.magt_count = 0
        self.complaints: dict[str, dict[str, Any]] = {}
        self.decisions: dict[str, dict[str, Any]] = {}
        self.withdrawn: dict[str, str] = {}
        self.notified: dict[str, list[str]] = {}
        self.aendringer: dict[str, dict[str, Any]] = {}
        # What the size category is computed from, as it changed (bek § 28): by date and event.
        self.capacity_changes: list[dict[str, Any]] = []
        # Chapter-2 parties: supervisions without a visit, and revised accounts (bek §§ 22, 25).
        self.tilsyn_uden_besoeg: list[str] = []
        self.regnskaber: dict[str, str] = {}
        # The latest effective date among the folded events: a view as of an earlier day must leave
        # some of them out (`fold_as_of`).
        self.last_effective = ""
        # Which phase governs each day asked about; emptied whenever a fact is added.
        self._phase_cache: dict[str, dict[str, Any] | None] = {}
        # Whether a phase fact is overtaken (see _overtaken); emptied with the phase cache.
        self._overtaken_cache: dict[tuple[int, str, str], bool] = {}
        # The phases in effect in order of (start, event number), while no start depends on the day.
        self._phase_order: tuple[list[tuple[str, int, int]], list[dict[str, Any]]] | None = None

    # -- serialisation ------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _STATE_FIELDS}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CaseState:
        state = cls()
        for name in _STATE_FIELDS:
            if name in data:
                setattr(state, name, data[name])
        if "last_effective" not in data:
            state.last_effective = _UNKNOWN_LAST
        return state

    # -- folding ------------------------------------------------------------------------
    def apply(self, event: LedgerEvent) -> None:
        """Record an event's facts. No checks: the command that emitted it did them."""
        self.version = event.originator_version
        kind = type(event)
        if kind not in _PHASE_NEUTRAL or event.supersedes is not None:
            self._phase_cache.clear()
            self._overtaken_cache.clear()
            self._phase_order = None
        try:
            handler = _HANDLERS[type(self), kind]
        except KeyError:
            handler = _HANDLERS[type(self), kind] = getattr(type(self), "_on_" + kind.__name__, None)
        date = day_text(event.effective_date)
        if date > self.last_effective:
            self.last_effective = date
        if event.DECISION:
            self.decisions[str(event.originator_version)] = {
                "kind": type(event).__name__,
                "title": event.title,
                "date": date,
                "appealable": appealable(event),
            }
        if handler is not None:
            handler(self, event, date)

    def _new_ref(self, ref: str, version: int) -> None:
        prefix, number = ref_number(ref)
        if number > self.counters.get(prefix, 0):
            self.counters[prefix] = number

    def has_ref(self, ref: str) -> bool:
        """Whether a local reference was ever given out in this case."""
        prefix, number = ref_number(ref)
        return 0 < number <= self.counters.get(prefix, 0)

    def next_ref(self, prefix: str) -> str:
        return f"{prefix}{self.counters.get(prefix, 0) + 1}"

    def _on_AnsoegningModtaget(self, e: ev.AnsoegningModtaget, date: str) -> None:
        self.key = e.tilbud
        self.uuid = str(e.originator_id)
        self.profile = {
            "navn": e.navn,
            "tilbudstyper": [t.value for t in e.tilbudstyper],
            "pladser": e.pladser,
            "forventede_borgere": e.forventede_borgere,
            "ejerform": e.ejerform.value,
            "region": e.region.value,
            "koncern": e.koncern,
            "ambulant": e.ambulant,
            "sikret": e.sikret,
            "kun_aflastning": e.kun_aflastning,
            "bestyrelse": e.bestyrelse,
        }
        self.afdelinger = {a.id: {"navn": a.navn, "adresse": a.adresse} for a in e.afdelinger}
        for a in e.afdelinger:
            self._new_ref(a.id, e.originator_version)
        if self.first_applied is None or date < self.first_applied:
            self.first_applied = date
        self.phases.append({"kind": "ansoegt", "start": date, "decided": date, "version": e.originator_version})
        self.capacity_changes.append(
            {
                "from": date,
                "version": e.originator_version,
                "kind": "ansoegning",
                "pladser": e.pladser,
                "forventede_borgere": e.forventede_borgere,
                "tilbudstyper": [t.value for t in e.tilbudstyper],
            }
        )

    def _on_Godkendt(self, e: ev.Godkendt, date: str) -> None:
        if e.pladser is not None:
            self.profile["pladser"] = e.pladser
            self.capacity_changes.append(
                {"from": date, "version": e.originator_version, "kind": "pladser", "pladser": e.pladser}
            )
        self.phases.append({"kind": "godkendt", "start": date, "decided": date, "version": e.originator_version})
        for v in e.vilkaar:
            self._add_vilkaar(v, e.originator_version, date, source="godkendelse")

    def _add_vilkaar(self, v: ev.Vilkaar, version: int, date: str, source: str) -> None:
        self._new_ref(v.id, version)
        self.vilkaar[v.id] = {
            "versions": [{"from": date, "tekst": v.tekst, "frist": iso(v.frist)}],
            "created": date,
            "version": version,
            "source": source,
            "ended": None,
            "ended_how": None,
        }

    def _on_Afslaaet(self, e: ev.Afslaaet, date: str) -> None:
        self.phases.append({"kind": "afslaaet", "start": date, "decided": date, "version": e.originator_version})

    def _end_vilkaar(self, ref: str, date: str, how: str) -> None:
        item = self.vilkaar.get(ref)
        if item is not None:
            item["ended"], item["ended_how"] = date, how

    def _on_VilkaarOpfyldt(self, e: ev.VilkaarOpfyldt, date: str) -> None:
        self._end_vilkaar(e.vilkaar, date, "opfyldt")

    def _on_VilkaarOphaevet(self, e: ev.VilkaarOphaevet, date: str) -> None:
        self._end_vilkaar(e.vilkaar, date, "ophaevet")

    def _on_VilkaarAendret(self, e: ev.VilkaarAendret, date: str) -> None:
        item = self.vilkaar.get(e.vilkaar)
        if item is not None:
            item["versions"].append({"from": date, "tekst": e.tekst, "frist": iso(e.frist)})

    def _on_FravigelseBevilget(self, e: ev.FravigelseBevilget, date: str) -> None:
        self._new_ref(e.fravigelse, e.originator_version)
        self.fravigelser[e.fravigelse] = {
            "decided": date,
            "fra": iso(e.periode_fra) or date,
            "til": iso(e.periode_til),
            "betingelser": e.betingelser,
            "bortfaldet": None,
            "version": e.originator_version,
            "vilkaar": [v.id for v in e.vilkaar],
        }
        for v in e.vilkaar:
            self._add_vilkaar(v, e.originator_version, date, source=f"fravigelse:{e.fravigelse}")

    def _on_FravigelseBortfaldet(self, e: ev.FravigelseBortfaldet, date: str) -> None:
        item = self.fravigelser.get(e.fravigelse)
        if item is not None:
            item["bortfaldet"] = date

    def _on_AkutForlaengelseBevilget(self, e: ev.AkutForlaengelseBevilget, date: str) -> None:
        self.akut.append(
            {
                "decided": date,
                "akut_fra": iso(e.akut_fra),
                "til": iso(e.forlaenget_til),
                "kommune": e.kommune,
                "bevilget": True,
                "version": e.originator_version,
            }
        )

    def _on_AkutForlaengelseAfslaaet(self, e: ev.AkutForlaengelseAfslaaet, date: str) -> None:
        self.akut.append(
            {
                "decided": date,
                "akut_fra": iso(e.akut_fra),
                "til": None,
                "kommune": e.kommune,
                "bevilget": False,
                "version": e.originator_version,
            }
        )

    def _on_DialogIndledt(self, e: ev.DialogIndledt, date: str) -> None:
        self._new_ref(e.dialog, e.originator_version)
        self.dialogs[e.dialog] = {
            "opened": date,
            "forhold": list(e.forhold),
            "svarfrist": iso(e.svarfrist),
            "svar": [],
            "version": e.originator_version,
        }

    def _on_DialogSvarModtaget(self, e: ev.DialogSvarModtaget, date: str) -> None:
        item = self.dialogs.get(e.dialog)
        if item is not None:
            item["svar"].append(date)

    def _on_PaabudUdstedt(self, e: ev.PaabudUdstedt, date: str) -> None:
        self._new_ref(e.paabud, e.originator_version)
        self.paabud[e.paabud] = {
            "issued": date,
            "frister": [{"from": date, "frist": iso(e.frist)}],
            "forhold": e.forhold,
            "karakter": e.karakter.value,
            "straks": e.straks,
            "ended": None,
            "ended_how": None,
            "version": e.originator_version,
            "skaerpet": e.skaerpet_tilsyn,
        }
        self._notify(e.originator_version, e.kommuner_orienteret)

    def _on_PaabudFristForlaenget(self, e: ev.PaabudFristForlaenget, date: str) -> None:
        item = self.paabud.get(e.paabud)
        if item is not None:
            item["frister"].append({"from": date, "frist": iso(e.ny_frist)})

    def _on_PaabudOpfyldt(self, e: ev.PaabudOpfyldt, date: str) -> None:
        item = self.paabud.get(e.paabud)
        if item is not None:
            item["ended"], item["ended_how"] = date, "opfyldt"

    def _on_PaabudOphaevet(self, e: ev.PaabudOphaevet, date: str) -> None:
        item = self.paabud.get(e.paabud)
        if item is not None:
            item["ended"], item["ended_how"] = date, "ophaevet"
        self._notify(e.originator_version, e.kommuner_orienteret)

    def _on_SkaerpetTilsynIvaerksat(self, e: ev.SkaerpetTilsynIvaerksat, date: str) -> None:
        self._new_ref(e.skaerpet_tilsyn, e.originator_version)
        self.skaerpet[e.skaerpet_tilsyn] = {
            "decided": date,
            "fra": iso(e.periode_fra),
            "til": iso(e.periode_til),
            "baggrund": e.baggrund.value,
            "paabud": list(e.paabud),
            "straks": e.straks,
            "ophaevet": None,
            "version": e.originator_version,
        }
        self._notify(e.originator_version, e.kommuner_orienteret)

    def _on_SkaerpetTilsynOphaevet(self, e: ev.SkaerpetTilsynOphaevet, date: str) -> None:
        item = self.skaerpet.get(e.skaerpet_tilsyn)
        if item is not None:
            item["ophaevet"] = date

    def _on_GodkendelseOphoert(self, e: ev.GodkendelseOphoert, date: str) -> None:
        self.phases.append(
            {
                "kind": "ophoert",
                "start": iso(e.virkning_fra),
                "decided": date,
                "version": e.originator_version,
                "straks": e.straks,
                "baggrund": e.baggrund.value,
                "by": "socialtilsynet",
            }
        )
        self._notify(e.originator_version, e.kommuner_underrettet)

    def _on_TilbudLukket(self, e: ev.TilbudLukket, date: str) -> None:
        self.phases.append(
            {
                "kind": "ophoert",
                "start": iso(e.virkning_fra),
                "decided": date,
                "version": e.originator_version,
                "straks": False,
                "baggrund": None,
                "by": "tilbuddet",
            }
        )

    def _notify(self, version: int, kommuner: Sequence[str]) -> None:
        self.notified.setdefault(str(version), []).extend(kommuner)

    def _on_KommunerOrienteret(self, e: ev.KommunerOrienteret, date: str) -> None:
        self._notify(e.afgoerelse, e.kommuner)

    def _on_TilsynsbesoegGennemfoert(self, e: ev.TilsynsbesoegGennemfoert, date: str) -> None:
        where = e.afdeling or ""
        if not where and len(self.afdelinger) == 1:
            where = next(iter(self.afdelinger))
        dates = self.visits.setdefault(where, [])
        dates.append(date)
        dates.sort()
        self.visit_count += 1

    def _on_KvalitetsvurderingForetaget(self, e: ev.KvalitetsvurderingForetaget, date: str) -> None:
        self.quality.append(
            {
                "date": date,
                "version": e.originator_version,
                "anledning": e.anledning,
                "model": e.model,
                # The scores are never public and the spindelvæv reads them from the events: the
                # state keeps only the written theme assessments (the Tilbudsportal's), and how many
                # indicators were rated (at approval every one that applies is: bilag 1/2).
                "temaer": dict(e.temaer),
                "rated": len(e.indikatorer),
            }
        )
        self.quality.sort(key=lambda q: (q["date"], q["version"]))
        # Keep what the portal needs as of a recent date: the last two at tilsyn and the last at
        # godkendelse.
        at_tilsyn = [q for q in self.quality if q["anledning"] == "tilsyn"][-2:]
        at_approval = [q for q in self.quality if q["anledning"] == "godkendelse"][-1:]
        self.quality = sorted(at_approval + at_tilsyn, key=lambda q: (q["date"], q["version"]))

    def _on_OekonomiskVurdering(self, e: ev.OekonomiskVurdering, date: str) -> None:
        # The latest assessment by its effective date, whatever order they were recorded in.
        if self.economy is not None and self.economy["date"] > date:
            return
        self.economy = {"date": date, "konklusioner": dict(e.konklusioner), "kontroller": dict(e.kontroller)}

    def _budget(self, year: int) -> dict[str, Any]:
        return self.budgets.setdefault(
            str(year), {"submitted": None, "koncernnote": None, "decided": None, "approved": None, "version": None}
        )

    def _on_BudgetIndsendt(self, e: ev.BudgetIndsendt, date: str) -> None:
        self._budget(e.budgetaar)["submitted"] = date

    def _on_KoncernnoteIndsendt(self, e: ev.KoncernnoteIndsendt, date: str) -> None:
        self._budget(e.budgetaar)["koncernnote"] = date

    def _on_BudgetGodkendt(self, e: ev.BudgetGodkendt, date: str) -> None:
        budget = self._budget(e.budgetaar)
        budget.update(decided=date, approved=True, version=e.originator_version)

    def _on_BudgetIkkeGodkendt(self, e: ev.BudgetIkkeGodkendt, date: str) -> None:
        budget = self._budget(e.budgetaar)
        budget.update(decided=date, approved=False, version=e.originator_version)

    def _on_AarsrapportIndsendt(self, e: ev.AarsrapportIndsendt, date: str) -> None:
        self.aarsrapporter[str(e.aar)] = date

    def _on_MagtanvendelseIndberettet(self, e: ev.MagtanvendelseIndberettet, date: str) -> None:
        self._new_ref(e.magtanvendelse, e.originator_version)
        self.magt_open[e.magtanvendelse] = date
        self.magt_count += 1

    def _on_MagtanvendelseVurderet(self, e: ev.MagtanvendelseVurderet, date: str) -> None:
        self.magt_open.pop(e.magtanvendelse, None)

    def _on_KlageModtaget(self, e: ev.KlageModtaget, date: str) -> None:
        self._new_ref(e.klage, e.originator_version)
        self.complaints[e.klage] = {
            "decision": e.afgoerelse,
            "received": date,
            "decision_received": iso(e.afgoerelse_modtaget),
            "emne": e.emne.value,
            "klager": e.klager,
            "late": e.for_sent,
            "version": e.originator_version,
            "genvurderet": None,
            "udfald": None,
            "ny_afgoerelse": None,
            "videresendt": None,
            "anke": None,
            "anke_udfald": None,
        }

    def _on_KlageGenvurderet(self, e: ev.KlageGenvurderet, date: str) -> None:
        item = self.complaints.get(e.klage)
        if item is None:
            return
        item.update(genvurderet=date, udfald=e.udfald, ny_afgoerelse=e.ny_afgoerelse)
        if e.udfald == "aendret":
            self.withdrawn[str(item["decision"])] = date

    def _on_KlageVideresendt(self, e: ev.KlageVideresendt, date: str) -> None:
        item = self.complaints.get(e.klage)
        if item is not None:
            item["videresendt"] = date

    def _on_AnkestyrelsensAfgoerelse(self, e: ev.AnkestyrelsensAfgoerelse, date: str) -> None:
        item = self.complaints.get(e.klage)
        if item is None:
            return
        item.update(anke=date, anke_udfald=e.udfald.value)
        if e.udfald.value in _WITHDRAWING_ANKE:
            self.withdrawn[str(item["decision"])] = date

    # -- chapter-2 parties (bek §§ 19-25) ---------------------------------------------------
    def _on_ArbejdsgiverAnsoegt(self, e: Any, date: str) -> None:
        self.key = e.part
        self.uuid = str(e.originator_id)
        self.profile = {
            "navn": e.navn,
            "tilbudstyper": ["ARBEJDSGIVER"],
            "pladser": None,
            "forventede_borgere": None,
            "ejerform": "privat",
            "region": e.region.value,
            "koncern": None,
            "virksomhedsform": e.virksomhedsform,
            "cvr": e.cvr,
        }
        self.afdelinger = {"A1": {"navn": e.navn, "adresse": e.adresse}}
        self.counters["A"] = max(self.counters.get("A", 0), 1)
        if self.first_applied is None or date < self.first_applied:
            self.first_applied = date
        self.phases.append({"kind": "ansoegt", "start": date, "decided": date, "version": e.originator_version})

    def _on_ArbejdsgiverGodkendt(self, e: Any, date: str) -> None:
        self.phases.append({"kind": "godkendt", "start": date, "decided": date, "version": e.originator_version})
        for v in e.vilkaar:
            self._add_vilkaar(v, e.originator_version, date, source="godkendelse")

    def _on_ArbejdsgiverAfslaaet(self, e: Any, date: str) -> None:
        self.phases.append({"kind": "afslaaet", "start": date, "decided": date, "version": e.originator_version})

    def _on_ArbejdsgiverGodkendelseOphoert(self, e: Any, date: str) -> None:
        self.phases.append(
            {
                "kind": "ophoert",
                "start": iso(e.virkning_fra),
                "decided": date,
                "version": e.originator_version,
                "straks": False,
                "baggrund": e.baggrund.value,
                "by": "socialtilsynet",
            }
        )
        told = list(e.kommuner_underrettet) + ([f"{e.borgere_underrettet} borgere"] if e.borgere_underrettet else [])
        self._notify(e.originator_version, told)

    def _on_ArbejdsgiverTilsynGennemfoert(self, e: Any, date: str) -> None:
        if e.form == "uden_besoeg":
            self.tilsyn_uden_besoeg.append(date)
            return
        dates = self.visits.setdefault("A1", [])
        dates.append(date)
        dates.sort()
        self.visit_count += 1

    def _on_RegnskabIndsendt(self, e: Any, date: str) -> None:
        self.regnskaber[str(e.regnskabsaar)] = date

    def _on_AendringAnsoegt(self, e: ev.AendringAnsoegt, date: str) -> None:
        self._new_ref(e.aendring, e.originator_version)
        for a in e.nye_afdelinger:
            self._new_ref(a.id, e.originator_version)
        self.aendringer[e.aendring] = {
            "applied": date,
            "decided": None,
            "approved": None,
            "pladser": e.pladser,
            "forventede_borgere": e.forventede_borgere,
            "tilbudstyper": [t.value for t in e.tilbudstyper],
            "nye_afdelinger": [a.model_dump() for a in e.nye_afdelinger],
            "version": e.originator_version,
        }

    def _on_AendringGodkendt(self, e: ev.AendringGodkendt, date: str) -> None:
        item = self.aendringer.get(e.aendring)
        if item is None:
            return
        item.update(decided=date, approved=True)
        self.capacity_changes.append(
            {
                "from": date,
                "version": e.originator_version,
                "kind": "aendring",
                "pladser": item["pladser"],
                "forventede_borgere": item["forventede_borgere"],
                "tilbudstyper": list(item["tilbudstyper"]),
            }
        )
        if item["pladser"] is not None:
            self.profile["pladser"] = item["pladser"]
        if item["forventede_borgere"] is not None:
            self.profile["forventede_borgere"] = item["forventede_borgere"]
        if item["tilbudstyper"]:
            self.profile["tilbudstyper"] = list(item["tilbudstyper"])
        for a in item["nye_afdelinger"]:
            self.afdelinger[a["id"]] = {"navn": a["navn"], "adresse": a["adresse"]}

    def _on_AendringAfslaaet(self, e: ev.AendringAfslaaet, date: str) -> None:
        item = self.aendringer.get(e.aendring)
        if item is not None:
            item.update(decided=date, approved=False)

    # -- questions as of a date ----------------------------------------------------------
    def _withdrawn_by(self, version: int, on: str) -> bool:
        when = self.withdrawn.get(str(version))
        return when is not None and when <= on

    def _phase_start(self, phase: dict[str, Any], on: str) -> str | None:
        """When a phase fact takes effect, seen on date `on`; None if not (yet) in effect.

        A complaint received before a (not straks) ophør takes effect suspends it until
        Ankestyrelsen has decided (DOMAIN.md, "Complaints: deadlines and effect").
        """
        # A complaint about an approval's vilkår withdraws the vilkår, never the approval itself.
        if phase["kind"] != "godkendt" and self._withdrawn_by(phase["version"], on):
            return None
        start: str = phase["start"]
        if phase["kind"] != "ophoert" or phase.get("by") != "socialtilsynet" or phase.get("straks"):
            return start
        for complaint in self.complaints.values():
            if complaint["decision"] != phase["version"] or complaint["late"]:
                continue
            if complaint["received"] > on or complaint["received"] >= start:
                continue
            resolved = complaint["anke"]
            if resolved is None or resolved > on:
                return None
            start = max(start, resolved)
        return start

    def _overtaken(self, phase: dict[str, Any]) -> bool:
        """An end (ophør or lukning) set for a later date is void when a decision made after it took
        effect first: the approval it was to end had already ended (an earlier lukning, say), and
        what came next (a new application) is not ended by it."""
        if phase["kind"] != "ophoert" or phase["start"] == phase["decided"]:
            return False
        key = (phase["version"], phase["kind"], phase["start"])
        found = self._overtaken_cache.get(key)
        if found is None:
            found = self._overtaken_cache[key] = self._overtaken_by_later(phase)
        return found

    def _overtaken_by_later(self, phase: dict[str, Any]) -> bool:
        return any(
            later["version"] > phase["version"] and later["start"] <= phase["start"]
            and not (later["kind"] != "godkendt" and self._withdrawn_by(later["version"], phase["start"]))
            for later in self.phases
        )

    def governing_phase(self, on: dt.date | str) -> dict[str, Any] | None:
        """The latest phase fact in effect on a date (by effective date, then event number)."""
        day = iso(on)
        assert day is not None
        if day in self._phase_cache:
            return self._phase_cache[day]
        if not self.withdrawn and not self.complaints:
            chosen = self._latest_started(day)
            self._phase_cache[day] = chosen
            return chosen
        best: tuple[str, int] | None = None
        chosen = None
        for phase in self.phases:
            if self._overtaken(phase):
                continue
            start = self._phase_start(phase, day)
            if start is None or start > day:
                continue
            rank = (start, phase["version"])
            if best is None or rank > best:
                best, chosen = rank, phase
        self._phase_cache[day] = chosen
        return chosen

    def _latest_started(self, day: str) -> dict[str, Any] | None:
        """`governing_phase` while nothing is withdrawn and no complaint is pending or decided, so
        that every phase takes effect on its own start: the phases are put in order once, and the
        last one started by the day is found by bisection (the first of equals, as in the loop)."""
        if self._phase_order is None:
            live = [(i, phase) for i, phase in enumerate(self.phases) if not self._overtaken(phase)]
            live.sort(key=lambda item: (item[1]["start"], item[1]["version"], -item[0]))
            self._phase_order = ([(p["start"], p["version"], -i) for i, p in live], [p for _, p in live])
        keys, phases = self._phase_order
        if keys and keys[-1][0] <= day:
            return phases[-1]  # the usual case: a day after every phase began (bisection would say the same)
        found = bisect.bisect_right(keys, (day, math.inf, math.inf))
        return phases[found - 1] if found else None

    def current_approval(self, on: dt.date | str) -> dict[str, Any] | None:
        phase = self.governing_phase(on)
        return phase if phase is not None and phase["kind"] == "godkendt" else None

    def is_approved_on(self, on: dt.date | str) -> bool:
        return self.current_approval(on) is not None

    def status_on(self, on: dt.date | str) -> str:
        day = iso(on)
        assert day is not None
        phase = self.governing_phase(day)
        if phase is None:
            return "ikke_ansoegt"
        if phase["kind"] == "godkendt":
            version = phase["version"]
            live = any(self._vilkaar_live(item, day, version) for item in self.vilkaar.values())
            return "godkendt_med_vilkaar" if live else "godkendt"
        return str(phase["kind"])

    def _vilkaar_live(self, item: dict[str, Any], day: str, approval_version: int) -> bool:
        if item["created"] > day or (item["ended"] is not None and item["ended"] <= day):
            return False
        if self._withdrawn_by(item["version"], day):
            return False
        source: str = item["source"]
        if source == "godkendelse":
            return bool(item["version"] == approval_version)
        fravigelse = source.split(":", 1)[1]
        return fravigelse in self._active_fravigelse_ids(day)

    def active_vilkaar_on(self, on: dt.date | str) -> dict[str, dict[str, Any]]:
        day = iso(on)
        assert day is not None
        approval = self.current_approval(day)
        if approval is None:
            return {}
        result = {}
        for ref, item in self.vilkaar.items():
            if self._vilkaar_live(item, day, approval["version"]):
                current = [v for v in item["versions"] if v["from"] <= day][-1]
                result[ref] = {**current, "source": item["source"], "created": item["created"]}
        return result

    def _active_fravigelse_ids(self, day: str) -> list[str]:
        return [ref for ref, item in self.fravigelser.items() if self._fravigelse_live(item, day)]

    def _fravigelse_live(self, item: dict[str, Any], day: str) -> bool:
        if item["decided"] > day or item["fra"] > day:
            return False
        if item["til"] is not None and item["til"] < day:
            return False
        if item["bortfaldet"] is not None and item["bortfaldet"] <= day:
            return False
        return not self._withdrawn_by(item["version"], day)

    def active_fravigelser_on(self, on: dt.date | str) -> dict[str, dict[str, Any]]:
        day = iso(on)
        assert day is not None
        since = self._approved_since(day)
        if since is None:
            return {}
        return {
            ref: item
            for ref, item in self.fravigelser.items()
            if (item["decided"], item["version"]) > since and self._fravigelse_live(item, day)
        }

    def _approved_since(self, day: str) -> tuple[str, int] | None:
        """The approval in force on a day, as (start, event number): what was decided before it (or
        on its day but recorded before it) belongs to an earlier approval and ended with it."""
        approval = self.current_approval(day)
        return None if approval is None else (str(approval["start"]), int(approval["version"]))

    def paabud_frist_on(self, ref: str, on: dt.date | str) -> str:
        day = iso(on)
        frister = [f for f in self.paabud[ref]["frister"] if day is None or f["from"] <= day]
        return str((frister or self.paabud[ref]["frister"])[-1]["frist"])

    def active_paabud_on(self, on: dt.date | str) -> dict[str, dict[str, Any]]:
        day = iso(on)
        assert day is not None
        since = self._approved_since(day)
        if since is None:
            return {}
        result = {}
        for ref, item in self.paabud.items():
            if (item["issued"], item["version"]) < since or item["issued"] > day:
                continue
            if item["ended"] is not None and item["ended"] <= day:
                continue
            if self._withdrawn_by(item["version"], day):
                continue
            result[ref] = {**item, "frist": self.paabud_frist_on(ref, day)}
        return result

    def active_skaerpet_on(self, on: dt.date | str) -> dict[str, dict[str, Any]]:
        day = iso(on)
        assert day is not None
        since = self._approved_since(day)
        if since is None:
            return {}
        result = {}
        for ref, item in self.skaerpet.items():
            if (item["decided"], item["version"]) < since or item["decided"] > day or item["fra"] > day or item["til"] < day:
                continue
            if item["ophaevet"] is not None and item["ophaevet"] <= day:
                continue
            if self._withdrawn_by(item["version"], day):
                continue
            result[ref] = item
        return result

    def decided_skaerpet_on(self, on: dt.date | str) -> dict[str, dict[str, Any]]:
        """Every skærpet tilsyn decided by a date under the current approval and not lifted, whether
        its period has begun, runs or is over."""
        day = iso(on)
        assert day is not None
        since = self._approved_since(day)
        if since is None:
            return {}
        return {
            ref: item
            for ref, item in self.skaerpet.items()
            if since < (item["decided"], item["version"]) and item["decided"] <= day
            and (item["ophaevet"] is None or item["ophaevet"] > day)
            and not self._withdrawn_by(item["version"], day)
        }

    def pending_ophoer_on(self, on: dt.date | str) -> dict[str, Any] | None:
        """An ophør decided on or before the date that has not (yet) taken effect."""
        day = iso(on)
        assert day is not None
        if not self.is_approved_on(day):
            return None
        return self._pending_end(day, "socialtilsynet")

    def pending_closure_on(self, on: dt.date | str) -> dict[str, Any] | None:
        """The offer's own closure, announced but not yet in effect."""
        day = iso(on)
        assert day is not None
        if not self.is_approved_on(day):
            return None
        return self._pending_end(day, "tilbuddet")

    def _pending_end(self, day: str, by: str) -> dict[str, Any] | None:
        for phase in self.phases[::-1]:
            if phase["kind"] != "ophoert" or phase.get("by") != by or phase["decided"] > day:
                continue
            if self._overtaken(phase):
                continue
            if self._withdrawn_by(phase["version"], day):
                continue
            start = self._phase_start(phase, day)
            if start is None or start > day:
                return {**phase, "suspended": start is None}
        return None

    def flags_on(self, on: dt.date | str) -> list[str]:
        day = iso(on)
        assert day is not None
        if self.current_approval(day) is None:
            return []  # every flag belongs to an approval in force
        on = day
        flags = []
        # (Most cases have none of these: the emptiness checks keep a long history cheap.)
        if self.fravigelser and self.active_fravigelser_on(on):
            flags.append("fravigelse")
        if self.paabud and self.active_paabud_on(on):
            flags.append("paabud")
        if self.skaerpet and self.active_skaerpet_on(on):
            flags.append("skaerpet_tilsyn")
        if any(phase["kind"] == "ophoert" for phase in self.phases):
            pending = self.pending_ophoer_on(day)
            if pending is not None:
                flags.append("ophoer_udsat_af_klage" if pending["suspended"] else "ophoer_besluttet")
            if self.pending_closure_on(day) is not None:
                flags.append("lukning_varslet")
        return flags

    def last_visit_on(self, on: dt.date | str, afdeling: str | None = None) -> str | None:
        day = iso(on)
        assert day is not None
        keys = [afdeling] if afdeling is not None else list(self.visits)
        latest = None
        for key in keys:
            for visit in self.visits.get(key or "", []):
                if visit <= day and (latest is None or visit > latest):
                    latest = visit
        return latest

    def approval_dates(self) -> list[str]:
        return sorted(p["start"] for p in self.phases if p["kind"] == "godkendt")

    def open_complaints(self) -> dict[str, dict[str, Any]]:
        return {k: c for k, c in self.complaints.items() if c["anke"] is None and c["udfald"] != "aendret"}

    def describe_on(self, on: dt.date) -> dict[str, Any]:
        """The legal state on a date, as plain data (DOMAIN.md, 'Status of an offer')."""
        day = on.isoformat()
        approval = self.current_approval(day)
        pending = self.pending_ophoer_on(day)
        governing = self.governing_phase(day)
        return {
            "offer": self.key,
            "as_of": day,
            "status": self.status_on(day),
            "flags": self.flags_on(day),
            "navn": self.profile.get("navn"),
            "region": self.profile.get("region"),
            "tilbudstyper": self.profile.get("tilbudstyper", []),
            "ejerform": self.profile.get("ejerform"),
            "pladser": self.profile.get("pladser"),
            "koncern": self.profile.get("koncern"),
            "afdelinger": self.afdelinger,
            "godkendt_fra": approval["start"] if approval else None,
            "ophoert": (
                {"virkning_fra": governing["start"], "af": governing.get("by"), "baggrund": governing.get("baggrund")}
                if governing is not None and governing["kind"] == "ophoert"
                else None
            ),
            "vilkaar": {
                ref: {"tekst": v["tekst"], "frist": v["frist"], "fra": v["from"], "kilde": v["source"], "oprettet": v["created"]}
                for ref, v in self.active_vilkaar_on(day).items()
            },
            "fravigelser": {
                ref: {"fra": f["fra"], "til": f["til"], "betingelser": f["betingelser"]}
                for ref, f in self.active_fravigelser_on(day).items()
            },
            "paabud": {
                ref: {"forhold": p["forhold"], "frist": p["frist"], "karakter": p["karakter"], "udstedt": p["issued"]}
                for ref, p in self.active_paabud_on(day).items()
            },
            "skaerpet_tilsyn": {
                ref: {"fra": s["fra"], "til": s["til"], "baggrund": s["baggrund"]}
                for ref, s in self.active_skaerpet_on(day).items()
            },
            "ophoer_besluttet": (
                {
                    "besluttet": pending["decided"],
                    "virkning_fra": pending["start"],
                    "udsat_af_klage": pending["suspended"],
                }
                if pending
                else None
            ),
            "seneste_tilsynsbesoeg": self.last_visit_on(day),
        }


def appealable(event: LedgerEvent) -> bool:
    if isinstance(event, ev.Godkendt) or type(event).__name__ == "ArbejdsgiverGodkendt":
        return bool(getattr(event, "vilkaar", ()))
    return event.APPEALABLE


def fold_order(events: Sequence[LedgerEvent]) -> list[LedgerEvent]:
    """The live events in fold order: annulled and superseded ones left out, a superseding
    event in the place of the one it replaces."""
    annulled = {e.annulleret for e in events if isinstance(e, ev.RegistreringAnnulleret)}
    superseding = [e for e in events if e.supersedes is not None and e.originator_version not in annulled]
    superseded = {e.supersedes for e in superseding}
    slot: dict[int, int] = {}
    for e in events:
        if e.supersedes is not None:
            slot[e.originator_version] = slot.get(e.supersedes, e.supersedes)
    live = [e for e in events if e.originator_version not in annulled and e.originator_version not in superseded]
    return sorted(live, key=lambda e: (slot.get(e.originator_version, e.originator_version), e.originator_version))


def created_refs(event: LedgerEvent) -> list[str]:
    """The local references an event creates (A1, V2, P3, ...)."""
    refs = []
    for name in ("dialog", "paabud", "skaerpet_tilsyn", "fravigelse", "magtanvendelse", "klage", "aendring"):
        value = getattr(event, name, None)
        if isinstance(value, str) and type(event).__name__ in _CREATES.get(name, ()):
            refs.append(value)
    for name in ("vilkaar", "afdelinger", "nye_afdelinger"):
        value = getattr(event, name, None)
        if isinstance(value, tuple):
            refs.extend(item.id for item in value if hasattr(item, "id"))
    return refs


_CREATES = {
    "dialog": ("DialogIndledt",),
    "paabud": ("PaabudUdstedt",),
    "skaerpet_tilsyn": ("SkaerpetTilsynIvaerksat",),
    "fravigelse": ("FravigelseBevilget",),
    "magtanvendelse": ("MagtanvendelseIndberettet",),
    "klage": ("KlageModtaget",),
    "aendring": ("AendringAnsoegt",),
}


def fold(events: Iterable[LedgerEvent]) -> CaseState:
    """Replay a case's events into its state."""
    ordered = list(events)
    state = CaseState()
    for event in fold_order(ordered):
        state.apply(event)
    # A reference stays taken when its event is annulled: a later påbud is never a second P1.
    for event in ordered:
        for ref in created_refs(event):
            prefix, number = ref_number(ref)
            state.counters[prefix] = max(state.counters.get(prefix, 0), number)
    if ordered:
        state.version = ordered[-1].originator_version
    return state


def fold_as_of(events: Iterable[LedgerEvent], on: dt.date) -> CaseState:
    """The case as of a day: its live events (corrections applied) effective on or before it."""
    live = [
        e for e in fold_order(list(events))
        if e.effective_date <= on and not isinstance(e, ev.RegistreringAnnulleret)
    ]
    return fold(live)


def is_correction(event: LedgerEvent) -> bool:
    return isinstance(event, ev.RegistreringAnnulleret) or event.supersedes is not None
