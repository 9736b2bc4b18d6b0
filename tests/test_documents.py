"""The documents the ledger hands out: every name exactly as written in the PDFs, files with the
umask's mode, charts in the format their name says with a legend that shows every series' colour,
the grounds of a decision in `ledger history`, and Markdown that stored text cannot change.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from support import cmd, run_cli

from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.console import common
from ledger.reports import markdown as md
from ledger.reports.annual_report import charts_available

NAMES = [
    "Mirosław Łukasiewicz ApS (Şahin & Nguyễn)",  # Polish, Turkish, Vietnamese
    "Botilbuddet Łąka",  # Polish
    "Kalaallit Nunaat Ilaqutariit",  # Greenlandic
    "Tórshavnar Heimið",  # Faroese
    "Çağlayan Öztürk",  # Turkish
    "Nguyễn Thị Minh Khai",  # Vietnamese
    "دار الرعاية",  # Arabic
    "李小龙 之家",  # Chinese
    "Ærø Ålegård Søndergaard",  # Danish
    "김민수 가족",  # Korean
]
HOSTILE = "Bo <!--<script>alert(1)</script> sted"


@pytest.fixture(autouse=True)
def _close_cli_ledgers() -> Iterator[None]:
    before = set(common._APPS)
    yield
    for key in set(common._APPS) - before:
        ledger = common._APPS.pop(key)
        ledger.close()
        ledger.engine.dispose()


def record(app: Ledger, *commands: dict[str, Any]) -> None:
    app.execute([parse_command(c) for c in commands])


def run(*args: str) -> Result:
    return run_cli(list(args))


def pdf_text(path: Path) -> str:
    """The PDF's text as poppler's pdftotext extracts it (right-to-left runs in logical order)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed; scripts/setup.sh installs it as root")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    # pdftotext marks a right-to-left run with U+202B ... U+202C; the run itself is the name's bytes.
    return done.stdout.decode("utf-8").replace("\u202b", "").replace("\u202c", "")


def pdf_text_pypdf(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def named_parties(app: Ledger, names: list[str], text: str = "") -> None:
    """An offer for each name, with the name also as afdeling, complainant and reason; and a
    Socialtilsyn Nord text for the annual report that names them all."""
    for index, name in enumerate(names, start=1):
        offer = f"U-{index}"
        record(
            app,
            cmd("ansoegning", "2024-01-10", offer, navn=name, tilbudstyper=["SEL107"], pladser=8, ejerform="privat",
                region="Nord", afdelinger=[{"navn": name, "adresse": f"{name} 1, 9000 Aalborg"}]),
            cmd("godkendelse", "2024-03-01", offer, begrundelse=f"Godkendt: {name}"),
            cmd("dialog", "2024-09-01", offer, forhold=[f"Forhold hos {name}"]),
            cmd("paabud", "2024-09-20", offer, forhold="Medicin skal dokumenteres", frist="2024-11-01",
                karakter="faglig", begrundelse=name),
            cmd("klage", "2024-10-01", offer, afgoerelse=4, klager=name, afgoerelse_modtaget="2024-09-23",
                begrundelse=name),
        )
    record(app, {"command": "tilsynsrapport-tekst", "region": "Nord", "date": "2025-03-01", "aar": 2024,
                 "afsnit": "generelle_overvejelser", "overskrift": "Årets tilbud",
                 "tekst": "\n\n".join(names) + (f"\n\n{text}" if text else "")})


# -- every name exactly ------------------------------------------------------------------------------
def test_the_complaint_files_pdf_shows_every_name_byte_for_byte(app: Ledger, tmp_path: Path) -> None:
    # Given parties named in eight scripts
    named_parties(app, NAMES)
    for index, name in enumerate(NAMES, start=1):
        # When the complaint file is made
        result = run("complaint", "file", f"U-{index}/K1", "--out", str(tmp_path), "--db", app.url)
        assert result.exit_code == 0, result.output
        pdf = tmp_path / f"klagesag-U-{index}-K1.pdf"
        # Then its text holds the name exactly, and no character was replaced
        text = pdf_text(pdf)
        assert name in text, (name, text[:2000])
        assert "?" not in text.replace("?", "") and "\ufffd" not in text
        if not re.search(r"[\u0600-\u06ff]", name):  # pypdf reorders right-to-left text by its own rules
            assert name in pdf_text_pypdf(pdf)


def test_the_annual_reports_pdf_shows_every_name_byte_for_byte(app: Ledger, tmp_path: Path) -> None:
    named_parties(app, NAMES)
    result = run("annual-report", "2024", "--region", "Nord", "--out", str(tmp_path), "--format", "pdf", "--db", app.url)
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "aarsrapport-2024-nord.pdf")
    missing = [name for name in NAMES if name not in text]
    assert not missing, missing


