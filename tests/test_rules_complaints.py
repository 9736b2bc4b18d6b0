"""The rules of complaints (side: Klagevejledning; DOMAIN.md 'Complaints') and of corrections
(annulment and supersession: both events stay, the corrected one no longer counts).

Given events, when a command, then events or a refusal that names its paragraph and appends nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from support import (
    NOW,
    Case,
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
)

from ledger.aggregates.base import Recording
from ledger.errors import InvalidInput, NotFound
from ledger.events.base import LedgerEvent

STRAKS = "Mistanke om strafbare forhold over for borgerne"


def klage(date: str = "2024-10-01", afgoerelse: int | str = 4, **fields: Any) -> dict[str, Any]:
    fields.setdefault("klager", "Bostedet Lærkely ApS")
    fields.setdefault("afgoerelse_modtaget", "2024-09-22")
    return cmd("klage", date, afgoerelse=afgoerelse, **fields)


def genvurderet(date: str = "2024-10-10", udfald: str = "fastholdt", **fields: Any) -> dict[str, Any]:
    fields.setdefault("klage", "K1")
    fields.setdefault("begrundelse", "Afgørelsen fastholdes efter genvurdering")
    return cmd("klage-genvurderet", date, udfald=udfald, **fields)


def videresendt(date: str = "2024-10-12", klage: str = "K1") -> dict[str, Any]:
    return cmd("klage-videresendt", date, klage=klage)


def anke(date: str = "2024-12-01", udfald: str = "stadfaestet", **fields: Any) -> dict[str, Any]:
    fields.setdefault("klage", "K1")
    fields.setdefault("begrundelse", "Ankestyrelsen er enig i afgørelsen")
    return cmd("ankestyrelsens-afgoerelse", date, udfald=udfald, **fields)


def with_paabud() -> Case:
    """#1 ansøgning, #2 godkendt, #3 dialog D1, #4 påbud P1 (2024-09-20, frist 2024-11-01)."""
    return given(approved(), dialog(), paabud())


def with_ophoer() -> Case:
    """#1 ansøgning, #2 godkendt, #3 dialog D1, #4 ophør decided 2025-01-10 with effect 2025-03-01."""
    return given(approved(), dialog(), ophoer())


def annul(case: Case, number: int, date: str, reason: str | None = "Fejlregistrering") -> list[LedgerEvent]:
    """Annul #number through the aggregate's own use case (a reason of None reaches the aggregate's check)."""
    offer = case.offer()
    before = len(offer.events)
    rec = Recording(recorded_at=NOW, recorded_by="test", rulebooks=case.rulebooks)
    offer.annuller(rec, date=dt.date.fromisoformat(date), annulleret=number, correction_reason=reason)
    offer.collect_events()
    return offer.events[before:]


# -- 18: klage modtaget -------------------------------------------------------------------------
def test_a_complaint_about_a_paabud_is_received() -> None:
    events = with_paabud().run(klage(afgoerelse="#4"))
    assert kinds(events) == ["KlageModtaget"]
    event = events[0]
    assert (event.klage, event.afgoerelse, event.emne.value, event.for_sent) == ("K1", 4, "afgoerelsens_indhold", False)


def test_a_complaint_naming_a_visit_is_refused_by_the_complaint_guidance() -> None:
    case = with_paabud().given(besoeg("2024-09-25"))
    error = refused(case, klage(afgoerelse=5), paragraph="side: Klagevejledning")
    assert "#5 is a Tilsynsbesøg, not a decision" in str(error)


def test_a_complaint_naming_a_decision_that_does_not_exist_is_not_found() -> None:
    refused(with_paabud(), klage(afgoerelse=99), NotFound, message="#99 does not exist")


def test_a_plain_approval_without_vilkaar_cannot_be_complained_about() -> None:
    refused(with_paabud(), klage("2024-03-10", afgoerelse=2, afgoerelse_modtaget="2024-03-02"),
            paragraph="side: Klagevejledning")


def test_an_approval_with_vilkaar_can_be_complained_about() -> None:
    case = given(ansoegning(), godkendelse(vilkaar=[{"tekst": "Brandsyn skal foreligge", "frist": "2024-06-01"}]))
    events = case.run(klage("2024-03-10", afgoerelse=2, afgoerelse_modtaget="2024-03-02"))
    assert kinds(events) == ["KlageModtaget"]


