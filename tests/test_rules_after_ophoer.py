"""Once an approval has ended by ophør, nothing but a new application can be recorded (lov § 5 stk 7;
for a chapter-2 party lov § 18 b stk 4): every kind of command is tried on an ophørt offer.

The exceptions are named, each with why it is not a decision on the offer, and each is shown to be
accepted where it is lawful: a new application; the complaint about the ophør itself and its handling
(side: Klagevejledning); telling the municipalities of the ophør (bek § 4 stk 4); the årsrapport for a
year the offer was approved (bek § 17) and a party's accounts (bek § 25), duties that outlive the
approval; and the annulment of a wrong record (a correction, not a legal act).
"""

from __future__ import annotations

from typing import Any

import pytest
from support import NOW, Case, ansoegning, approved, cmd, dialog, given, godkendelse, kinds, paabud, refused, skaerpet

from ledger.aggregates.base import Recording
from ledger.aggregates.employer import Arbejdsgiver
from ledger.commands import EMPLOYER_COMMANDS, OFFER_COMMANDS, parse_command
from ledger.errors import NotFound, RuleViolation
from ledger.events.base import LedgerEvent

DAY = "2025-01-20"  # ten days after the straks ophør took effect
STRAKS = "Akut risiko for borgernes sikkerhed"


def ophoert() -> Any:
    """#1 application, #2 approval with V1 (2024-03-01), #3 dialog D1, #4 påbud P1, #5 ophør straks on
    2025-01-10 (in effect that day)."""
    return given(
        ansoegning(), cmd("godkendelse", "2024-03-01", begrundelse="Opfylder betingelserne", vilkaar=[{"tekst": "Brandsyn"}]),
        dialog(), paabud(),
        cmd("ophoer", "2025-01-10", baggrund="kvalitet", begrundelse="Alvorlige fund", straks=True, straks_begrundelse=STRAKS),
    )


# One command of every kind an offer's case judges, dated after the ophør took effect.
OFFER_SAMPLES: dict[str, dict[str, Any]] = {
    "godkendelse": {"begrundelse": "Opfylder betingelserne"},
    "afslag": {"begrundelse": "Opfylder ikke betingelserne"},
    "vilkaar-opfyldt": {"vilkaar": "V1"},
    "vilkaar-aendret": {"vilkaar": "V1", "tekst": "Brandsyn for begge huse", "begrundelse": "Ny afdeling"},
    "vilkaar-ophaevet": {"vilkaar": "V1", "begrundelse": "Ikke længere relevant"},
    "fravigelse": {"anmodning_modtaget": "2025-01-15", "periode_til": "2025-03-01", "begrundelse": "Ombygning"},
    "fravigelse-bortfaldet": {"fravigelse": "F1"},
    "akut-forlaengelse": {"kommune": "Aalborg", "akut_fra": "2025-01-15", "forlaenget_til": "2025-02-20",
                          "begrundelse": "Borgeren kan ikke flyttes uden risiko"},
    "dialog": {"forhold": ["Medicinhåndtering"]},
    "dialog-svar": {"dialog": "D1", "resume": "Tilbuddet anerkender forholdet"},
    "paabud": {k: v for k, v in paabud(frist="2025-03-01").items() if k not in ("command", "offer", "date")},
    "paabudsfrist-forlaenget": {"paabud": "P1", "ny_frist": "2025-03-01", "anmodning_modtaget": "2025-01-15",
                                "saerlige_omstaendigheder": "Leder sygemeldt"},
    "paabud-opfyldt": {"paabud": "P1"},
    "paabud-ophaevet": {"paabud": "P1", "begrundelse": "Grundlaget er bortfaldet"},
    "skaerpet-tilsyn": {k: v for k, v in skaerpet(periode_til="2025-03-01", paabud=[
        {"forhold": "Døgnbemanding", "frist": "2025-02-15", "karakter": "organisatorisk"}]).items()
        if k not in ("command", "offer", "date")},
    "skaerpet-tilsyn-ophaevet": {"skaerpet_tilsyn": "S1", "begrundelse": "Forholdene er rettet"},
    "ophoer": {"baggrund": "kvalitet", "begrundelse": "Igen", "straks": True, "straks_begrundelse": STRAKS},
    "lukning": {},
    "tilsynsbesoeg": {"form": "uanmeldt"},
    "kvalitetsvurdering": {"anledning": "tilsyn", "indikatorer": {"1.a": 4}, "temaer": {"1": "God"}},
    "budget-indsendt": {"budgetaar": 2025},
    "koncernnote": {"budgetaar": 2025},
    "budget-afgoerelse": {"budgetaar": 2025, "godkendt": False, "begrundelse": "Budgettet hænger ikke sammen"},
    "oekonomisk-vurdering": {"konklusioner": {"baeredygtig": True, "kvalitet_for_prisen": True, "gennemsigtig": True}},
    "magtanvendelse": {"haendelsesdato": "2025-01-05", "reference": "MA-2025-001"},
    "klage": {"afgoerelse": 4, "klager": "Bostedet ApS", "afgoerelse_modtaget": "2025-01-12"},  # the påbud, not the ophør
    "aendring-ansoegt": {"beskrivelse": "Udvidelse", "pladser": 18},
    "aendring-afgoerelse": {"aendring": "Æ1", "godkendt": True, "begrundelse": "Forsvarligt"},
}

