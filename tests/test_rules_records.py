"""The rules of what supervision records: tilsynsbesøg, kvalitetsvurdering, budget and årsrapport,
økonomisk vurdering, magtanvendelse, væsentlige ændringer and the municipalities' notification.

Given events, when a command, then events or a refusal that names its paragraph and appends nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import (
    ansoegning,
    approved,
    besoeg,
    cmd,
    dialog,
    given,
    godkendelse,
    kinds,
    ophoer,
    paabud,
    refused,
    vurdering_ved_godkendelse,
)

from ledger.errors import InvalidInput, NotFound


def vurdering(date: str = "2024-04-15", anledning: str = "tilsyn", **fields: Any) -> dict[str, Any]:
    fields.setdefault("indikatorer", {"1.a": 4, "1.b": 5})
    fields.setdefault("temaer", {"1": "Borgerne understøttes godt i uddannelse og beskæftigelse"})
    return cmd("kvalitetsvurdering", date, anledning=anledning, **fields)


def budget(date: str = "2024-09-25", **fields: Any) -> dict[str, Any]:
    fields.setdefault("budgetaar", 2025)
    return cmd("budget-indsendt", date, **fields)


CRITERIA = {"sammenhaeng": True, "ingen_uvedkommende_poster": True, "ansvarlig_forvaltning": True}


def budget_afgoerelse(date: str = "2024-12-15", **fields: Any) -> dict[str, Any]:
    fields.setdefault("budgetaar", 2025)
    fields.setdefault("godkendt", True)
    fields.setdefault("kriterier", dict(CRITERIA))
    return cmd("budget-afgoerelse", date, **fields)


def magt(date: str = "2024-05-02", **fields: Any) -> dict[str, Any]:
    fields.setdefault("haendelsesdato", "2024-04-30")
    fields.setdefault("reference", "MA-2024-017")
    return cmd("magtanvendelse", date, **fields)


def plejefamilie() -> list[dict[str, Any]]:
    return approved(tilbudstyper=["PLEJEFAMILIE"], pladser=2)


# -- 13: tilsynsbesøg ---------------------------------------------------------------------------
@pytest.mark.parametrize("afdeling", ["A1", "Hovedhuset", "hovedhuset"])
def test_a_visit_names_its_afdeling_by_id_or_by_name(afdeling: str) -> None:
    case = given(approved())
    events = case.run(besoeg(form="uanmeldt", afdeling=afdeling))
    assert kinds(events) == ["TilsynsbesoegGennemfoert"]
    assert (events[0].afdeling, events[0].form.value) == ("A1", "uanmeldt")
    assert case.offer().state.last_visit_on("2024-12-31", "A1") == "2024-04-15"


def test_a_visit_at_an_unknown_afdeling_is_not_found() -> None:
    refused(given(approved()), besoeg(afdeling="Annekset"), NotFound, message="afdeling 'Annekset' does not exist")


def test_a_new_application_after_an_ophoer_keeps_the_ids_of_the_afdelinger_it_names_again() -> None:
    case = given(approved(), besoeg("2024-04-15"), dialog("2024-04-20"), ophoer("2024-05-01", virkning_fra="2024-05-20"))
    afdelinger = [{"navn": "Annekset", "adresse": "Lærkevej 3, 9000 Aalborg"}, {"navn": "hovedhuset", "adresse": "Lærkevej 1, 9000 Aalborg"}]
    events = case.run(ansoegning("2024-06-01", afdelinger=afdelinger))
    assert [(a.id, a.navn) for a in events[0].afdelinger] == [("A2", "Annekset"), ("A1", "hovedhuset")]
    assert events[0].navn == "Bostedet Lærkely"  # the offer's own name, not an afdeling's
    assert case.offer().state.last_visit_on("2024-12-31", "A1") == "2024-04-15"


def test_an_application_naming_one_afdeling_twice_is_refused() -> None:
    twice = [{"navn": "Hovedhuset", "adresse": "Lærkevej 1"}, {"navn": "HOVEDHUSET", "adresse": "Lærkevej 2"}]
    refused(given(), ansoegning(afdelinger=twice), InvalidInput, message="names the afdeling 'HOVEDHUSET' twice")


def test_a_visit_while_the_application_is_pending_is_recorded() -> None:
    events = given(ansoegning()).run(besoeg("2024-02-01"))
    assert kinds(events) == ["TilsynsbesoegGennemfoert"]


def test_a_visit_to_a_refused_offer_is_refused() -> None:
    case = given(ansoegning(), cmd("afslag", "2024-03-01", begrundelse="Uegnet"))
    refused(case, besoeg(), paragraph="bek § 1 stk 1")


def test_a_visit_to_an_offer_without_a_case_is_not_found() -> None:
    refused(given(), besoeg(), NotFound, message="bek § 1 stk 1")


# -- 14: kvalitetsvurdering ---------------------------------------------------------------------
def test_a_quality_assessment_at_supervision_scores_1_to_5_against_bilag_1() -> None:
    events = given(approved()).run(vurdering())
    assert kinds(events) == ["KvalitetsvurderingForetaget"]
    event = events[0]
    assert (event.anledning, event.model) == ("tilsyn", "bilag1")
    assert dict(event.indikatorer) == {"1.a": 4, "1.b": 5}
    assert set(event.temaer) == {"1"}


def test_a_quality_assessment_at_approval_judges_forventes_or_forventes_ikke() -> None:
    command = vurdering_ved_godkendelse("2024-02-01")
    command["indikatorer"]["1.b"] = "forventes_ikke"
    events = given(ansoegning()).run(command)
    assert len(events[0].indikatorer) == 27
    assert (events[0].indikatorer["1.a"], events[0].indikatorer["1.b"]) == ("forventes", "forventes_ikke")


def test_a_quality_assessment_at_approval_that_leaves_indicators_unrated_is_refused() -> None:
    # bilag 1: "Socialtilsynet skal ved godkendelse foretage en bedømmelse af alle indikatorer"; 27 apply
    # to a private SEL § 107 offer without a board.
    command = vurdering_ved_godkendelse("2024-02-01", skip=19)
    assert len(command["indikatorer"]) == 8
    error = refused(given(ansoegning()), command, paragraph="bek § 11, bilag1")
    assert "8 of 27 rated" in str(error) and "not rated: 3.d, 4.a, 4.b" in str(error) and str(error).endswith("14.c")


def test_a_quality_assessment_at_approval_of_a_plejefamilie_rates_every_bilag_2_indicator() -> None:
    case = given(ansoegning(tilbudstyper=["PLEJEFAMILIE"], pladser=2))
    incomplete = vurdering_ved_godkendelse("2024-02-01", tilbudstyper=("PLEJEFAMILIE",), skip=1)
    error = refused(case, incomplete, paragraph="bek § 11, bilag2")
    assert "not rated" in str(error)
    events = case.run(vurdering_ved_godkendelse("2024-02-01", tilbudstyper=("PLEJEFAMILIE",)))
    assert events[0].model == "bilag2"


def test_an_approval_after_a_complete_quality_assessment_is_recorded() -> None:
    case = given(ansoegning(), vurdering_ved_godkendelse("2024-02-01"))
    assert kinds(case.run(godkendelse())) == ["Godkendt"]


def test_an_approval_resting_on_an_incomplete_quality_assessment_at_approval_is_refused() -> None:
    # Recorded before the ledger refused incomplete ones: the approval cannot rest on it (bilag 1).
    case = given(ansoegning())
    command = vurdering_ved_godkendelse("2024-02-01", skip=19)
    _record_unjudged(case, command)
    error = refused(case, godkendelse(), paragraph="bek § 11, bilag1")
    assert "rates 8 of the 27 indicators" in str(error) and "(not rated: 3.d, 4.a" in str(error)
    case.run(vurdering_ved_godkendelse("2024-02-10"))
    assert kinds(case.run(godkendelse())) == ["Godkendt"]


def _record_unjudged(case: Any, data: dict[str, Any]) -> None:
    """Append an assessment as an older version of the ledger recorded it, without today's checks."""
    from ledger.aggregates.base import Recording
    from ledger.commands import parse_command
    from ledger.events import offer as ev
    from support import NOW

    command = parse_command(data)
    offer = case.offer()
    rec = Recording(recorded_at=NOW, recorded_by="test", rulebooks=case.rulebooks)
    offer._trigger(
        ev.KvalitetsvurderingForetaget, rec, case.rulebooks.in_force(command.date), command.date,
        anledning=command.anledning, model="bilag1", indikatorer=dict(command.indikatorer), temaer=dict(command.temaer),
    )
    offer.collect_events()