@pytest.mark.parametrize("emne", ["sagsbehandlingstid", "personalets_optraeden"])
def test_a_complaint_about_processing_time_or_staff_conduct_is_refused(emne: str) -> None:
    refused(with_paabud(), klage(emne=emne), paragraph="side: Klagevejledning")


def test_a_complaint_on_the_last_day_of_the_four_weeks_is_in_time() -> None:
    events = with_paabud().run(klage("2024-10-20"))
    assert events[0].for_sent is False


def test_a_complaint_more_than_four_weeks_after_the_decision_was_received_is_accepted_but_flagged_late() -> None:
    events = with_paabud().run(klage("2024-10-21"))
    assert kinds(events) == ["KlageModtaget"]
    assert events[0].for_sent is True


def test_a_decision_received_before_it_was_made_is_refused() -> None:
    refused(with_paabud(), klage(afgoerelse_modtaget="2024-09-19"), InvalidInput, message="cannot have been received on 2024-09-19")


def test_a_second_complaint_about_a_decision_with_an_open_complaint_is_refused() -> None:
    case = with_paabud().given(klage())
    refused(case, klage("2024-10-02", klager="Borgerrådgiver"), paragraph="side: Klagevejledning")


# -- genvurdering, videresendelse, Ankestyrelsen ------------------------------------------------
def test_a_complaint_is_reconsidered_once_only() -> None:
    case = with_paabud().given(klage())
    events = case.run(genvurderet())
    assert kinds(events) == ["KlageGenvurderet"]
    assert (events[0].klage, events[0].udfald) == ("K1", "fastholdt")
    refused(case, genvurderet("2024-10-11"), paragraph="side: Klagevejledning")


def test_a_reconsideration_without_begrundelse_is_refused() -> None:
    refused(with_paabud().given(klage()), genvurderet(begrundelse=None), paragraph="bek § 1 stk 2")


def test_a_reconsideration_that_upholds_names_no_new_decision() -> None:
    refused(with_paabud().given(klage()), genvurderet(ny_afgoerelse=4), InvalidInput, message="ny_afgoerelse is given only when the decision is changed")


def test_a_reconsideration_naming_a_new_decision_made_before_the_complaint_is_not_found() -> None:
    command = genvurderet(udfald="aendret", ny_afgoerelse=2, begrundelse="Ændret")
    refused(with_paabud().given(klage()), command, NotFound, message="must be a decision of this case made after the complaint")


def test_reconsidering_an_unknown_complaint_is_not_found() -> None:
    refused(with_paabud().given(klage()), genvurderet(klage="K9"), NotFound, message="complaint K9 does not exist")


def test_a_complaint_is_forwarded_only_after_being_upheld() -> None:
    case = with_paabud().given(klage())
    refused(case, videresendt(), paragraph="side: Klagevejledning")
    case.run(genvurderet())
    events = case.run(videresendt())
    assert kinds(events) == ["KlageVideresendt"]
    refused(case, videresendt("2024-10-13"), paragraph="side: Klagevejledning")


def test_a_complaint_whose_decision_was_changed_is_not_forwarded() -> None:
    case = with_paabud().given(klage(), genvurderet(udfald="aendret", begrundelse="Påbuddet var ikke velbegrundet"))
    refused(case, videresendt(), paragraph="side: Klagevejledning")


def test_ankestyrelsens_decision_is_recorded_only_after_forwarding() -> None:
    case = with_paabud().given(klage(), genvurderet())
    refused(case, anke(), paragraph="side: Klagevejledning")
    case.run(videresendt())
    events = case.run(anke())
    assert kinds(events) == ["AnkestyrelsensAfgoerelse"]
    assert events[0].udfald.value == "stadfaestet"
    refused(case, anke("2024-12-02"), paragraph="side: Klagevejledning")


def test_ankestyrelsens_decision_without_its_reasons_is_refused() -> None:
    case = with_paabud().given(klage(), genvurderet(), videresendt())
    refused(case, anke(begrundelse=None), paragraph="side: Klagevejledning")


def test_a_paabud_changed_on_reconsideration_is_no_longer_in_force() -> None:
    case = with_paabud().given(klage())
    case.run(genvurderet("2024-10-10", udfald="aendret", begrundelse="Påbuddet var ikke velbegrundet"))
    state = case.offer().state
    assert list(state.active_paabud_on("2024-10-09")) == ["P1"]
    assert state.active_paabud_on("2024-10-10") == {}
    assert "paabud" not in state.flags_on("2024-10-10")


