"""Takster and fees (bek §§ 27-29), hand-computed, on SQLite and PostgreSQL.

The takster used throughout (Socialtilsyn Nord, 2024), in øre:

    size category          1 (1-7)     2 (8-24)    3 (25-49)   4 (50+)
    godkendelse          2.400.000   3.600.000    4.800.000    6.000.000
    tilsyn (annual)     12.000.000  24.000.000   36.000.000   48.000.000   (1/12: 1.000.000 / 2.000.000 / 3.000.000)
    væsentlig ændring    1.200.000   1.800.000    2.400.000    3.000.000
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import ansoegning, cmd, dialog, godkendelse, ophoer, skaerpet

from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.console import common
from ledger.console.economy import fee_report, fees, fees_summary_for, takster
from ledger.errors import NotFound, RuleViolation
from ledger.events.authority import kroner
from ledger.fees import Capacity, monthly_amounts, objektiv_shares, takst_pladser
from ledger.rulebook import Rulebooks, load_rulebooks

GODKENDELSE = [2_400_000, 3_600_000, 4_800_000, 6_000_000]
TILSYN = [12_000_000, 24_000_000, 36_000_000, 48_000_000]
AENDRING = [1_200_000, 1_800_000, 2_400_000, 3_000_000]


def takster_cmd(region: str = "Nord", aar: int = 2024, date: str = "2023-12-15", **fields: Any) -> dict[str, Any]:
    data = {
        "command": "takster", "region": region, "date": date, "aar": aar,
        "godkendelse": GODKENDELSE, "tilsyn": TILSYN, "vaesentlig_aendring": AENDRING,
    }
    data.update(fields)
    return data


def objektiv_cmd(region: str = "Nord", aar: int = 2024, **fields: Any) -> dict[str, Any]:
    data = {
        "command": "objektiv-finansiering", "region": region, "date": "2023-12-15", "aar": aar,
        "samlet_beloeb_oere": 1_000_000, "kommuner": {"Aalborg": 21_000, "Hjørring": 13_000, "Thisted": 8_000},
    }
    data.update(fields)
    return data


def run(app: Ledger, *commands: dict[str, Any]) -> None:
    app.execute([parse_command(c) for c in commands])


def lines(report: Any, offer: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for charge in report.charges:
        if charge.offer == offer:
            found.setdefault(charge.kind, []).append(charge.amount_oere)
    return found


@pytest.fixture(autouse=True)
def _close_cli_ledgers() -> Iterator[None]:
    """The CLI caches one Ledger per --db; close them so each test's database can be dropped."""
    yield
    for key in list(common._APPS):
        ledger = common._APPS.pop(key)
        ledger.close()
        ledger.engine.dispose()


def invoke(command: Any, args: list[str]) -> Any:
    return CliRunner().invoke(command, args, catch_exceptions=False)


# -- the offers ------------------------------------------------------------------------------------


def twelve_places(offer: str = "T-1") -> list[dict[str, Any]]:
    """12 pladser (category 2), applied 2024-01-10, approved 2024-03-14, skærpet tilsyn 1 Oct-31 Dec."""
    return [
        ansoegning("2024-01-10", offer, pladser=12),
        godkendelse("2024-03-14", offer),
        dialog("2024-09-01", offer),
        skaerpet("2024-10-01", offer, periode_til="2024-12-31"),
    ]


def test_twelve_places_approved_14_march_with_a_skaerpet_tilsyn_in_the_autumn(app: Ledger) -> None:
    run(app, takster_cmd(), *twelve_places())
    report = fee_report(app, 2024)
    assert lines(report, "T-1") == {
        # applied 2024-01-10 with 12 pladser -> category 2 (8-24): 3.600.000
        "godkendelsestakst": [3_600_000],
        # approved 14 March: charged from 1 April, April-December = 9 months: 9/12 x 24.000.000 = 18.000.000
        "tilsynstakst": [18_000_000],
        # 1 Oct - 31 Dec = 3 started months x 10 % x 24.000.000 = 7.200.000, charged in 2024 (the decision's year)
        "tillaegstakst": [7_200_000],
    }
    tilsyn = next(c for c in report.charges if c.kind == "tilsynstakst")
    assert (tilsyn.fra, tilsyn.til, tilsyn.size_category, tilsyn.paragraph) == ("2024-04-01", "2024-12-31", 2, "bek § 28 stk 5")
    assert report.regions["Nord"].totals()["takster_i_alt_oere"] == 3_600_000 + 18_000_000 + 7_200_000