def test_a_pdf_embeds_the_unicode_fonts_and_stays_small(app: Ledger, tmp_path: Path) -> None:
    named_parties(app, NAMES[:1] + NAMES[6:8])
    for offer, fallback in (("U-1", None), ("U-2", b"NotoSansArabic"), ("U-3", b"NotoSansSC")):
        assert run("complaint", "file", f"{offer}/K1", "--out", str(tmp_path), "--db", app.url).exit_code == 0
        data = (tmp_path / f"klagesag-{offer}-K1.pdf").read_bytes()
        fonts = set(re.findall(rb"/BaseFont /[A-Z]{6}\+([A-Za-z]+)", data))
        assert b"NotoSans" in fonts and b"NotoSansItalic" in fonts
        # A fallback font is embedded only where the document needs it
        assert {f for f in fonts if not f.startswith((b"NotoSans", b"NotoSansItalic"))} == set()
        assert (fallback is None and fonts <= {b"NotoSans", b"NotoSansItalic"}) or any(f.startswith(fallback or b"-") for f in fonts)
        assert b"/Helvetica" not in data  # no core font: they know Latin-1 only
        assert len(data) < 400_000  # only the glyphs used are embedded


def test_a_character_no_font_has_is_refused_and_nothing_is_written(app: Ledger, tmp_path: Path) -> None:
    # Given a complainant whose name holds an Egyptian hieroglyph (no embedded font has one)
    named_parties(app, ["Hieroglyf \U00013000 ApS"])
    out = tmp_path / "ud"
    # When the complaint file and the annual report are made
    complaint = run("complaint", "file", "U-1/K1", "--out", str(out), "--db", app.url)
    report = run("annual-report", "2024", "--region", "Nord", "--out", str(out), "--db", app.url)
    # Then both fail with exit 2, naming the character, and write nothing
    for result in (complaint, report):
        assert result.exit_code == 2, result.output
        assert "U+13000 EGYPTIAN HIEROGLYPH A001" in result.output and "no embedded font" in result.output
    assert not out.exists()
    # And without the PDF the other formats are written
    assert run("complaint", "file", "U-1/K1", "--out", str(out), "--no-pdf", "--db", app.url).exit_code == 0
    assert (out / "klagesag-U-1-K1.md").read_text("utf-8").count("\U00013000") >= 1


def test_the_latin1_transliteration_is_gone() -> None:
    import ledger.reports.complaint_file as complaint_file

    assert not hasattr(complaint_file, "latin1")


# -- file modes ----------------------------------------------------------------------------------------
@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_reports_are_written_with_the_umasks_mode(app: Ledger, tmp_path: Path, umask_022: None) -> None:
    named_parties(app, NAMES[:2])
    assert run("complaint", "file", "U-1/K1", "--out", str(tmp_path / "k"), "--db", app.url).exit_code == 0
    assert run("annual-report", "2024", "--region", "Nord", "--out", str(tmp_path / "a"), "--db", app.url).exit_code == 0
    files = [*(tmp_path / "k").iterdir(), *(tmp_path / "a").iterdir()]
    assert {p.suffix for p in files} >= {".md", ".json", ".pdf", ".html"}
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {"0o644"}
    assert not [p for p in files if p.name.startswith(".")]  # no temporary file left behind
    os.umask(0o027)
    assert run("complaint", "file", "U-2/K1", "--out", str(tmp_path / "k"), "--db", app.url).exit_code == 0
    assert oct((tmp_path / "k" / "klagesag-U-2-K1.md").stat().st_mode & 0o777) == "0o640"


