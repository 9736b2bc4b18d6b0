"""Random command sequences against a real ledger (SQLite, one per example), judged by a small
oracle of our own.

The oracle is written from DOMAIN.md and the order (bek), not by calling the aggregate: for each
command it predicts the set of reasons that make it unlawful (the paragraphs that refuse it, or
"notfound" / "invalid"); an empty set means lawful. The ledger must then store exactly the
predicted events, or refuse naming one of the predicted reasons and store nothing. Effective dates
never decrease within a run (each step advances a day counter), which keeps the oracle simple:
"as of the command's date" is always "now" for the model.

Kinds covered: ansoegning, godkendelse, afslag, tilsynsbesoeg, dialog, paabud (prior dialog or not,
a named dialog, frist before / on / after the decision, straks with and without its reason,
without the expectation of rectification), skaerpet-tilsyn (shorter than, exactly and longer than
3 months, with and without its påbud, with and without dialog, overlapping), ophoer (dialog or
straks, virkning_fra missing / the same day / later), paabud-opfyldt, lukning and klage on a påbud.

After every step: the hash chain verifies; the `cases` projection holds, for every offer, exactly the
state the aggregate replays; the oracle's status, active påbud and active skærpet tilsyn agree with
it; and the `statistics` (and `cases`) projection equals a rebuild from scratch.

Disagreements the machine once found (and the law sided with the oracle) are replayed as regression
tests at the end of this file.
"""

from __future__ import annotations

import calendar
import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from support import projection_rows

from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.errors import InvalidInput, NotFound, RuleViolation
from ledger.projections.cases import read_states
from ledger.projections.runner import up_to_date
from ledger.verify import current_digest, verify

OFFERS = ("T-1", "T-2", "T-3")  # T-1 and T-2 are applied for at the start; T-3 is not (until it is)
OFFER = st.sampled_from(["T-1", "T-1", "T-1", "T-2", "T-2", "T-3"])
START = dt.date(2024, 1, 1)
LAST_DAY = dt.date(2026, 5, 1)  # the machine's clock says 2026-06-01: every date stays in the past
ADVANCE = st.sampled_from([0, 0, 1, 1, 2, 3, 7, 14, 30, 45, 60])

PICK = st.integers(0, 9)  # which existing påbud a command names; UNKNOWN names one that does not exist
UNKNOWN = 9
NOTFOUND = "notfound"
INVALID = "invalid"


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later; the month's last day if it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -- the oracle's model of one offer ----------------------------------------------------------------
@dataclass
class Approval:
    number: int  # the event number of the approval: its identity
    start: dt.date
    revocations: list[dt.date] = field(default_factory=list)  # ophør decided by Socialtilsynet: takes effect
    closures: list[dt.date] = field(default_factory=list)  # the offer closing on its own: takes effect

    @property
    def closings(self) -> list[dt.date]:
        return self.revocations + self.closures


@dataclass
class Model:
    events: int = 0
    phase: str | None = None  # ansoegt, godkendt, afslaaet (ophoert follows from the approval's closings)
    approval: Approval | None = None
    dialogs: dict[str, dt.date] = field(default_factory=dict)
    paabud: dict[str, dict[str, Any]] = field(default_factory=dict)  # ref -> approval, event, ended
    skaerpet: dict[str, dict[str, Any]] = field(default_factory=dict)  # ref -> approval, fra, til
    complaints: dict[int, str] = field(default_factory=dict)  # decision number -> open complaint
    counters: dict[str, int] = field(default_factory=dict)

    def next_ref(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]}"

    def peek_ref(self, prefix: str, ahead: int = 1) -> str:
        return f"{prefix}{self.counters.get(prefix, 0) + ahead}"

    def status(self, day: dt.date) -> str:
        if self.phase is None:
            return "ikke_ansoegt"
        if self.phase == "godkendt":
            assert self.approval is not None
            return "ophoert" if any(s <= day for s in self.approval.closings) else "godkendt"
        return self.phase

    def approved(self, day: dt.date) -> bool:
        return self.status(day) == "godkendt"

    def prior_dialog(self, day: dt.date) -> bool:
        """A dialog opened before the decision, under the approval in force (bek § 4 stk 1, § 8 stk 1)."""
        assert self.approval is not None
        return any(self.approval.start <= opened < day for opened in self.dialogs.values())

    def active_paabud(self, day: dt.date) -> set[str]:
        if not self.approved(day):
            return set()
        assert self.approval is not None
        return {ref for ref, p in self.paabud.items() if p["approval"] == self.approval.number and not p["ended"]}

    def active_skaerpet(self, day: dt.date) -> set[str]:
        if not self.approved(day):
            return set()
        assert self.approval is not None
        return {
            ref for ref, s in self.skaerpet.items()
            if s["approval"] == self.approval.number and s["fra"] <= day <= s["til"]
        }


