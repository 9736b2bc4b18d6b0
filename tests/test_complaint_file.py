"""The case file for Ankestyrelsen (`ledger complaint file OFFER/Kn`) and `ledger complaint list`.

Built from the ledger only, on both stores: every fact Ankestyrelsen needs is in the Markdown and
the JSON (parties, the decision with its number, date, reasons and paragraph, the dialog's forhold,
each date with its kept / not kept verdict, the outcome), corrections show in the chronology, and
regenerating gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import cmd

from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.console import common
from ledger.console.complaints import case_position, complaint
from ledger.errors import InvalidInput, NotFound
from ledger.reports.filenames import file_key
from ledger.reports.complaint_file import (
    build_case_file,
    file_stem,
    parse_complaint_ref,
    pdf_available,
    render_json,
    render_markdown,
    render_pdf,
    slug,
)

KLITTEN = "T-1004"
ODDER = "N/2001"  # an offer id with a '/' in it: file names must still be safe


@pytest.fixture(autouse=True)
def _close_cli_ledgers() -> Iterator[None]:
    """The CLI caches one Ledger per --db; close those a test opened so its database can be dropped."""
    before = set(common._APPS)
    yield
    for key in set(common._APPS) - before:
        ledger = common._APPS.pop(key)
        ledger.close()
        ledger.engine.dispose()


def record(app: Ledger, *commands: dict[str, Any]) -> list[int]:
    """Record a batch; the event numbers it created."""
    receipts = app.execute([parse_command(c) for c in commands])
    return [e["number"] for r in receipts for e in r.as_dict()["events"]]


def klitten(app: Ledger) -> None:
    """scripts/demo/cases.jsonl's T-1004: ophør after dialog and partshøring, a complaint in time,
    upheld, forwarded and stadfæstet; the offer's remarks in the hearing recorded wrongly and then
    corrected (a superseding record)."""
    o = KLITTEN
    record(
        app,
        cmd("ansoegning", "2024-02-05", o, navn="Behandlingscentret Klitten", tilbudstyper=["SUL141"],
            forventede_borgere=240, pladser=24, ejerform="privat", region="Øst",
            afdelinger=[{"navn": "Klitten", "adresse": "Klitvej 2, 4000 Roskilde"}]),
        cmd("godkendelse", "2024-05-02", o, begrundelse="Behandlingstilbuddet er godkendt."),
        cmd("tilsynsbesoeg", "2024-10-15", o, form="uanmeldt"),
        cmd("dialog", "2024-10-20", o, forhold=["Behandlingsplaner mangler", "Økonomien er ikke gennemsigtig"]),
        cmd("paabud", "2024-11-04", o, forhold="Der skal foreligge behandlingsplaner for alle borgere",
            frist="2025-01-15", karakter="faglig", begrundelse="Ingen af de gennemgåede borgere havde en behandlingsplan.",
            kommuner_orienteret=["Roskilde"]),
        cmd("dialog", "2025-02-03", o, forhold=["Påbud P1 er ikke efterkommet", "Overvejelse om ophør af godkendelsen"],
            form="partshoering", svarfrist="2025-02-24"),
        cmd("dialog-svar", "2025-02-20", o, dialog="D2", resume="Tilbuddet har intet at bemærke"),
    )
    assert record(
        app,
        cmd("ophoer", "2025-03-10", o, virkning_fra="2025-06-01", baggrund="manglende_opfyldelse_af_paabud",
            begrundelse="Påbud P1 er ikke efterkommet, og tilbuddet har ikke sandsynliggjort, at det kan rette op.",
            kommuner_underrettet=["Roskilde", "Køge"]),
    ) == [8]
    record(
        app,
        cmd("klage", "2025-04-02", o, afgoerelse=8, emne="afgoerelsens_indhold", klager="Klitten Behandling ApS",
            afgoerelse_modtaget="2025-03-12", begrundelse="Tilbuddet mener, at behandlingsplanerne nu foreligger."),
        cmd("klage-genvurderet", "2025-04-22", o, klage="K1", udfald="fastholdt",
            begrundelse="De indsendte planer dækker kun halvdelen af borgerne."),
        cmd("klage-videresendt", "2025-04-24", o, klage="K1"),
        cmd("ankestyrelsens-afgoerelse", "2025-08-15", o, klage="K1", udfald="stadfaestet",
            begrundelse="Ankestyrelsen er enig i, at betingelserne for ophør er opfyldt."),
    )
    assert record(
        app,
        cmd("dialog-svar", "2025-02-20", o, dialog="D2", supersedes=7, correction_reason="Resuméet var fra en anden sag",
            resume="Tilbuddet anerkender, at behandlingsplanerne mangler, og beder om mere tid"),
    ) == [13]


def odder(app: Ledger) -> None:
    """A late complaint over a påbud, forwarded past its 4 weeks; and a complaint over a skærpet
    tilsyn decided straks, still waiting for Socialtilsynet's reconsideration."""
    o = ODDER
    record(
        app,
        cmd("ansoegning", "2024-01-10", o, navn="Bostedet Odder Å", tilbudstyper=["SEL107", "SEL108"], pladser=18,
            ejerform="kommunal", region="Nord",
            afdelinger=[{"navn": "Hovedhuset", "adresse": "Åvej 1, 9000 Aalborg"},
                        {"navn": "Annekset", "adresse": "Åvej 3, 9000 Aalborg"}]),
        cmd("godkendelse", "2024-03-01", o, begrundelse="Tilbuddet opfylder betingelserne for godkendelse."),
        cmd("dialog", "2024-09-01", o, forhold=["Medicinhåndtering → dokumentation mangler"], form="skriftlig",
            svarfrist="2024-09-15"),
        cmd("dialog-svar", "2024-09-12", o, dialog="D1", resume="Tilbuddet vil indføre et nyt medicinmodul"),
        cmd("paabud", "2024-09-20", o, forhold="Medicinhåndtering skal dokumenteres", frist="2024-11-01",
            karakter="faglig", begrundelse="Fund ved tilsynsbesøg: 4 af 6 medicinskemaer var ikke udfyldt"),
        cmd("klage", "2024-11-15", o, afgoerelse=5, klager="Aalborg Kommune, driftsherre",
            afgoerelse_modtaget="2024-09-23"),
        cmd("klage-genvurderet", "2024-12-01", o, klage="K1", udfald="fastholdt",
            begrundelse="Påbuddet fastholdes: dokumentationen mangler fortsat"),
        cmd("klage-videresendt", "2024-12-20", o, klage="K1"),
        cmd("skaerpet-tilsyn", "2025-01-10", o, periode_til="2025-04-09", baggrund="sikkerhed",
            begrundelse="Borgernes sikkerhed er truet om natten",
            straks_begrundelse="Akut risiko: ingen vågen nattevagt i Annekset", straks_grund="akut_risiko",
            paabud=[{"forhold": "Vågen nattevagt skal sikres", "frist": "2025-02-15", "karakter": "sikkerhed"}],
            kommuner_orienteret=["Aalborg"]),
        cmd("klage", "2025-01-20", o, afgoerelse=10, klager="Aalborg Kommune, driftsherre",
            afgoerelse_modtaget="2025-01-12", emne="sagens_behandling"),
    )