def test_a_treatment_offer_counts_expected_citizens_over_ten(app: Ledger) -> None:
    # SUL § 141, 240 expected citizens a year -> 240 / 10 = 24 pladser -> category 2 (8-24).
    # Applied and approved in 2023 (no godkendelsestakst in 2024); approved 20 Dec 2023, so the whole of
    # 2024 is charged: 12/12 x 24.000.000 = 24.000.000.
    run(
        app,
        takster_cmd(),
        ansoegning("2023-11-01", "T-2", tilbudstyper=["SUL141"], pladser=1, forventede_borgere=240, ambulant=True),
        godkendelse("2023-12-20", "T-2"),
    )
    report = fee_report(app, 2024)
    assert lines(report, "T-2") == {"tilsynstakst": [24_000_000]}
    (charge,) = report.charges
    assert (charge.size_category, charge.fra, charge.til) == (2, "2024-01-01", "2024-12-31")
    assert "240 forventede borgere / 10" in charge.basis


def test_expected_citizens_are_rounded_up_to_whole_places() -> None:
    rules = load_rulebooks(extra_dir="").in_force(dt.date(2024, 1, 1))
    treatment = Capacity("2024-01-01", 1, 240, ("SUL141",))
    assert takst_pladser(treatment, rules)[0] == 24 and rules.size_category(24) == 2
    # 241 / 10 = 24,1: more than 24 pladser, so category 3 (25-49)
    assert takst_pladser(Capacity("2024-01-01", 1, 241, ("SEL101",)), rules)[0] == 25
    # 3 citizens still make one place
    assert takst_pladser(Capacity("2024-01-01", 1, 3, ("SEL101A",)), rules)[0] == 1
    # other offers use their pladser
    assert takst_pladser(Capacity("2024-01-01", 12, None, ("SEL107",)), rules)[0] == 12


def six_months_rules() -> Rulebooks:
    """The shipped 2017 order, and from 2024 a version where skærpet tilsyn may run 6 months (the current
    act), so a period of 15 January to 16 April can be decided."""
    shipped = load_rulebooks(extra_dir="")
    later = shipped.versions[0].model_copy(
        update={"id": "test-2024", "valid_from": dt.date(2024, 1, 1), "skaerpet_tilsyn_max_months": 6}
    )
    return Rulebooks([*shipped.versions, later])


def test_four_started_months_of_skaerpet_tilsyn_and_an_ophoer_in_july(app: Ledger) -> None:
    app.rulebooks = six_months_rules()
    run(
        app,
        takster_cmd(),
        ansoegning("2023-05-01", "T-3", tilbudstyper=["SEL108"], pladser=30),
        godkendelse("2023-06-05", "T-3"),
        dialog("2024-01-02", "T-3"),
        # 15 Jan -> 16 Apr: Jan 15, Feb 15, Mar 15, Apr 15 begin months before 16 Apr = 4 started months
        skaerpet("2024-01-15", "T-3", periode_til="2024-04-16",
                 paabud=[{"forhold": "Døgnbemanding skal sikres", "frist": "2024-03-01", "karakter": "organisatorisk"}]),
        ophoer("2024-05-01", "T-3", virkning_fra="2024-07-15"),
    )
    report = fee_report(app, 2024)
    assert lines(report, "T-3") == {
        # 30 pladser -> category 3: annual 36.000.000. Approved on 1 January ... 1 July; the ophør takes effect
        # 15 July, so 1 August is not approved: January-July = 7 months: 7/12 x 36.000.000 = 21.000.000
        "tilsynstakst": [21_000_000],
        # 4 started months x 10 % x 36.000.000 = 14.400.000
        "tillaegstakst": [14_400_000],
    }
    tilsyn = next(c for c in report.charges if c.kind == "tilsynstakst")
    assert (tilsyn.fra, tilsyn.til) == ("2024-01-01", "2024-07-31")
    # 2023: approved 5 June -> July-December = 6/12 of 2023's takster, which are not recorded
    with pytest.raises(NotFound, match="ledger takster"):
        fee_report(app, 2023)