def _dialog_or_straks(model: Model, day: dt.date, mode: str, named: str | None, paragraph: str) -> set[str]:
    """bek § 4 stk 1 / § 8 stk 1: prior dialog, unless straks for a stated special reason."""
    if mode == "straks":
        return set()
    if mode == "straks_no_reason":
        return {paragraph}
    if mode == "named":
        assert named is not None and model.approval is not None
        if named not in model.dialogs:
            return {NOTFOUND}
        return set() if model.approval.start <= model.dialogs[named] < day else {paragraph}
    return set() if model.prior_dialog(day) else {paragraph}


def _straks_fields(mode: str) -> dict[str, Any]:
    if mode == "straks":
        return {"straks": True, "straks_grund": "akut_risiko", "straks_begrundelse": "Akut risiko for borgernes sikkerhed"}
    if mode == "straks_no_reason":
        return {"straks": True}
    return {}


# -- the commands' variants: lawful ones, each flaw on its own, and any combination -------------------
PAABUD_LAWFUL: dict[str, Any] = {"frist": 30, "mode": "dialog", "forventes": True}
PAABUD_VARIANTS: list[dict[str, Any]] = [
    PAABUD_LAWFUL, PAABUD_LAWFUL, PAABUD_LAWFUL,
    {**PAABUD_LAWFUL, "mode": "named"},  # names the latest dialog
    {**PAABUD_LAWFUL, "mode": "straks"},
    {**PAABUD_LAWFUL, "frist": 1},
    {**PAABUD_LAWFUL, "frist": 0},
    {**PAABUD_LAWFUL, "frist": -3},
    {**PAABUD_LAWFUL, "mode": "straks_no_reason"},
    {**PAABUD_LAWFUL, "forventes": False},
]
PAABUD_ANY = st.fixed_dictionaries({
    "frist": st.sampled_from([-3, 0, 1, 30]),
    "mode": st.sampled_from(["dialog", "named", "straks", "straks_no_reason"]),
    "forventes": st.booleans(),
})
SKAERPET_LAWFUL: dict[str, Any] = {"length": "short", "with_paabud": True, "frist": 20, "mode": "dialog", "forventes": True}
SKAERPET_VARIANTS: list[dict[str, Any]] = [
    SKAERPET_LAWFUL, SKAERPET_LAWFUL, SKAERPET_LAWFUL,
    {**SKAERPET_LAWFUL, "length": "exact"},
    {**SKAERPET_LAWFUL, "mode": "straks"},
    {**SKAERPET_LAWFUL, "length": "over"},
    {**SKAERPET_LAWFUL, "length": "none"},
    {**SKAERPET_LAWFUL, "with_paabud": False},
    {**SKAERPET_LAWFUL, "frist": 0},
    {**SKAERPET_LAWFUL, "mode": "straks_no_reason"},
    {**SKAERPET_LAWFUL, "forventes": False},
]
SKAERPET_ANY = st.fixed_dictionaries({
    "length": st.sampled_from(["short", "exact", "over", "none"]),
    "with_paabud": st.booleans(),
    "frist": st.sampled_from([0, 20]),
    "mode": st.sampled_from(["dialog", "straks", "straks_no_reason"]),
    "forventes": st.booleans(),
})
OPHOER_LAWFUL: dict[str, Any] = {"mode": "dialog", "virkning": "later"}
OPHOER_VARIANTS: list[dict[str, Any]] = [
    OPHOER_LAWFUL, OPHOER_LAWFUL,
    {"mode": "straks", "virkning": None},
    {"mode": "straks", "virkning": "later"},
    {"mode": "straks_no_reason", "virkning": None},
    {"mode": "dialog", "virkning": None},
    {"mode": "dialog", "virkning": "same"},
]
OPHOER_ANY = st.fixed_dictionaries({
    "mode": st.sampled_from(["dialog", "straks", "straks_no_reason"]),
    "virkning": st.sampled_from([None, "same", "later"]),
})