# -- charts ----------------------------------------------------------------------------------------------
def quality_case(app: Ledger) -> None:
    record(
        app,
        cmd("ansoegning", "2024-01-10", "Q-1", navn="Bostedet", tilbudstyper=["SEL107"], pladser=8, ejerform="privat",
            region="Nord", afdelinger=[{"navn": "Hus", "adresse": "Vej 1, 9000 Aalborg"}]),
        cmd("godkendelse", "2024-03-01", "Q-1", begrundelse="OK"),
        cmd("kvalitetsvurdering", "2024-06-01", "Q-1", anledning="tilsyn", indikatorer={"1.a": 4, "2.a": 3, "3.a": 5},
            temaer={"1": "a", "2": "b", "3": "c"}),
    )


@pytest.mark.skipif(not charts_available(), reason="matplotlib (the charts extra) is not installed")
def test_the_quality_chart_is_written_in_the_format_its_suffix_names(app: Ledger, tmp_path: Path, umask_022: None) -> None:
    quality_case(app)
    magic = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF-"}
    for suffix, start in magic.items():
        target = tmp_path / f"spindel.{suffix}"
        result = run("quality", "Q-1", "--chart", str(target), "--db", app.url)
        assert result.exit_code == 0, result.output
        assert target.read_bytes().startswith(start), suffix
        assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert b"<svg" in (tmp_path / "spindel.svg").read_bytes()
    # An upper-case suffix names the same format
    assert run("quality", "Q-1", "--chart", str(tmp_path / "X.PNG"), "--db", app.url).exit_code == 0
    assert (tmp_path / "X.PNG").read_bytes().startswith(magic["png"])


def test_an_unknown_chart_suffix_is_refused_before_anything_is_drawn(app: Ledger, tmp_path: Path) -> None:
    quality_case(app)
    charts = tmp_path / "charts"
    charts.mkdir()
    for name in ("spindel.jpg", "spindel", "spindel.svg.gz"):
        result = run("quality", "Q-1", "--chart", str(charts / name), "--db", app.url)
        assert result.exit_code == 2, result.output
        assert "suffix names the format" in result.output and ".png, .svg, .pdf" in result.output
    assert list(charts.iterdir()) == []


@pytest.mark.skipif(not charts_available(), reason="matplotlib (the charts extra) is not installed")
def test_every_legend_entry_shows_its_series_colour_even_when_the_series_is_all_zero() -> None:
    from ledger.reports.annual_report import BLUE, GREY, ORANGE, RED, _grouped

    # Given the national "Afgørelser" chart where two series are zero in every region
    svg = _grouped(
        "Afgørelser 2024 pr. socialtilsyn", ["Nord", "Midt"],
        [("Godkendelser", BLUE, [2, 1]), ("Påbud", ORANGE, [1, 0]),
         ("Skærpede tilsyn", RED, [0, 0]), ("Tilbagekaldte godkendelser", GREY, [0, 0])],
        "Antal",
    )
    # Then the legend draws a patch in each series' colour, the empty ones included
    legend = svg[svg.index('id="legend_1"'):]
    fills = re.findall(r"fill: (#[0-9a-f]{6})", legend)[:8]
    for colour in (BLUE, ORANGE, RED, GREY):
        assert colour.lower() in fills, (colour, fills)
    assert fills.count(BLUE.lower()) == 1  # the empty series no longer fall back to the default blue