def test_a_score_at_approval_is_refused() -> None:
    command = vurdering("2024-02-01", "godkendelse", indikatorer={"1.a": 4})
    refused(given(ansoegning()), command, paragraph="bek § 11, bilag1")


def test_a_forventes_judgement_at_supervision_is_refused() -> None:
    refused(given(approved()), vurdering(indikatorer={"1.a": "forventes"}), paragraph="bek § 11, bilag1")


@pytest.mark.parametrize("score", [0, 6])
def test_a_score_outside_1_to_5_is_refused(score: int) -> None:
    refused(given(approved()), vurdering(indikatorer={"1.a": score}), paragraph="bek § 11, bilag1")


def test_a_quality_assessment_at_supervision_of_an_offer_that_is_not_approved_is_refused() -> None:
    refused(given(ansoegning()), vurdering("2024-02-01"), paragraph="bek § 11")


def test_an_udgaaet_indicator_is_refused() -> None:
    error = refused(given(approved()), vurdering(indikatorer={"1.c": 3}), paragraph="bek § 11, bilag1")
    assert "udgået" in str(error)


def test_an_indicator_that_does_not_apply_to_the_offer_type_is_refused() -> None:
    case = given(approved(tilbudstyper=["SEL109"]))
    command = vurdering(indikatorer={"3.c": 3}, temaer={"3": "Krisecentret arbejder målrettet"})
    error = refused(case, command, paragraph="bek § 11, bilag1")
    assert "3.c" in str(error)