# The kinds that stay open after the ophør, and why (each shown to be accepted below).
OFFER_EXCEPTIONS = {
    "ansoegning": "a new application is what lov § 5 stk 7 leaves open",
    "klage": "the complaint about the ophør itself (a complaint about anything else is refused above)",
    "klage-genvurderet": "Socialtilsynet's reconsideration of a complaint: the complaint's handling, not a decision on the offer",
    "klage-videresendt": "forwarding a complaint to Ankestyrelsen: the complaint's handling",
    "ankestyrelsens-afgoerelse": "Ankestyrelsen's decision of a complaint: the complaint's handling",
    "kommuner-orienteret": "telling the municipalities of the ophør (bek § 4 stk 4) follows the decision, it is not one",
    "aarsrapport": "the årsrapport for a year the offer was approved is owed after the approval ends (bek § 17)",
    "magtanvendelse-vurderet": "assessing a use of force reported while the offer was approved records what happened then",
    "annullering": "a correction of the record, not a legal act on the offer",
}


def test_every_kind_of_offer_command_is_either_tried_on_an_ophoert_offer_or_a_named_exception() -> None:
    names = {c.NAME for c in OFFER_COMMANDS}
    assert set(OFFER_SAMPLES) | {k for k in OFFER_EXCEPTIONS if k != "klage"} == names
    assert not (set(OFFER_SAMPLES) - {"klage"}) & set(OFFER_EXCEPTIONS)


@pytest.mark.parametrize("name", sorted(OFFER_SAMPLES))
def test_a_decision_of_any_kind_on_an_ophoert_offer_is_refused_naming_lov_5_stk_7(name: str) -> None:
    case = ophoert()
    error = refused(case, cmd(name, DAY, **OFFER_SAMPLES[name]), paragraph="lov § 5 stk 7")
    assert "nothing but a new application can be recorded (lov § 5 stk 7)" in str(error)


def test_the_akut_forlaengelse_that_leaked_is_refused_whether_granted_or_refused() -> None:
    case = ophoert()
    for bevilget in (True, False):
        fields = {**OFFER_SAMPLES["akut-forlaengelse"], "bevilget": bevilget}
        if not bevilget:
            fields.pop("forlaenget_til")
        error = refused(case, cmd("akut-forlaengelse", DAY, **fields), paragraph="lov § 5 stk 7")
        assert "ended on 2025-01-10" in str(error)


def test_before_the_ophoer_takes_effect_decisions_are_still_judged_on_their_own_rules() -> None:
    case = given(approved(), dialog(), cmd("ophoer", "2025-01-10", baggrund="kvalitet", begrundelse="x", virkning_fra="2025-03-01"))
    assert kinds(case.run(cmd("tilsynsbesoeg", "2025-02-01", form="anmeldt"))) == ["TilsynsbesoegGennemfoert"]
    refused(case, cmd("tilsynsbesoeg", "2025-03-01", form="anmeldt"), paragraph="lov § 5 stk 7")


def test_the_complaint_about_the_ophoer_and_its_handling_stay_open() -> None:
    case = ophoert()
    assert kinds(case.run(cmd("klage", DAY, afgoerelse=5, klager="Bostedet ApS", afgoerelse_modtaget="2025-01-12"))) == ["KlageModtaget"]
    assert kinds(case.run(cmd("klage-genvurderet", "2025-01-25", klage="K1", udfald="fastholdt", begrundelse="Fastholdes"))) == ["KlageGenvurderet"]
    assert kinds(case.run(cmd("klage-videresendt", "2025-01-26", klage="K1"))) == ["KlageVideresendt"]
    assert kinds(case.run(cmd("ankestyrelsens-afgoerelse", "2025-03-01", klage="K1", udfald="stadfaestet", begrundelse="Stadfæstet"))) == ["AnkestyrelsensAfgoerelse"]