def test_three_started_months_from_15_january_to_15_april(app: Ledger) -> None:
    run(
        app,
        takster_cmd(),
        ansoegning("2023-05-01", "T-3", tilbudstyper=["SEL108"], pladser=30),
        godkendelse("2023-06-05", "T-3"),
        dialog("2024-01-02", "T-3"),
        skaerpet("2024-01-15", "T-3", periode_til="2024-04-15",
                 paabud=[{"forhold": "Døgnbemanding skal sikres", "frist": "2024-03-01", "karakter": "organisatorisk"}]),
    )
    # 15 Jan -> 15 Apr = 3 started months x 10 % x 36.000.000 = 10.800.000; tilsyn the whole year 36.000.000
    assert lines(fee_report(app, 2024), "T-3") == {"tilsynstakst": [36_000_000], "tillaegstakst": [10_800_000]}


def test_a_significant_change_is_charged_and_moves_the_category_from_the_next_month(app: Ledger) -> None:
    run(
        app,
        takster_cmd(),
        ansoegning("2022-11-01", "T-4", pladser=6),
        godkendelse("2023-01-10", "T-4"),
        cmd("aendring-ansoegt", "2024-05-10", "T-4", beskrivelse="Udvidelse med 14 pladser", pladser=20),
        cmd("aendring-afgoerelse", "2024-06-20", "T-4", aendring="Æ1", godkendt=True, begrundelse="Rammerne er egnede"),
    )
    report = fee_report(app, 2024)
    assert lines(report, "T-4") == {
        # applied 10 May for 20 pladser -> category 2: 1.800.000
        "vaesentlig_aendring": [1_800_000],
        # January-June at 6 pladser (category 1): 6/12 x 12.000.000 = 6.000.000;
        # approved 20 June, so from 1 July 20 pladser (category 2): 6/12 x 24.000.000 = 12.000.000
        "tilsynstakst": [6_000_000, 12_000_000],
    }
    aendring = next(c for c in report.charges if c.kind == "vaesentlig_aendring")
    assert (aendring.paragraph, aendring.ref, aendring.size_category) == ("bek § 28 stk 4", "Æ1", 2)


def test_a_plejefamilie_pays_no_takster(app: Ledger) -> None:
    run(
        app,
        takster_cmd(),
        objektiv_cmd(),
        ansoegning("2024-02-01", "P-1", tilbudstyper=["PLEJEFAMILIE"], pladser=2),
        godkendelse("2024-03-01", "P-1"),
    )
    report = fee_report(app, 2024)
    assert report.charges == []
    assert report.regions["Nord"].foster_families == ["P-1"]
    text = invoke(fees, ["2024", "--db", app.url, "--offer", "P-1"]).output
    assert "P-1  plejefamilie: ingen takster" in text


def test_the_objektive_finansieringsandele_split_exactly_by_0_17_year_olds(app: Ledger) -> None:
    run(app, objektiv_cmd())
    report = fee_report(app, 2024)
    # 1.000.000 øre over 42.000 children: Aalborg 21.000 -> 500.000 exactly; Hjørring 13.000 -> 309.523,8...;
    # Thisted 8.000 -> 190.476,19...; the floors leave 1 øre, which goes to the largest remainder (Hjørring).
    assert report.regions["Nord"].shares() == {"Aalborg": 500_000, "Hjørring": 309_524, "Thisted": 190_476}
    assert sum(report.regions["Nord"].shares().values()) == 1_000_000


def test_largest_remainder_ties_go_by_kommune_name() -> None:
    # 100.000.001 / 3 = 33.333.333,67 each: 2 øre left, to the first two names
    shares = objektiv_shares(100_000_001, {"Thisted": 5, "Hjørring": 5, "Aalborg": 5})
    assert shares == {"Aalborg": 33_333_334, "Hjørring": 33_333_334, "Thisted": 33_333_333}
    assert objektiv_shares(0, {"Aalborg": 3}) == {"Aalborg": 0}


def test_months_are_floored_with_the_remainder_last_and_a_whole_year_is_the_annual_takst() -> None:
    # 100.000,00 kr is not divisible by 12 (833.333,33 øre a month): 9 months are ⌊9 x 10.000.000 / 12⌋
    # = 7.500.000: 8 x 833.333 + 833.336
    assert monthly_amounts(10_000_000, 9) == [833_333] * 8 + [833_336]
    assert sum(monthly_amounts(10_000_000, 9)) == 7_500_000
    # a whole year is exactly the annual takst: 11 x 833.333 + 833.338
    assert monthly_amounts(10_000_001, 12) == [833_333] * 11 + [833_338]
    assert sum(monthly_amounts(10_000_001, 12)) == 10_000_001
    assert monthly_amounts(10_000_001, 0) == []


