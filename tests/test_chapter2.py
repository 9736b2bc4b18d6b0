"""Chapter 2 of the order: associations and private companies that employ in SEL §§ 95-96
schemes (bek §§ 19-25, 30): their own rules, in status, history, deadlines, statistics and fees,
never on the Tilbudsportal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from support import approved

from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.errors import LedgerError, NotFound, RuleViolation
from ledger.projections.cases import read_states
from ledger.projections.runner import up_to_date
from ledger.reports.deadlines import offer_deadlines
from ledger.reports.portal import public_view
from ledger.rulebook import load_rulebooks

PART = "AG-301"
CONDITIONS = {"solvent": True, "kompetent_ledelse_og_supervision": True, "kendskab_til_ansaettelsesret": True}


def c(command: str, date: str, part: str = PART, **fields: Any) -> dict[str, Any]:
    return {"command": f"arbejdsgiver-{command}", "part": part, "date": date, **fields}


def application(part: str = PART, date: str = "2024-02-01") -> dict[str, Any]:
    return c("ansoegning", date, part, navn="Hjælperforeningen Nord", virksomhedsform="forening", region="Nord",
             adresse="Boulevarden 5, 9000 Aalborg")


def approval(date: str = "2024-03-15", part: str = PART, **fields: Any) -> dict[str, Any]:
    fields.setdefault("betingelser", CONDITIONS)
    fields.setdefault("dokumentation", "Kursusbevis i ansættelsesret, 2023")
    fields.setdefault("begrundelse", "Betingelserne i bek § 20 er opfyldt.")
    return c("godkendelse", date, part, **fields)


def approved_party(part: str = PART) -> list[dict[str, Any]]:
    return [application(part), c("dialog", "2024-02-20", part, forhold=["Dokumentation for kendskab til ansættelsesret"]), approval(part=part)]


def run(app: Ledger, *commands: dict[str, Any]) -> None:
    app.execute([parse_command(data) for data in commands])


def refused(app: Ledger, command: dict[str, Any], paragraph: str, kind: type[LedgerError] = RuleViolation) -> LedgerError:
    before = app.party(command["part"]).version if command["command"] != "arbejdsgiver-ansoegning" else None
    with pytest.raises(kind) as caught:
        run(app, command)
    if isinstance(caught.value, RuleViolation):
        assert caught.value.paragraph == paragraph, caught.value
    if before is not None:
        assert app.party(command["part"]).version == before
    return caught.value


def test_a_party_goes_through_approval_and_ophoer(app: Ledger) -> None:
    run(app, *approved_party())
    party = app.party(PART)
    assert party.state.status_on("2024-03-15") == "godkendt"
    assert [type(e).__name__ for e in party.events] == ["ArbejdsgiverAnsoegt", "DialogIndledt", "ArbejdsgiverGodkendt"]
    assert party.events[1].paragraph == "bek § 19 stk 1, § 21 stk 1"
    run(
        app,
        c("tilsyn", "2024-10-01", form="uden_besoeg"),
        c("budget-indsendt", "2024-09-20", budgetaar=2025),
        c("budget-afgoerelse", "2024-12-10", budgetaar=2025, godkendt=True,
          kriterier={"ingen_uvedkommende_poster": True, "ansvarlig_forvaltning": True}),
        c("regnskab", "2025-04-10", regnskabsaar=2024),
        c("dialog", "2025-04-15", forhold=["Foreningen er ikke længere solvent"]),
        c("ophoer", "2025-05-01", virkning_fra="2025-08-01", baggrund="oekonomi", begrundelse="Ikke solvent",
          kommuner_underrettet=["Aalborg"], borgere_underrettet=14),
    )
    state = app.party(PART).state
    assert state.status_on("2025-07-31") == "godkendt" and state.flags_on("2025-07-31") == ["ophoer_besluttet"]
    assert state.status_on("2025-08-01") == "ophoert"
    assert state.regnskaber == {"2024": "2025-04-10"}


def test_an_approval_needs_a_dialog_with_the_applicant(app: Ledger) -> None:
    run(app, application())
    refused(app, approval(), "bek § 19 stk 1")


@pytest.mark.parametrize("condition", sorted(CONDITIONS))
def test_an_approval_needs_every_condition_of_paragraph_20(app: Ledger, condition: str) -> None:
    run(app, application(), c("dialog", "2024-02-20", forhold=["x"]))
    error = refused(app, approval(betingelser={**CONDITIONS, condition: False}), "bek § 20")
    assert "not met" in str(error)


def test_knowledge_of_employment_law_is_documented(app: Ledger) -> None:
    run(app, application(), c("dialog", "2024-02-20", forhold=["x"]))
    refused(app, approval(dokumentation=None), "bek § 20 nr 3")


def test_an_ophoer_of_a_chapter_2_party_can_never_be_straks(app: Ledger) -> None:
    run(app, *approved_party())
    error = refused(
        app,
        c("ophoer", "2025-05-01", baggrund="strafbare_forhold", begrundelse="Mistanke om underslæb", straks=True,
          straks_begrundelse="Politiet efterforsker ledelsen"),
        "bek § 21",
    )
    assert "cannot be ended straks" in str(error)


def test_an_ophoer_needs_dialog_and_a_later_effective_date(app: Ledger) -> None:
    run(app, *approved_party())
    refused(app, c("ophoer", "2025-05-01", virkning_fra="2025-08-01", baggrund="oekonomi", begrundelse="x"), "bek § 21 stk 1")
    run(app, c("dialog", "2025-04-15", forhold=["Økonomien"]))
    refused(app, c("ophoer", "2025-05-01", baggrund="oekonomi", begrundelse="x"), "bek § 21 stk 2")
    refused(app, c("ophoer", "2025-05-01", virkning_fra="2025-05-01", baggrund="oekonomi", begrundelse="x"), "bek § 21 stk 2")


def test_budgets_from_2019_and_accounts_from_2018_as_the_rulebook_says(app: Ledger) -> None:
    run(app, application(date="2018-02-01"), c("dialog", "2018-02-20", forhold=["x"]), approval(date="2018-03-15"))
    refused(app, c("budget-indsendt", "2018-09-20", budgetaar=2018), "bek § 33 stk 3")
    run(app, c("budget-indsendt", "2018-09-20", budgetaar=2019))
    refused(app, c("regnskab", "2018-04-10", regnskabsaar=2017), "bek § 33 stk 4")
    run(app, c("regnskab", "2019-04-10", regnskabsaar=2018))


def test_the_chapter_2_budget_years_are_data_in_the_rulebook(tmp_path: Path, app: Ledger) -> None:
    source = Path(__file__).resolve().parents[1] / "ledger" / "rulebook" / "versions" / "bek-2017.json"
    version = json.loads(source.read_text(encoding="utf-8"))
    version.update(id="test-2024", valid_from="2024-01-01")
    version["chapter2"]["budgets_from_year"] = 2026
    (tmp_path / "test-2024.json").write_text(json.dumps(version), encoding="utf-8")
    app.rulebooks = load_rulebooks(extra_dir=tmp_path)
    run(app, *approved_party())
    refused(app, c("budget-indsendt", "2024-09-20", budgetaar=2025), "bek § 33 stk 3")


def test_a_budget_with_an_unmet_criterion_is_not_approved(app: Ledger) -> None:
    run(app, *approved_party(), c("budget-indsendt", "2024-09-20", budgetaar=2025))
    refused(app, c("budget-afgoerelse", "2024-12-10", budgetaar=2025, godkendt=True,
                   kriterier={"ingen_uvedkommende_poster": False}), "bek § 24 stk 2")


def test_a_party_with_no_visit_in_a_year_is_not_flagged_but_an_offer_is(app: Ledger) -> None:
    run(app, *approved_party(), *approved(offer="T-9"))
    runner = up_to_date(app)
    with runner.engine.connect() as connection:
        states = {s.key: s for s in read_states(connection)}
    on = dt.date(2025, 3, 1)
    party_kinds = {d.kind for d in offer_deadlines(states[PART], on, app.rulebooks)}
    offer_kinds = {d.kind for d in offer_deadlines(states["T-9"], on, app.rulebooks)}
    assert "tilsynsbesoeg" not in party_kinds
    assert "tilsynsbesoeg" in offer_kinds
    assert "budget" in party_kinds  # the 2025 budget was due 1 October 2024 (bek § 23)


def test_a_party_appears_in_status_history_statistics_and_fees_but_never_on_the_portal(app: Ledger) -> None:
    run(app, *approved_party(), c("tilsyn", "2024-10-01", form="uden_besoeg"), c("tilsyn", "2024-11-01", form="uanmeldt_besoeg"))
    run(app, {"command": "takster", "region": "Nord", "date": "2023-12-15", "aar": 2024,
              "godkendelse": [100, 200, 300, 400], "tilsyn": [1200, 2400, 3600, 4800], "vaesentlig_aendring": [1, 2, 3, 4],
              "godkendelse_kapitel2": 500000, "tilsyn_kapitel2": 1200000})
    from ledger.console.economy import fee_report, fees_summary_for
    from ledger.console.views import chain_hash_at
    from ledger.reports.stats import compute

    runner = up_to_date(app)
    with runner.engine.connect() as connection:
        state = read_states(connection, keys=[PART])[0]
        position = runner.positions()["statistics"]
        report = compute(connection, 2024, "Nord", position, chain_hash_at(app, connection, position))
    assert public_view(state, dt.date(2024, 12, 1)) is None
    block = report["regioner"]["Nord"]
    assert block["1_godkendelser"]["efter_tilbudstype"] == {"ARBEJDSGIVER": 1}
    assert block["2_tilsyn"]["tilsyn_i_alt"] == 2 and block["2_tilsyn"]["tilsyn_uden_besoeg"] == 1
    assert block["2_tilsyn"]["uanmeldte"] == 1
    fees = fee_report(app, 2024, offer=PART)
    lines = [(c.kind, c.paragraph, c.amount_oere) for bucket in fees.regions.values() for c in bucket.charges]
    # bek § 30: a one-off approval takst, and the annual takst from 1 April (approved 15 March): 9/12.
    assert lines == [("godkendelsestakst", "bek § 30 stk 2", 500000), ("tilsynstakst", "bek § 30 stk 4", 900000)]
    assert fees_summary_for(app, 2024, "Nord")["Nord"]["takster_i_alt_oere"] == 1400000
    with pytest.raises(NotFound):
        app.case(PART)  # not an offer ...
    assert app.any_case(PART).state.key == PART  # ... but a case status and history find


def test_an_employer_is_not_applied_for_as_an_offer(app: Ledger) -> None:
    from support import ansoegning

    from ledger.errors import InvalidInput

    with pytest.raises(InvalidInput, match="arbejdsgiver-ansoegning"):
        run(app, ansoegning(tilbudstyper=["ARBEJDSGIVER"]))


def test_a_chapter_2_decision_without_begrundelse_names_paragraph_19_stk_2(app: Ledger) -> None:
    run(app, application(), c("dialog", "2024-02-20", forhold=["x"]))
    error = refused(app, approval(begrundelse=None), "bek § 19 stk 2")
    assert "begrundelse" in str(error)
    refused(app, c("afslag", "2024-03-15"), "bek § 19 stk 2")
    run(app, approval())
    run(app, c("budget-indsendt", "2024-09-20", budgetaar=2025))
    refused(app, c("budget-afgoerelse", "2024-12-10", budgetaar=2025, godkendt=False,
                   kriterier={"ansvarlig_forvaltning": False}), "bek § 19 stk 2")


def test_a_party_approved_in_2019_sends_its_accounts_for_2018(app: Ledger) -> None:
    # § 33 stk 4 counts accounts from the financial year 2018; § 25 puts the duty on the approved party.
    run(app, application(date="2019-02-01"), c("dialog", "2019-02-20", forhold=["x"]), approval(date="2019-03-15"))
    run(app, c("regnskab", "2019-04-10", regnskabsaar=2018))
    assert app.party(PART).state.regnskaber == {"2018": "2019-04-10"}
    refused(app, c("regnskab", "2019-04-12", regnskabsaar=2017), "bek § 33 stk 4")


def test_a_chapter_2_budget_approval_needs_both_criteria_of_paragraph_24_established(app: Ledger) -> None:
    run(app, *approved_party(), c("budget-indsendt", "2024-09-20", budgetaar=2025))
    error = refused(app, c("budget-afgoerelse", "2024-12-10", budgetaar=2025, godkendt=True,
                           kriterier={"ingen_uvedkommende_poster": True}), "bek § 24 stk 2")
    assert "not assessed" in str(error) and "(bek § 24 stk 2 nr 2)" in str(error)
    error = refused(app, c("budget-afgoerelse", "2024-12-10", budgetaar=2025, godkendt=False, begrundelse="Nej",
                           kriterier={"ingen_uvedkommende_poster": True, "ansvarlig_forvaltning": True}), "bek § 24 stk 2")
    assert "skal godkende" in str(error)


def change(date: str = "2025-02-01", **fields: Any) -> dict[str, Any]:
    fields.setdefault("beskrivelse", "Ny ledelse og nyt hovedsæde i Aarhus")
    return {"command": "aendring-ansoegt", "part": PART, "date": date, **fields}


def change_decision(date: str = "2025-03-01", **fields: Any) -> dict[str, Any]:
    fields.setdefault("aendring", "Æ1")
    fields.setdefault("godkendt", True)
    fields.setdefault("begrundelse", "Betingelserne i bek § 20 er fortsat opfyldt.")
    return {"command": "aendring-afgoerelse", "part": PART, "date": date, **fields}


def test_a_chapter_2_partys_significant_change_is_applied_for_and_decided(app: Ledger) -> None:
    run(app, *approved_party(), change(), change_decision())
    party = app.party(PART)
    applied, decided = party.events[-2:]
    assert (type(applied).__name__, type(decided).__name__) == ("AendringAnsoegt", "AendringGodkendt")
    assert applied.paragraph == decided.paragraph == "bek § 30 stk 3; lov § 18 b stk 1"
    assert party.state.aendringer["Æ1"]["approved"] is True
    # The party's own command names do the same.
    run(app, c("aendring-ansoegt", "2025-04-01", beskrivelse="Ny virksomhedsform"),
        c("aendring-afgoerelse", "2025-05-01", aendring="Æ2", godkendt=False, begrundelse="Ikke dokumenteret"))
    assert type(app.party(PART).events[-1]).__name__ == "AendringAfslaaet"


def test_a_chapter_2_change_needs_an_approved_party_and_a_reasoned_decision(app: Ledger) -> None:
    run(app, application())
    refused(app, change("2024-02-10"), "bek § 30 stk 3")
    run(app, c("dialog", "2024-02-20", forhold=["x"]), approval())
    run(app, change())
    refused(app, change_decision(begrundelse=None), "bek § 19 stk 2")
    refused(app, change_decision("2025-01-20"), "bek § 30 stk 3")


def test_a_chapter_2_change_is_charged_the_takst_of_paragraph_30_stk_3(app: Ledger) -> None:
    run(app, *approved_party(), change("2024-09-02"))
    run(app, {"command": "takster", "region": "Nord", "date": "2023-12-15", "aar": 2024,
              "godkendelse": [100, 200, 300, 400], "tilsyn": [1200, 2400, 3600, 4800], "vaesentlig_aendring": [1, 2, 3, 4],
              "godkendelse_kapitel2": 500000, "tilsyn_kapitel2": 1200000, "vaesentlig_aendring_kapitel2": 250000})
    from ledger.console.economy import fee_report, fees_summary_for

    fees = fee_report(app, 2024, offer=PART)
    lines = [(c.kind, c.paragraph, c.amount_oere) for bucket in fees.regions.values() for c in bucket.charges]
    assert lines == [("godkendelsestakst", "bek § 30 stk 2", 500000), ("vaesentlig_aendring", "bek § 30 stk 3", 250000),
                     ("tilsynstakst", "bek § 30 stk 4", 900000)]
    summary = fees_summary_for(app, 2024, "Nord")["Nord"]
    assert (summary["vaesentlig_aendring_oere"], summary["takster_i_alt_oere"]) == (250000, 1650000)


def test_a_chapter_2_change_without_a_takst_for_it_is_reported_missing(app: Ledger) -> None:
    run(app, *approved_party(), change("2024-09-02"))
    run(app, {"command": "takster", "region": "Nord", "date": "2023-12-15", "aar": 2024,
              "godkendelse": [100, 200, 300, 400], "tilsyn": [1200, 2400, 3600, 4800], "vaesentlig_aendring": [1, 2, 3, 4],
              "godkendelse_kapitel2": 500000, "tilsyn_kapitel2": 1200000})
    from ledger.console.economy import fees_summary_for

    assert fees_summary_for(app, 2024, "Nord")["Nord"]["takster_mangler_for"] == [PART]


def test_an_imported_file_records_a_partys_change_written_with_part(app: Ledger) -> None:
    from ledger.bulk import import_lines
    from ledger.bulk_parallel import _case_of

    lines = [json.dumps(data, ensure_ascii=False).encode() + b"\n" for data in (*approved_party(), change(), change_decision())]
    assert _case_of(lines[-1]) == ("employer", PART, None)  # a parallel import routes it with the party's lines
    assert import_lines(app, iter(lines)) == (5, 5)
    assert [type(e).__name__ for e in app.party(PART).events][-2:] == ["AendringAnsoegt", "AendringGodkendt"]


def test_a_partys_change_named_by_offer_is_the_partys_change(app: Ledger) -> None:
    # The form the issue tried: {"command": "aendring-ansoegt", "offer": "AG-301", ...}.
    by_offer = {k: v for k, v in change().items() if k != "part"} | {"offer": PART}
    run(app, *approved_party(), by_offer)
    decided = {k: v for k, v in change_decision().items() if k != "part"} | {"offer": PART}
    run(app, decided)
    assert [type(e).__name__ for e in app.party(PART).events][-2:] == ["AendringAnsoegt", "AendringGodkendt"]
    with pytest.raises(NotFound):
        app.case(PART)  # no offer was created
    with_places = {k: v for k, v in change("2025-04-01").items() if k != "part"} | {"offer": PART, "pladser": 4}
    from ledger.errors import InvalidInput

    with pytest.raises(InvalidInput, match="has no pladser"):
        run(app, with_places)


def test_an_imported_file_records_a_partys_change_named_by_offer(app: Ledger, tmp_path: Path) -> None:
    from ledger.bulk import import_lines

    by_offer = {k: v for k, v in change().items() if k != "part"} | {"offer": PART}
    lines = [json.dumps(data, ensure_ascii=False).encode() + b"\n" for data in (*approved_party(), by_offer)]
    assert import_lines(app, iter(lines)) == (4, 4)
    assert type(app.party(PART).events[-1]).__name__ == "AendringAnsoegt"


def test_two_import_workers_record_a_partys_change_as_one_process_does(tmp_path: Path) -> None:
    import datetime as dt_

    import sqlalchemy as sa

    from ledger.bulk import import_lines

    moment = dt_.datetime(2026, 6, 1, 9, 0, tzinfo=dt_.timezone.utc)
    commands: list[dict[str, Any]] = []
    for n in range(6):
        part = f"AG-{n}"
        commands += [*approved_party(part)]
        commands.append({k: v for k, v in change().items() if k != "part"} | {"offer": part})
        commands.append(change_decision() | {"part": part})
    lines = [json.dumps(data, ensure_ascii=False).encode() + b"\n" for data in commands]
    stored = []
    for workers in (1, 2):
        url = f"sqlite:///{tmp_path / f'{workers}.db'}"
        ledger = Ledger(url, create=True, clock=lambda: moment, user="test")
        try:
            assert import_lines(ledger, iter(lines), batch=10, workers=workers) == (30, 30)
            assert type(ledger.party("AG-5").events[-1]).__name__ == "AendringGodkendt"
        finally:
            ledger.close()
            ledger.engine.dispose()
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            stored.append(connection.exec_driver_sql("SELECT originator_version, topic, state FROM ledger_events ORDER BY id").all())
        engine.dispose()
    assert stored[0] == stored[1]