def test_the_same_indicator_applies_to_a_midlertidigt_botilbud() -> None:
    case = given(approved(tilbudstyper=["SEL107"]))
    events = case.run(vurdering(indikatorer={"3.c": 3}, temaer={"3": "Tilbuddet arbejder målrettet"}))
    assert dict(events[0].indikatorer) == {"3.c": 3}


def test_a_quality_assessment_without_indicators_is_refused() -> None:
    refused(given(approved()), vurdering(indikatorer={}), paragraph="bek § 11")


def test_an_unknown_indicator_is_not_found() -> None:
    refused(given(approved()), vurdering(indikatorer={"99.z": 3}), NotFound, message="indicator '99.z' does not exist")


def test_each_assessed_theme_needs_a_written_assessment() -> None:
    error = refused(given(approved()), vurdering(temaer={}), paragraph="bek § 11, bilag1")
    assert "theme(s) 1" in str(error)


def test_a_written_assessment_of_a_theme_that_does_not_apply_is_refused() -> None:
    temaer = {"1": "Godt", "7": "Økonomien er sund"}
    refused(given(approved()), vurdering(temaer=temaer), paragraph="bek § 11, bilag1")


def test_a_plejefamilie_is_assessed_against_bilag_2() -> None:
    events = given(plejefamilie()).run(vurdering(indikatorer={"1.a": 4}, temaer={"1": "Barnet trives i skolen"}))
    assert events[0].model == "bilag2"


def test_an_udgaaet_bilag_2_indicator_is_refused_for_a_plejefamilie() -> None:
    command = vurdering(indikatorer={"2.b": 3}, temaer={"2": "Godt"})
    refused(given(plejefamilie()), command, paragraph="bek § 11, bilag2")


