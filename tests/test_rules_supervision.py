"""The rules of supervisory decisions: dialog, påbud, skærpet tilsyn (with the versioned rulebook),
ophør and lukning.

Given events, when a command, then events or a refusal that names its paragraph and appends nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
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
    kinds,
    ophoer,
    paabud,
    refused,
    skaerpet,
)

from ledger.aggregates.base import Recording
from ledger.errors import NotFound
from ledger.rulebook import Rulebooks, load_rulebooks

BEK_2017 = Path(__file__).resolve().parents[1] / "ledger" / "rulebook" / "versions" / "bek-2017.json"
STRAKS = "Mistanke om strafbare forhold over for borgerne"


def flags(case: Case, day: str) -> list[str]:
    return case.offer().state.flags_on(day)


def supervised() -> Case:
    """An approved offer (2024-03-01) with a dialog about the forhold opened 2024-09-01 (D1)."""
    return given(approved(), dialog())


# -- 7: dialog ----------------------------------------------------------------------------------
def test_a_dialog_about_named_forhold_is_opened() -> None:
    events = given(approved()).run(dialog(forhold=["Medicinhåndtering", "Døgnbemanding"]))
    assert kinds(events) == ["DialogIndledt"]
    assert (events[0].dialog, events[0].forhold) == ("D1", ("Medicinhåndtering", "Døgnbemanding"))


@pytest.mark.parametrize("forhold", [[], ["   "]], ids=["none", "blank"])
def test_a_dialog_command_without_forhold_is_refused(forhold: list[str]) -> None:
    error = refused(given(approved()), dialog(forhold=forhold), paragraph="bek § 8 stk 1")
    assert "a dialog names the forhold (concerns) it is about" in str(error)


def test_the_aggregate_refuses_a_dialog_without_forhold() -> None:
    case = given(approved())
    rec = Recording(recorded_at=NOW, recorded_by="test", rulebooks=case.rulebooks)
    call = lambda: case.offer().indled_dialog(rec, date=dt.date(2024, 9, 1), forhold=["  "])  # noqa: E731
    refused(case, call, paragraph="bek § 8 stk 1")


def test_a_dialog_svarfrist_on_the_day_it_opens_is_refused() -> None:
    refused(given(approved()), dialog(svarfrist="2024-09-01"), paragraph="bek § 8 stk 1")


def test_the_offers_reply_in_a_dialog_is_recorded() -> None:
    events = supervised().run(cmd("dialog-svar", "2024-09-10", dialog="D1", resume="Tilbuddet anerkender forholdet"))
    assert kinds(events) == ["DialogSvarModtaget"]
    assert events[0].dialog == "D1"


def test_a_reply_in_an_unknown_dialog_is_not_found() -> None:
    refused(supervised(), cmd("dialog-svar", "2024-09-10", dialog="D9", resume="x"), NotFound, message="dialog D9 does not exist")


# -- 8: påbud -----------------------------------------------------------------------------------
def test_a_paabud_after_prior_dialog_is_issued() -> None:
    case = supervised()
    events = case.run(paabud(kommuner_orienteret=["Aalborg"]))
    assert kinds(events) == ["PaabudUdstedt"]
    event = events[0]
    assert (event.paabud, str(event.frist), event.karakter.value) == ("P1", "2024-11-01", "faglig")
    assert (event.dialog, event.straks, event.kommuner_orienteret) == (("D1",), False, ("Aalborg",))
    assert list(case.offer().state.active_paabud_on("2024-09-20")) == ["P1"]
    assert "paabud" in flags(case, "2024-09-20")


def test_a_paabud_for_an_offer_that_is_not_approved_is_refused() -> None:
    case = given(ansoegning(), dialog("2024-01-20"))
    refused(case, paabud("2024-02-01", frist="2024-03-01"), paragraph="bek § 7 stk 1")


@pytest.mark.parametrize("frist", ["2024-09-20", "2024-09-19"], ids=["same-day", "before"])
def test_a_paabud_whose_frist_is_not_after_the_decision_is_refused(frist: str) -> None:
    refused(supervised(), paabud(frist=frist), paragraph="bek § 7 stk 3")


def test_a_paabud_without_frist_is_refused() -> None:
    refused(supervised(), paabud(frist=None), paragraph="bek § 7 stk 3")


def test_a_paabud_without_prior_dialog_is_refused() -> None:
    refused(given(approved()), paabud(), paragraph="bek § 8 stk 1")


def test_a_dialog_opened_the_same_day_is_not_prior_dialog() -> None:
    refused(given(approved(), dialog("2024-09-20")), paabud(), paragraph="bek § 8 stk 1")


def test_naming_a_dialog_opened_the_same_day_is_refused() -> None:
    refused(given(approved(), dialog("2024-09-20")), paabud(dialog=["D1"]), paragraph="bek § 8 stk 1")


def test_a_paabud_naming_a_dialog_that_does_not_exist_is_not_found() -> None:
    refused(supervised(), paabud(dialog=["D9"]), NotFound, message="dialog D9 does not exist")


def test_a_paabud_decided_straks_with_its_reason_needs_no_dialog() -> None:
    events = given(approved()).run(paabud(straks=True, straks_grund="strafbare_forhold", straks_begrundelse=STRAKS))
    assert kinds(events) == ["PaabudUdstedt"]
    assert (events[0].straks, events[0].straks_grund.value, events[0].dialog) == (True, "strafbare_forhold", ())


def test_a_paabud_decided_straks_without_a_reason_is_refused() -> None:
    refused(given(approved()), paabud(straks=True), paragraph="bek § 8 stk 1")


def test_a_paabud_when_the_offer_is_not_expected_to_rectify_is_refused() -> None:
    refused(supervised(), paabud(forventes_rettet=False), paragraph="bek § 8 stk 2")


def test_a_paabud_without_begrundelse_is_refused() -> None:
    refused(supervised(), paabud(begrundelse=None), paragraph="bek § 1 stk 2")


# -- 9: påbudsfrist forlænget -------------------------------------------------------------------
def forlaeng(date: str = "2024-10-25", **fields: Any) -> dict[str, Any]:
    fields.setdefault("paabud", "P1")
    fields.setdefault("ny_frist", "2024-12-01")
    fields.setdefault("anmodning_modtaget", "2024-10-20")
    fields.setdefault("saerlige_omstaendigheder", "Leder sygemeldt")
    return cmd("paabudsfrist-forlaenget", date, **fields)


def test_a_paabudsfrist_is_extended_on_the_offers_request() -> None:
    case = supervised().given(paabud())
    events = case.run(forlaeng())
    assert kinds(events) == ["PaabudFristForlaenget"]
    event = events[0]
    assert (str(event.tidligere_frist), str(event.ny_frist)) == ("2024-11-01", "2024-12-01")
    assert event.saerlige_omstaendigheder == "Leder sygemeldt"
    state = case.offer().state
    assert state.active_paabud_on("2024-10-24")["P1"]["frist"] == "2024-11-01"
    assert state.active_paabud_on("2024-10-25")["P1"]["frist"] == "2024-12-01"


def test_a_paabudsfrist_extended_without_the_offers_request_is_refused() -> None:
    refused(supervised().given(paabud()), forlaeng(anmodning_modtaget=None), paragraph="bek § 7 stk 3")


def test_a_paabudsfrist_request_after_the_decision_is_refused() -> None:
    refused(supervised().given(paabud()), forlaeng(anmodning_modtaget="2024-10-26"), paragraph="bek § 7 stk 3")


def test_a_paabudsfrist_extended_without_special_circumstances_is_refused() -> None:
    refused(supervised().given(paabud()), forlaeng(saerlige_omstaendigheder=None), paragraph="bek § 7 stk 3")


@pytest.mark.parametrize("ny_frist", ["2024-11-01", "2024-10-30"], ids=["same", "earlier"])
def test_a_paabudsfrist_that_is_not_later_than_the_old_is_refused(ny_frist: str) -> None:
    refused(supervised().given(paabud()), forlaeng(ny_frist=ny_frist), paragraph="bek § 7 stk 3")


def test_the_frist_of_a_paabud_no_longer_in_force_cannot_be_extended() -> None:
    case = supervised().given(paabud(), cmd("paabud-opfyldt", "2024-10-15", paabud="P1"))
    refused(case, forlaeng(), paragraph="bek § 7")


def test_the_frist_of_an_unknown_paabud_is_not_found() -> None:
    refused(supervised().given(paabud()), forlaeng(paabud="P9"), NotFound, message="påbud P9 does not exist")


# -- 10: påbud opfyldt / ophævet ----------------------------------------------------------------
def test_a_paabud_met_is_no_longer_in_force() -> None:
    case = supervised().given(paabud())
    events = case.run(cmd("paabud-opfyldt", "2024-10-15", paabud="P1"))
    assert kinds(events) == ["PaabudOpfyldt"]
    assert "paabud" in flags(case, "2024-10-14")
    assert case.offer().state.active_paabud_on("2024-10-15") == {}


def test_a_paabud_lifted_is_no_longer_in_force_and_municipalities_are_recorded() -> None:
    case = supervised().given(paabud())
    events = case.run(
        cmd("paabud-ophaevet", "2024-10-15", paabud="P1", begrundelse="Grundlaget er bortfaldet",
            kommuner_orienteret=["Aalborg"])
    )
    assert kinds(events) == ["PaabudOphaevet"]
    assert events[0].kommuner_orienteret == ("Aalborg",)
    assert case.offer().state.active_paabud_on("2024-10-15") == {}


def test_a_paabud_lifted_without_begrundelse_is_refused() -> None:
    refused(supervised().given(paabud()), cmd("paabud-ophaevet", "2024-10-15", paabud="P1"), paragraph="bek § 1 stk 2")


@pytest.mark.parametrize(
    "command",
    [
        cmd("paabud-opfyldt", "2024-10-20", paabud="P1"),
        cmd("paabud-ophaevet", "2024-10-20", paabud="P1", begrundelse="x"),
    ],
    ids=["opfyldt", "ophaevet"],
)
def test_a_paabud_that_is_no_longer_in_force_cannot_be_met_or_lifted(command: dict[str, Any]) -> None:
    case = supervised().given(paabud(), cmd("paabud-opfyldt", "2024-10-15", paabud="P1"))
    refused(case, command, paragraph="bek § 7")


def test_meeting_an_unknown_paabud_is_not_found() -> None:
    refused(supervised().given(paabud()), cmd("paabud-opfyldt", "2024-10-15", paabud="P9"), NotFound, message="påbud P9 does not exist")


# -- 11: skærpet tilsyn -------------------------------------------------------------------------
def test_a_skaerpet_tilsyn_with_an_inline_paabud_emits_the_paabud_first() -> None:
    case = supervised()
    events = case.run(skaerpet(kommuner_orienteret=["Aalborg"]))
    assert kinds(events) == ["PaabudUdstedt", "SkaerpetTilsynIvaerksat"]
    issued, started = events
    assert (issued.paabud, issued.skaerpet_tilsyn, str(issued.frist)) == ("P1", "S1", "2024-11-15")
    assert issued.karakter.value == "organisatorisk"
    assert (started.skaerpet_tilsyn, started.paabud, started.dialog) == ("S1", ("P1",), ("D1",))
    assert (str(started.periode_fra), str(started.periode_til), started.baggrund.value) == (
        "2024-10-01", "2024-12-31", "kvalitet")
    assert started.kommuner_orienteret == ("Aalborg",)
    assert {"paabud", "skaerpet_tilsyn"} <= set(flags(case, "2024-10-01"))


def test_a_skaerpet_tilsyn_of_exactly_the_rulebooks_three_months_is_accepted() -> None:
    events = supervised().run(skaerpet(periode_til="2025-01-01"))
    assert str(events[-1].periode_til) == "2025-01-01"
    assert events[-1].rulebook == "bek-2017"


def test_skaerpet_tilsyn_longer_than_the_rulebook_allows_is_refused() -> None:
    error = refused(supervised(), skaerpet(periode_til="2025-01-02"), paragraph="bek § 6 stk 2")
    assert "bek-2017" in str(error)


def test_a_skaerpet_tilsyn_for_an_offer_that_is_not_approved_is_refused() -> None:
    case = given(ansoegning(), dialog("2024-01-20"))
    refused(case, skaerpet("2024-02-01", periode_til="2024-04-01"), paragraph="bek § 6 stk 1")


def test_a_skaerpet_tilsyn_period_beginning_before_the_decision_is_refused() -> None:
    refused(supervised(), skaerpet(periode_fra="2024-09-30"), paragraph="bek § 6 stk 2")


def test_a_skaerpet_tilsyn_period_ending_before_it_begins_is_refused() -> None:
    refused(supervised(), skaerpet(periode_til="2024-10-01"), paragraph="bek § 6 stk 2")


def test_a_skaerpet_tilsyn_without_a_paabud_is_refused() -> None:
    refused(supervised(), skaerpet(paabud=[]), paragraph="bek § 6 stk 3")


def test_a_skaerpet_tilsyn_may_name_a_paabud_issued_the_same_day() -> None:
    case = supervised().given(paabud("2024-10-01", frist="2024-11-15"))
    events = case.run(skaerpet(paabud=[], paabud_refs=["P1"]))
    assert kinds(events) == ["SkaerpetTilsynIvaerksat"]
    assert events[0].paabud == ("P1",)


def test_a_skaerpet_tilsyn_naming_an_older_paabud_is_refused() -> None:
    case = supervised().given(paabud())
    refused(case, skaerpet(paabud=[], paabud_refs=["P1"]), paragraph="bek § 6 stk 3")


def test_a_skaerpet_tilsyn_naming_an_unknown_paabud_is_not_found() -> None:
    refused(supervised(), skaerpet(paabud=[], paabud_refs=["P9"]), NotFound, message="påbud P9 is not in force")


def test_a_skaerpet_tilsyn_whose_inline_paabud_has_no_later_frist_is_refused() -> None:
    command = skaerpet(paabud=[{"forhold": "Døgnbemanding", "frist": "2024-10-01"}])
    refused(supervised(), command, paragraph="bek § 7 stk 3")


def test_a_skaerpet_tilsyn_without_prior_dialog_is_refused() -> None:
    refused(given(approved()), skaerpet(), paragraph="bek § 8 stk 1")


def test_a_skaerpet_tilsyn_decided_straks_with_its_reason_needs_no_dialog() -> None:
    events = given(approved()).run(skaerpet(straks=True, straks_grund="akut_risiko", straks_begrundelse=STRAKS))
    assert kinds(events) == ["PaabudUdstedt", "SkaerpetTilsynIvaerksat"]
    assert all(e.straks for e in events)
    assert events[1].straks_grund.value == "akut_risiko"


def test_a_skaerpet_tilsyn_decided_straks_without_a_reason_is_refused() -> None:
    refused(given(approved()), skaerpet(straks=True), paragraph="bek § 8 stk 1")


def test_a_skaerpet_tilsyn_when_the_offer_is_not_expected_to_rectify_is_refused() -> None:
    refused(supervised(), skaerpet(forventes_rettet=False), paragraph="bek § 8 stk 2")


def test_a_skaerpet_tilsyn_overlapping_the_running_one_is_refused() -> None:
    case = supervised().given(skaerpet())
    command = skaerpet("2024-12-01", periode_til="2025-02-28", paabud=[{"forhold": "Ny plan", "frist": "2025-01-15"}])
    refused(case, command, paragraph="bek § 6 stk 2")


def test_a_renewal_starting_on_the_last_day_of_the_current_period_is_refused() -> None:
    case = supervised().given(skaerpet())
    renewal = skaerpet("2024-12-15", periode_fra="2024-12-31", periode_til="2025-03-30",
                       paabud=[{"forhold": "Ny plan", "frist": "2025-01-15"}])
    refused(case, renewal, paragraph="bek § 6 stk 2")


def test_a_renewal_starting_after_the_current_period_is_accepted() -> None:
    case = supervised().given(skaerpet())
    renewal = skaerpet("2024-12-15", periode_fra="2025-01-01", periode_til="2025-03-31",
                       paabud=[{"forhold": "Ny plan", "frist": "2025-01-15"}])
    events = case.run(renewal)
    assert kinds(events) == ["PaabudUdstedt", "SkaerpetTilsynIvaerksat"]
    assert (events[1].skaerpet_tilsyn, events[1].paabud) == ("S2", ("P2",))
    state = case.offer().state
    assert list(state.active_skaerpet_on("2024-12-31")) == ["S1"]
    assert list(state.active_skaerpet_on("2025-01-01")) == ["S2"]


def test_a_skaerpet_tilsyn_overlapping_an_already_decided_renewal_is_refused() -> None:
    case = supervised().given(
        skaerpet(),
        skaerpet("2024-12-15", periode_fra="2025-01-01", periode_til="2025-03-31",
                 paabud=[{"forhold": "Ny plan", "frist": "2025-01-15"}]),
    )
    duplicate = skaerpet("2024-12-16", periode_fra="2025-01-01", periode_til="2025-03-31",
                         paabud=[{"forhold": "Endnu en plan", "frist": "2025-01-15"}])
    refused(case, duplicate, paragraph="bek § 6 stk 2")


def test_a_skaerpet_tilsyn_lapses_after_its_end_date_without_any_event() -> None:
    case = supervised().given(skaerpet())
    version = case.offer().version
    assert "skaerpet_tilsyn" in flags(case, "2024-12-31")
    assert "skaerpet_tilsyn" not in flags(case, "2025-01-01")
    assert case.offer().state.describe_on(dt.date(2025, 1, 1))["skaerpet_tilsyn"] == {}
    assert case.offer().version == version


def test_a_skaerpet_tilsyn_lifted_before_its_end_ends_it() -> None:
    case = supervised().given(skaerpet())
    events = case.run(cmd("skaerpet-tilsyn-ophaevet", "2024-11-20", skaerpet_tilsyn="S1", begrundelse="Rettet"))
    assert kinds(events) == ["SkaerpetTilsynOphaevet"]
    assert "skaerpet_tilsyn" not in flags(case, "2024-11-20")


def test_a_skaerpet_tilsyn_that_has_lapsed_cannot_be_lifted() -> None:
    case = supervised().given(skaerpet())
    command = cmd("skaerpet-tilsyn-ophaevet", "2025-01-05", skaerpet_tilsyn="S1", begrundelse="Rettet")
    refused(case, command, paragraph="bek § 6 stk 2")


def test_lifting_an_unknown_skaerpet_tilsyn_is_not_found() -> None:
    command = cmd("skaerpet-tilsyn-ophaevet", "2024-11-20", skaerpet_tilsyn="S9", begrundelse="Rettet")
    refused(supervised().given(skaerpet()), command, NotFound, message="skærpet tilsyn S9 does not exist")


# -- the versioned rulebook ---------------------------------------------------------------------
@pytest.fixture
def rules_2024(tmp_path: Path) -> Rulebooks:
    """bek-2017 plus a version from 2024-07-01 that allows skærpet tilsyn for 6 months."""
    version = json.loads(BEK_2017.read_text(encoding="utf-8"))
    version.update(id="lov-2024-test", title="Test: skærpet tilsyn i 6 måneder", valid_from="2024-07-01",
                   skaerpet_tilsyn_max_months=6)
    (tmp_path / "lov-2024-test.json").write_text(json.dumps(version), encoding="utf-8")
    return load_rulebooks(extra_dir=tmp_path)


def five_months(date: str, til: str) -> dict[str, Any]:
    return skaerpet(date, periode_til=til, paabud=[{"forhold": "Døgnbemanding", "frist": til}])


def test_the_rulebook_in_force_on_the_effective_date_judges_the_case(rules_2024: Rulebooks) -> None:
    assert [r.id for r in rules_2024.versions] == ["bek-2017", "lov-2024-test"]
    case = given(approved(), dialog("2024-05-01"), rulebooks=rules_2024)
    error = refused(case, five_months("2024-06-10", "2024-11-10"), paragraph="bek § 6 stk 2")
    assert "bek-2017" in str(error) and "3 months" in str(error)
    events = case.run(five_months("2024-08-01", "2025-01-01"))
    assert kinds(events) == ["PaabudUdstedt", "SkaerpetTilsynIvaerksat"]
    assert str(events[1].periode_til) == "2025-01-01"
    assert [e.rulebook for e in events] == ["lov-2024-test", "lov-2024-test"]


def test_a_case_decided_before_the_new_version_keeps_the_old_rulebook(rules_2024: Rulebooks) -> None:
    case = given(approved(), dialog("2024-05-01"), rulebooks=rules_2024)
    events = case.run(skaerpet("2024-06-10", periode_til="2024-09-10"))
    assert events[-1].rulebook == "bek-2017"


def test_the_new_version_still_has_a_limit(rules_2024: Rulebooks) -> None:
    case = given(approved(), dialog("2024-05-01"), rulebooks=rules_2024)
    error = refused(case, skaerpet("2024-08-01", periode_til="2025-02-02"), paragraph="bek § 6 stk 2")
    assert "lov-2024-test" in str(error)


# -- 12: ophør ----------------------------------------------------------------------------------
def test_an_ophoer_after_dialog_with_a_later_effective_date_is_decided() -> None:
    case = supervised()
    events = case.run(ophoer(kommuner_underrettet=["Aalborg"]))
    assert kinds(events) == ["GodkendelseOphoert"]
    event = events[0]
    assert (str(event.virkning_fra), event.straks, event.dialog) == ("2025-03-01", False, ("D1",))
    assert (event.baggrund.value, event.kommuner_underrettet) == ("kvalitet", ("Aalborg",))


def test_an_ophoer_without_prior_dialog_is_refused() -> None:
    refused(given(approved()), ophoer(), paragraph="bek § 4 stk 1")


def test_an_ophoer_without_an_effective_date_is_refused() -> None:
    refused(supervised(), ophoer(virkning_fra=None), paragraph="bek § 4 stk 2")


def test_an_ophoer_taking_effect_on_its_decision_day_without_straks_is_refused() -> None:
    refused(supervised(), ophoer(virkning_fra="2025-01-10"), paragraph="bek § 4 stk 2")


def test_an_ophoer_decided_straks_takes_effect_the_same_day() -> None:
    case = given(approved())
    events = case.run(ophoer(straks=True, straks_begrundelse=STRAKS))
    assert (str(events[0].virkning_fra), events[0].straks) == ("2025-01-10", True)
    assert case.status("2025-01-09") == "godkendt"
    assert case.status("2025-01-10") == "ophoert"


def test_an_ophoer_decided_straks_with_another_effective_date_is_refused() -> None:
    command = ophoer(straks=True, straks_begrundelse=STRAKS, virkning_fra="2025-03-01")
    refused(given(approved()), command, paragraph="bek § 4 stk 3")


def test_an_ophoer_decided_straks_without_a_reason_is_refused() -> None:
    refused(given(approved()), ophoer(straks=True), paragraph="bek § 4 stk 1")


def test_an_ophoer_for_an_offer_that_is_not_approved_is_refused() -> None:
    case = given(ansoegning(), dialog("2024-01-20"))
    refused(case, ophoer("2024-02-01", virkning_fra="2024-03-01"), paragraph="bek § 4")


def test_a_second_ophoer_while_one_is_pending_is_refused() -> None:
    case = supervised().given(ophoer())
    refused(case, ophoer("2025-01-20", virkning_fra="2025-02-15"), paragraph="bek § 4 stk 2")


def test_before_its_effective_date_an_ophoer_leaves_the_offer_approved_with_a_flag() -> None:
    case = supervised().given(ophoer())
    assert case.status("2025-02-28") == "godkendt"
    assert "ophoer_besluttet" in flags(case, "2025-02-28")
    assert case.status("2025-03-01") == "ophoert"
    assert flags(case, "2025-03-01") == []


@pytest.mark.parametrize(
    ("command", "paragraph"),
    [
        (paabud("2025-03-10", frist="2025-04-01"), "lov § 5 stk 7"),
        (besoeg("2025-03-10"), "lov § 5 stk 7"),
        (cmd("fravigelse", "2025-03-10", anmodning_modtaget="2025-03-05", periode_til="2025-04-01",
             begrundelse="x"), "lov § 5 stk 7"),
        (dialog("2025-03-10"), "lov § 5 stk 7"),
        (skaerpet("2025-03-10", periode_til="2025-05-01"), "lov § 5 stk 7"),
    ],
    ids=["paabud", "tilsynsbesoeg", "fravigelse", "dialog", "skaerpet-tilsyn"],
)
def test_after_an_ophoer_only_a_new_application_can_be_recorded(command: dict[str, Any], paragraph: str) -> None:
    case = supervised().given(ophoer())
    error = refused(case, command, paragraph=paragraph)
    assert "nothing but a new application can be recorded" in str(error)


def test_an_offer_closing_itself_ends_the_approval_without_a_revocation() -> None:
    case = given(approved())
    events = case.run(cmd("lukning", "2024-12-01", virkning_fra="2024-12-31"))
    assert kinds(events) == ["TilbudLukket"]
    assert str(events[0].virkning_fra) == "2024-12-31"
    assert case.status("2024-12-30") == "godkendt"
    assert case.status("2024-12-31") == "ophoert"
    ended = case.offer().state.describe_on(dt.date(2024, 12, 31))["ophoert"]
    assert ended["af"] == "tilbuddet"
    assert ended["baggrund"] is None


def test_an_ophoer_decided_by_socialtilsynet_is_a_revocation() -> None:
    case = supervised().given(ophoer())
    ended = case.offer().state.describe_on(dt.date(2025, 3, 1))["ophoert"]
    assert (ended["af"], ended["baggrund"]) == ("socialtilsynet", "kvalitet")


def test_a_lukning_for_an_offer_that_is_not_approved_is_refused() -> None:
    refused(given(ansoegning()), cmd("lukning", "2024-02-01"), paragraph="lov § 5 stk 1")


def test_a_lukning_taking_effect_before_it_is_recorded_as_decided_is_refused() -> None:
    refused(given(approved()), cmd("lukning", "2024-12-01", virkning_fra="2024-11-30"), paragraph="lov § 5 stk 1")