def build(app: Ledger, offer: str, klage: str) -> dict[str, Any]:
    case = app.case(offer)
    return build_case_file(case, klage, app.rulebooks, case_position(app, case))


def row(data: dict[str, Any], what: str) -> dict[str, Any]:
    return next(d for d in data["forside"]["datoer_og_frister"] if d["hvad"] == what)


# -- the pure builder, on both stores -----------------------------------------------------------
def test_the_case_file_holds_everything_ankestyrelsen_needs(app: Ledger) -> None:
    klitten(app)
    data = build(app, KLITTEN, "K1")
    md = render_markdown(data)
    text = render_json(data)
    assert json.loads(text) == data

    cover = data["forside"]
    offer = cover["parter"]["tilbud"]
    assert cover["parter"]["klager"] == "Klitten Behandling ApS"
    assert (offer["id"], offer["navn"], offer["ejerform"], offer["region"]) == (
        KLITTEN, "Behandlingscentret Klitten", "privat", "Øst")
    assert offer["afdelinger"] == [{"id": "A1", "navn": "Klitten", "adresse": "Klitvej 2, 4000 Roskilde"}]
    assert cover["parter"]["myndighed"]["navn"] == "Socialtilsyn Øst"
    assert cover["afgoerelse"] == {"nummer": 8, "titel": "Ophør af godkendelse", "dato": "2025-03-10",
                                   "paragraf": "bek § 4; lov § 5 stk 7", "regelsaet": "bek-2017"}
    assert cover["emne"]["tekst"] == "Afgørelsens indhold"
    for needle in ("Klitten Behandling ApS", "Behandlingscentret Klitten (T-1004)", "Klitvej 2, 4000 Roskilde",
                   "Privat", "Socialtilsyn Øst", "Ankestyrelsen", "#8 Ophør af godkendelse", "2025-03-10",
                   "bek § 4; lov § 5 stk 7", "Afgørelsens indhold"):
        assert needle in md, needle

    # Each date and whether its deadline was kept.
    assert row(data, "Afgørelsen modtaget af tilbuddet")["dato"] == "2025-03-12"
    complaint_row = row(data, "Klagen modtaget")
    assert (complaint_row["dato"], complaint_row["frist"], complaint_row["overholdt"]) == ("2025-04-02", "2025-04-09", True)
    review = row(data, "Genvurdering")
    assert (review["dato"], review["frist"], review["overholdt"]) == ("2025-04-22", "2025-04-30", True)
    forward = row(data, "Videresendt til Ankestyrelsen")
    assert (forward["dato"], forward["frist"], forward["overholdt"], forward["nummer"]) == ("2025-04-24", "2025-04-30", True, 11)
    anke = row(data, "Ankestyrelsens afgørelse")
    assert (anke["dato"], anke["nummer"]) == ("2025-08-15", 12) and "Stadfæstet" in anke["vurdering"]
    assert "| Klagen modtaget | 2025-04-02 | #9 | 2025-04-09 | overholdt | rettidig" in md
    assert "| Videresendt til Ankestyrelsen | 2025-04-24 | #11 | 2025-04-30 | overholdt |" in md
    assert cover["status"] == "afgjort_af_ankestyrelsen" and cover["afventer"] == []
    assert "Intet udestår i klagesagen." in md
    assert "ophøret har virkning fra 2025-08-15" in cover["virkning_af_klagen"]
    assert cover["bemaerkninger"] == []

    # The decision with its reasons, legal basis and rulebook.
    decision = data["afgoerelse"]
    assert decision["begrundelse"].startswith("Påbud P1 er ikke efterkommet")
    assert decision["regelsaet"]["id"] == "bek-2017" and decision["straks"] is False
    assert decision["navngivne_dialoger"] == ["D1", "D2"]
    assert {f["felt"]: f["tekst"] for f in decision["felter"]}["virkning_fra"] == "2025-06-01"
    assert "Påbud P1 er ikke efterkommet, og tilbuddet har ikke sandsynliggjort" in md
    assert "Bekendtgørelse om socialtilsyn af 13. november 2017" in md

    # The dialog and hearing that preceded it, with the corrected remarks, and the municipalities told.
    records = data["dialog"]["forloeb"]
    assert [(r["type"], r.get("dialog"), r["nummer"]) for r in records] == [
        ("dialog", "D1", 4), ("dialog", "D2", 6), ("svar", "D2", 13)]
    assert records[0]["forhold"] == ["Behandlingsplaner mangler", "Økonomien er ikke gennemsigtig"]
    assert (records[1]["form"], records[1]["svarfrist"], records[1]["svar_modtaget"]) == ("partshoering", "2025-02-24", ["2025-02-20"])
    assert records[2]["erstatter"] == {"nummer": 7, "begrundelse": "Resuméet var fra en anden sag"}
    assert "Tilbuddet har intet at bemærke" not in json.dumps(records, ensure_ascii=False)
    for needle in ("Behandlingsplaner mangler", "Økonomien er ikke gennemsigtig", "Partshøring D2 indledt",
                   "Svarfrist:** 2025-02-24", "beder om mere tid", "Roskilde, Køge"):
        assert needle in md, needle
    assert data["dialog"]["kommuner_underrettet"][0]["kommuner"] == ["Roskilde", "Køge"]

    # The complaint, the reconsideration, the forwarding, Ankestyrelsen's decision.
    handling = data["klagebehandling"]
    assert handling["klage"]["begrundelse"] == "Tilbuddet mener, at behandlingsplanerne nu foreligger."
    assert handling["genvurdering"]["udfald"] == "fastholdt"
    assert handling["ankestyrelsen"]["udfald"] == "stadfaestet"
    assert "Ankestyrelsen er enig i, at betingelserne for ophør er opfyldt." in md

    # The index of the documents, numbered, each with its date and event.
    index = [(i["akt"], i["dato"], i["haendelse"]) for i in data["aktindeks"]]
    assert index == [
        (1, "2025-08-15", 13), (2, "2025-03-10", 8), (3, "2024-10-20", 4), (4, "2025-02-03", 6), (5, "2025-02-20", 13),
        (6, "2025-04-02", 9), (7, "2025-04-22", 10), (8, "2025-04-24", 11), (9, "2025-08-15", 12),
        (10, "2024-02-05 – 2025-08-15", "#1-#13"),
    ]
    assert "## Aktindeks" in md and "## Akt 10. Sagens fulde kronologi" in md

    # The ledger state it was computed from, instead of a time.
    where = data["grundlag"]
    assert where["sagens_version"] == 13
    assert where["digest"] == f"ledger-digest:v1:{where['position']}:{where['kaedehash']}"
    assert where["position"] == app.head()[0] and where["kaedehash"] == app.head()[1].hex()


