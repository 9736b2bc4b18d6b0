"""The deadline radar as of a day D is the radar of the case made of only its events effective on or
before D (README, "Time"), whatever D is: a property over random days and a case with budgets,
årsrapporter, visits, påbud, a complaint, a væsentlig ændring and an ophør, recorded in time order and
out of it."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from support import ansoegning, besoeg, cmd, dialog, godkendelse, paabud
from support import given as given_case

from ledger.aggregates.state import fold
from ledger.reports.deadlines import radar
from ledger.rulebook import load_rulebooks

RULES = load_rulebooks(extra_dir="")
CASE = given_case(
    ansoegning("2024-01-10", afdelinger=[{"navn": "Hovedhuset", "adresse": "Lærkevej 1"}, {"navn": "Annekset", "adresse": "Lærkevej 2"}]),
    godkendelse("2024-03-01", vilkaar=[{"tekst": "Brandsyn", "frist": "2024-06-01"}]),
    besoeg("2024-04-15", afdeling="A1"),
    dialog("2024-09-01"), paabud("2024-09-20"),
    cmd("klage", "2024-10-01", afgoerelse=5, klager="Bostedet ApS", afgoerelse_modtaget="2024-09-22"),
    cmd("budget-indsendt", "2024-11-10", budgetaar=2025),
    cmd("kommuner-orienteret", "2024-11-12", afgoerelse=5, kommuner=["Aalborg"]),
    cmd("budget-afgoerelse", "2025-03-15", budgetaar=2025, godkendt=True,
        kriterier={"sammenhaeng": True, "ingen_uvedkommende_poster": True, "ansvarlig_forvaltning": True}),
    cmd("aendring-ansoegt", "2025-05-01", beskrivelse="Udvidelse", pladser=18,
        nye_afdelinger=[{"navn": "Nyhuset", "adresse": "Lærkevej 3"}]),
    cmd("aarsrapport", "2025-06-25", aar=2024),
    cmd("aendring-afgoerelse", "2025-06-10", aendring="Æ1", godkendt=True, begrundelse="Forsvarligt"),
    besoeg("2025-08-01", afdeling="A3"),
    cmd("budget-indsendt", "2025-09-20", budgetaar=2026),
    dialog("2025-10-01"),
    cmd("ophoer", "2025-11-01", baggrund="kvalitet", begrundelse="Ikke rettet", virkning_fra="2026-02-01"),
)
OFFER = CASE.offer()


@settings(max_examples=200, deadline=None, database=None)
@given(st.dates(min_value=dt.date(2024, 1, 10), max_value=dt.date(2026, 5, 31)))
def test_the_radar_as_of_a_day_is_the_radar_of_the_events_effective_by_that_day(day: dt.date) -> None:
    as_of = radar([OFFER.state], day, RULES, within_days=3650, events_of=lambda state: OFFER.events)
    only_then = fold([e for e in OFFER.events if e.effective_date <= day])
    assert as_of == radar([only_then], day, RULES, within_days=3650)


def test_the_case_has_events_after_the_days_the_property_draws() -> None:
    """(So that the property is about leaving events out: the case's last event is after most days drawn.)"""
    assert OFFER.state.last_effective == "2025-11-01"
    assert len(OFFER.events) == 16