def test_a_complaint_does_not_suspend_a_paabud() -> None:
    case = with_paabud().given(klage(), genvurderet(), videresendt())
    assert list(case.offer().state.active_paabud_on("2024-10-20")) == ["P1"]


# -- a complaint about an ophør ----------------------------------------------------------------
def ophoer_klage(date: str = "2025-01-20", **fields: Any) -> dict[str, Any]:
    fields.setdefault("afgoerelse_modtaget", "2025-01-12")
    return klage(date, afgoerelse=4, **fields)


def test_a_timely_complaint_about_an_ophoer_keeps_the_offer_approved_until_ankestyrelsen_decides() -> None:
    case = with_ophoer().given(ophoer_klage(), genvurderet("2025-01-25"), videresendt("2025-01-30"))
    state = case.offer().state
    assert case.status("2025-03-15") == "godkendt"
    assert "ophoer_udsat_af_klage" in state.flags_on("2025-03-15")
    assert "ophoer_besluttet" not in state.flags_on("2025-03-15")
    case.run(anke("2025-04-01"))
    assert case.status("2025-03-31") == "godkendt"
    assert case.status("2025-04-01") == "ophoert"
    assert case.offer().state.flags_on("2025-04-01") == []


def test_an_ophoer_suspended_by_a_complaint_lets_the_offer_be_supervised() -> None:
    case = with_ophoer().given(ophoer_klage(), genvurderet("2025-01-25"), videresendt("2025-01-30"))
    assert kinds(case.run(besoeg("2025-03-15"))) == ["TilsynsbesoegGennemfoert"]


def test_an_ophoer_set_aside_by_ankestyrelsen_never_takes_effect() -> None:
    case = with_ophoer().given(ophoer_klage(), genvurderet("2025-01-25"), videresendt("2025-01-30"),
                               anke("2025-04-01", udfald="ophaevet", begrundelse="Grundlaget var ikke til stede"))
    assert case.status("2025-05-01") == "godkendt"
    assert case.offer().state.flags_on("2025-05-01") == []


def test_a_late_complaint_does_not_suspend_an_ophoer() -> None:
    case = with_ophoer().given(ophoer_klage("2025-02-20"))
    assert case.offer().state.complaints["K1"]["late"] is True
    assert case.status("2025-03-01") == "ophoert"


def test_a_complaint_does_not_suspend_an_ophoer_decided_straks() -> None:
    case = given(approved(), ophoer(straks=True, straks_begrundelse=STRAKS))
    case.run(klage("2025-01-15", afgoerelse=3, afgoerelse_modtaget="2025-01-11"))
    assert case.status("2025-01-20") == "ophoert"


# -- corrections: annulment ---------------------------------------------------------------------
def test_an_annulment_with_its_reason_is_recorded_through_the_command() -> None:
    case = given(approved(), besoeg())
    command = cmd("annullering", "2024-04-20", annulleret=3, correction_reason="Besøget hørte til et andet tilbud")
    events = case.run(command)
    assert kinds(events) == ["RegistreringAnnulleret"]


def test_an_annulment_without_a_reason_is_refused() -> None:
    case = given(approved(), besoeg())
    refused(case, cmd("annullering", "2024-04-20", annulleret=3), paragraph="rettelse")
    refused(case, lambda: annul(case, 3, "2024-04-20", reason=None), paragraph="rettelse")


def test_an_annulled_visit_no_longer_counts_but_both_events_stay() -> None:
    case = given(approved(), besoeg("2024-04-15"), besoeg("2024-06-01"))
    assert case.offer().state.last_visit_on("2024-12-31") == "2024-06-01"
    events = annul(case, 4, "2024-06-05")
    assert kinds(events) == ["RegistreringAnnulleret"]
    assert (events[0].annulleret, events[0].correction_reason) == (4, "Fejlregistrering")
    offer = case.offer()
    assert kinds(offer.events) == ["AnsoegningModtaget", "Godkendt", "TilsynsbesoegGennemfoert",
                                   "TilsynsbesoegGennemfoert", "RegistreringAnnulleret"]
    assert offer.state.last_visit_on("2024-12-31") == "2024-04-15"


def test_an_annulled_paabud_is_no_longer_in_force_but_both_events_stay() -> None:
    case = with_paabud()
    annul(case, 4, "2024-09-25")
    assert case.offer().state.active_paabud_on("2024-09-30") == {}
    assert kinds(case.offer().events)[-2:] == ["PaabudUdstedt", "RegistreringAnnulleret"]