# -- 15: budget ---------------------------------------------------------------------------------
def test_a_budget_submitted_for_next_year_is_recorded() -> None:
    events = given(approved()).run(budget())
    assert kinds(events) == ["BudgetIndsendt"]
    assert events[0].budgetaar == 2025


def test_a_plejefamilie_submits_no_budget() -> None:
    refused(given(plejefamilie()), budget(), paragraph="bek § 14 stk 1")


def test_a_sel_66_7_offer_submits_no_budget() -> None:
    refused(given(approved(tilbudstyper=["SEL66_7"])), budget(), paragraph="bek § 14 stk 1")


def test_a_second_budget_for_the_same_year_is_refused() -> None:
    refused(given(approved(), budget()), budget("2024-09-28"), paragraph="bek § 15")


def test_a_budget_for_a_year_other_than_this_or_next_is_refused() -> None:
    refused(given(approved()), budget(budgetaar=2027), paragraph="bek § 15 stk 3")


def test_a_budget_decision_without_a_submitted_budget_is_refused() -> None:
    refused(given(approved()), budget_afgoerelse(), paragraph="bek § 16")


def test_a_budget_meeting_every_criterion_is_approved() -> None:
    events = given(approved(), budget()).run(budget_afgoerelse())
    assert kinds(events) == ["BudgetGodkendt"]
    assert (events[0].budgetaar, dict(events[0].kriterier)) == (2025, CRITERIA)


def test_a_budget_approved_with_a_criterion_recorded_as_unmet_is_refused() -> None:
    kriterier = {**CRITERIA, "sammenhaeng": False}
    refused(given(approved(), budget()), budget_afgoerelse(kriterier=kriterier), paragraph="bek § 16 stk 2")


def test_a_budget_approved_with_a_failed_check_is_refused() -> None:
    command = budget_afgoerelse(kontroller={"markedsleje": False})
    refused(given(approved(), budget()), command, paragraph="bek § 16 stk 3")


@pytest.mark.parametrize("left_out", sorted(CRITERIA))
def test_a_budget_approved_with_a_criterion_left_unassessed_is_refused(left_out: str) -> None:
    kriterier = {k: v for k, v in CRITERIA.items() if k != left_out}
    error = refused(given(approved(), budget()), budget_afgoerelse(kriterier=kriterier), paragraph="bek § 16 stk 2")
    assert "not assessed" in str(error)
    number = {"sammenhaeng": 1, "ingen_uvedkommende_poster": 2, "ansvarlig_forvaltning": 3}[left_out]
    assert f"(bek § 16 stk 2 nr {number})" in str(error)


def test_a_budget_approved_with_no_criteria_at_all_is_refused() -> None:
    error = refused(given(approved(), budget()), budget_afgoerelse(kriterier={}), paragraph="bek § 16 stk 2")
    assert "nr 1" in str(error) and "nr 2" in str(error) and "nr 3" in str(error)


def test_a_budget_refused_though_every_criterion_and_check_is_met_is_refused() -> None:
    # § 16 stk 2: Socialtilsynet "skal godkende" a budget that meets the criteria.
    command = budget_afgoerelse(godkendt=False, kontroller={"markedsleje": True}, begrundelse="Vi er ikke tilfredse")
    error = refused(given(approved(), budget()), command, paragraph="bek § 16 stk 2")
    assert "skal godkende" in str(error)


def test_a_budget_refused_without_naming_an_unmet_criterion_is_refused() -> None:
    command = budget_afgoerelse(godkendt=False, kriterier={}, begrundelse="Budgettet er ikke godt nok")
    refused(given(approved(), budget()), command, paragraph="bek § 16 stk 2")


def test_a_budget_refused_for_a_failed_check_is_recorded() -> None:
    command = budget_afgoerelse(godkendt=False, kontroller={"markedsleje": False}, begrundelse="Huslejen overstiger markedslejen")
    events = given(approved(), budget()).run(command)
    assert kinds(events) == ["BudgetIkkeGodkendt"]


