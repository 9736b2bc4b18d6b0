"""Takster and fees (bek §§ 26-30): what each offer is charged for a calendar year, in integer øre.

This module is pure: it reads an offer's folded `CaseState` (and, for exact size categories, the
offer's capacity over time, see `capacity_from_events`) and the region's takster for the year
(`TaksterFastsat`, recorded with `ledger takster`), and returns charge lines. Nothing here touches
the database; `ledger.console.economy` gathers the inputs.

The rules, as implemented (every amount is an integer number of øre):

* **Who pays.** Offers pay takster (bek § 28). Plejefamilier (every type a foster-family type) pay
  none: they are financed by the municipalities' objektive finansieringsandele (bek § 27).
  The takster are those of the region in the offer's profile, for the calendar year asked.
* **Size category** (bek § 28 stk 1-2). The pladser of the offer, categorised by the rulebook in
  force on 1 January of the year (1-7, 8-24, 25-49, 50+ under the 2017 order). For an offer with a
  treatment type (SEL §§ 101, 101a, SUL § 141) and expected citizens given, the pladser are
  expected citizens / `treatment_places_divisor` (10) **rounded up**, at least 1: 240 citizens -> 24
  pladser (category 8-24), 241 -> 25 (category 25-49). Rounding up is the same as comparing the exact
  quotient (24.1) with the categories' whole-number limits. The pladser are those in force on the day
  the charge is about (application day, 1st of the month, decision day): the application's, changed
  by a godkendelse that states pladser and by each approved significant change from its decision day.
* **Godkendelsestakst** (§ 28 stk 3): charged once for each application for approval received in the
  year (the date of `Ansøgning modtaget`), whatever the outcome, at the category of the pladser
  applied for.
* **Takst for a significant change** (§ 28 stk 4): charged once for each application for a
  significant change received in the year, at the category of the offer as the change would make it
  (the pladser / expected citizens the application names, else the offer's pladser that day).
* **Annual tilsynstakst** (§ 28 stk 5): calculated from the 1st of the month after approval. A month
  of the year is charged when the offer is approved on the 1st of that month *and* that approval began
  before that day (so approval on 14 March charges April-December = 9 months; approval on 1 March
  also starts in April). An ophør (decided or the offer's own closure) stops the charge from the first
  month whose 1st is on or after the day it takes effect (an ophør effective 15 September still pays
  for September). For `n` charged months at an annual takst `A` (per size category) the year's charge
  is `⌊n × A / 12⌋`: month by month `⌊A / 12⌋` with the rounding remainder in the last charged month,
  so a whole year is exactly `A` and 9 months of 120.000,00 kr are exactly 90.000,00 kr. When the size
  category changes within the year each category's months are priced that way on their own.
* **Tillægstakst for skærpet tilsyn** (§ 29 stk 1): for each skærpet tilsyn *decided* in the year (not
  annulled and not withdrawn by a complaint), `pct` % (the rulebook's `tillaegstakst_pct_per_month`
  on the decision day: 10) of the annual tilsynstakst of the offer's category, per started month of the
  decided period `periode_fra` to `periode_til` (15 January to 15 April = 3 months, to 16 April = 4),
  charged in full in the year of the decision ("opkræves forud"), rounded down to whole øre:
  `⌊A × pct × months / 100⌋`. Lifting it early refunds nothing.
* **Chapter-2 parties** (§ 30): the one-off godkendelsestakst at application (stk 2), the takst for a
  significant change at its application (stk 3: a partial new approval) and the annual tilsynstakst
  (stk 4), each the one amount the year's takster give, with no size categories.
* **SEL § 66 stk 1 nr 7** (§ 29 stk 3): an offer whose only type is SEL66_7 pays the special
  godkendelses- and annual tilsynstakst when the year's takster give them (no size category; the
  tillægstakst is 10 % of the special annual takst); otherwise the general takster, and the line says
  so. Significant changes use the general takst (the order sets no special one).
* **Objektiv finansieringsandel** (§ 27 stk 2): the year's total split between the kommuner by
  their share of the 0-17-year-olds, by largest remainder: each kommune gets `⌊total × n / N⌋`, and the
  øre left over go one each to the largest remainders (ties by kommune name), so the shares add up to
  the total exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ledger.aggregates.offer import started_months
from ledger.aggregates.state import CaseState, fold_order
from ledger.errors import InvalidInput, NotFound
from ledger.events import offer as ev
from ledger.events.authority import ObjektivFinansieringFastsat, TaksterFastsat, kroner
from ledger.events.base import LedgerEvent
from ledger.events.vocab import FOSTER_FAMILY_TYPES, TREATMENT_TYPES, OfferType, Region
from ledger.reports.tables import BOM, CSV_SEPARATOR
from ledger.rulebook import Rulebook, Rulebooks

__all__ = [
    "KINDS",
    "Capacity",
    "Charge",
    "FeeReport",
    "FeeTables",
    "MissingTakster",
    "capacity_from_events",
    "capacity_from_state",
    "compute_fees",
    "fees_summary",
    "objektiv_shares",
    "offer_charges",
    "takst_pladser",
    "monthly_amounts",
    "tilsyn_months",
]

GODKENDELSE = "godkendelsestakst"
AENDRING = "vaesentlig_aendring"
TILSYN = "tilsynstakst"
TILLAEG = "tillaegstakst"
KINDS: tuple[str, ...] = (GODKENDELSE, AENDRING, TILSYN, TILLAEG)
KIND_LABELS = {
    GODKENDELSE: "Godkendelsestakst",
    AENDRING: "Takst for væsentlig ændring",
    TILSYN: "Tilsynstakst",
    TILLAEG: "Tillægstakst, skærpet tilsyn",
}
TOTAL_KEYS = {
    GODKENDELSE: "godkendelsestakster_oere",
    AENDRING: "vaesentlig_aendring_oere",
    TILSYN: "tilsynstakster_oere",
    TILLAEG: "tillaegstakster_oere",
}
_FOSTER = {t.value for t in FOSTER_FAMILY_TYPES}
_TREATMENT = {t.value for t in TREATMENT_TYPES}
_SEL66_7 = OfferType.SEL66_7.value
_NO_SPECIAL = "ingen særlig takst for SEL § 66 stk 1 nr 7 fastsat for {year}: den generelle takst er brugt"


class MissingTakster(NotFound):
    """A region has no takster for a year that charges are needed for."""

    def __init__(self, year: int, missing: Mapping[str, Sequence[str]]) -> None:
        self.year = year
        self.missing = {region: list(offers) for region, offers in missing.items()}
        parts = []
        for region, offers in self.missing.items():
            shown = ", ".join(offers[:5]) + (f" and {len(offers) - 5} more" if len(offers) > 5 else "")
            parts.append(f"Socialtilsyn {region} has no takster for {year} (needed for {shown})")
        super().__init__(
            "; ".join(parts) + f": record them with `ledger takster REGION --date YYYY-MM-DD --aar {year} ...` "
            "or load a file with `ledger takster load FILE.json` (bek § 28: the takster are fixed for a year at a time)"
        )


# -- capacity over time -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Capacity:
    """What the size category is computed from, from a day on."""

    since: str
    pladser: int
    forventede_borgere: int | None
    tilbudstyper: tuple[str, ...]


def capacity_from_events(events: Iterable[LedgerEvent]) -> list[Capacity]:
    """The offer's pladser, expected citizens and types over time, from its events (corrections
    folded): an application sets them, a godkendelse with pladser changes the pladser, an approved
    significant change applies what it applied for from its decision day."""
    live = sorted(fold_order(list(events)), key=lambda e: (e.effective_date, e.originator_version))
    applied: dict[str, ev.AendringAnsoegt] = {}
    timeline: list[Capacity] = []
    current: Capacity | None = None
    for event in live:
        day = event.effective_date.isoformat()
        if isinstance(event, ev.AnsoegningModtaget):
            current = Capacity(day, event.pladser, event.forventede_borgere, tuple(t.value for t in event.tilbudstyper))
        elif isinstance(event, ev.Godkendt) and event.pladser is not None and current is not None:
            current = replace(current, since=day, pladser=event.pladser)
        elif isinstance(event, ev.AendringAnsoegt):
            applied[event.aendring] = event
            continue
        elif isinstance(event, ev.AendringGodkendt) and current is not None and event.aendring in applied:
            current = _changed(current, applied[event.aendring], day)
        else:
            continue
        timeline.append(current)
    return timeline


def _changed(current: Capacity, change: Any, day: str) -> Capacity:
    """`change` is an AendringAnsoegt event or a CaseState aendring item."""
    get = change.get if isinstance(change, dict) else lambda name: getattr(change, name)
    types = tuple(t if isinstance(t, str) else t.value for t in (get("tilbudstyper") or ()))
    return Capacity(
        since=day,
        pladser=get("pladser") or current.pladser,
        forventede_borgere=get("forventede_borgere") or current.forventede_borgere,
        tilbudstyper=types or current.tilbudstyper,
    )


def capacity_from_state(state: CaseState) -> list[Capacity]:
    """The same timeline as `capacity_from_events`, from the changes the folded state keeps."""
    timeline: list[Capacity] = []
    current: Capacity | None = None
    for change in sorted(state.capacity_changes, key=lambda c: (c["from"], c["version"])):
        day = change["from"]
        if change["kind"] == "ansoegning":
            current = Capacity(day, change["pladser"], change["forventede_borgere"], tuple(change["tilbudstyper"]))
        elif current is None:
            continue
        elif change["kind"] == "pladser":
            current = replace(current, since=day, pladser=change["pladser"])
        else:
            current = _changed(current, change, day)
        timeline.append(current)
    if not timeline:
        profile = state.profile
        timeline.append(
            Capacity("0001-01-01", int(profile.get("pladser") or 1), profile.get("forventede_borgere"), tuple(profile.get("tilbudstyper", ())))
        )
    return timeline


def capacity_on(timeline: Sequence[Capacity], day: str) -> Capacity:
    chosen = timeline[0]
    for item in timeline:
        if item.since <= day:
            chosen = item
    return chosen


def takst_pladser(capacity: Capacity, rules: Rulebook) -> tuple[int, str]:
    """The pladser the size category is computed from (bek § 28 stk 2), and how."""
    if capacity.forventede_borgere and any(t in _TREATMENT for t in capacity.tilbudstyper):
        divisor = rules.treatment_places_divisor
        places = max(1, -(-capacity.forventede_borgere // divisor))
        return places, f"{capacity.forventede_borgere} forventede borgere / {divisor}, rundet op = {places} pladser"
    return capacity.pladser, f"{capacity.pladser} pladser"


def is_foster_family(types: Iterable[str]) -> bool:
    codes = list(types)
    return bool(codes) and all(t in _FOSTER for t in codes)


def is_sel66_7(types: Iterable[str]) -> bool:
    return set(types) == {_SEL66_7}


# -- charges ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Charge:
    """One charge line."""

    offer: str
    navn: str
    region: str
    kind: str
    paragraph: str
    fra: str
    til: str
    size_category: int | None
    basis: str
    amount_oere: int
    takst_oere: int
    ref: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "offer": self.offer,
            "navn": self.navn,
            "region": self.region,
            "kind": self.kind,
            "paragraph": self.paragraph,
            "fra": self.fra,
            "til": self.til,
            "size_category": self.size_category,
            "basis": self.basis,
            "amount_oere": self.amount_oere,
            "takst_oere": self.takst_oere,
            "ref": self.ref,
            "note": self.note,
        }


def _rules(rulebooks: Rulebooks, day: dt.date) -> Rulebook:
    return rulebooks.in_force(max(day, rulebooks.earliest))


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def tilsyn_months(state: CaseState, year: int) -> list[int]:
    """The months (1-12) of a year the annual tilsynstakst is charged for: the offer is approved on
    the 1st of the month by an approval that began before that day."""
    months = []
    for month in range(1, 13):
        first = dt.date(year, month, 1).isoformat()
        approval = state.current_approval(first)
        if approval is not None and str(approval["start"]) < first:
            months.append(month)
    return months


def monthly_amounts(annual: int, months: int) -> list[int]:
    """The øre of each of `months` charged months at an annual takst: ⌊A / 12⌋ each, and the last
    month takes the rounding remainder so they add up to ⌊months × A / 12⌋ (12 months: exactly A)."""
    if months <= 0:
        return []
    each = annual // 12
    return [each] * (months - 1) + [months * annual // 12 - (months - 1) * each]


class _OfferFees:
    """The charges of one offer for one year."""

    def __init__(
        self, state: CaseState, year: int, takster: TaksterFastsat | None, rulebooks: Rulebooks,
        capacity: Sequence[Capacity] | None,
    ) -> None:
        self.state = state
        self.year = year
        self.takster = takster
        self.rulebooks = rulebooks
        self.year_rules = _rules(rulebooks, dt.date(year, 1, 1))
        self.timeline = list(capacity) if capacity else capacity_from_state(state)
        self.region = str(state.profile.get("region", ""))
        self.key = str(state.key)
        self.navn = str(state.profile.get("navn", ""))
        # A chapter-2 party pays the takster of bek § 30: one-off and annual, no size categories.
        self.employer = "ARBEJDSGIVER" in state.profile.get("tilbudstyper", [])

    # -- what is charged, before pricing ----------------------------------------------------------
    def needs_takster(self) -> bool:
        y = str(self.year)
        return (
            any(p["kind"] == "ansoegt" and str(p["start"]).startswith(y) for p in self.state.phases)
            or any(str(a["applied"]).startswith(y) for a in self.state.aendringer.values())
            or bool(tilsyn_months(self.state, self.year))
            or bool(self._skaerpet())
        )

    def _skaerpet(self) -> list[tuple[str, dict[str, Any]]]:
        y = str(self.year)
        found = [
            (ref, item)
            for ref, item in self.state.skaerpet.items()
            if str(item["decided"]).startswith(y) and str(item["version"]) not in self.state.withdrawn
        ]
        return sorted(found, key=lambda pair: (pair[1]["decided"], pair[1]["version"]))

    # -- pricing ----------------------------------------------------------------------------------
    def _category(self, capacity: Capacity) -> tuple[int, str]:
        places, how = takst_pladser(capacity, self.year_rules)
        category = self.year_rules.size_category(places)
        return category, f"{how}, størrelseskategori {category} ({self.year_rules.size_label(category)})"

    @staticmethod
    def _pick(values: tuple[int, ...], category: int) -> int:
        if category > len(values):
            raise InvalidInput(f"the takster give {len(values)} size categories; category {category} has no takst")
        return values[category - 1]

    def _special(self, capacity: Capacity, special: int | None) -> tuple[bool, str | None]:
        """(use the special takst, a note when the general one stands in for it)."""
        if not is_sel66_7(capacity.tilbudstyper):
            return False, None
        if special is not None:
            return True, None
        return False, _NO_SPECIAL.format(year=self.year)

    def _line(self, kind: str, paragraph: str, fra: str, til: str, category: int | None, basis: str,
              amount: int, takst: int, ref: str | None = None, note: str | None = None) -> Charge:
        return Charge(self.key, self.navn, self.region, kind, paragraph, fra, til, category, basis, amount, takst, ref, note)

    def charges(self) -> list[Charge]:
        if is_foster_family(self.state.profile.get("tilbudstyper", ())):
            return []
        if not self.needs_takster():
            return []
        if self.takster is None:
            raise MissingTakster(self.year, {self.region: [self.key]})
        return [*self._godkendelse(), *self._aendringer(), *self._tilsyn(), *self._tillaeg()]

    def _chapter2_takst(self, value: int | None) -> int:
        if value is None:
            raise MissingTakster(self.year, {self.region: [self.key]})
        return int(value)

    def _godkendelse(self) -> list[Charge]:
        assert self.takster is not None
        lines = []
        for phase in self.state.phases:
            day = str(phase["start"])
            if phase["kind"] != "ansoegt" or not day.startswith(str(self.year)):
                continue
            if self.employer:
                amount = self._chapter2_takst(self.takster.godkendelse_kapitel2)
                lines.append(self._line(
                    GODKENDELSE, "bek § 30 stk 2", day, day, None,
                    f"ansøgning om godkendelse {day}: engangstakst for foreninger og private virksomheder", amount, amount,
                    ref=f"#{phase['version']}",
                ))
                continue
            capacity = capacity_on(self.timeline, day)
            special, note = self._special(capacity, self.takster.godkendelse_66_7)
            if special:
                amount = int(self.takster.godkendelse_66_7 or 0)
                lines.append(self._line(
                    GODKENDELSE, "bek § 28 stk 3; § 29 stk 3", day, day, None,
                    f"særlig godkendelsestakst {self.year} for SEL § 66 stk 1 nr 7", amount, amount,
                    ref=f"#{phase['version']}",
                ))
                continue
            category, how = self._category(capacity)
            amount = self._pick(self.takster.godkendelse, category)
            lines.append(self._line(
                GODKENDELSE, "bek § 28 stk 3", day, day, category,
                f"ansøgning om godkendelse {day}: {how}", amount, amount, ref=f"#{phase['version']}", note=note,
            ))
        return lines

    def _aendringer(self) -> list[Charge]:
        assert self.takster is not None
        lines = []
        items = sorted(self.state.aendringer.items(), key=lambda pair: (pair[1]["applied"], pair[1]["version"]))
        for ref, item in items:
            day = str(item["applied"])
            if not day.startswith(str(self.year)):
                continue
            if self.employer:
                amount = self._chapter2_takst(self.takster.vaesentlig_aendring_kapitel2)
                lines.append(self._line(
                    AENDRING, "bek § 30 stk 3", day, day, None,
                    f"ansøgning {ref} om væsentlig ændring {day}: særlig takst for en delvis ny godkendelse af en "
                    "forening eller privat virksomhed", amount, amount, ref=ref,
                ))
                continue
            capacity = _changed(capacity_on(self.timeline, day), item, day)
            category, how = self._category(capacity)
            amount = self._pick(self.takster.vaesentlig_aendring, category)
            note = _NO_SPECIAL.format(year=self.year) if is_sel66_7(capacity.tilbudstyper) else None
            lines.append(self._line(
                AENDRING, "bek § 28 stk 4", day, day, category,
                f"ansøgning {ref} om væsentlig ændring {day}: {how}", amount, amount, ref=ref, note=note,
            ))
        return lines

    def _annual(self, capacity: Capacity) -> tuple[int, int | None, str, str | None]:
        """(annual tilsynstakst, category or None for the special takst, how, note)."""
        assert self.takster is not None
        if self.employer:
            return (self._chapter2_takst(self.takster.tilsyn_kapitel2), None,
                    "årlig tilsynstakst for foreninger og private virksomheder, bek § 30 stk 4", None)
        special, note = self._special(capacity, self.takster.tilsyn_66_7)
        if special:
            return int(self.takster.tilsyn_66_7 or 0), None, "særlig årlig tilsynstakst for SEL § 66 stk 1 nr 7", None
        category, how = self._category(capacity)
        return self._pick(self.takster.tilsyn, category), category, how, note

    def _tilsyn(self) -> list[Charge]:
        # Runs of consecutive charged months with the same takst.
        runs: list[dict[str, Any]] = []
        for month in tilsyn_months(self.state, self.year):
            first = dt.date(self.year, month, 1).isoformat()
            annual, category, how, note = self._annual(capacity_on(self.timeline, first))
            key = (annual, category)
            if runs and runs[-1]["key"] == key and runs[-1]["last"] == month - 1:
                runs[-1]["last"] = month
                continue
            runs.append({"key": key, "first": month, "last": month, "how": how, "note": note})
        lines = []
        # Each takst's months in the year, priced together (the remainder in its last month).
        amounts: dict[tuple[int, int | None], list[int]] = {}
        for key in dict.fromkeys(run["key"] for run in runs):
            total = sum(r["last"] - r["first"] + 1 for r in runs if r["key"] == key)
            amounts[key] = monthly_amounts(key[0], total)
        for run in runs:
            annual, category = run["key"]
            months = run["last"] - run["first"] + 1
            amount = sum(amounts[run["key"]][:months])
            del amounts[run["key"]][:months]
            fra = dt.date(self.year, run["first"], 1).isoformat()
            til = _month_end(self.year, run["last"]).isoformat()
            paragraph = "bek § 30 stk 4" if self.employer else "bek § 28 stk 5" + ("; § 29 stk 3" if category is None else "")
            lines.append(self._line(
                TILSYN, paragraph, fra, til, category,
                f"{months}/12 af årlig tilsynstakst {kroner(annual)} ({run['how']})", amount, annual,
                note=run["note"],
            ))
        return lines

    def _tillaeg(self) -> list[Charge]:
        lines = []
        for ref, item in self._skaerpet():
            decided = str(item["decided"])
            fra, til = dt.date.fromisoformat(item["fra"]), dt.date.fromisoformat(item["til"])
            months = started_months(fra, til)
            pct = _rules(self.rulebooks, dt.date.fromisoformat(decided)).tillaegstakst_pct_per_month
            annual, category, how, note = self._annual(capacity_on(self.timeline, decided))
            amount = annual * pct * months // 100
            paragraph = "bek § 29 stk 1" + ("; § 29 stk 3" if category is None else "")
            lines.append(self._line(
                TILLAEG, paragraph, item["fra"], item["til"], category,
                f"skærpet tilsyn {ref} besluttet {decided}: {pct} % × {months} påbegyndte måneder × årlig "
                f"tilsynstakst {kroner(annual)} ({how}); opkræves forud",
                amount, annual, ref=ref, note=note,
            ))
        return lines


def offer_charges(
    state: CaseState,
    year: int,
    takster: TaksterFastsat | None,
    rulebooks: Rulebooks,
    capacity: Sequence[Capacity] | None = None,
) -> list[Charge]:
    """One offer's charges for a calendar year. Raises `MissingTakster` when it has charges and the
    region has no takster for the year. `capacity` (from `capacity_from_events`) makes the size
    category exact over time; without it the profile's current pladser are used."""
    return _OfferFees(state, year, takster, rulebooks, capacity).charges()