def test_the_chronology_holds_every_event_with_corrections_beside_what_they_correct(app: Ledger) -> None:
    klitten(app)
    data = build(app, KLITTEN, "K1")
    entries = data["kronologi"]["haendelser"]
    assert sorted(e["number"] for e in entries) == list(range(1, 14))
    wrong = next(e for e in entries if e["number"] == 7)
    assert wrong["corrected"]["how"] == "superseded" and wrong["corrected"]["by"] == 13
    assert wrong["summary"] == "Bemærkninger i dialog D2: Tilbuddet har intet at bemærke"
    assert next(e for e in entries if e["number"] == 13)["supersedes"] == 7
    for e in entries:
        # on PostgreSQL the session user records ("test" is kept as on whose behalf)
        assert e["recorded_at"] and e["recorded_by"] == (app.session_user or "test") and e["paragraph"]
    md = render_markdown(data)
    # The chronology's brackets are escaped like every text in the Markdown (a '[' could start a link).
    assert "\\[ERSTATTET ved #13" in md and "\\[RETTELSE: erstatter #7: Resuméet var fra en anden sag\\]" in md
    line = next(line for line in md.splitlines() if line.startswith("| 7 | 2025-02-20 |"))
    assert "Tilbuddet har intet at bemærke" in line and "ERSTATTET ved #13" in line


