"""`ledger annual-report`: Socialtilsynets whole annual report (bek § 18), on SQLite and PostgreSQL.

A small 2024 ledger in three regions: Nord has approvals, anmeldte and uanmeldte visits, a dialog
with påbud, a skærpet tilsyn, an ophør, an afslag, an income from other tasks, takster and an
objektiv finansieringsandel, and both texts of its report; Midt has a two-type approval, a visit, its
takster and only a focus point (so its report is a draft); Syd has one approval and no texts.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import ansoegning, besoeg, cmd, dialog, godkendelse, ophoer, paabud, skaerpet

from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.console import common
from ledger.console.annual import annual_report
from ledger.console.views import stats
from ledger.events.authority import kroner
from ledger.events.vocab import label
from ledger.reports.annual_report import annual_report_deadlines
from ledger.reports.deadlines import Deadline
from ledger.verify import Digest, verify

GENERAL = "Kvaliteten i tilbuddene er generelt høj; den faglige udvikling i botilbuddene er god."
FOCUS = "Medicinhåndtering har været et gennemgående tema ved årets tilsynsbesøg & påbud."
TAKSTER = {"godkendelse": [2_400_000, 3_600_000, 4_800_000, 6_000_000], "tilsyn": [12_000_000, 24_000_000, 36_000_000, 48_000_000],
           "vaesentlig_aendring": [1_200_000, 1_800_000, 2_400_000, 3_000_000]}


@pytest.fixture(autouse=True)
def _close_cli_ledgers() -> Iterator[None]:
    """The CLI caches one Ledger per --db; close them so each test's database can be dropped."""
    yield
    for key in list(common._APPS):
        ledger = common._APPS.pop(key)
        ledger.close()
        ledger.engine.dispose()


def run(app: Ledger, *commands: dict[str, Any]) -> None:
    app.execute([parse_command(c) for c in commands])


def authority(command: str, region: str, date: str, **fields: Any) -> dict[str, Any]:
    return {"command": command, "region": region, "date": date, **fields}


def text(region: str, afsnit: str, overskrift: str, tekst: str, date: str = "2025-05-20") -> dict[str, Any]:
    return authority("tilsynsrapport-tekst", region, date, aar=2024, afsnit=afsnit, overskrift=overskrift, tekst=tekst)