def test_a_complaint_about_another_decision_after_the_ophoer_is_refused() -> None:
    error = refused(ophoert(), cmd("klage", DAY, **OFFER_SAMPLES["klage"]), paragraph="lov § 5 stk 7")
    assert "besides the complaint about the ophør itself (#5)" in str(error)


def test_a_use_of_force_reported_while_approved_is_still_assessed_after_the_ophoer() -> None:
    case = given(
        ansoegning(), godkendelse(), dialog(), cmd("magtanvendelse", "2025-01-05", haendelsesdato="2025-01-04", reference="MA-1"),
        cmd("ophoer", "2025-01-10", baggrund="kvalitet", begrundelse="Alvorlige fund", straks=True, straks_begrundelse=STRAKS),
    )
    events = case.run(cmd("magtanvendelse-vurderet", DAY, magtanvendelse="M1", vurdering="ingen_bemaerkning"))
    assert kinds(events) == ["MagtanvendelseVurderet"]
    refused(case, cmd("magtanvendelse", DAY, haendelsesdato="2025-01-09", reference="MA-2"), paragraph="lov § 5 stk 7")


def test_the_municipalities_told_of_the_ophoer_the_aarsrapport_and_an_annulment_stay_open() -> None:
    case = ophoert()
    assert kinds(case.run(cmd("kommuner-orienteret", DAY, afgoerelse=5, kommuner=["Aalborg"]))) == ["KommunerOrienteret"]
    assert kinds(case.run(cmd("aarsrapport", "2025-04-20", aar=2024))) == ["AarsrapportIndsendt"]
    assert kinds(case.run(cmd("annullering", "2025-04-21", annulleret=7, correction_reason="Forkert år"))) == ["RegistreringAnnulleret"]


def test_a_new_application_after_the_ophoer_is_accepted_and_reopens_the_case() -> None:
    case = ophoert()
    assert kinds(case.run(ansoegning(DAY))) == ["AnsoegningModtaget"]
    assert case.status(DAY) == "ansoegt"
    assert kinds(case.run(cmd("tilsynsbesoeg", "2025-01-21", form="anmeldt"))) == ["TilsynsbesoegGennemfoert"]


# -- chapter 2 (lov § 18 b stk 4) -----------------------------------------------------------------
PART = "AG-1"


class PartyCase(Case):
    """The given/when/then harness for a chapter-2 party's case."""

    def run(self, data: dict[str, Any]) -> list[LedgerEvent]:
        command = parse_command(data)
        party = self.offers.setdefault(command.case_key(), Arbejdsgiver(Arbejdsgiver.id_for(command.case_key())))
        before = len(party.events)
        rec = Recording(recorded_at=NOW, recorded_by="test", rulebooks=self.rulebooks)
        getattr(party, command.HANDLER)(rec, **command.handler_kwargs())
        party.collect_events()
        return party.events[before:]


def party_ophoert() -> Any:
    def ag(name: str, date: str, **fields: Any) -> dict[str, Any]:
        return {"command": name, "part": PART, "date": date, **fields}

    return PartyCase().given(
        ag("arbejdsgiver-ansoegning", "2024-01-10", navn="Hjælperforeningen", virksomhedsform="forening", region="Nord",
           adresse="Boulevarden 5, 9000 Aalborg"),
        ag("arbejdsgiver-dialog", "2024-02-01", forhold=["Ansættelsesret"]),
        ag("arbejdsgiver-godkendelse", "2024-03-01", begrundelse="§ 20 er opfyldt", dokumentation="Kursusbevis",
           betingelser={"solvent": True, "kompetent_ledelse_og_supervision": True, "kendskab_til_ansaettelsesret": True},
           vilkaar=[{"tekst": "Supervision dokumenteres"}]),
        ag("arbejdsgiver-dialog", "2024-10-01", forhold=["Solvens"]),
        ag("arbejdsgiver-ophoer", "2024-11-01", baggrund="oekonomi", begrundelse="Ikke solvent", virkning_fra="2025-01-01"),
    )