def test_late_complaint_late_forwarding_and_a_reconsideration_still_due(app: Ledger) -> None:
    odder(app)
    late = build(app, ODDER, "K1")
    md = render_markdown(late)
    complaint_row = row(late, "Klagen modtaget")
    assert (complaint_row["frist"], complaint_row["overholdt"]) == ("2024-10-21", False)
    assert complaint_row["vurdering"].startswith("for sent: modtaget 25 dage efter fristen 2024-10-21")
    forward = row(late, "Videresendt til Ankestyrelsen")
    assert (forward["dato"], forward["frist"], forward["overholdt"]) == ("2024-12-20", "2024-12-13", False)
    assert "ikke overholdt: 2024-12-20 er 7 dage efter fristen 2024-12-13" in forward["vurdering"]
    assert "| Videresendt til Ankestyrelsen | 2024-12-20 | #8 | 2024-12-13 | IKKE overholdt |" in md
    assert "for sent" in md
    assert late["forside"]["status"] == "hos_ankestyrelsen"
    assert late["forside"]["afventer"] == ["Ankestyrelsens afgørelse"]
    assert any("efter klagefristen" in r for r in late["forside"]["bemaerkninger"])
    assert any("videresendt efter fristen" in r for r in late["forside"]["bemaerkninger"])
    assert "ikke opsættende virkning" in late["forside"]["virkning_af_klagen"]
    assert late["dialog"]["forloeb"][0]["forhold"] == ["Medicinhåndtering → dokumentation mangler"]
    assert any("Der er ikke registreret underretning af kommunerne" in r for r in late["forside"]["bemaerkninger"])
    assert [o["adresse"] for o in late["forside"]["parter"]["tilbud"]["afdelinger"]] == ["Åvej 1, 9000 Aalborg", "Åvej 3, 9000 Aalborg"]

    pending = build(app, ODDER, "K2")
    md = render_markdown(pending)
    review = row(pending, "Genvurdering")
    assert (review["dato"], review["frist"], review["overholdt"]) == (None, "2025-02-17", None)
    assert review["vurdering"] == "afventer; skal ske senest 2025-02-17"
    forward = row(pending, "Videresendt til Ankestyrelsen")
    assert forward["dato"] is None and "senest 2025-02-17" in forward["vurdering"]
    assert pending["forside"]["status"] == "afventer_genvurdering"
    assert "| Genvurdering | afventer | - | 2025-02-17 | - | afventer; skal ske senest 2025-02-17 |" in md
    assert "Socialtilsynets genvurdering af afgørelsen (skal ske senest 2025-02-17)" in md
    # Straks grounds go to Ankestyrelsen (never to the public), with the påbud decided together.
    decision = pending["afgoerelse"]
    assert decision["straks"] is True and decision["straks_grund"]["kode"] == "akut_risiko"
    assert decision["straks_begrundelse"] == "Akut risiko: ingen vågen nattevagt i Annekset"
    assert "Akut risiko: ingen vågen nattevagt i Annekset" in md
    assert [p["forhold"] for p in decision["tilhoerende_paabud"]] == ["Vågen nattevagt skal sikres"]
    assert pending["klagebehandling"]["genvurdering"] is None
    assert [i["dokument"] for i in pending["aktindeks"]][-2:] == ["Klagen fra Aalborg Kommune, driftsherre", "Sagens fulde kronologi"]