def build_ledger(app: Ledger) -> None:
    run(
        app,
        # Nord: T-1 approved in 2024, visited twice, dialog, påbud, skærpet tilsyn (with a påbud of its own).
        ansoegning("2024-01-10", "T-1", pladser=12),
        godkendelse("2024-03-01", "T-1"),
        besoeg("2024-04-15", "T-1", form="anmeldt"),
        besoeg("2024-06-10", "T-1", form="uanmeldt"),
        dialog("2024-09-01", "T-1"),
        paabud("2024-09-20", "T-1", karakter="faglig"),
        skaerpet("2024-10-01", "T-1", periode_til="2024-12-31", baggrund="kvalitet"),
        # Nord: T-2 approved in 2023, visited unannounced in 2024, then its approval revoked.
        ansoegning("2023-11-01", "T-2", navn="Botilbuddet Ved Åen", tilbudstyper=["SEL108"], pladser=30),
        godkendelse("2023-12-20", "T-2"),
        besoeg("2024-05-05", "T-2", form="uanmeldt"),
        dialog("2024-08-01", "T-2", forhold=["Ledelse"]),
        ophoer("2024-11-10", "T-2", baggrund="ledelse", virkning_fra="2025-01-31"),
        # Nord: T-3 refused.
        ansoegning("2024-02-01", "T-3", navn="Opholdsstedet Lyng", tilbudstyper=["SEL66_5"], pladser=6),
        cmd("afslag", "2024-05-01", "T-3", begrundelse="Ledelsen mangler relevante kompetencer"),
        # Midt: a two-type approval and an announced visit.
        ansoegning("2024-01-05", "T-10", navn="Børnehuset Skovly", tilbudstyper=["SEL66_5", "SEL66_6"], pladser=8, region="Midt",
                   afdelinger=[{"navn": "Skovly", "adresse": "Skovvej 2, 8000 Aarhus"}]),
        godkendelse("2024-04-01", "T-10"),
        besoeg("2024-09-09", "T-10", form="anmeldt"),
        # Syd: one approval.
        ansoegning("2024-03-01", "T-20", navn="Forsorgshjemmet Havn", tilbudstyper=["SEL110"], pladser=25, region="Syd",
                   afdelinger=[{"navn": "Havn", "adresse": "Havnegade 3, 6000 Kolding"}]),
        godkendelse("2024-06-15", "T-20"),
        # The authorities' own records.
        authority("takster", "Nord", "2023-12-15", aar=2024, **TAKSTER),
        authority("takster", "Midt", "2023-12-15", aar=2024, **TAKSTER),
        authority("takster", "Syd", "2023-12-15", aar=2024, **TAKSTER),
        authority("objektiv-finansiering", "Nord", "2023-12-15", aar=2024, samlet_beloeb_oere=1_000_000,
                  kommuner={"Aalborg": 21_000, "Hjørring": 13_000, "Thisted": 8_000}),
        authority("objektiv-finansiering", "Midt", "2023-12-15", aar=2024, samlet_beloeb_oere=2_500_000,
                  kommuner={"Aarhus": 60_000, "Silkeborg": 18_000}),
        authority("indtaegt-andre-opgaver", "Nord", "2024-12-31", aar=2024, beloeb_oere=12_500_000,
                  modpart="Aalborg Kommune", beskrivelse="Faglig sparring om magtanvendelse"),
        text("Nord", "generelle_overvejelser", "Kvaliteten i tilbuddene", GENERAL),
        text("Nord", "fokuspunkt", "Medicinhåndtering", FOCUS),
        text("Midt", "fokuspunkt", "Overgange til voksenlivet", "Unge på vej ud af anbringelse har brug for mere støtte."),
    )


def invoke(command: Any, args: list[str]) -> Any:
    return CliRunner().invoke(command, args, catch_exceptions=False)


def stats_json(app: Ledger, region: str) -> dict[str, Any]:
    result = invoke(stats, ["2024", "--region", region, "--format", "json", "--db", app.url])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def leaves(block: dict[str, Any]) -> dict[str, Any]:
    """Every number of the statistics as 'item.field[.category]' -> value."""
    found: dict[str, Any] = {}
    for item, fields in block.items():
        for name, value in fields.items():
            if isinstance(value, dict):
                for category, number in value.items():
                    found[f"{item}.{name}.{category}"] = number
            else:
                found[f"{item}.{name}"] = value
    return found


def html_cells(page: str, region: str | None = None) -> dict[str, str]:
    cells = {}
    for attributes in re.findall(r"<td class=\"n\" ([^>]*)>", page):
        found = dict(re.findall(r'([a-z-]+)="([^"]*)"', attributes))
        if region is None or found.get("data-region") == region:
            cells[html.unescape(found["data-key"])] = html.unescape(found["data-value"])
    return cells


def shown(key: str, value: Any) -> str:
    """How the report shows a value (Danish numbers, kroner for øre), computed here independently."""
    if value is None:
        return "–"
    if value in ("ja", "nej"):
        return str(value).capitalize()
    if isinstance(value, int) and key.split(".")[1].endswith("_oere"):
        return kroner(value)
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",").removesuffix(",0")
    return f"{value:,}".replace(",", ".")


def write(app: Ledger, out: Path, *args: str) -> Any:
    result = invoke(annual_report, ["2024", "--out", str(out), "--db", app.url, *args])
    assert result.exit_code == 0, result.output
    return result


