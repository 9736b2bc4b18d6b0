"""The rules of an offer's approval: ansøgning, godkendelse/afslag, vilkår, fravigelse, akut forlængelse.

Given events, when a command, then events or a refusal that names its paragraph and appends nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from support import OFFER, Case, ansoegning, approved, cmd, dialog, given, godkendelse, kinds, ophoer, refused

from ledger.errors import InvalidInput, NotFound


def afslag(date: str = "2024-03-01", **fields: Any) -> dict[str, Any]:
    fields.setdefault("begrundelse", "Ledelsen mangler relevante kompetencer")
    return cmd("afslag", date, **fields)


def fravigelse(date: str = "2024-06-01", **fields: Any) -> dict[str, Any]:
    fields.setdefault("anmodning_modtaget", "2024-05-20")
    fields.setdefault("periode_til", "2024-08-31")
    fields.setdefault("begrundelse", "Ombygning af fællesarealer")
    return cmd("fravigelse", date, **fields)


def akut(date: str = "2024-02-10", **fields: Any) -> dict[str, Any]:
    fields.setdefault("kommune", "Aalborg")
    fields.setdefault("akut_fra", "2024-02-01")
    fields.setdefault("forlaenget_til", "2024-03-14")
    fields.setdefault("begrundelse", "Borgeren kan ikke flyttes uden risiko")
    return cmd("akut-forlaengelse", date, **fields)


VILKAAR = [{"tekst": "Brandsyn skal foreligge", "frist": "2024-06-01"}]


# -- 1: ansøgning -------------------------------------------------------------------------------
def test_a_written_application_opens_the_case_as_applied_for() -> None:
    case = given()
    events = case.run(ansoegning())
    assert kinds(events) == ["AnsoegningModtaget"]
    event = events[0]
    assert event.tilbud == OFFER
    assert [t.value for t in event.tilbudstyper] == ["SEL107"]
    assert event.pladser == 12
    assert [(a.id, a.navn) for a in event.afdelinger] == [("A1", "Hovedhuset")]
    assert event.rulebook == "bek-2017"
    assert case.status("2024-01-10") == "ansoegt"


def test_an_application_that_is_not_written_is_refused() -> None:
    refused(given(), ansoegning(skriftlig=False), paragraph="bek § 1 stk 1")


def test_a_second_application_while_one_is_pending_is_refused() -> None:
    refused(given(ansoegning()), ansoegning("2024-02-01"), paragraph="bek § 1 stk 1")


def test_an_application_while_the_offer_is_approved_is_refused() -> None:
    refused(given(approved()), ansoegning("2024-05-01"), paragraph="lov § 5 stk 1")


@pytest.mark.parametrize("tilbudstype", ["SEL101", "SEL101A", "SUL141"])
def test_a_treatment_offer_without_its_expected_citizens_is_refused(tilbudstype: str) -> None:
    refused(given(), ansoegning(tilbudstyper=[tilbudstype]), paragraph="bek § 28 stk 2")


@pytest.mark.parametrize("tilbudstype", ["SEL101", "SEL101A", "SUL141"])
def test_a_treatment_offer_stating_its_expected_citizens_is_accepted(tilbudstype: str) -> None:
    events = given().run(ansoegning(tilbudstyper=[tilbudstype], forventede_borgere=120))
    assert kinds(events) == ["AnsoegningModtaget"]
    assert events[0].forventede_borgere == 120


def test_a_new_application_after_the_approval_ended_is_accepted() -> None:
    case = given(approved(), dialog(), ophoer())
    assert case.status("2025-03-01") == "ophoert"
    events = case.run(ansoegning("2025-04-01"))
    assert kinds(events) == ["AnsoegningModtaget"]
    assert case.status("2025-04-01") == "ansoegt"


def test_a_new_application_after_a_refusal_is_accepted() -> None:
    case = given(ansoegning(), afslag())
    events = case.run(ansoegning("2024-04-01"))
    assert kinds(events) == ["AnsoegningModtaget"]
    assert case.status("2024-04-01") == "ansoegt"


def test_a_new_application_dated_before_the_first_one_is_refused() -> None:
    refused(given(ansoegning(), afslag()), ansoegning("2023-12-01"), paragraph="bek § 1 stk 1")


def test_an_application_with_a_future_effective_date_is_refused() -> None:
    refused(given(), ansoegning("2026-06-02"), InvalidInput, message="is in the future")


def test_an_application_dated_before_the_first_rulebook_version_is_refused() -> None:
    refused(given(), ansoegning("2017-12-31"), paragraph="bek § 33 stk 1")


def test_an_application_on_the_first_rulebook_day_is_accepted() -> None:
    events = given().run(ansoegning("2018-01-01"))
    assert events[0].rulebook == "bek-2017"


def test_a_plejefamilie_applied_for_together_with_other_types_is_refused() -> None:
    refused(given(), ansoegning(tilbudstyper=["PLEJEFAMILIE", "SEL107"]), InvalidInput, message="plejefamilie cannot be applied for together")


def test_a_plejefamilie_alone_is_accepted() -> None:
    events = given().run(ansoegning(tilbudstyper=["PLEJEFAMILIE"], pladser=2))
    assert [t.value for t in events[0].tilbudstyper] == ["PLEJEFAMILIE"]


# -- 2-3: godkendelse / afslag ------------------------------------------------------------------
def test_an_approval_of_a_pending_application_is_accepted() -> None:
    case = given(ansoegning())
    events = case.run(godkendelse())
    assert kinds(events) == ["Godkendt"]
    assert events[0].begrundelse == "Tilbuddet opfylder betingelserne for godkendelse."
    assert events[0].vilkaar == ()
    assert case.status("2024-03-01") == "godkendt"
    assert case.status("2024-02-29") == "ansoegt"


def test_an_approval_with_vilkaar_numbers_them_and_sets_the_status() -> None:
    case = given(ansoegning())
    events = case.run(godkendelse(vilkaar=VILKAAR))
    assert [(v.id, v.tekst, str(v.frist)) for v in events[0].vilkaar] == [
        ("V1", "Brandsyn skal foreligge", "2024-06-01")
    ]
    assert case.status("2024-03-01") == "godkendt_med_vilkaar"


def test_an_approval_without_an_application_is_refused() -> None:
    refused(given(), godkendelse(), NotFound, message="a decision needs a written application first (bek § 1 stk 1)")


def test_an_approval_after_a_refusal_is_refused() -> None:
    refused(given(ansoegning(), afslag()), godkendelse("2024-03-05"), paragraph="bek § 1 stk 1")


def test_an_approval_without_begrundelse_is_refused() -> None:
    refused(given(ansoegning()), godkendelse(begrundelse=None), paragraph="bek § 1 stk 2")


def test_a_vilkaar_frist_on_the_decision_date_is_refused() -> None:
    vilkaar = [{"tekst": "Brandsyn skal foreligge", "frist": "2024-03-01"}]
    refused(given(ansoegning()), godkendelse(vilkaar=vilkaar), paragraph="bek § 1 stk 3")


def test_an_approval_dated_before_the_application_is_refused() -> None:
    refused(given(ansoegning()), godkendelse("2024-01-09"), paragraph="bek § 1 stk 1")


def test_a_second_approval_is_refused() -> None:
    refused(given(approved()), godkendelse("2024-04-01"), paragraph="bek § 1 stk 1")


def test_a_refusal_of_a_pending_application_is_accepted() -> None:
    case = given(ansoegning())
    events = case.run(afslag())
    assert kinds(events) == ["Afslaaet"]
    assert events[0].begrundelse == "Ledelsen mangler relevante kompetencer"
    assert case.status("2024-03-01") == "afslaaet"


def test_a_refusal_without_begrundelse_is_refused() -> None:
    refused(given(ansoegning()), afslag(begrundelse=None), paragraph="bek § 1 stk 2")


def test_a_refusal_of_an_approved_offer_is_refused() -> None:
    refused(given(approved()), afslag("2024-04-01"), paragraph="bek § 1 stk 1")


# -- 4: vilkår ----------------------------------------------------------------------------------
def with_vilkaar() -> Case:
    return given(ansoegning(), godkendelse(vilkaar=VILKAAR))


def test_a_vilkaar_met_ends_it_and_the_offer_is_plainly_approved() -> None:
    case = with_vilkaar()
    events = case.run(cmd("vilkaar-opfyldt", "2024-05-20", vilkaar="V1"))
    assert kinds(events) == ["VilkaarOpfyldt"]
    assert events[0].vilkaar == "V1"
    assert case.status("2024-05-19") == "godkendt_med_vilkaar"
    assert case.status("2024-05-20") == "godkendt"


def test_a_vilkaar_changed_records_its_new_text_and_frist() -> None:
    case = with_vilkaar()
    events = case.run(
        cmd("vilkaar-aendret", "2024-05-20", vilkaar="V1", tekst="Brandsyn for begge huse", frist="2024-08-01",
            begrundelse="Afdeling B indgår nu")
    )
    assert kinds(events) == ["VilkaarAendret"]
    assert (events[0].vilkaar, events[0].tekst, str(events[0].frist)) == ("V1", "Brandsyn for begge huse", "2024-08-01")
    assert case.offer().state.active_vilkaar_on("2024-05-20")["V1"]["tekst"] == "Brandsyn for begge huse"


def test_a_vilkaar_changed_without_begrundelse_is_refused() -> None:
    command = cmd("vilkaar-aendret", "2024-05-20", vilkaar="V1", tekst="Ny tekst")
    refused(with_vilkaar(), command, paragraph="bek § 1 stk 2")


def test_a_changed_vilkaar_frist_on_the_decision_date_is_refused() -> None:
    command = cmd("vilkaar-aendret", "2024-05-20", vilkaar="V1", tekst="Brandsyn", frist="2024-05-20", begrundelse="x")
    refused(with_vilkaar(), command, paragraph="bek § 1 stk 3")


def test_a_vilkaar_lifted_ends_it() -> None:
    case = with_vilkaar()
    events = case.run(cmd("vilkaar-ophaevet", "2024-05-20", vilkaar="V1", begrundelse="Ikke længere relevant"))
    assert kinds(events) == ["VilkaarOphaevet"]
    assert case.status("2024-05-20") == "godkendt"


@pytest.mark.parametrize(
    "command",
    [
        cmd("vilkaar-opfyldt", "2024-05-20", vilkaar="V9"),
        cmd("vilkaar-aendret", "2024-05-20", vilkaar="V9", tekst="x", begrundelse="y"),
        cmd("vilkaar-ophaevet", "2024-05-20", vilkaar="V9", begrundelse="y"),
    ],
    ids=["opfyldt", "aendret", "ophaevet"],
)
def test_a_vilkaar_decision_naming_an_unknown_vilkaar_is_not_found(command: dict[str, Any]) -> None:
    refused(with_vilkaar(), command, NotFound, message="bek § 1 stk 3: vilkår V9 does not exist in this case")


def test_a_vilkaar_already_met_cannot_be_met_again() -> None:
    case = with_vilkaar().given(cmd("vilkaar-opfyldt", "2024-05-20", vilkaar="V1"))
    refused(case, cmd("vilkaar-opfyldt", "2024-05-21", vilkaar="V1"), paragraph="bek § 1 stk 3")


def test_a_vilkaar_met_before_the_approval_that_set_it_is_refused() -> None:
    refused(with_vilkaar(), cmd("vilkaar-opfyldt", "2024-02-01", vilkaar="V1"), paragraph="bek § 1 stk 3")


# -- 5: fravigelse ------------------------------------------------------------------------------
def test_a_fravigelse_on_the_offers_request_is_granted() -> None:
    case = given(approved())
    events = case.run(fravigelse(betingelser="Højst 14 borgere under ombygningen"))
    assert kinds(events) == ["FravigelseBevilget"]
    event = events[0]
    assert (event.fravigelse, str(event.anmodning_modtaget)) == ("F1", "2024-05-20")
    assert (str(event.periode_fra), str(event.periode_til)) == ("2024-06-01", "2024-08-31")
    assert "fravigelse" in case.offer().state.flags_on("2024-06-01")


def test_a_fravigelse_for_an_offer_that_is_not_approved_is_refused() -> None:
    refused(given(ansoegning()), fravigelse("2024-02-01", anmodning_modtaget="2024-01-20"), paragraph="bek § 1 stk 4")


def test_a_fravigelse_without_the_offers_request_is_refused() -> None:
    refused(given(approved()), fravigelse(anmodning_modtaget=None), paragraph="bek § 1 stk 4")


def test_a_fravigelse_requested_after_its_decision_is_refused() -> None:
    refused(given(approved()), fravigelse(anmodning_modtaget="2024-06-02"), paragraph="bek § 1 stk 4")


def test_an_unbounded_fravigelse_is_refused() -> None:
    refused(given(approved()), fravigelse(periode_til=None), paragraph="bek § 1 stk 4")


def test_a_fravigelse_bounded_by_conditions_alone_is_granted() -> None:
    events = given(approved()).run(fravigelse(periode_til=None, betingelser="Højst 14 borgere"))
    assert (events[0].betingelser, events[0].periode_til) == ("Højst 14 borgere", None)


def test_a_fravigelse_whose_period_ends_before_it_begins_is_refused() -> None:
    command = fravigelse(periode_fra="2024-07-01", periode_til="2024-06-15")
    refused(given(approved()), command, paragraph="bek § 1 stk 4")


def test_a_fravigelse_beginning_before_its_decision_is_refused() -> None:
    refused(given(approved()), fravigelse(periode_fra="2024-05-31"), paragraph="bek § 1 stk 4")


def test_a_fravigelse_lapses_when_its_period_ends_without_any_event() -> None:
    case = given(approved(), fravigelse())
    version = case.offer().version
    state = case.offer().state
    assert "fravigelse" in state.flags_on("2024-08-31")
    assert "F1" in state.describe_on(dt.date(2024, 8, 31))["fravigelser"]
    assert "fravigelse" not in state.flags_on("2024-09-01")
    assert state.active_fravigelser_on("2024-09-01") == {}
    assert case.offer().version == version


def test_vilkaar_of_a_fravigelse_lapse_with_it() -> None:
    case = given(approved(), fravigelse(vilkaar=[{"tekst": "Ugentlig statusrapport"}]))
    assert case.status("2024-07-01") == "godkendt_med_vilkaar"
    assert case.status("2024-09-01") == "godkendt"


def test_a_fravigelse_bortfaldet_ends_it() -> None:
    case = given(approved(), fravigelse())
    events = case.run(cmd("fravigelse-bortfaldet", "2024-07-01", fravigelse="F1"))
    assert kinds(events) == ["FravigelseBortfaldet"]
    assert events[0].fravigelse == "F1"
    assert "fravigelse" in case.offer().state.flags_on("2024-06-30")
    assert "fravigelse" not in case.offer().state.flags_on("2024-07-01")


def test_a_fravigelse_that_has_lapsed_cannot_bortfalde() -> None:
    case = given(approved(), fravigelse())
    refused(case, cmd("fravigelse-bortfaldet", "2024-09-10", fravigelse="F1"), paragraph="bek § 1 stk 4")


def test_a_bortfald_of_an_unknown_fravigelse_is_not_found() -> None:
    refused(given(approved()), cmd("fravigelse-bortfaldet", "2024-07-01", fravigelse="F9"), NotFound, message="fravigelse F9 does not exist")


# -- 6: akut forlængelse ------------------------------------------------------------------------
def test_an_akut_forlaengelse_of_three_more_weeks_for_a_not_approved_offer_is_granted() -> None:
    events = given(ansoegning()).run(akut())
    assert kinds(events) == ["AkutForlaengelseBevilget"]
    event = events[0]
    assert (event.kommune, str(event.akut_fra), str(event.forlaenget_til)) == ("Aalborg", "2024-02-01", "2024-03-14")


def test_an_akut_forlaengelse_beyond_three_more_weeks_is_refused() -> None:
    refused(given(ansoegning()), akut(forlaenget_til="2024-03-15"), paragraph="bek § 2")


def test_an_akut_forlaengelse_decided_on_the_last_day_of_the_first_three_weeks_is_granted() -> None:
    events = given(ansoegning()).run(akut("2024-02-22"))
    assert kinds(events) == ["AkutForlaengelseBevilget"]


def test_an_akut_forlaengelse_decided_after_the_first_three_weeks_is_refused() -> None:
    refused(given(ansoegning()), akut("2024-02-23"), paragraph="bek § 2")


def test_an_akut_forlaengelse_without_the_placing_municipality_is_refused() -> None:
    refused(given(ansoegning()), akut(kommune=None), paragraph="bek § 2")


def test_an_akut_forlaengelse_without_begrundelse_is_refused() -> None:
    refused(given(ansoegning()), akut(begrundelse=None), paragraph="bek § 1 stk 2")


def test_an_acute_use_that_begins_after_the_decision_is_refused() -> None:
    refused(given(ansoegning()), akut(akut_fra="2024-02-11"), paragraph="bek § 2")


def test_an_akut_forlaengelse_that_does_not_run_past_its_decision_is_refused() -> None:
    refused(given(ansoegning()), akut(forlaenget_til="2024-02-10"), paragraph="bek § 2")


def test_a_granted_akut_forlaengelse_without_its_end_date_is_refused() -> None:
    error = refused(given(ansoegning()), akut(forlaenget_til=None), paragraph="bek § 2")
    assert "states the date it runs until (forlaenget_til)" in str(error)
    refused(given(ansoegning()), akut(forlaenget_til="  "), paragraph="bek § 2")  # blank is absent


def test_an_acute_use_is_extended_only_once() -> None:
    case = given(ansoegning(), akut())
    refused(case, akut("2024-02-12", forlaenget_til="2024-03-10"), paragraph="bek § 2")


def test_an_akut_forlaengelse_for_an_approved_offer_is_refused() -> None:
    command = akut("2024-04-10", akut_fra="2024-04-01", forlaenget_til="2024-05-01")
    refused(given(approved()), command, paragraph="bek § 2")


@pytest.mark.parametrize("tilbudstype", ["SEL101", "SEL101A", "SUL141"])
def test_an_akut_forlaengelse_for_a_lov_4_stk_1_nr_4_offer_is_refused(tilbudstype: str) -> None:
    case = given(ansoegning(tilbudstyper=[tilbudstype], forventede_borgere=100))
    refused(case, akut(), paragraph="bek § 2")


def test_a_refused_akut_forlaengelse_is_an_appealable_decision() -> None:
    case = given(ansoegning())
    events = case.run(akut(bevilget=False, forlaenget_til=None, begrundelse="Tilbuddet er ikke egnet"))
    assert kinds(events) == ["AkutForlaengelseAfslaaet"]
    assert case.offer().state.decisions[str(events[0].version)]["appealable"] is True


# -- koncern jurisdiction (bek § 3) -------------------------------------------------------------

def test_an_approval_by_another_socialtilsyn_than_the_koncerns_head_address_is_refused(tmp_path: Any) -> None:
    from ledger.application import Ledger
    from ledger.commands import parse_command
    from ledger.errors import RuleViolation as Refused

    app = Ledger(f"sqlite:///{tmp_path / 'k.db'}", create=True, user="t")
    run = lambda *cs: app.execute([parse_command(c) for c in cs])  # noqa: E731
    run({"command": "koncern", "date": "2024-01-02", "koncern": "Gruppen A/S", "navn": "Gruppen A/S",
         "hovedadresse": "Havnegade 1, 8000 Aarhus", "region": "Midt"})
    run(ansoegning(offer="K-1", region="Syd", koncern="Gruppen A/S"), godkendelse(offer="K-1"))
    run(ansoegning(offer="K-2", region="Nord", koncern="Gruppen A/S", date="2024-02-01"))
    before = app.case("K-2").version
    with pytest.raises(Refused) as refused:
        run(godkendelse(offer="K-2", date="2024-04-01"))
    assert refused.value.paragraph == "bek § 3" and "Socialtilsyn Midt" in str(refused.value)
    assert app.case("K-2").version == before
    # The head address's Socialtilsyn may approve an offer of the koncern whatever the others.
    run(ansoegning(offer="K-3", region="Midt", koncern="Gruppen A/S", date="2024-02-01"), godkendelse(offer="K-3", date="2024-04-01"))
    assert app.case("K-3").state.status_on("2024-04-01") == "godkendt"
    # Once no offer of the koncern is approved elsewhere than Nord, Nord may approve K-2.
    run(dialog(offer="K-1", date="2024-05-01"), ophoer(offer="K-1", date="2024-06-01", virkning_fra="2024-07-01"))
    run(dialog(offer="K-3", date="2024-05-01"), cmd("lukning", "2024-06-01", offer="K-3", virkning_fra="2024-06-30"))
    run(godkendelse(offer="K-2", date="2024-07-02"))
    assert app.case("K-2").state.status_on("2024-07-02") == "godkendt"
    assert app.koncern("Gruppen A/S").approved_on(dt.date(2024, 7, 2)) == {"K-2": "Nord"}
    app.close()


def test_an_unregistered_koncern_spread_over_two_regions_cannot_be_judged(tmp_path: Any) -> None:
    from ledger.application import Ledger
    from ledger.commands import parse_command
    from ledger.errors import RuleViolation as Refused

    app = Ledger(f"sqlite:///{tmp_path / 'k.db'}", create=True, user="t")
    run = lambda *cs: app.execute([parse_command(c) for c in cs])  # noqa: E731
    run(ansoegning(offer="K-1", region="Syd", koncern="Ukendt ApS"), godkendelse(offer="K-1"))
    run(ansoegning(offer="K-2", region="Syd", koncern="Ukendt ApS"), godkendelse(offer="K-2"))  # same region: fine
    run(ansoegning(offer="K-3", region="Øst", koncern="Ukendt ApS"))
    with pytest.raises(Refused, match="register it first"):
        run(godkendelse(offer="K-3"))
    app.close()


def test_the_ledgers_own_date_is_the_date_in_denmark_at_every_moment() -> None:
    """No effective date may lie after the ledger's date in Denmark (`Recording.today`); the day
    is remembered between moments, so its edges are checked: midnights in winter and summer time,
    and the nights the clocks change."""
    import datetime as dt

    from ledger.aggregates.base import COPENHAGEN, danish_date

    moments = []
    for day in (dt.date(2024, 1, 15), dt.date(2024, 3, 30), dt.date(2024, 3, 31), dt.date(2024, 7, 1),
                dt.date(2024, 10, 26), dt.date(2024, 10, 27), dt.date(2024, 12, 31)):
        start = dt.datetime.combine(day, dt.time(), dt.timezone.utc) - dt.timedelta(hours=3)
        for minutes in range(0, 30 * 60, 29):
            moment = start + dt.timedelta(minutes=minutes)
            moments += [moment, moment - dt.timedelta(microseconds=1), moment.astimezone(COPENHAGEN)]
    for moment in moments + moments[::-1]:
        assert danish_date(moment) == moment.astimezone(COPENHAGEN).date(), moment
    # 22:30 UTC on 30 June is already 1 July in Denmark (summer time, UTC+2).
    assert danish_date(dt.datetime(2024, 6, 30, 22, 30, tzinfo=dt.timezone.utc)) == dt.date(2024, 7, 1)