def test_a_missing_complaint_is_not_found_and_names_the_offers_complaints(app: Ledger) -> None:
    odder(app)
    with pytest.raises(NotFound) as caught:
        build(app, ODDER, "K7")
    message = str(caught.value)
    assert "has no complaint K7" in message
    assert "K1 (over afgørelse #5, modtaget 2024-11-15)" in message and "K2 (over afgørelse #10" in message


def test_regenerating_gives_the_same_bytes_and_the_pdf_is_reproducible(app: Ledger) -> None:
    klitten(app)
    first, second = build(app, KLITTEN, "K1"), build(app, KLITTEN, "K1")
    assert render_markdown(first).encode() == render_markdown(second).encode()
    assert render_json(first).encode() == render_json(second).encode()
    if not pdf_available():
        pytest.skip("fpdf2 is not installed")
    created = app.case(KLITTEN).events[-1].timestamp
    pdf = render_pdf(first, created)
    assert pdf is not None and pdf.startswith(b"%PDF")
    assert render_pdf(second, created) == pdf


# -- names ---------------------------------------------------------------------------------------
def test_complaint_references_and_safe_file_names() -> None:
    assert parse_complaint_ref("T-1004/K1") == ("T-1004", "K1")
    assert parse_complaint_ref("N/2001/k02") == ("N/2001", "K2")
    assert parse_complaint_ref("K1", offer="T-1004") == ("T-1004", "K1")
    assert parse_complaint_ref("T-1004/K1", offer="T-1004") == ("T-1004", "K1")
    for bad in ("T-1004", "T-1004/", "/K1", "T-1004/P1"):
        with pytest.raises(InvalidInput):
            parse_complaint_ref(bad)
    with pytest.raises(InvalidInput):
        parse_complaint_ref("T-9/K1", offer="T-1004")
    assert file_stem("N/2001", "K1") == f"klagesag-{file_key('N/2001')}-K1"
    assert slug("Æblehaven:1/../x") == "_blehaven_1_.._x"
    assert slug("..") == "__"