def test_sel66_7_uses_the_special_takster_and_else_says_it_used_the_general_ones(app: Ledger) -> None:
    run(
        app,
        takster_cmd("Syd", godkendelse_66_7=1_000_000, tilsyn_66_7=6_000_000),
        takster_cmd("Nord"),
        ansoegning("2024-04-01", "E-1", tilbudstyper=["SEL66_7"], pladser=40, region="Syd"),
        godkendelse("2024-05-02", "E-1"),
        ansoegning("2024-04-01", "E-2", tilbudstyper=["SEL66_7"], pladser=40, region="Nord"),
        godkendelse("2024-05-02", "E-2"),
    )
    report = fee_report(app, 2024)
    # special: 1.000.000 at application; approved 2 May -> June-December = 7/12 x 6.000.000 = 3.500.000
    assert lines(report, "E-1") == {"godkendelsestakst": [1_000_000], "tilsynstakst": [3_500_000]}
    assert all(c.size_category is None and "§ 29 stk 3" in c.paragraph for c in report.charges if c.offer == "E-1")
    # no special takster in Nord: 40 pladser -> category 3: 4.800.000 and 7/12 x 36.000.000 = 21.000.000
    assert lines(report, "E-2") == {"godkendelsestakst": [4_800_000], "tilsynstakst": [21_000_000]}
    assert all("generelle takst er brugt" in (c.note or "") for c in report.charges if c.offer == "E-2")


def test_a_region_without_takster_for_the_year_is_reported_by_name(app: Ledger) -> None:
    run(app, *twelve_places())
    result = CliRunner().invoke(fees, ["2024", "--db", app.url])
    assert result.exit_code != 0
    assert isinstance(result.exception, NotFound)
    message = str(result.exception)
    assert "Nord" in message and "2024" in message and "ledger takster" in message and "T-1" in message
    # the statistics' summary never fails: it says what is missing
    summary = fees_summary_for(app, 2024)
    assert summary["Nord"]["takster_fastsat"] is False and summary["Nord"]["takster_mangler_for"] == ["T-1"]


def test_fees_output_text_in_kroner_json_and_csv_in_oere(app: Ledger) -> None:
    run(app, takster_cmd(), objektiv_cmd(), *twelve_places())
    text = invoke(fees, ["2024", "--db", app.url, "--region", "Nord"]).output
    assert "180.000,00 kr" in text and "72.000,00 kr" in text and "288.000,00 kr" in text
    assert "3.095,24 kr" in text  # Hjørring's andel
    data = json.loads(invoke(fees, ["2024", "--db", app.url, "--format", "json"]).output)
    assert data["totals"]["takster_i_alt_oere"] == 28_800_000
    assert data["totals"]["objektive_finansieringsandele_oere"] == 1_000_000
    assert data["regioner"]["Nord"]["objektive_finansieringsandele"]["kommuner"]["Hjørring"]["andel_oere"] == 309_524
    output = invoke(fees, ["2024", "--db", app.url, "--format", "csv", "--offer", "T-1"]).stdout_bytes.decode()
    assert output.startswith("\ufeff") and "\r\n" in output  # Danish Excel: BOM, `;`, CRLF
    rows = output.lstrip("\ufeff").splitlines()
    assert rows[0] == "record;region;offer;kommune;kind;paragraph;fra;til;size_category;basis;amount_oere"
    charges = [r for r in rows if r.startswith("charge;")]
    assert [r.rsplit(";", 1)[1] for r in charges] == ["3600000", "18000000", "7200000"]
    assert not any(r.startswith("objektiv;") for r in rows)