def test_a_koncern_offers_budget_approval_records_the_koncern_settlements_check() -> None:
    case = given(approved(koncern="Lærkely Holding"), budget())
    error = refused(case, budget_afgoerelse(), paragraph="bek § 16 stk 3")
    assert "(bek § 16 stk 3 nr 4)" in str(error) and "not recorded" in str(error)
    failed = budget_afgoerelse(kontroller={"koncernafregning_markedsvilkaar": False})
    refused(case, failed, paragraph="bek § 16 stk 3")
    events = case.run(budget_afgoerelse(kontroller={"koncernafregning_markedsvilkaar": True}))
    assert kinds(events) == ["BudgetGodkendt"]
    assert dict(events[0].kontroller) == {"koncernafregning_markedsvilkaar": True}


def test_a_budget_decision_with_an_unknown_criterion_is_refused() -> None:
    command = budget_afgoerelse(kriterier={**CRITERIA, "pæn_forside": True})
    refused(given(approved(), budget()), command, InvalidInput, message="unknown budget criteria ['pæn_forside']")


def test_a_budget_refusal_without_begrundelse_is_refused() -> None:
    refused(given(approved(), budget()), budget_afgoerelse(godkendt=False), paragraph="bek § 1 stk 2")


def test_a_budget_refusal_with_begrundelse_is_an_appealable_decision() -> None:
    case = given(approved(), budget())
    command = budget_afgoerelse(godkendt=False, kriterier={"sammenhaeng": False}, begrundelse="Ingen sammenhæng")
    events = case.run(command)
    assert kinds(events) == ["BudgetIkkeGodkendt"]
    assert case.offer().state.decisions[str(events[0].version)]["appealable"] is True


def test_a_budget_is_decided_only_once() -> None:
    case = given(approved(), budget(), budget_afgoerelse())
    refused(case, budget_afgoerelse("2024-12-20"), paragraph="bek § 16")


def test_a_koncernnote_comes_only_from_an_offer_in_a_koncern() -> None:
    refused(given(approved()), cmd("koncernnote", "2024-09-25", budgetaar=2025), paragraph="bek § 14 stk 3")
    events = given(approved(koncern="Lærkely Holding")).run(cmd("koncernnote", "2024-09-25", budgetaar=2025))
    assert kinds(events) == ["KoncernnoteIndsendt"]


# -- 16: årsrapport -----------------------------------------------------------------------------
def test_an_aarsrapport_for_a_year_in_which_the_offer_was_approved_is_recorded() -> None:
    events = given(approved()).run(cmd("aarsrapport", "2025-04-20", aar=2024, noegletal={"omsaetning": 12_500_000}))
    assert kinds(events) == ["AarsrapportIndsendt"]
    assert (events[0].aar, dict(events[0].noegletal)) == (2024, {"omsaetning": 12_500_000})


def test_an_aarsrapport_for_a_year_that_has_not_ended_is_refused() -> None:
    refused(given(approved()), cmd("aarsrapport", "2024-12-31", aar=2024), paragraph="bek § 17 stk 3")


def test_an_aarsrapport_for_a_year_in_which_the_offer_was_not_approved_is_refused() -> None:
    refused(given(approved()), cmd("aarsrapport", "2025-04-20", aar=2023), paragraph="bek § 17 stk 1")


def test_a_second_aarsrapport_for_the_same_year_is_refused() -> None:
    case = given(approved(), cmd("aarsrapport", "2025-04-20", aar=2024))
    refused(case, cmd("aarsrapport", "2025-04-25", aar=2024), paragraph="bek § 17")


def test_an_aarsrapport_of_a_sel_66_7_offer_is_recorded_without_economic_key_figures() -> None:
    # § 17 stk 1 covers every approved offer under lov § 4 stk 1 nr 2-4; stk 2 nr 1 only spares a
    # SEL § 66 stk 1 nr 7 offer the economic key figures (its exemption from budgets is § 14 stk 1).
    case = given(approved(tilbudstyper=["SEL66_7"]))
    events = case.run(cmd("aarsrapport", "2025-04-20", aar=2024, noegletal={"sygefravaer_pct": 4.2}))
    assert kinds(events) == ["AarsrapportIndsendt"]
    assert case.offer().state.aarsrapporter == {"2024": "2025-04-20"}
    refused(case, budget(), paragraph="bek § 14 stk 1")