# -- the command line ----------------------------------------------------------------------------
def test_complaint_file_writes_md_json_pdf_the_same_bytes_each_time(app: Ledger, tmp_path: Path) -> None:
    klitten(app)
    odder(app)
    out = tmp_path / "ud"
    args = ["file", "T-1004/K1", "--out", str(out), "--db", app.url]
    first = CliRunner().invoke(complaint, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    names = sorted(p.name for p in out.iterdir())
    expected = ["klagesag-T-1004-K1.json", "klagesag-T-1004-K1.md"]
    if pdf_available():
        expected.append("klagesag-T-1004-K1.pdf")
    assert names == sorted(expected)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = CliRunner().invoke(complaint, args, catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    if pdf_available():
        assert before["klagesag-T-1004-K1.pdf"].startswith(b"%PDF")
    data = json.loads(before["klagesag-T-1004-K1.json"])
    assert render_markdown(data).encode() == before["klagesag-T-1004-K1.md"]

    # An offer id with '/' gives a safe file name; --offer with Kn alone works too.
    other = CliRunner().invoke(complaint, ["file", "K2", "--offer", ODDER, "--out", str(out), "--db", app.url, "--files", "md,json"])
    assert other.exit_code == 0, other.output
    assert (out / f"klagesag-{file_key('N/2001')}-K2.md").exists()
    assert not (out / f"klagesag-{file_key('N/2001')}-K2.pdf").exists()


def test_a_missing_complaint_exits_4_with_the_offers_complaints(app: Ledger, tmp_path: Path) -> None:
    klitten(app)
    out = tmp_path / "ud"
    result = CliRunner().invoke(complaint, ["file", "T-1004/K3", "--out", str(out), "--db", app.url])
    assert result.exit_code == 4
    assert "Error: offer T-1004 has no complaint K3; its complaints are: K1 (over afgørelse #8, modtaget 2025-04-02)" in result.output
    assert not out.exists()
    missing = CliRunner().invoke(complaint, ["file", "T-9/K1", "--out", str(tmp_path), "--db", app.url])
    assert missing.exit_code == 4 and "not in the ledger" in missing.output
    bad = CliRunner().invoke(complaint, ["file", "T-1004", "--out", str(tmp_path), "--db", app.url])
    assert bad.exit_code == 2 and "OFFER/Kn" in bad.output


def test_complaint_list_shows_state_and_deadlines(app: Ledger) -> None:
    klitten(app)
    odder(app)
    result = CliRunner().invoke(complaint, ["list", ODDER, "--db", app.url, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["complaints"]
    assert [(r["klage"], r["status"]) for r in rows] == [("K1", "hos_ankestyrelsen"), ("K2", "afventer_genvurdering")]
    assert rows[0]["klagefrist"]["overholdt"] is False and rows[0]["videresendelse"]["overholdt"] is False
    assert rows[1]["genvurdering"]["frist"] == "2025-02-17"

    everything = CliRunner().invoke(complaint, ["list", "--db", app.url], catch_exceptions=False)
    assert everything.exit_code == 0, everything.output
    assert "T-1004/K1" in everything.output and "N/2001/K2" in everything.output
    assert "afventer; skal ske senest 2025-02-17" in everything.output
    opened = CliRunner().invoke(complaint, ["list", "--open", "--db", app.url, "--format", "json"], catch_exceptions=False)
    assert [(r["offer"], r["klage"]) for r in json.loads(opened.output)["complaints"]] == [("N/2001", "K1"), ("N/2001", "K2")]


def test_every_complaint_command_has_an_example() -> None:
    assert "ledger complaint" in (complaint.help or "")
    for name, command in complaint.commands.items():
        assert "Example:" in (command.help or "") and "ledger complaint " + name in (command.help or ""), name


def test_without_fpdf2_the_pdf_is_skipped_and_said_so(app: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    klitten(app)
    monkeypatch.setitem(__import__("sys").modules, "fpdf", None)  # `import fpdf` now raises ImportError
    assert not pdf_available()
    result = CliRunner().invoke(
        complaint, ["file", "T-1004/K1", "--out", str(tmp_path / "ud"), "--db", app.url], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "ud").iterdir()) == ["klagesag-T-1004-K1.json", "klagesag-T-1004-K1.md"]
    assert "PDF skipped: fpdf2 is not installed" in result.output