def _variants(variants: list[dict[str, Any]], anything: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(st.sampled_from(variants), st.sampled_from(variants), st.sampled_from(variants), anything)


# -- the machine --------------------------------------------------------------------------------------
class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="ledger-stateful-"))
        self.clock_now = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
        self.app = Ledger(f"sqlite:///{self.tmp / 'ledger.db'}", create=True, clock=self._clock, user="maskine")
        self.day = START
        self.models: dict[str, Model] = {key: Model() for key in OFFERS}

    def _clock(self) -> dt.datetime:
        self.clock_now += dt.timedelta(seconds=1)
        return self.clock_now

    def teardown(self) -> None:
        self.app.close()
        self.app.engine.dispose()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- running one command against the ledger and the oracle ----------------------------------
    def advance(self, days: int) -> dt.date:
        self.day = min(self.day + dt.timedelta(days=days), LAST_DAY)
        return self.day

    def submit(self, data: dict[str, Any], expected: set[str], events: list[str]) -> bool:
        """Run one command; `expected` is the oracle's set of reasons (empty: lawful), `events` the event
        types a lawful command stores. Returns whether it was stored."""
        before = current_digest(self.app.engine)
        outcome = None
        receipts = []
        try:
            receipts = self.app.execute([parse_command(data)])
        except RuleViolation as error:
            outcome = error.paragraph
        except NotFound:
            outcome = NOTFOUND
        except InvalidInput:
            outcome = INVALID
        after = current_digest(self.app.engine)
        if not expected:
            assert outcome is None, f"lawful {data} was refused: {outcome}"
            stored = [e for r in receipts for e in r.events]
            assert [type(e).__name__ for e in stored] == events, stored
            assert after.events == before.events + len(events)
            return True
        assert outcome is not None, f"unlawful {data} ({expected}) was stored"
        assert outcome in expected, f"{data}: refused with {outcome!r}, expected one of {expected}"
        assert after == before, "a refused command changed the ledger"
        return False

    def _model_for(self, offer: str) -> Model:
        return self.models[offer]

    # -- a start where most rules have something to bite on ------------------------------------------
    @initialize(approve_second=st.booleans())
    def two_offers(self, approve_second: bool) -> None:
        """T-1 applied for and approved, with a dialog opened; T-2 applied for (and maybe approved)."""
        for offer in ("T-1", "T-2"):
            self.ansoegning(offer, 0)
        self.decide_application("T-1", 10, approve=True, reasons=True)
        if approve_second:
            self.decide_application("T-2", 0, approve=True, reasons=True)
        self.dialog_or_visit("T-1", 10, "dialog")
        self.advance(10)

    # -- 1-3: application, approval, refusal ------------------------------------------------------
    @rule(offer=OFFER, days=ADVANCE)
    def ansoegning(self, offer: str, days: int) -> None:
        day, m = self.advance(days), self._model_for(offer)
        status = m.status(day)
        expected = {"ansoegt": {"bek § 1 stk 1"}, "godkendt": {"lov § 5 stk 1", "bek § 28 stk 4"}}.get(status, set())
        data = {
            "command": "ansoegning", "offer": offer, "date": day.isoformat(), "navn": f"Bostedet {offer}",
            "tilbudstyper": ["SEL107"], "pladser": 10, "ejerform": "privat", "region": "Midt",
            "afdelinger": [{"navn": "Huset", "adresse": "Vej 1, 8000 Aarhus"}],
        }
        if self.submit(data, expected, ["AnsoegningModtaget"]):
            m.events += 1
            m.phase, m.approval = "ansoegt", None

    @rule(offer=OFFER, days=ADVANCE, approve=st.sampled_from([True, True, False]), reasons=st.sampled_from([True, True, True, False]))
    def decide_application(self, offer: str, days: int, approve: bool, reasons: bool) -> None:
        day, m = self.advance(days), self._model_for(offer)
        expected: set[str] = set()
        if m.phase is None:
            expected = {NOTFOUND}
        elif m.status(day) == "ophoert":
            expected.add("lov § 5 stk 7")  # nothing but a new application once the approval has ended
        elif m.status(day) != "ansoegt":
            expected.add("bek § 1 stk 1")
        if not reasons:
            expected.add("bek § 1 stk 2")  # the command itself lacks its begrundelse, whatever the case
        data: dict[str, Any] = {"command": "godkendelse" if approve else "afslag", "offer": offer, "date": day.isoformat()}
        if reasons:
            data["begrundelse"] = "Tilbuddet opfylder betingelserne" if approve else "Ledelsen mangler kompetencer"
        if self.submit(data, expected, ["Godkendt" if approve else "Afslaaet"]):
            m.events += 1
            if approve:
                m.phase, m.approval = "godkendt", Approval(number=m.events, start=day)
            else:
                m.phase, m.approval = "afslaaet", None

    # -- 7, 13: dialog and visits ------------------------------------------------------------------
    @staticmethod
    def _open_case(m: Model, day: dt.date) -> set[str]:
        status = m.status(day)
        if status == "ikke_ansoegt":
            return {NOTFOUND}
        if status == "afslaaet":
            return {"bek § 1 stk 1", "bek § 5"}
        if status == "ophoert":
            return {"lov § 5 stk 7"}
        return set()

    @rule(offer=OFFER, days=ADVANCE, kind=st.sampled_from(["dialog", "tilsynsbesoeg"]))
    def dialog_or_visit(self, offer: str, days: int, kind: str) -> None:
        day, m = self.advance(days), self._model_for(offer)
        expected = self._open_case(m, day)
        if kind == "dialog":
            data = {"command": "dialog", "offer": offer, "date": day.isoformat(), "forhold": ["Dokumentation af medicin"]}
            if self.submit(data, expected, ["DialogIndledt"]):
                m.events += 1
                m.dialogs[m.next_ref("D")] = day
        else:
            data = {"command": "tilsynsbesoeg", "offer": offer, "date": day.isoformat(), "form": "uanmeldt"}
            if self.submit(data, expected, ["TilsynsbesoegGennemfoert"]):
                m.events += 1

    # -- 8, 10: påbud --------------------------------------------------------------------------------
    def paabud(self, offer: str, days: int, frist: int, mode: str, forventes: bool) -> None:
        day, m = self.advance(days), self._model_for(offer)
        named = f"D{max(m.counters.get('D', 0), 1)}" if mode == "named" else None
        expected: set[str] = set()
        if m.phase is None:
            expected = {NOTFOUND}
        elif m.status(day) == "ophoert":
            expected.add("lov § 5 stk 7")  # nothing but a new application once the approval has ended
        elif not m.approved(day):
            expected.add("bek § 7 stk 1")  # a påbud is a condition for continued approval (bek § 7 stk 1)
        else:
            expected |= _dialog_or_straks(m, day, mode, named, "bek § 8 stk 1")
        if m.phase is not None:
            if frist <= 0:
                expected.add("bek § 7 stk 3")
            if not forventes:
                expected.add("bek § 8 stk 2")
            if mode == "straks_no_reason":
                expected.add("bek § 8 stk 1")
            if mode == "named" and named not in m.dialogs:
                expected.add(NOTFOUND)
        data: dict[str, Any] = {
            "command": "paabud", "offer": offer, "date": day.isoformat(), "forhold": "Medicin skal dokumenteres",
            "frist": (day + dt.timedelta(days=frist)).isoformat(), "karakter": "faglig", "begrundelse": "Fund",
            "forventes_rettet": forventes, **_straks_fields(mode),
        }
        if named is not None:
            data["dialog"] = [named]
        if self.submit(data, expected, ["PaabudUdstedt"]):
            m.events += 1
            assert m.approval is not None
            m.paabud[m.next_ref("P")] = {"approval": m.approval.number, "event": m.events, "ended": False, "issued": day}

    @precondition(lambda self: any(m.paabud for m in self.models.values()))
    @rule(offer=OFFER, days=ADVANCE, pick=PICK)
    def paabud_opfyldt(self, offer: str, days: int, pick: int) -> None:
        day, m = self.advance(days), self._model_for(offer)
        refs = sorted(m.paabud)
        ref = refs[pick % len(refs)] if refs and pick < UNKNOWN else f"P{len(refs) + 7}"
        if m.phase is None or ref not in m.paabud:
            expected = {NOTFOUND}
        if m.phase is not None and m.status(day) == "ophoert":
            expected = {"lov § 5 stk 7"}
        elif ref in m.paabud:
            expected = set() if ref in m.active_paabud(day) else {"bek § 7"}
        data = {"command": "paabud-opfyldt", "offer": offer, "date": day.isoformat(), "paabud": ref}
        if self.submit(data, expected, ["PaabudOpfyldt"]):
            m.events += 1
            m.paabud[ref]["ended"] = True

    # -- 11: skærpet tilsyn ------------------------------------------------------------------------------
    def skaerpet_tilsyn(self, offer: str, days: int, length: str, with_paabud: bool, frist: int, mode: str, forventes: bool) -> None:
        day, m = self.advance(days), self._model_for(offer)
        til = {
            "short": day + dt.timedelta(days=30),
            "exact": months_later(day, 3),
            "over": months_later(day, 3) + dt.timedelta(days=1),
            "none": day,
        }[length]
        expected: set[str] = set()
        if m.phase is None:
            expected = {NOTFOUND}
        else:
            if m.status(day) == "ophoert":
                expected.add("lov § 5 stk 7")
            elif not m.approved(day):
                expected.add("bek § 6 stk 1")
            else:
                expected |= _dialog_or_straks(m, day, mode, None, "bek § 8 stk 1")
                assert m.approval is not None
                running = [s for s in m.skaerpet.values() if s["approval"] == m.approval.number and s["til"] >= day]
                if running:
                    expected.add("bek § 6 stk 2")  # renewed only by a new decision for a later period
            if not forventes:
                expected.add("bek § 8 stk 2")
            if til <= day or til > months_later(day, 3):
                expected.add("bek § 6 stk 2")
            if not with_paabud:
                expected.add("bek § 6 stk 3")
            elif frist <= 0:
                expected.add("bek § 7 stk 3")
            if mode == "straks_no_reason":
                expected.add("bek § 8 stk 1")
        data: dict[str, Any] = {
            "command": "skaerpet-tilsyn", "offer": offer, "date": day.isoformat(), "periode_til": til.isoformat(),
            "baggrund": "kvalitet", "begrundelse": "Alvorlige fund", "forventes_rettet": forventes, **_straks_fields(mode),
        }
        if with_paabud:
            data["paabud"] = [{"forhold": "Døgnbemanding", "frist": (day + dt.timedelta(days=frist)).isoformat(), "karakter": "organisatorisk"}]
        made = ["PaabudUdstedt", "SkaerpetTilsynIvaerksat"] if with_paabud else ["SkaerpetTilsynIvaerksat"]
        if self.submit(data, expected, made):
            assert m.approval is not None
            m.events += 1
            m.paabud[m.next_ref("P")] = {"approval": m.approval.number, "event": m.events, "ended": False, "issued": day}
            m.events += 1
            m.skaerpet[m.next_ref("S")] = {"approval": m.approval.number, "fra": day, "til": til}

    # -- 12: ophør, and the offer closing on its own --------------------------------------------------
    def ophoer(self, offer: str, days: int, mode: str, virkning: str | None) -> None:
        day, m = self.advance(days), self._model_for(offer)
        effective = {None: None, "same": day, "later": day + dt.timedelta(days=150)}[virkning]
        expected: set[str] = set()
        if m.phase is None:
            expected = {NOTFOUND}
        elif not m.approved(day):
            expected = {"bek § 4", "lov § 5 stk 7"}
        else:
            assert m.approval is not None
            if any(s > day for s in m.approval.revocations):
                expected.add("bek § 4 stk 2")  # already decided, not yet in effect
            expected |= _dialog_or_straks(m, day, mode, None, "bek § 4 stk 1")
            if mode == "straks_no_reason":
                expected |= {"bek § 4 stk 1", "bek § 4 stk 3"}
            if mode == "straks" and effective is not None and effective != day:
                expected.add("bek § 4 stk 3")  # straks takes effect the day it is decided
            if mode != "straks" and (effective is None or effective <= day):
                expected.add("bek § 4 stk 2")  # a reasonable frist: a later effective date
        data: dict[str, Any] = {
            "command": "ophoer", "offer": offer, "date": day.isoformat(), "baggrund": "kvalitet",
            "begrundelse": "Påbud er ikke efterkommet", **_straks_fields(mode),
        }
        if effective is not None:
            data["virkning_fra"] = effective.isoformat()
        if self.submit(data, expected, ["GodkendelseOphoert"]):
            assert m.approval is not None
            m.events += 1
            when = day if mode == "straks" else effective
            assert when is not None
            m.approval.revocations.append(when)

    @rule(offer=OFFER, days=ADVANCE, virkning=st.sampled_from([None, "same", "later", "earlier"]))
    def lukning(self, offer: str, days: int, virkning: str | None) -> None:
        day, m = self.advance(days), self._model_for(offer)
        effective = {None: None, "same": day, "later": day + dt.timedelta(days=150), "earlier": day - dt.timedelta(days=1)}[virkning]
        expected: set[str] = set()
        if m.phase is None:
            expected = {NOTFOUND}
        elif not m.approved(day):
            expected = {"lov § 5 stk 1", "lov § 5 stk 7"}
        elif effective is not None and effective < day:
            expected = {"lov § 5 stk 1"}
        data: dict[str, Any] = {"command": "lukning", "offer": offer, "date": day.isoformat()}
        if effective is not None:
            data["virkning_fra"] = effective.isoformat()
        if self.submit(data, expected, ["TilbudLukket"]):
            assert m.approval is not None
            m.events += 1
            m.approval.closures.append(effective or day)

    # -- 18: a complaint about a påbud ---------------------------------------------------------------
    @precondition(lambda self: any(m.paabud for m in self.models.values()))
    @rule(offer=OFFER, days=ADVANCE, pick=PICK, received=st.sampled_from(["decision", "decision", "before"]))
    def klage(self, offer: str, days: int, pick: int, received: str) -> None:
        day, m = self.advance(days), self._model_for(offer)
        decisions = sorted((p["event"], p["issued"]) for p in m.paabud.values())
        known = bool(decisions) and pick < UNKNOWN
        number, issued = decisions[pick % len(decisions)] if known else (999, day)
        modtaget = issued if received == "decision" else issued - dt.timedelta(days=1)
        expected: set[str] = set()
        if m.phase is None or not known:
            expected = {NOTFOUND}
        else:
            if modtaget < issued:
                expected.add(INVALID)  # a decision cannot be received before it was made
            if number in m.complaints:
                expected.add("side: Klagevejledning")  # a complaint about it is still open
            if m.status(day) == "ophoert":
                expected.add("lov § 5 stk 7")  # only the complaint about the ophør itself
        data = {
            "command": "klage", "offer": offer, "date": day.isoformat(), "afgoerelse": number,
            "klager": "Bostedets ledelse", "afgoerelse_modtaget": modtaget.isoformat(),
        }
        if self.submit(data, expected, ["KlageModtaget"]):
            m.events += 1
            m.complaints[number] = m.next_ref("K")

    # -- the rules hypothesis draws: mostly one flaw at a time, sometimes any combination ---------------
    @rule(offer=OFFER, days=ADVANCE, spec=_variants(PAABUD_VARIANTS, PAABUD_ANY))
    def a_paabud(self, offer: str, days: int, spec: dict[str, Any]) -> None:
        self.paabud(offer, days, **spec)

    @rule(offer=OFFER, days=ADVANCE, spec=_variants(PAABUD_VARIANTS, PAABUD_ANY))
    def another_paabud(self, offer: str, days: int, spec: dict[str, Any]) -> None:
        """(The same rule twice: påbud are drawn twice as often.)"""
        self.paabud(offer, days, **spec)

    @rule(offer=OFFER, days=ADVANCE, spec=_variants(SKAERPET_VARIANTS, SKAERPET_ANY))
    def a_skaerpet_tilsyn(self, offer: str, days: int, spec: dict[str, Any]) -> None:
        self.skaerpet_tilsyn(offer, days, **spec)

    @rule(offer=OFFER, days=ADVANCE, spec=_variants(SKAERPET_VARIANTS, SKAERPET_ANY))
    def another_skaerpet_tilsyn(self, offer: str, days: int, spec: dict[str, Any]) -> None:
        self.skaerpet_tilsyn(offer, days, **spec)

    @rule(offer=OFFER, days=ADVANCE, spec=_variants(OPHOER_VARIANTS, OPHOER_ANY))
    def an_ophoer(self, offer: str, days: int, spec: dict[str, Any]) -> None:
        self.ophoer(offer, days, **spec)

    # -- invariants -------------------------------------------------------------------------------------
    @invariant()
    def the_chain_holds(self) -> None:
        result = verify(self.app.engine)
        assert result.ok, result.problem

    @invariant()
    def projections_equal_the_replay_and_the_oracle_and_a_rebuild(self) -> None:
        runner = up_to_date(self.app)
        with self.app.engine.connect() as connection:
            projected = {s.key: s for s in read_states(connection)}
        for key, m in self.models.items():
            if m.phase is None:
                assert key not in projected
                continue
            replayed = self.app.case(key).state
            assert _json(projected[key].to_json()) == _json(replayed.to_json()), key
            day = self.day.isoformat()
            status = replayed.status_on(day)
            assert status == m.status(self.day), f"{key} on {day}: ledger {status}, oracle {m.status(self.day)}"
            assert set(replayed.active_paabud_on(day)) == m.active_paabud(self.day), key
            assert set(replayed.active_skaerpet_on(day)) == m.active_skaerpet(self.day), key
            assert replayed.version == m.events, key
        incremental = projection_rows(self.app)
        runner.rebuild()
        assert projection_rows(self.app) == incremental, "the projections differ from a rebuild"