def test_a_plejefamilie_makes_no_aarsrapport() -> None:
    refused(given(plejefamilie()), cmd("aarsrapport", "2025-04-20", aar=2024), paragraph="bek § 17 stk 1")


# -- økonomisk vurdering (bek §§ 12-13) ---------------------------------------------------------
CONCLUSIONS = {"baeredygtig": True, "kvalitet_for_prisen": True, "gennemsigtig": True}
CHECKS = {"ingen_revisorforbehold": True, "rimeligt_budget": True, "rimelig_soliditet": True,
          "budget_afspejler_maalgruppe": True}


def test_an_economic_assessment_records_the_three_conclusions_and_four_checks() -> None:
    command = cmd("oekonomisk-vurdering", "2024-04-15", konklusioner=CONCLUSIONS, kontroller=CHECKS)
    events = given(approved()).run(command)
    assert kinds(events) == ["OekonomiskVurdering"]
    assert dict(events[0].konklusioner) == CONCLUSIONS


def test_an_economic_assessment_missing_a_conclusion_is_refused() -> None:
    command = cmd("oekonomisk-vurdering", "2024-04-15", konklusioner={"baeredygtig": True}, kontroller=CHECKS)
    refused(given(approved()), command, paragraph="bek § 13")


def test_an_economic_assessment_missing_a_check_is_refused() -> None:
    command = cmd("oekonomisk-vurdering", "2024-04-15", konklusioner=CONCLUSIONS, kontroller={"rimeligt_budget": True})
    refused(given(approved()), command, paragraph="bek § 13 stk 2")


PUBLIC_CHECKS = {k: v for k, v in CHECKS.items() if k != "rimelig_soliditet"}


@pytest.mark.parametrize("ejerform", ["kommunal", "regional"])
def test_a_public_offers_economic_assessment_has_no_solidity_check(ejerform: str) -> None:
    # § 13 stk 2 nr 3: "det private tilbuds soliditetsgrad".
    case = given(approved(ejerform=ejerform))
    events = case.run(cmd("oekonomisk-vurdering", "2024-04-15", konklusioner=CONCLUSIONS, kontroller=PUBLIC_CHECKS))
    assert kinds(events) == ["OekonomiskVurdering"]
    assert set(events[0].kontroller) == set(PUBLIC_CHECKS)
    command = cmd("oekonomisk-vurdering", "2024-04-16", konklusioner=CONCLUSIONS, kontroller=CHECKS)
    error = refused(case, command, paragraph="bek § 13 stk 2 nr 3")
    assert "private offer's soliditetsgrad" in str(error)


def test_a_private_offers_economic_assessment_still_needs_the_solidity_check() -> None:
    command = cmd("oekonomisk-vurdering", "2024-04-15", konklusioner=CONCLUSIONS, kontroller=PUBLIC_CHECKS)
    error = refused(given(approved()), command, paragraph="bek § 13 stk 2")
    assert "rimelig_soliditet" in str(error)


def not_sustainable(date: str = "2024-02-20") -> dict[str, Any]:
    return cmd("oekonomisk-vurdering", date, konklusioner={**CONCLUSIONS, "baeredygtig": False},
               kontroller={**CHECKS, "ingen_revisorforbehold": False})


def test_an_approval_right_after_an_assessment_that_the_offer_is_not_sustainable_is_refused() -> None:
    # bek § 1 stk 1: approved only if the offer meets lov § 6, whose stk 2 nr 7 is economic quality.
    case = given(ansoegning(), not_sustainable())
    error = refused(case, godkendelse(), paragraph="bek § 1 stk 1; lov § 6 stk 2 nr 7")
    assert "økonomisk bæredygtigt (bek § 13 stk 1 nr 1)" in str(error) and "oekonomisk_begrundelse" in str(error)