def objektiv_shares(total_oere: int, kommuner: Mapping[str, int]) -> dict[str, int]:
    """Split a total between kommuner by their 0-17-year-olds, by largest remainder (ties by name):
    the shares add up to the total exactly."""
    children = sum(kommuner.values())
    if children <= 0:
        return {name: 0 for name in sorted(kommuner)}
    shares = {name: total_oere * n // children for name, n in kommuner.items()}
    remainders = {name: total_oere * n % children for name, n in kommuner.items()}
    left = total_oere - sum(shares.values())
    for name in sorted(kommuner, key=lambda k: (-remainders[k], k))[:left]:
        shares[name] += 1
    return dict(sorted(shares.items()))


# -- the report -------------------------------------------------------------------------------------


@dataclass
class FeeTables:
    """Each region's takster and objektive finansieringsandel for the year (None when not fixed)."""

    year: int
    takster: dict[str, TaksterFastsat | None] = field(default_factory=dict)
    objektiv: dict[str, ObjektivFinansieringFastsat | None] = field(default_factory=dict)


@dataclass
class RegionFees:
    region: str
    takster: TaksterFastsat | None
    objektiv: ObjektivFinansieringFastsat | None
    charges: list[Charge] = field(default_factory=list)
    foster_families: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def shares(self) -> dict[str, int]:
        if self.objektiv is None:
            return {}
        return objektiv_shares(self.objektiv.samlet_beloeb_oere, self.objektiv.kommuner)

    def totals(self) -> dict[str, Any]:
        sums = {TOTAL_KEYS[kind]: sum(c.amount_oere for c in self.charges if c.kind == kind) for kind in KINDS}
        sums["takster_i_alt_oere"] = sum(c.amount_oere for c in self.charges)
        sums["objektive_finansieringsandele_oere"] = self.objektiv.samlet_beloeb_oere if self.objektiv else 0
        sums["i_alt_oere"] = sums["takster_i_alt_oere"] + sums["objektive_finansieringsandele_oere"]
        return sums


@dataclass
class FeeReport:
    year: int
    regions: dict[str, RegionFees]
    offer: str | None = None
    position: int | None = None

    @property
    def charges(self) -> list[Charge]:
        return [c for r in self.regions.values() for c in r.charges]

    def totals(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for region in self.regions.values():
            for key, value in region.totals().items():
                result[key] = result.get(key, 0) + int(value)
        return result

    def as_dict(self) -> dict[str, Any]:
        return {
            "aar": self.year,
            "offer": self.offer,
            "position": self.position,
            "amounts": "øre (1 kr = 100 øre)",
            "regioner": {
                name: {
                    "takster": _takster_dict(r.takster),
                    "charges": [c.as_dict() for c in r.charges],
                    "foster_families_no_takster": r.foster_families,
                    "totals": r.totals(),
                    "objektive_finansieringsandele": (
                        None if r.objektiv is None or self.offer else {
                            "samlet_beloeb_oere": r.objektiv.samlet_beloeb_oere,
                            "kommuner": {
                                k: {"antal_0_17": r.objektiv.kommuner[k], "andel_oere": v} for k, v in r.shares().items()
                            },
                        }
                    ),
                    "takster_mangler_for": r.missing,
                }
                for name, r in self.regions.items()
            },
            "totals": self.totals(),
        }


def _takster_dict(takster: TaksterFastsat | None) -> dict[str, Any] | None:
    if takster is None:
        return None
    return {"number": takster.originator_version, **takster.payload()}


def compute_fees(
    states: Iterable[CaseState],
    year: int,
    tables: FeeTables,
    rulebooks: Rulebooks,
    *,
    capacities: Mapping[str, Sequence[Capacity]] | None = None,
    region: str | None = None,
    offer: str | None = None,
    strict: bool = True,
) -> FeeReport:
    """Every offer's charges for the year, per region. `strict` raises `MissingTakster` when an offer
    needs takster its region has not fixed; otherwise such offers are listed in `missing`."""
    regions = [region] if region else [r.value for r in Region]
    report = FeeReport(
        year=year,
        offer=offer,
        regions={name: RegionFees(name, tables.takster.get(name), tables.objektiv.get(name)) for name in regions},
    )
    capacities = capacities or {}
    missing: dict[str, list[str]] = {}
    for state in sorted(states, key=lambda s: str(s.key)):
        name = str(state.profile.get("region", ""))
        if state.key is None or name not in report.regions or (offer is not None and state.key != offer):
            continue
        bucket = report.regions[name]
        if is_foster_family(state.profile.get("tilbudstyper", ())):
            bucket.foster_families.append(str(state.key))
            continue
        try:
            bucket.charges.extend(offer_charges(state, year, bucket.takster, rulebooks, capacities.get(str(state.key))))
        except MissingTakster:
            bucket.missing.append(str(state.key))
            missing.setdefault(name, []).append(str(state.key))
    if offer is not None:
        report.regions = {k: v for k, v in report.regions.items() if v.charges or v.foster_families or v.missing}
    if missing and strict:
        raise MissingTakster(year, missing)
    return report


def fees_summary(
    states: Iterable[CaseState],
    year: int,
    tables: FeeTables,
    rulebooks: Rulebooks,
    *,
    capacities: Mapping[str, Sequence[Capacity]] | None = None,
    region: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Per-region totals for bek § 18 stk 2 nr 7, in øre: tilsynstakster, godkendelsestakster,
    takster for væsentlige ændringer, tillægstakster, takster i alt, objektive finansieringsandele.
    Never raises for missing takster: `takster_fastsat` / `objektiv_fastsat` say what was fixed and
    `takster_mangler_for` lists the offers that could not be priced."""
    report = compute_fees(states, year, tables, rulebooks, capacities=capacities, region=region, strict=False)
    result = {}
    for name, bucket in report.regions.items():
        result[name] = {
            **bucket.totals(),
            "takster_fastsat": bucket.takster is not None,
            "objektiv_fastsat": bucket.objektiv is not None,
            "takster_mangler_for": list(bucket.missing),
        }
    return result


# -- rendering --------------------------------------------------------------------------------------


def render_text(report: FeeReport) -> str:
    out: list[str] = [f"Takster og objektiv finansiering {report.year} (bek §§ 27-29); beløb i kr"]
    if report.position is not None:
        out.append(f"Beregnet fra ledger-position {report.position}.")
    if not report.regions:
        out.append("")
        out.append(f"Ingen takster for {report.offer} i {report.year}." if report.offer else "Ingen regioner.")
    for name, bucket in report.regions.items():
        out.append("")
        if not (bucket.takster or bucket.objektiv or bucket.charges or bucket.foster_families or bucket.missing):
            out.append(f"Socialtilsyn {name}: ingen takster eller objektiv finansieringsandel fastsat for {report.year}, "
                       "ingen opkrævninger.")
            continue
        out.append(f"Socialtilsyn {name}")
        if bucket.takster is None:
            out.append(f"  Ingen takster fastsat for {report.year} (ledger takster).")
        by_offer: dict[str, list[Charge]] = {}
        for charge in bucket.charges:
            by_offer.setdefault(charge.offer, []).append(charge)
        for key, lines in by_offer.items():
            out.append(f"  {key}  {lines[0].navn}")
            for c in lines:
                period = c.fra if c.fra == c.til else f"{c.fra} – {c.til}"
                out.append(f"    {KIND_LABELS[c.kind]:<30} {c.paragraph:<28} {period:<25} {kroner(c.amount_oere):>18}")
                out.append(f"      {c.basis}")
                if c.note:
                    out.append(f"      NB: {c.note}")
            out.append(f"    {'I alt ' + key:<85}{kroner(sum(c.amount_oere for c in lines)):>18}")
        for key in bucket.foster_families:
            out.append(f"  {key}  plejefamilie: ingen takster (finansieres af de objektive finansieringsandele, bek § 27)")
        if bucket.missing:
            out.append(f"  MANGLER TAKSTER {report.year} for: {', '.join(bucket.missing)} (ledger takster)")
        totals = bucket.totals()
        out.append(f"  I alt Socialtilsyn {name}:")
        for kind in KINDS:
            out.append(f"    {KIND_LABELS[kind]:<40}{kroner(totals[TOTAL_KEYS[kind]]):>20}")
        out.append(f"    {'Takster i alt':<40}{kroner(totals['takster_i_alt_oere']):>20}")
        if report.offer is None:
            if bucket.objektiv is None:
                out.append(f"  Objektiv finansieringsandel {report.year}: ikke fastsat (ledger objektiv-finansiering)")
            else:
                children = sum(bucket.objektiv.kommuner.values())
                out.append(
                    f"  Objektive finansieringsandele {report.year} (bek § 27): "
                    f"{kroner(bucket.objektiv.samlet_beloeb_oere)} efter {_count(children)} 0-17-årige"
                )
                for kommune, share in bucket.shares().items():
                    out.append(f"    {kommune:<30}{_count(bucket.objektiv.kommuner[kommune]):>10} 0-17-årige{kroner(share):>20}")
    if len(report.regions) > 1:
        totals = report.totals()
        out.append("")
        out.append("I alt, alle regioner:")
        for kind in KINDS:
            out.append(f"  {KIND_LABELS[kind]:<42}{kroner(totals.get(TOTAL_KEYS[kind], 0)):>20}")
        out.append(f"  {'Takster i alt':<42}{kroner(totals.get('takster_i_alt_oere', 0)):>20}")
        out.append(f"  {'Objektive finansieringsandele':<42}{kroner(totals.get('objektive_finansieringsandele_oere', 0)):>20}")
        out.append(f"  {'I alt':<42}{kroner(totals.get('i_alt_oere', 0)):>20}")
    return "\n".join(out) + "\n"


def _count(number: int) -> str:
    return f"{number:,}".replace(",", ".")


CSV_COLUMNS = (
    "record", "region", "offer", "kommune", "kind", "paragraph", "fra", "til", "size_category", "basis", "amount_oere",
)


def render_csv(report: FeeReport) -> str:
    """The charges, shares and totals as CSV for Danish Excel (ledger.reports.tables: BOM, `;`, CRLF)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for name, bucket in report.regions.items():
        for c in bucket.charges:
            writer.writerow(
                ["charge", name, c.offer, "", c.kind, c.paragraph, c.fra, c.til,
                 "" if c.size_category is None else c.size_category, c.basis, c.amount_oere]
            )
        if report.offer is None and bucket.objektiv is not None:
            for kommune, share in bucket.shares().items():
                writer.writerow(
                    ["objektiv", name, "", kommune, "objektiv_finansieringsandel", "bek § 27 stk 2",
                     f"{report.year}-01-01", f"{report.year}-12-31", "",
                     f"{bucket.objektiv.kommuner[kommune]} af {sum(bucket.objektiv.kommuner.values())} 0-17-årige", share]
                )
        for key, value in bucket.totals().items():
            writer.writerow(["total", name, "", "", key, "", "", "", "", "", value])
    if len(report.regions) > 1:
        for key, value in report.totals().items():
            writer.writerow(["total", "alle", "", "", key, "", "", "", "", "", value])
    return BOM + buffer.getvalue()