def test_the_report_holds_every_number_of_the_statistics_the_texts_and_a_verifiable_digest(app: Ledger, tmp_path: Path) -> None:
    build_ledger(app)
    out = tmp_path / "nord"
    result = write(app, out, "--region", "Nord")
    md = (out / "aarsrapport-2024-nord.md").read_text(encoding="utf-8")
    page = (out / "aarsrapport-2024-nord.html").read_text(encoding="utf-8")
    pdf = (out / "aarsrapport-2024-nord.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")

    # Every number of the 8 items equals `ledger stats 2024 --region Nord --format json`.
    expected = stats_json(app, "Nord")
    block = expected["regioner"]["Nord"]
    assert [key.split("_", 1)[0] for key in block] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    numbers = leaves(block)
    cells = html_cells(page)
    assert set(cells) == set(numbers)
    for key, value in numbers.items():
        assert cells[key] == ("" if value is None else str(value)), key
    # ... and the Markdown shows each of them on its row, in Danish.
    rows = {line for line in md.splitlines() if line.startswith("| ")}
    for key, value in numbers.items():
        assert any(row.endswith(f"| {shown(key, value)} |") for row in rows), (key, value)
    # The scenario's own numbers, so a wrong projection cannot pass by agreeing with itself.
    assert numbers["1_godkendelser.i_alt"] == 1 and numbers["1_godkendelser.efter_tilbudstype.SEL107"] == 1
    visited = numbers.get("2_tilsyn.tilbud_med_tilsyn", numbers.get("2_tilsyn.tilbud_med_tilsynsbesoeg"))
    assert (numbers["2_tilsyn.anmeldte"], numbers["2_tilsyn.uanmeldte"], visited) == (1, 2, 2)
    assert numbers["3_skaerpede_tilsyn.baggrund.kvalitet"] == 1
    assert numbers["4_paabud.karakter.faglig"] == 1 and numbers["4_paabud.karakter.organisatorisk"] == 1
    assert numbers["5_tilbagekaldte_godkendelser.baggrund.ledelse"] == 1
    assert (numbers["6_sagsbehandlingstider.antal"], numbers["6_sagsbehandlingstider.max_dage"]) == (2, 90)
    assert numbers["7_takster_og_objektive_finansieringsandele.objektive_finansieringsandele_oere"] == 1_000_000
    assert numbers["8_indtaegter_andre_opgaver.modparter_oere.Aalborg Kommune"] == 12_500_000
    assert "| Opholdssted for børn og unge (SEL § 66, stk. 1, nr. 5) |" not in md  # refused, not approved
    assert f"| {label('SEL107')} | 1 |" in md and "| Karakter: Faglig indsats | 1 |" in md

    # The front matter: title, legal basis, due date, not delivered, the digest.
    assert md.startswith("# Socialtilsyn Nord: Årsrapport 2024\n")
    assert "bek § 18" in md and "1. juli 2025" in md and "1. juli 2025" in page
    assert "Nej, ikke afgivet" in md and "UDKAST" not in md
    digest_text = re.search(r"ledger-digest:v1:\d+:[0-9a-f]{64}", md).group(0)  # type: ignore[union-attr]
    assert digest_text in page and digest_text in result.output
    digest = Digest.parse(digest_text)
    assert digest.position == expected["beregnet_fra"]["position"]
    assert digest.ledger_hash == expected["beregnet_fra"]["ledger_hash"]
    assert verify(app.engine, digest=digest).ok

    # The texts of stk 3 and stk 4, escaped in HTML.
    for document in (md, page):
        assert "Kvaliteten i tilbuddene" in document and "Medicinhåndtering" in document
        assert "Socialtilsynets generelle overvejelser" in document and "Udvalgte fokuspunkter" in document
    assert GENERAL in md and FOCUS in md and html.escape(FOCUS) in page
    # The rules and how the numbers are counted.
    assert "bek-2017" in md and "## Om tallene" in md and "ansøgningen om godkendelse er modtaget" in md

    # Charts: inline SVG in HTML, SVG files beside the Markdown; the page needs nothing outside itself.
    assert page.count("<svg") == 4
    assert 'src="http' not in page and "<link" not in page and "<script" not in page
    assert "<img" not in page
    for name in ("godkendelser", "tilsynsbesoeg", "paabud", "sagsbehandling"):
        assert f"](aarsrapport-2024-nord-{name}.svg)" in md
        assert (out / f"aarsrapport-2024-nord-{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "two charts share an element id"


def test_regenerating_gives_the_same_bytes(app: Ledger, tmp_path: Path) -> None:
    build_ledger(app)
    first, second = tmp_path / "a", tmp_path / "b"
    write(app, first, "--region", "Nord")
    write(app, second, "--region", "Nord")
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert {"aarsrapport-2024-nord.md", "aarsrapport-2024-nord.html", "aarsrapport-2024-nord.pdf"} <= set(names)
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_without_region_every_region_has_its_report_and_a_national_summary(app: Ledger, tmp_path: Path) -> None:
    build_ledger(app)
    out = tmp_path / "alle"
    result = write(app, out, "--files", "md,html")
    for slug in ("nord", "midt", "syd", "oest", "hovedstaden", "landsoversigt"):
        assert (out / f"aarsrapport-2024-{slug}.md").exists() and (out / f"aarsrapport-2024-{slug}.html").exists()
    assert not list(out.glob("*.pdf"))
    # Each regional report holds the same numbers as `ledger stats --region`.
    for region, slug in (("Midt", "midt"), ("Syd", "syd"), ("Nord", "nord")):
        page = (out / f"aarsrapport-2024-{slug}.html").read_text(encoding="utf-8")
        numbers = leaves(stats_json(app, region)["regioner"][region])
        assert html_cells(page) == {k: "" if v is None else str(v) for k, v in numbers.items()}
    # Midt has a two-type approval: one approval, counted once under each type.
    midt = leaves(stats_json(app, "Midt")["regioner"]["Midt"])
    assert midt["1_godkendelser.i_alt"] == 1
    assert midt["1_godkendelser.efter_tilbudstype.SEL66_5"] == midt["1_godkendelser.efter_tilbudstype.SEL66_6"] == 1
    # The national summary: every region and the total, as `ledger stats` without --region.
    national = (out / "aarsrapport-2024-landsoversigt.html").read_text(encoding="utf-8")
    everything = invoke(stats, ["2024", "--format", "json", "--db", app.url])
    data = json.loads(everything.output)
    for region, block in data["regioner"].items():
        cells = html_cells(national, region)
        expected = {k: "" if v is None else str(v) for k, v in leaves(block).items()}
        # A category another region has shows 0 here; a field the total has no sum of (takster fixed: ja/nej) is empty.
        assert {k: v for k, v in cells.items() if k in expected} == expected, region
        assert all(v == ("0" if k.count(".") == 2 else "") for k, v in cells.items() if k not in expected), region
    assert 'href="aarsrapport-2024-nord.html"' in national
    assert "(aarsrapport-2024-midt.md)" in (out / "aarsrapport-2024-landsoversigt.md").read_text(encoding="utf-8")
    assert national.count("<svg") >= 3
    # Midt (a focus point only) and Syd (nothing) are drafts, and the output says so.
    midt_md = (out / "aarsrapport-2024-midt.md").read_text(encoding="utf-8")
    assert "UDKAST" in midt_md and "endnu ikke registreret" in midt_md and "Overgange til voksenlivet" in midt_md
    assert "Draft: Socialtilsyn Midt" in result.output and "Draft: Socialtilsyn Syd" in result.output
    assert "Draft: Socialtilsyn Nord" not in result.output
    assert "UDKAST" not in (out / "aarsrapport-2024-nord.md").read_text(encoding="utf-8")


def test_a_report_without_the_general_considerations_is_a_draft(app: Ledger, tmp_path: Path) -> None:
    run(app, ansoegning("2024-01-10", "T-1"), godkendelse("2024-03-01", "T-1"))
    write(app, tmp_path, "--region", "Nord", "--files", "md,html,pdf")
    md = (tmp_path / "aarsrapport-2024-nord.md").read_text(encoding="utf-8")
    page = (tmp_path / "aarsrapport-2024-nord.html").read_text(encoding="utf-8")
    assert "UDKAST" in md and "UDKAST" in page
    assert "generelle overvejelser for 2024 er endnu ikke registreret" in md
    assert "ikke valgt fokuspunkter" in md
    assert (tmp_path / "aarsrapport-2024-nord.pdf").read_bytes().startswith(b"%PDF-")


def test_a_delivered_report_says_when_and_from_which_digest(app: Ledger, tmp_path: Path) -> None:
    build_ledger(app)
    before = [d for d in annual_report_deadlines(app, dt.date(2025, 6, 1)) if d["ref"] == "2024"]
    assert [d["region"] for d in before] == ["Nord", "Midt", "Syd", "Øst", "Hovedstaden"]
    nord = before[0]
    assert (nord["due"], nord["kind"], nord["paragraph"], nord["ref"]) == ("2025-07-01", "socialtilsynets_aarsrapport", "bek § 18 stk 5", "2024")
    assert "mangler" not in nord["what"] and "mangler" in before[1]["what"]

    result = write(app, tmp_path / "udkast", "--region", "Nord", "--files", "md")
    digest = result.output.strip().splitlines()[-1].split()[-1]
    run(app, authority("tilsynsrapport-afgivet", "Nord", "2025-06-20", aar=2024, digest=digest))
    write(app, tmp_path / "afgivet", "--region", "Nord", "--files", "md")
    md = (tmp_path / "afgivet" / "aarsrapport-2024-nord.md").read_text(encoding="utf-8")
    assert f"Ja, 20. juni 2025, på grundlag af {digest}" in md
    assert Deadline(**before[0]).overdue_on("2025-07-02")  # the radar's own type takes the dicts as they are
    # The deadline is gone once delivered (but not before the day it was delivered).
    assert [d["region"] for d in annual_report_deadlines(app, dt.date(2025, 6, 25)) if d["ref"] == "2024"] == ["Midt", "Syd", "Øst", "Hovedstaden"]
    assert [d["region"] for d in annual_report_deadlines(app, dt.date(2025, 6, 19)) if d["ref"] == "2024"][0] == "Nord"
    assert annual_report_deadlines(app, dt.date(2018, 3, 1)) == []  # no rules were in force for 2017


def test_the_texts_are_those_at_the_digest_and_markup_is_escaped(app: Ledger, tmp_path: Path) -> None:
    run(app, text("Syd", "generelle_overvejelser", "<b>Kvalitet</b> & udvikling", "Linje 1\n# ikke en overskrift\n\nAfsnit 2 | med streg"))
    write(app, tmp_path, "--region", "Syd", "--files", "md,html")
    page = (tmp_path / "aarsrapport-2024-syd.html").read_text(encoding="utf-8")
    md = (tmp_path / "aarsrapport-2024-syd.md").read_text(encoding="utf-8")
    assert "<b>Kvalitet</b>" not in page and "&lt;b&gt;Kvalitet&lt;/b&gt; &amp; udvikling" in page
    assert "\\# ikke en overskrift" in md and "\n# ikke" not in md
    assert "<p>Afsnit 2 | med streg</p>" in page
    # No activity: no charts, but all eight items, each with its zero.
    assert "<svg" not in page
    assert page.count('data-key="') >= 8


def test_bad_arguments_are_refused(app: Ledger, tmp_path: Path) -> None:
    result = CliRunner().invoke(annual_report, ["2024", "--out", str(tmp_path), "--db", app.url, "--format", "docx"])
    assert result.exit_code != 0 and "unknown format docx" in str(result.exception)
    result = CliRunner().invoke(annual_report, ["2024", "--out", str(tmp_path), "--db", app.url, "--region", "Atlantis"])
    assert result.exit_code != 0 and "unknown region" in str(result.exception)
    result = CliRunner().invoke(annual_report, ["2024", "--db", app.url])
    assert result.exit_code == 2 and "--out" in result.output


def test_without_matplotlib_the_report_has_its_tables_and_says_the_charts_are_left_out(
    app: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ledger.reports.annual_report as module

    build_ledger(app)
    monkeypatch.setattr(module, "charts_available", lambda: False)
    result = write(app, tmp_path, "--region", "Nord", "--files", "md,html")
    page = (tmp_path / "aarsrapport-2024-nord.html").read_text(encoding="utf-8")
    assert "<svg" not in page and "Charts left out" in result.output
    assert not list(tmp_path.glob("*.svg"))
    assert set(html_cells(page)) == set(leaves(stats_json(app, "Nord")["regioner"]["Nord"]))


def test_a_socialtilsyn_case_is_read_as_it_stood_at_the_digest(app: Ledger) -> None:
    from ledger.reports.annual_report import authority_at

    run(app, text("Nord", "generelle_overvejelser", "Første udgave", "Tekst 1"))
    before = app.head()[0]
    first = app.authority("Nord").report_texts(2024)[0]
    run(app, {**text("Nord", "generelle_overvejelser", "Anden udgave", "Tekst 2"), "supersedes": first.originator_version,
              "correction_reason": "Præciseret"})
    assert [t.overskrift for t in authority_at(app, "Nord", before).report_texts(2024)] == ["Første udgave"]
    assert [t.overskrift for t in authority_at(app, "Nord", app.head()[0]).report_texts(2024)] == ["Anden udgave"]
    assert authority_at(app, "Midt", app.head()[0]).report_texts(2024) == []


def test_a_chart_with_nothing_left_to_show_is_removed_on_regeneration(app: Ledger, tmp_path: Path) -> None:
    run(app, ansoegning("2024-01-10", "T-1"), godkendelse("2024-03-01", "T-1"))
    write(app, tmp_path, "--region", "Nord", "--files", "md")
    assert (tmp_path / "aarsrapport-2024-nord-godkendelser.svg").exists()
    run(app, cmd("annullering", "2024-03-05", "T-1", annulleret=2, correction_reason="Registreret på forkert tilbud"))
    write(app, tmp_path, "--region", "Nord", "--files", "md")
    assert not (tmp_path / "aarsrapport-2024-nord-godkendelser.svg").exists()
    assert "aarsrapport-2024-nord-godkendelser.svg" not in (tmp_path / "aarsrapport-2024-nord.md").read_text(encoding="utf-8")


def test_an_undelivered_report_stays_on_the_radar_until_it_is_delivered_whatever_the_year(app: Ledger) -> None:
    """bek § 18 stk 5: the report for 2024 is due 1 July 2025 and stays overdue after 2025 ends."""
    run(app, ansoegning("2024-01-10", "T-1"), godkendelse("2024-03-01", "T-1"))
    for on in (dt.date(2025, 12, 31), dt.date(2026, 1, 2), dt.date(2028, 3, 1)):
        nord = [d for d in annual_report_deadlines(app, on) if d["region"] == "Nord"]
        assert ("2025-07-01", "2024") in [(d["due"], d["ref"]) for d in nord], on
        assert all(Deadline(**d).overdue_on(on.isoformat()) for d in nord if d["ref"] == "2024")
    # Every year since the ledger's first, until delivered: 2024 to 2027 on 1 March 2028.
    assert sorted({d["ref"] for d in annual_report_deadlines(app, dt.date(2028, 3, 1))}) == ["2024", "2025", "2026", "2027"]
    run(app, text("Nord", "generelle_overvejelser", "Kvaliteten", GENERAL),
        authority("tilsynsrapport-afgivet", "Nord", "2026-02-01", aar=2024, digest="ledger-digest:v1:2:" + "ab" * 32))
    later = annual_report_deadlines(app, dt.date(2026, 2, 2))
    assert ("Nord", "2024") not in [(d["region"], d["ref"]) for d in later]
    assert ("Nord", "2025") in [(d["region"], d["ref"]) for d in later]
    assert ("Syd", "2024") in [(d["region"], d["ref"]) for d in later]