def test_an_approval_after_a_negative_economic_assessment_stands_with_its_stated_reason() -> None:
    case = given(ansoegning(), not_sustainable())
    reason = "Underskuddet dækkes af en bindende kapitaltilførsel fra ejeren; vilkår om kvartalsvise regnskaber"
    events = case.run(godkendelse(oekonomisk_begrundelse=reason))
    assert kinds(events) == ["Godkendt"]
    assert events[0].oekonomisk_begrundelse == reason
    assert events[0].summary() == f"Godkendt som generelt egnet (økonomien trods negativ økonomisk vurdering: {reason})"


def test_an_approval_after_a_newer_positive_economic_assessment_needs_no_reason() -> None:
    case = given(ansoegning(), not_sustainable("2024-02-10"),
                 cmd("oekonomisk-vurdering", "2024-02-25", konklusioner=CONCLUSIONS, kontroller=CHECKS))
    assert kinds(case.run(godkendelse())) == ["Godkendt"]


def test_a_negative_economic_assessment_of_a_plejefamilie_names_lov_6_stk_2_nr_8() -> None:
    case = given(ansoegning(tilbudstyper=["PLEJEFAMILIE"], pladser=2),
                 cmd("oekonomisk-vurdering", "2024-02-20", konklusioner={"stabil_anbringelse": False}))
    error = refused(case, godkendelse(), paragraph="bek § 1 stk 1; lov § 6 stk 2 nr 8")
    assert "stabil anbringelse" in str(error)


def test_a_plejefamilies_economy_is_one_overall_assessment() -> None:
    case = given(plejefamilie())
    events = case.run(cmd("oekonomisk-vurdering", "2024-04-15", konklusioner={"stabil_anbringelse": True}))
    assert kinds(events) == ["OekonomiskVurdering"]
    refused(case, cmd("oekonomisk-vurdering", "2024-04-16", konklusioner=CONCLUSIONS), paragraph="bek § 12")


# -- 17: magtanvendelse -------------------------------------------------------------------------
def test_a_magtanvendelse_is_reported_by_reference() -> None:
    events = given(approved()).run(magt())
    assert kinds(events) == ["MagtanvendelseIndberettet"]
    assert (events[0].magtanvendelse, events[0].reference) == ("M1", "MA-2024-017")


@pytest.mark.parametrize("reference", ["010203-1234", "Borger 0102031234"])
def test_a_magtanvendelse_reference_that_looks_like_a_cpr_number_is_refused(reference: str) -> None:
    error = refused(given(approved()), magt(reference=reference), InvalidInput)
    assert "personal data" in str(error)


def test_a_magtanvendelse_for_an_offer_that_is_not_approved_is_refused() -> None:
    refused(given(ansoegning()), magt("2024-02-01", haendelsesdato="2024-01-30"), paragraph="side: Magtanvendelse")


def test_a_magtanvendelse_reported_before_it_happened_is_refused() -> None:
    refused(given(approved()), magt(haendelsesdato="2024-05-03"), InvalidInput, message="cannot be after its report")


def test_a_reported_magtanvendelse_is_assessed_once() -> None:
    case = given(approved(), magt())
    events = case.run(cmd("magtanvendelse-vurderet", "2024-05-10", magtanvendelse="M1", vurdering="ingen_bemaerkning"))
    assert kinds(events) == ["MagtanvendelseVurderet"]
    assert (events[0].magtanvendelse, events[0].vurdering.value) == ("M1", "ingen_bemaerkning")
    again = cmd("magtanvendelse-vurderet", "2024-05-12", magtanvendelse="M1", vurdering="bemaerkning")
    refused(case, again, paragraph="side: Magtanvendelse")