EMPLOYER_SAMPLES: dict[str, dict[str, Any]] = {
    "arbejdsgiver-dialog": {"forhold": ["Solvens"]},
    "arbejdsgiver-godkendelse": {"begrundelse": "x", "dokumentation": "x", "betingelser": {
        "solvent": True, "kompetent_ledelse_og_supervision": True, "kendskab_til_ansaettelsesret": True}},
    "arbejdsgiver-afslag": {"begrundelse": "Ikke solvent"},
    "arbejdsgiver-vilkaar-opfyldt": {"vilkaar": "V1"},
    "arbejdsgiver-tilsyn": {"form": "uden_besoeg"},
    "arbejdsgiver-budget-indsendt": {"budgetaar": 2025},
    "arbejdsgiver-budget-afgoerelse": {"budgetaar": 2025, "godkendt": False, "begrundelse": "Nej"},
    "arbejdsgiver-ophoer": {"baggrund": "oekonomi", "begrundelse": "Igen", "virkning_fra": "2025-03-01"},
    "arbejdsgiver-lukning": {},
    "arbejdsgiver-aendring-ansoegt": {"beskrivelse": "Flere hjælpere"},
    "arbejdsgiver-aendring-afgoerelse": {"aendring": "Æ1", "godkendt": True, "begrundelse": "Godkendt"},
}
EMPLOYER_EXCEPTIONS = {
    "arbejdsgiver-ansoegning": "a new application",
    "arbejdsgiver-regnskab": "the audited accounts for a year of approval are owed after it ends (bek § 25)",
}


def test_every_kind_of_chapter_2_command_is_either_tried_on_an_ended_party_or_a_named_exception() -> None:
    assert set(EMPLOYER_SAMPLES) | set(EMPLOYER_EXCEPTIONS) == {c.NAME for c in EMPLOYER_COMMANDS}


@pytest.mark.parametrize("name", sorted(EMPLOYER_SAMPLES))
def test_a_decision_of_any_kind_on_a_party_whose_approval_ended_is_refused_naming_lov_18_b_stk_4(name: str) -> None:
    case = party_ophoert()
    data = {"command": name, "part": PART, "date": "2025-01-20", **EMPLOYER_SAMPLES[name]}
    error = refused(case, data, paragraph="lov § 18 b stk 4", offer=PART)
    assert "nothing but a new application can be recorded (lov § 18 b stk 4)" in str(error)


def test_a_party_whose_approval_ended_still_sends_its_accounts_and_may_apply_again() -> None:
    case = party_ophoert()
    events = case.run({"command": "arbejdsgiver-regnskab", "part": PART, "date": "2025-04-10", "regnskabsaar": 2024})
    assert kinds(events) == ["RegnskabIndsendt"]
    events = case.run({"command": "arbejdsgiver-ansoegning", "part": PART, "date": "2025-04-11", "navn": "Hjælperforeningen",
                       "virksomhedsform": "forening", "region": "Nord", "adresse": "Boulevarden 5, 9000 Aalborg"})
    assert kinds(events) == ["ArbejdsgiverAnsoegt"]


def test_the_refusal_is_a_rule_violation_not_malformed_input() -> None:
    error = refused(ophoert(), cmd("akut-forlaengelse", DAY, **OFFER_SAMPLES["akut-forlaengelse"]))
    assert isinstance(error, RuleViolation) and error.exit_code == 3


# -- refusals of what does not exist name the rule they need (exit 4) ------------------------------
@pytest.mark.parametrize("name", ["vilkaar-opfyldt", "vilkaar-aendret", "vilkaar-ophaevet"])
def test_a_vilkaar_that_does_not_exist_is_not_found_naming_bek_1_stk_3(name: str) -> None:
    fields = {"vilkaar": "V9", "tekst": "Brandsyn", "begrundelse": "x"} if name == "vilkaar-aendret" else (
        {"vilkaar": "V9", "begrundelse": "x"} if name == "vilkaar-ophaevet" else {"vilkaar": "V9"})
    case = given(ansoegning(), cmd("godkendelse", "2024-03-01", begrundelse="Ok", vilkaar=[{"tekst": "Brandsyn"}]))
    error = refused(case, cmd(name, "2024-04-01", **fields), NotFound)
    assert str(error).startswith("bek § 1 stk 3: vilkår V9 does not exist in this case (its vilkår: V1)")
    assert error.exit_code == 4


@pytest.mark.parametrize("name", ["godkendelse", "afslag"])
def test_a_decision_on_an_offer_with_no_case_says_it_needs_an_application_naming_bek_1_stk_1(name: str) -> None:
    error = refused(given(), cmd(name, "2024-04-01", begrundelse="x"), NotFound)
    assert "a decision needs a written application first (bek § 1 stk 1)" in str(error)
    assert error.exit_code == 4