def _json(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)




LedgerMachine.TestCase.settings = settings(
    max_examples=20, stateful_step_count=30, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestLedgerMachine = LedgerMachine.TestCase


# -- regressions: disagreements the machine found, where the law sided with the oracle -----------------
def _replay(steps: list[tuple[str, dict[str, Any]]]) -> None:
    machine = LedgerMachine()
    try:
        for name, arguments in steps:
            getattr(machine, name)(**arguments)
            machine.the_chain_holds()
    finally:
        machine.teardown()


def test_an_ophoer_may_be_decided_while_the_offers_own_closure_is_pending() -> None:
    """A lukning that has not yet taken effect is not an ophør already decided (bek § 4 stk 2)."""
    _replay([
        ("ansoegning", {"offer": "T-1", "days": 0}),
        ("decide_application", {"offer": "T-1", "days": 30, "approve": True, "reasons": True}),
        ("dialog_or_visit", {"offer": "T-1", "days": 30, "kind": "dialog"}),
        ("lukning", {"offer": "T-1", "days": 1, "virkning": "later"}),
        ("ophoer", {"offer": "T-1", "days": 1, "mode": "straks", "virkning": None}),
    ])


_REAPPROVED_THE_SAME_DAY = [
    ("ansoegning", {"offer": "T-1", "days": 0}),
    ("decide_application", {"offer": "T-1", "days": 30, "approve": True, "reasons": True}),
    ("dialog_or_visit", {"offer": "T-1", "days": 30, "kind": "dialog"}),
    ("skaerpet_tilsyn", {"offer": "T-1", "days": 1, "length": "short", "with_paabud": True, "frist": 20, "mode": "dialog", "forventes": True}),
    ("ophoer", {"offer": "T-1", "days": 0, "mode": "straks", "virkning": None}),
    ("ansoegning", {"offer": "T-1", "days": 0}),
    ("decide_application", {"offer": "T-1", "days": 0, "approve": True, "reasons": True}),
]
# The approval in force is identified by the approval itself, not by its start date: a påbud and a
# skærpet tilsyn of an approval revoked on the day a new one is decided do not carry over into it.


def test_a_paabud_of_a_revoked_approval_is_not_in_force_under_a_new_approval_of_the_same_day() -> None:
    _replay([*_REAPPROVED_THE_SAME_DAY, ("paabud_opfyldt", {"offer": "T-1", "days": 5, "pick": 0})])


def test_a_skaerpet_tilsyn_of_a_revoked_approval_does_not_block_one_under_a_new_approval_of_the_same_day() -> None:
    _replay([
        *_REAPPROVED_THE_SAME_DAY,
        ("skaerpet_tilsyn", {"offer": "T-1", "days": 0, "length": "short", "with_paabud": True, "frist": 20, "mode": "straks", "forventes": True}),
    ])


def test_an_announced_closure_is_void_once_an_earlier_closure_ended_the_approval() -> None:
    """A lukning announced for June, overtaken by an immediate lukning in March: the offer applies
    again in April, and June brings no ophør of the new application (found by the machine)."""
    _replay([
        ("two_offers", {"approve_second": False}),
        ("lukning", {"offer": "T-1", "days": 0, "virkning": "later"}),
        ("dialog_or_visit", {"offer": "T-1", "days": 37, "kind": "dialog"}),
        ("lukning", {"offer": "T-1", "days": 0, "virkning": None}),
        ("ansoegning", {"offer": "T-1", "days": 52}),
        ("ansoegning", {"offer": "T-1", "days": 61}),
        ("dialog_or_visit", {"offer": "T-1", "days": 3, "kind": "dialog"}),
        ("decide_application", {"offer": "T-1", "days": 30, "approve": False, "reasons": True}),
    ])


def test_the_replay_helper_checks_lawful_sequences() -> None:
    """The replay helper itself passes on a lawful sequence (so the regressions above test what they say)."""
    _replay([
        ("ansoegning", {"offer": "T-1", "days": 0}),
        ("decide_application", {"offer": "T-1", "days": 30, "approve": True, "reasons": True}),
        ("dialog_or_visit", {"offer": "T-1", "days": 30, "kind": "dialog"}),
        ("paabud", {"offer": "T-1", "days": 1, "frist": 30, "mode": "dialog", "forventes": True}),
        ("klage", {"offer": "T-1", "days": 1, "pick": 0, "received": "decision"}),
        ("klage", {"offer": "T-1", "days": 1, "pick": 0, "received": "decision"}),
        ("skaerpet_tilsyn", {"offer": "T-1", "days": 1, "length": "exact", "with_paabud": True, "frist": 20, "mode": "dialog", "forventes": True}),
        ("ophoer", {"offer": "T-1", "days": 1, "mode": "dialog", "virkning": "later"}),
        ("lukning", {"offer": "T-1", "days": 1, "virkning": "later"}),
    ])