# -- history shows the grounds --------------------------------------------------------------------
def test_history_shows_the_straks_grounds_in_text_json_and_markdown(app: Ledger) -> None:
    record(
        app,
        cmd("ansoegning", "2024-01-10", "S-1", navn="Bostedet", tilbudstyper=["SEL107"], pladser=8, ejerform="privat",
            region="Nord", afdelinger=[{"navn": "Hus", "adresse": "Vej 1, 9000 Aalborg"}]),
        cmd("godkendelse", "2024-03-01", "S-1", begrundelse="OK"),
        cmd("skaerpet-tilsyn", "2025-01-10", "S-1", periode_til="2025-04-09", baggrund="sikkerhed",
            begrundelse="Borgernes sikkerhed er truet om natten", straks_grund="akut_risiko",
            straks_begrundelse="Ingen vågen nattevagt i Annekset",
            paabud=[{"forhold": "Vågen nattevagt skal sikres", "frist": "2025-02-15", "karakter": "sikkerhed"}]),
        cmd("ophoer", "2025-03-01", "S-1", virkning_fra="2025-03-01", baggrund="strafbare_forhold",
            begrundelse="Ledelsen er sigtet", straks_grund="strafbare_forhold",
            straks_begrundelse="Mistanke om vold mod borgerne"),
    )
    data = json.loads(run("history", "S-1", "--format", "json", "--db", app.url).output)
    kinds = {e["type"]: e for e in data["entries"]}
    for kind, code, reason in (
        ("PaabudUdstedt", "akut_risiko", "Ingen vågen nattevagt i Annekset"),
        ("SkaerpetTilsynIvaerksat", "akut_risiko", "Ingen vågen nattevagt i Annekset"),
        ("GodkendelseOphoert", "strafbare_forhold", "Mistanke om vold mod borgerne"),
    ):
        entry = kinds[kind]
        assert entry["straks"] is True and entry["straks_grund"] == code and entry["straks_begrundelse"] == reason
        assert entry["straks_grund_tekst"] and entry["begrundelse"]
    text = run("history", "S-1", "--db", app.url).output
    markdown = run("history", "S-1", "--format", "md", "--db", app.url).output
    for shown in (text, markdown):
        assert shown.count("Truffet straks: særlig grund:") == 3
        assert shown.count("Ingen vågen nattevagt i Annekset") == 2 and "Mistanke om vold mod borgerne" in shown
        assert "Ledelsen er sigtet" in shown


# -- Markdown that stored text cannot change ---------------------------------------------------------
def test_stored_html_and_markdown_never_reach_the_markdown_outputs_raw(app: Ledger, tmp_path: Path) -> None:
    # Given an offer, a complainant, a reason and an authority's text holding HTML and Markdown
    named_parties(app, [HOSTILE, "# Overskrift | celle *fed* [link](javascript:x) `kode`"], text="<!-- skjult\n> citat")
    assert run("complaint", "file", "U-1/K1", "--out", str(tmp_path), "--db", app.url).exit_code == 0
    assert run("complaint", "file", "U-2/K1", "--out", str(tmp_path), "--db", app.url).exit_code == 0
    assert run("annual-report", "2024", "--region", "Nord", "--out", str(tmp_path), "--format", "md", "--db", app.url).exit_code == 0
    outputs = {
        "klagesag 1": (tmp_path / "klagesag-U-1-K1.md").read_text("utf-8"),
        "klagesag 2": (tmp_path / "klagesag-U-2-K1.md").read_text("utf-8"),
        "aarsrapport": (tmp_path / "aarsrapport-2024-nord.md").read_text("utf-8"),
        "history": run("history", "U-1", "--format", "md", "--db", app.url).output,
    }
    for name, text in outputs.items():
        # Then no tag or comment is there verbatim, only its escaped form
        assert "<script>" not in text and "<!--" not in text and "</script>" not in text, name
        if name != "klagesag 2":
            assert "&lt;!--&lt;script&gt;alert(1)&lt;/script&gt;" in text, name
    for name in ("klagesag 2", "aarsrapport"):
        text = outputs[name]
        assert "[link](javascript" not in text and "\\[link\\](javascript:x)" in text
        assert "\\*fed\\*" in text and "\\`kode\\`" in text and "celle" in text
        assert not re.search(r"^# Overskrift", text, re.M)  # the stored '#' starts no heading
    assert "&lt;!-- skjult" in outputs["aarsrapport"] and not re.search(r"^> citat", outputs["aarsrapport"], re.M)


def test_markdown_escaping_keeps_the_text_as_written() -> None:
    assert md.inline("Mirosław Łukasiewicz ApS (Şahin & Nguyễn)") == "Mirosław Łukasiewicz ApS (Şahin & Nguyễn)"
    assert md.inline("A &amp; B &#60;") == "A &amp;amp; B &amp;#60;"  # shows as typed, not as '&' and '<'
    assert md.inline("- punkt") == "\\- punkt" and md.inline("- punkt", starts_line=False) == "- punkt"
    assert md.inline("12. maj") == "12\\. maj" and md.inline("> x") == "&gt; x"
    assert md.lines("a\n# b") == ["a", "\\# b"]
    assert md.with_code("Kør `ledger verify` nu") == "Kør `ledger verify` nu"
    assert md.with_code("`<b>`") == "\\`&lt;b&gt;\\`"
