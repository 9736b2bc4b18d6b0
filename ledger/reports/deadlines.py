"""The deadline radar: what a caseworker opens every morning.

Every deadline is derived from an offer's folded state as of a date: påbud and vilkår frister,
the end of a skærpet tilsyn or a fravigelse, an ophør taking effect, the annual visit per offer
and per afdeling (bek § 5 stk 2), budgets (bek §§ 15-16), the årsrapport (bek § 17), complaint
reconsideration and forwarding (4 weeks), and municipalities still to be told of a decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ledger.aggregates.state import CaseState, fold_as_of
from ledger.events.base import LedgerEvent
from ledger.events.vocab import EMPLOYER_TYPES, FOSTER_FAMILY_TYPES, LOV_4_NR, OfferType
from ledger.i18n import N_
from ledger.rulebook import Rulebook, Rulebooks, month_day

_NOTIFY = {
    "PaabudUdstedt": "bek § 9",
    "PaabudOphaevet": "bek § 9",
    "SkaerpetTilsynIvaerksat": "bek § 9",
    "GodkendelseOphoert": "bek § 4 stk 4",
    "ArbejdsgiverGodkendelseOphoert": "bek § 21 stk 3",
}


# The radar's columns in JSON Lines, CSV and Markdown: (JSON key, header for people).
DEADLINE_COLUMNS = [
    ("frist", N_("Due")), ("overdue", N_("Overdue")), ("offer", N_("Offer")), ("navn", N_("Name")),
    ("region", N_("Region")), ("kind", N_("Kind")), ("what", N_("What")), ("ref", N_("Ref")),
    ("paragraph", N_("Paragraph")),
]


@dataclass(frozen=True)
class Deadline:
    due: str
    offer: str
    navn: str
    region: str
    kind: str
    what: str
    paragraph: str
    ref: str = ""

    def overdue_on(self, day: str) -> bool:
        return self.due < day

    def as_dict(self, day: str) -> dict[str, Any]:
        """The record for programs: the due date under its Danish name `frist`, as in the command format."""
        record = asdict(self)
        return {"frist": record.pop("due"), **record, "overdue": self.overdue_on(day)}


def is_employer(state: CaseState) -> bool:
    return "ARBEJDSGIVER" in state.profile.get("tilbudstyper", [])


def has_budget_duty(state: CaseState) -> bool:
    """Offers under lov § 4 stk 1 nr 2-4, except SEL § 66 stk 1 nr 7 (bek § 14 stk 1)."""
    types = [OfferType(t) for t in state.profile.get("tilbudstyper", [])]
    if not types or any(t in FOSTER_FAMILY_TYPES or t in EMPLOYER_TYPES for t in types):
        return False
    return not all(t == OfferType.SEL66_7 for t in types)


def has_report_duty(state: CaseState) -> bool:
    types = [OfferType(t) for t in state.profile.get("tilbudstyper", [])]
    return bool(types) and all(LOV_4_NR.get(t) in (2, 3, 4) for t in types)


def approved_during(state: CaseState, year: int) -> bool:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if state.is_approved_on(first) or state.is_approved_on(last):
        return True
    return any(first.isoformat() <= start <= last.isoformat() for start in state.approval_dates())


def offer_deadlines(state: CaseState, on: dt.date, rulebooks: Rulebooks) -> list[Deadline]:
    day = on.isoformat()
    key, navn, region = state.key or "", state.profile.get("navn", ""), state.profile.get("region", "")
    found: list[Deadline] = []

    def add(due: str | dt.date, kind: str, what: str, paragraph: str, ref: str = "") -> None:
        found.append(Deadline(str(due), key, navn, region, kind, what, paragraph, ref))

    rules = rulebooks.in_force(max(on, rulebooks.earliest))
    approved = state.is_approved_on(day)
    for ref, p in state.active_paabud_on(day).items():
        add(p["frist"], "paabud", f"Påbud {ref}: {p['forhold']}", "bek § 7 stk 3", ref)
    for ref, v in state.active_vilkaar_on(day).items():
        if v.get("frist"):
            add(v["frist"], "vilkaar", f"Vilkår {ref}: {v['tekst']}", "bek § 1 stk 3", ref)
    for ref, s in state.active_skaerpet_on(day).items():
        add(s["til"], "skaerpet_tilsyn", f"Skærpet tilsyn {ref} udløber (ny afgørelse eller ophør)", "bek § 6 stk 2", ref)
    for ref, f in state.active_fravigelser_on(day).items():
        if f.get("til"):
            add(f["til"], "fravigelse", f"Fravigelse {ref} udløber", "bek § 1 stk 4", ref)
    pending = state.pending_ophoer_on(day)
    if pending is not None and not pending["suspended"]:
        add(pending["start"], "ophoer", "Godkendelsen ophører", "bek § 4 stk 2", f"#{pending['version']}")
    if is_employer(state):
        # Chapter 2: risk-based supervision, no mandatory visit (bek § 22); its own budget rules.
        _employer_budgets(state, on, rules, approved, add)
    elif approved and rules.annual_visit_required:
        _visits(state, on, add)
    if has_budget_duty(state):
        _budgets(state, on, rules, approved, add)
    if has_report_duty(state):
        for year in (on.year - 1, on.year - 2):
            if year >= rulebooks.earliest.year and approved_during(state, year) and str(year) not in state.aarsrapporter:
                add(month_day(rules.aarsrapport_due, year + 1), "aarsrapport", f"Årsrapport for {year}", "bek § 17 stk 3", str(year))
    _complaints(state, rulebooks, add)
    _notifications(state, on, add)
    return found


def _visits(state: CaseState, on: dt.date, add: Any) -> None:
    day = on.isoformat()
    places = list(state.afdelinger) or [""]
    for year in (on.year - 1, on.year):
        if year < on.year and not approved_during(state, year):
            continue
        since = f"{year}-01-01"
        until = min(f"{year}-12-31", day)
        for place in places:
            visits = state.visits.get(place, [])
            if len(places) == 1:
                visits = visits + state.visits.get("", [])
            if any(since <= v <= until for v in visits):
                continue
            where = f", afdeling {place} ({state.afdelinger[place]['navn']})" if place and len(places) > 1 else ""
            add(f"{year}-12-31", "tilsynsbesoeg", f"Årligt tilsynsbesøg {year}{where}", "bek § 5 stk 2", place)


def _budgets(state: CaseState, on: dt.date, rules: Rulebook, approved: bool, add: Any) -> None:
    private = state.profile.get("ejerform") == "privat"
    due_text = rules.budget_due_private if private else rules.budget_due_public
    for budget_year in (on.year, on.year + 1):
        due = month_day(due_text, budget_year - 1)
        budget = state.budgets.get(str(budget_year))
        submitted = budget["submitted"] if budget else None
        if submitted is None and approved and state.is_approved_on(due):
            add(due, "budget", f"Årsbudget for {budget_year} skal indberettes", "bek § 15 stk 3", str(budget_year))
        if submitted is not None and budget is not None and budget["decided"] is None:
            early = submitted < month_day(rules.budget_due_private, budget_year - 1).isoformat()
            approval_due = month_day(rules.budget_approval_due_early if early else rules.budget_approval_due_late, budget_year)
            add(approval_due, "budgetgodkendelse", f"Årsbudget for {budget_year} skal godkendes", "bek § 16 stk 4", str(budget_year))
        if state.profile.get("koncern") and submitted is not None and budget is not None and budget.get("koncernnote") is None:
            add(due, "koncernnote", f"Koncernnote for {budget_year} mangler", "bek § 15 stk 2", str(budget_year))


def _employer_budgets(state: CaseState, on: dt.date, rules: Rulebook, approved: bool, add: Any) -> None:
    """bek § 23: the budget is due 1 October the year before; § 24 stk 4: approved by 1 January when
    it came before 1 October; from the budget year the rulebook names (§ 33 stk 3)."""
    chapter2 = rules.chapter2
    for budget_year in (on.year, on.year + 1):
        if budget_year < chapter2.budgets_from_year:
            continue
        due = month_day(chapter2.budget_due, budget_year - 1)
        budget = state.budgets.get(str(budget_year))
        submitted = budget["submitted"] if budget else None
        if submitted is None and approved and state.is_approved_on(due):
            add(due, "budget", f"Årsbudget for {budget_year} skal indsendes", "bek § 23", str(budget_year))
        if submitted is not None and budget is not None and budget["decided"] is None and submitted < due.isoformat():
            add(month_day(chapter2.budget_approval_due, budget_year), "budgetgodkendelse",
                f"Årsbudget for {budget_year} skal godkendes", "bek § 24 stk 4", str(budget_year))


def _complaints(state: CaseState, rulebooks: Rulebooks, add: Any) -> None:
    for ref, c in state.complaints.items():
        received = dt.date.fromisoformat(c["received"])
        rules = rulebooks.in_force(received)  # the deadlines of the rules the complaint came under
        if c["genvurderet"] is None:
            due = received + dt.timedelta(weeks=rules.reconsideration_weeks)
            add(due, "klage", f"Klage {ref}: genvurdering af afgørelse #{c['decision']}", "side: Klagevejledning", ref)
        elif c["udfald"] == "fastholdt" and c["videresendt"] is None:
            due = received + dt.timedelta(weeks=rules.forward_deadline_weeks)
            add(due, "klage", f"Klage {ref}: videresendes til Ankestyrelsen", "side: Klagevejledning", ref)


def _notifications(state: CaseState, on: dt.date, add: Any) -> None:
    horizon = (on - dt.timedelta(days=365)).isoformat()
    for version, decision in state.decisions.items():
        paragraph = _NOTIFY.get(decision["kind"])
        if paragraph is None or decision["date"] < horizon or decision["date"] > on.isoformat():
            continue
        if state.notified.get(version):
            continue
        add(decision["date"], "orientering", f"Kommunerne skal orienteres om {decision['title'].lower()} (#{version})", paragraph, f"#{version}")


def radar(
    states: Iterable[CaseState],
    on: dt.date,
    rulebooks: Rulebooks,
    *,
    within_days: int = 60,
    overdue_only: bool = False,
    extra: Sequence[Deadline] = (),
    events_of: Callable[[CaseState], Sequence[LedgerEvent]] | None = None,
) -> list[Deadline]:
    """The deadlines as of `on`. Each case is read as of that day (its events effective on or before
    it): a case with later events is folded again from `events_of(state)` without them. Today, no case
    has any (no effective date lies in the future), so the folded states serve as they are."""
    day = on.isoformat()
    horizon = (on + dt.timedelta(days=within_days)).isoformat()
    items = [d for state in states for d in offer_deadlines(_as_of(state, on, events_of), on, rulebooks)] + list(extra)
    if overdue_only:
        items = [d for d in items if d.due < day]
    else:
        items = [d for d in items if d.due <= horizon]
    return sorted(items, key=lambda d: (d.due, d.offer, d.kind, d.ref))


def _as_of(state: CaseState, on: dt.date, events_of: Callable[[CaseState], Sequence[LedgerEvent]] | None) -> CaseState:
    if state.last_effective <= on.isoformat():
        return state
    if events_of is None:
        raise ValueError(f"the radar as of {on} needs the events of {state.key}, which has later ones")
    return fold_as_of(events_of(state), on)


def render_text(items: Sequence[Deadline], on: dt.date) -> str:
    day = on.isoformat()
    if not items:
        return f"No deadlines (as of {on})."
    overdue = sum(1 for d in items if d.overdue_on(day))
    lines = [f"Deadlines as of {on}: {len(items)} ({overdue} overdue)", ""]
    for d in items:
        mark = "OVERDUE" if d.overdue_on(day) else "       "
        lines.append(f"{mark} {d.due}  {d.offer:<12} {d.what}  [{d.paragraph}]")
    return "\n".join(lines)