def test_annulling_a_paabud_that_was_later_met_is_refused() -> None:
    case = with_paabud().given(cmd("paabud-opfyldt", "2024-10-15", paabud="P1"))
    refused(case, lambda: annul(case, 4, "2024-10-20"), paragraph="rettelse")


def test_annulling_a_dialog_a_later_paabud_relied_on_is_refused() -> None:
    case = with_paabud()
    refused(case, lambda: annul(case, 3, "2024-09-25"), paragraph="rettelse")


def test_annulling_twice_is_refused() -> None:
    case = given(approved(), besoeg())
    annul(case, 3, "2024-04-20")
    refused(case, lambda: annul(case, 3, "2024-04-21"), paragraph="rettelse")


def test_an_annulment_cannot_itself_be_annulled() -> None:
    case = given(approved(), besoeg())
    annul(case, 3, "2024-04-20")
    refused(case, lambda: annul(case, 4, "2024-04-21"), paragraph="rettelse")


def test_annulling_an_event_that_does_not_exist_is_not_found() -> None:
    case = given(approved())
    refused(case, lambda: annul(case, 9, "2024-04-20"), NotFound, message="event #9 does not exist")


def test_the_application_that_opened_the_case_cannot_be_annulled_while_other_records_stand() -> None:
    case = given(approved())
    refused(case, lambda: annul(case, 1, "2024-04-20"), paragraph="rettelse")


def test_a_paabud_issued_after_an_annulled_one_gets_a_new_reference() -> None:
    case = with_paabud()
    annul(case, 4, "2024-09-25")
    events = case.run(paabud("2024-09-26"))
    assert events[0].paabud == "P2"


def test_annulling_an_approval_that_later_decisions_rely_on_is_refused() -> None:
    case = with_paabud()
    refused(case, lambda: annul(case, 2, "2024-09-25"), paragraph="rettelse")


# -- corrections: supersession ------------------------------------------------------------------
def test_a_superseding_visit_replaces_one_with_the_wrong_date() -> None:
    case = given(approved(), besoeg("2024-04-15"))
    events = case.run(besoeg("2024-04-16", supersedes=3, correction_reason="Forkert dato"))
    assert kinds(events) == ["TilsynsbesoegGennemfoert"]
    assert (events[0].supersedes, events[0].correction_reason) == (3, "Forkert dato")
    offer = case.offer()
    assert [str(e.effective_date) for e in offer.events[2:]] == ["2024-04-15", "2024-04-16"]
    assert offer.state.last_visit_on("2024-12-31") == "2024-04-16"
    assert offer.state.last_visit_on("2024-04-15") is None
    assert offer.state.visit_count == 1


def test_a_superseding_paabud_keeps_its_reference() -> None:
    case = with_paabud()
    events = case.run(paabud(frist="2024-12-01", supersedes=4, correction_reason="Forkert frist"))
    assert events[0].paabud == "P1"
    assert case.offer().state.active_paabud_on("2024-09-20")["P1"]["frist"] == "2024-12-01"


def test_a_superseding_command_of_another_kind_is_refused() -> None:
    case = given(approved(), dialog(), besoeg("2024-09-05"))
    command = paabud(supersedes=4, correction_reason="Skulle have været et påbud")
    refused(case, command, paragraph="rettelse")


def test_a_superseding_command_without_a_reason_is_refused() -> None:
    refused(given(approved(), besoeg()), besoeg("2024-04-16", supersedes=3), paragraph="rettelse")


def test_an_event_already_superseded_cannot_be_superseded_again() -> None:
    case = given(approved(), besoeg("2024-04-15"), besoeg("2024-04-16", supersedes=3, correction_reason="Forkert dato"))
    refused(case, besoeg("2024-04-17", supersedes=3, correction_reason="Igen"), paragraph="rettelse")


def test_a_superseding_command_is_judged_by_the_rules_like_a_new_one() -> None:
    case = with_paabud()
    refused(case, paabud(frist="2024-09-20", supersedes=4, correction_reason="Ny frist"), paragraph="bek § 7 stk 3")


def test_superseding_an_event_that_does_not_exist_is_not_found() -> None:
    refused(given(approved()), besoeg(supersedes=9, correction_reason="x"), NotFound, message="event #9 does not exist")