def test_fees_summary_gives_each_regions_totals(app: Ledger) -> None:
    run(app, takster_cmd(), objektiv_cmd(), *twelve_places())
    summary = fees_summary_for(app, 2024)
    assert set(summary) == {"Nord", "Midt", "Syd", "Øst", "Hovedstaden"}
    nord = summary["Nord"]
    assert (nord["tilsynstakster_oere"], nord["godkendelsestakster_oere"], nord["tillaegstakster_oere"]) == (
        18_000_000, 3_600_000, 7_200_000,
    )
    assert nord["objektive_finansieringsandele_oere"] == 1_000_000 and nord["takster_fastsat"] is True
    assert summary["Midt"]["takster_i_alt_oere"] == 0 and summary["Midt"]["objektiv_fastsat"] is False


def test_a_second_table_for_the_year_must_supersede_the_first(app: Ledger) -> None:
    run(app, takster_cmd(), *twelve_places())
    with pytest.raises(RuleViolation, match="supersedes=1"):
        run(app, takster_cmd(date="2024-01-05"))
    doubled = [2 * v for v in TILSYN]
    run(app, takster_cmd(date="2024-01-05", tilsyn=doubled, supersedes=1, correction_reason="Forkert budgetgrundlag"))
    assert app.authority("Nord").takster_for(2024).tilsyn == tuple(doubled)
    # 9/12 x 48.000.000 = 36.000.000
    assert lines(fee_report(app, 2024), "T-1")["tilsynstakst"] == [36_000_000]


def test_takster_need_one_amount_per_size_category(app: Ledger) -> None:
    with pytest.raises(RuleViolation, match="one takst per size category"):
        run(app, takster_cmd(tilsyn=[12_000_000, 24_000_000]))


def test_takster_load_submits_a_file_and_skips_what_is_unchanged(app: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "takster.json"
    entries = [
        {k: v for k, v in takster_cmd("Nord").items() if k != "command"},
        {k: v for k, v in takster_cmd("Syd", aar=2025, date="2024-12-01").items() if k != "command"},
        objektiv_cmd("Nord"),
    ]
    path.write_text(json.dumps(entries), encoding="utf-8")
    first = invoke(takster, ["load", str(path), "--db", app.url])
    assert first.exit_code == 0, first.output
    assert first.output.count("Recorded") == 3
    again = invoke(takster, ["load", str(path), "--db", app.url])
    assert again.output.count("Unchanged, skipped") == 3
    entries[0]["tilsyn"] = [1, 2, 3, 4]
    path.write_text(json.dumps(entries), encoding="utf-8")
    refused = CliRunner().invoke(takster, ["load", str(path), "--db", app.url])
    assert isinstance(refused.exception, RuleViolation)
    replaced = invoke(takster, ["load", str(path), "--db", app.url, "--replace", "--reason", "Ny beregning"])
    assert replaced.output.count("Recorded") == 1
    assert app.authority("Nord").takster_for(2024).tilsyn == (1, 2, 3, 4)
    assert app.authority("Syd").takster_for(2025) is not None


def test_the_takster_decision_also_runs_as_a_command(app: Ledger) -> None:
    args = ["Midt", "--date", "2024-01-05", "--aar", "2024", "--db", app.url]
    for name, values in (("--godkendelse", GODKENDELSE), ("--tilsyn", TILSYN), ("--vaesentlig-aendring", AENDRING)):
        for value in values:
            args += [name, str(value)]
    result = invoke(takster, args + ["--tilsyn-66-7", "6000000"])
    assert result.exit_code == 0, result.output
    recorded = app.authority("Midt").takster_for(2024)
    assert recorded is not None and recorded.tilsyn_66_7 == 6_000_000 and recorded.godkendelse == tuple(GODKENDELSE)


def test_kroner_are_shown_the_danish_way() -> None:
    assert kroner(1_234_567) == "12.345,67 kr"
    assert kroner(5) == "0,05 kr"


def test_the_folded_state_knows_the_capacity_over_time_exactly_as_the_events_do() -> None:
    from support import cmd, given

    from ledger.fees import capacity_from_events, capacity_from_state

    case = given(
        ansoegning(pladser=12), godkendelse(pladser=10),
        cmd("aendring-ansoegt", "2024-06-01", beskrivelse="Udvidelse", pladser=30),
        cmd("aendring-afgoerelse", "2024-07-01", aendring="Æ1", godkendt=True, begrundelse="OK"),
    )
    offer = case.offer()
    assert capacity_from_state(offer.state) == capacity_from_events(offer.events)
    assert [c.pladser for c in capacity_from_state(offer.state)] == [12, 10, 30]