def test_assessing_an_unknown_magtanvendelse_is_not_found() -> None:
    command = cmd("magtanvendelse-vurderet", "2024-05-10", magtanvendelse="M9", vurdering="ingen_bemaerkning")
    refused(given(approved(), magt()), command, NotFound, message="magtanvendelse M9 has not been reported")


def test_an_assessment_with_supervisory_consequence_states_it() -> None:
    command = cmd("magtanvendelse-vurderet", "2024-05-10", magtanvendelse="M1", vurdering="tilsynsmaessig_konsekvens")
    refused(given(approved(), magt()), command, paragraph="side: Magtanvendelse")


# -- væsentlig ændring (bek § 28 stk 4) ---------------------------------------------------------
def aendring(date: str = "2025-02-01", **fields: Any) -> dict[str, Any]:
    fields.setdefault("beskrivelse", "Udvidelse med 6 pladser")
    fields.setdefault("pladser", 18)
    return cmd("aendring-ansoegt", date, **fields)


def test_a_significant_change_is_applied_for_and_approved() -> None:
    case = given(approved())
    assert kinds(case.run(aendring())) == ["AendringAnsoegt"]
    events = case.run(cmd("aendring-afgoerelse", "2025-03-01", aendring="Æ1", godkendt=True, begrundelse="Egnet"))
    assert kinds(events) == ["AendringGodkendt"]
    assert case.offer().state.profile["pladser"] == 18


def test_a_significant_change_for_an_offer_that_is_not_approved_is_refused() -> None:
    refused(given(ansoegning()), aendring("2024-02-01"), paragraph="bek § 28 stk 4")


def test_a_significant_change_naming_no_change_is_refused() -> None:
    refused(given(approved()), aendring(pladser=None), InvalidInput, message="a significant change names what changes")
    existing = [{"navn": "Hovedhuset", "adresse": "Lærkevej 1, 9000 Aalborg"}]
    refused(given(approved()), aendring(pladser=None, nye_afdelinger=existing), InvalidInput, message="already has an afdeling named 'Hovedhuset'")


def test_a_significant_change_is_decided_once_with_its_reasons() -> None:
    case = given(approved(), aendring())
    refused(case, cmd("aendring-afgoerelse", "2025-03-01", aendring="Æ1", godkendt=False), paragraph="bek § 1 stk 2")
    refused(case, cmd("aendring-afgoerelse", "2025-03-01", aendring="Æ9", godkendt=True, begrundelse="x"), NotFound, message="change Æ9 has not been applied for")
    case.run(cmd("aendring-afgoerelse", "2025-03-01", aendring="Æ1", godkendt=True, begrundelse="Egnet"))
    again = cmd("aendring-afgoerelse", "2025-03-02", aendring="Æ1", godkendt=True, begrundelse="Egnet")
    refused(case, again, paragraph="bek § 28 stk 4")


# -- kommuner orienteret (bek § 4 stk 4, § 9) ---------------------------------------------------
def test_municipalities_are_told_of_a_decision() -> None:
    case = given(approved(), dialog(), paabud())
    events = case.run(cmd("kommuner-orienteret", "2024-09-21", afgoerelse="#4", kommuner=["Aalborg", "Hjørring"]))
    assert kinds(events) == ["KommunerOrienteret"]
    assert (events[0].afgoerelse, events[0].kommuner) == (4, ("Aalborg", "Hjørring"))
    assert case.offer().state.notified["4"] == ["Aalborg", "Hjørring"]


def test_telling_municipalities_of_something_that_is_not_a_decision_is_not_found() -> None:
    case = given(approved(), dialog())
    refused(case, cmd("kommuner-orienteret", "2024-09-21", afgoerelse=3, kommuner=["Aalborg"]), NotFound, message="#3 is not a decision of this case")


def test_municipalities_told_before_the_decision_is_refused() -> None:
    case = given(ansoegning(), godkendelse())
    refused(case, cmd("kommuner-orienteret", "2024-02-01", afgoerelse=2, kommuner=["Aalborg"]), InvalidInput, message="decision #2 is dated 2024-03-01, after 2024-02-01")
