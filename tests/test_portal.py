"""The public portal export (bek § 1 stk 5, § 10): file names, the page's structure, safe writing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from support import ansoegning, close_cached_apps, godkendelse, run_cli

from ledger.reports.complaint_file import file_stem
from ledger.reports.filenames import file_key
from ledger.reports.portal import script_json

HOSTILE_IDS = ["T:3003", "T/3003", "T_3003", "Æble-1", "Øble-1", "t-1", "T-1", "..", "T-" + "9" * 200, "T-" + "9" * 201]


def run(argv: list[str], db: Path, input: str | None = None) -> Result:
    try:
        return run_cli([*argv, "--db", f"sqlite:///{db}"], input=input)
    finally:
        close_cached_apps()


def submit(db: Path, *commands: dict[str, Any]) -> None:
    lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in commands)
    result = run(["submit", "-"], db, input=lines)
    assert result.exit_code == 0, result.output


def ledger_with(tmp_path: Path, *commands: dict[str, Any]) -> Path:
    db = tmp_path / "ledger.db"
    assert run(["init"], db).exit_code == 0
    submit(db, *commands)
    return db


def approved_offer(key: str, navn: str = "Bostedet Lærkely", **fields: Any) -> list[dict[str, Any]]:
    return [ansoegning(offer=key, navn=navn, **fields), godkendelse(offer=key)]


# -- 1. file names --------------------------------------------------------------------------------
def test_every_hostile_id_gets_its_own_safe_file_name_even_where_case_is_ignored() -> None:
    names = [file_key(key) for key in HOSTILE_IDS]
    assert len({name.casefold() for name in names}) == len(HOSTILE_IDS), names
    for name in names:
        assert name and len(name) <= 64 and name not in (".", "..")
        assert all(c.isascii() and (c.isalnum() or c in "-_~") for c in name), name
        assert not name.startswith("-")


def test_a_plain_id_is_its_own_file_name_and_every_name_is_stable() -> None:
    assert file_key("T-1004") == "T-1004" and file_key("K1") == "K1"
    assert file_key("Æble-1") == file_key("Æble-1") == "AEBLE-1~" + file_key("Æble-1").split("~")[1]
    assert file_key("Øble-1").startswith("OEBLE-1~")
    assert file_key("..").startswith("__~")
    assert file_key("CON") != "CON" and file_key("t-1") != "T-1"


def test_the_complaint_file_names_use_the_same_encoding() -> None:
    assert file_stem("T-1004", "K1") == "klagesag-T-1004-K1"
    assert file_stem("N/2001", "K1") == f"klagesag-{file_key('N/2001')}-K1"
    assert file_stem("T:3003", "K1") != file_stem("T/3003", "K1") != file_stem("T_3003", "K1")


def test_the_portal_writes_one_page_per_offer_whatever_their_ids(tmp_path: Path) -> None:
    keys = ["T:3003", "T/3003", "T_3003", "Æble-1", "Øble-1", "t-1", "T-1", "T.1", "T-" + "9" * 62, "T-" + "9" * 61 + "8"]
    commands = [c for i, key in enumerate(keys) for c in approved_offer(key, navn=f"Tilbud nummer {i}")]
    db = ledger_with(tmp_path, *commands)
    out = tmp_path / "site"
    result = run(["portal", "export", "--out", str(out), "--as-of", "2024-06-01"], db)
    assert result.exit_code == 0, result.output
    pages = sorted((out / "tilbud").iterdir())
    assert len(pages) == len(keys)
    assert len({p.name.casefold() for p in pages}) == len(keys)
    texts = "".join(p.read_text(encoding="utf-8") for p in pages)
    for i in range(len(keys)):
        assert f"Tilbud nummer {i}<" in texts
    assert all(p.parent == out / "tilbud" for p in pages)


# -- 2. embedded JSON cannot change the page's structure -------------------------------------------
HOSTILE_NAMES = ["Bo <!--<script> sted", "Bo </script><script>alert(1)</script> sted", "A & B <b>fed</b> ]]> -->"]


def test_the_embedded_json_escapes_what_could_end_a_script_or_break_a_javascript_line() -> None:
    # U+2028/U+2029 never reach the ledger (readers refuse them), yet the page must not depend on it.
    text = "</script><!-- & \u2028 \u2029"
    embedded = script_json({"navn": text})
    for character in "<>&\u2028\u2029":
        assert character not in embedded
    assert json.loads(embedded) == {"navn": text}


def test_stored_text_in_the_embedded_json_never_changes_the_index_pages_structure(tmp_path: Path) -> None:
    html5lib = pytest.importorskip("html5lib", reason="html5lib (the dev extra) parses the page as a browser does")
    commands = [c for i, name in enumerate(HOSTILE_NAMES) for c in approved_offer(f"T-{i + 1}", navn=name)]
    db = ledger_with(tmp_path, *commands)
    out = tmp_path / "site"
    assert run(["portal", "export", "--out", str(out), "--as-of", "2024-06-01"], db).exit_code == 0
    for page in [out / "index.html", *(out / "tilbud").iterdir()]:
        document = html5lib.parse(page.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
        scripts = document.findall(".//script")
        # Only the page's own scripts: no stored text opened or closed one.
        assert all(s.get("id") in ("data", "app") or s.get("src") for s in scripts), [s.attrib for s in scripts]
        assert not document.findall(".//b"), "a stored <b> became an element"
        data_blocks = [s for s in scripts if s.get("id") == "data"]
        if page.name == "index.html":  # (the offer pages carry no JSON)
            assert len(data_blocks) == 1
            offers = json.loads(data_blocks[0].text or "")["tilbud"]
            assert sorted(o["navn"] for o in offers) == sorted(HOSTILE_NAMES)
            raw = page.read_text(encoding="utf-8")
            inline = raw.split('<script id="data" type="application/json">', 1)[1].split("</script>", 1)[0]
            for character in "<>&\u2028\u2029":
                assert character not in inline
        else:
            heading = document.find(".//h1")
            assert heading is not None and "".join(heading.itertext()) in HOSTILE_NAMES


# -- 3. writing the site ---------------------------------------------------------------------------
def one_offer_ledger(tmp_path: Path) -> Path:
    return ledger_with(tmp_path, *approved_offer("T-1"))


def export_to(db: Path, out: str) -> Result:
    return run(["portal", "export", "--out", out, "--as-of", "2024-06-01"], db)


def test_an_empty_out_is_refused_with_exit_2_and_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = one_offer_ledger(tmp_path)
    work = tmp_path / "cwd"
    (work / "tilbud").mkdir(parents=True)
    (work / "tilbud" / "keep.html").write_text("mine")
    monkeypatch.chdir(work)
    for empty in ("", "   "):
        result = export_to(db, empty)
        assert result.exit_code == 2, result.output
        assert "--out is empty" in result.output
    assert sorted(p.name for p in work.rglob("*")) == ["keep.html", "tilbud"]


@pytest.mark.parametrize("out, reason", [("/dev/null", "is not a directory"), ("/proc/nope", "that can be created"),
                                         ("/dev/null/site", "that can be created")])
def test_an_out_that_cannot_be_a_directory_is_refused_with_exit_2(tmp_path: Path, out: str, reason: str) -> None:
    db = one_offer_ledger(tmp_path)
    result = export_to(db, out)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: --out") and reason in result.output, result.output


def test_a_link_in_the_site_is_replaced_never_written_through(tmp_path: Path) -> None:
    db = one_offer_ledger(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("untouched")
    site = tmp_path / "site"
    site.mkdir()
    (site / "portal.json").symlink_to(victim)
    (site / "index.html").symlink_to(outside / "new.html")  # a dangling link must not create the file
    result = export_to(db, str(site))
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "untouched"
    assert not (outside / "new.html").exists()
    assert not (site / "portal.json").is_symlink() and json.loads((site / "portal.json").read_text())["tilbud"]
    assert not (site / "index.html").is_symlink()


def test_a_linked_tilbud_directory_outside_the_site_is_neither_written_nor_emptied(tmp_path: Path) -> None:
    db = one_offer_ledger(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.html").write_text("keep me")
    site = tmp_path / "site"
    site.mkdir()
    (site / "tilbud").symlink_to(outside, target_is_directory=True)
    result = export_to(db, str(site))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in outside.iterdir()) == ["precious.html"]
    assert (outside / "precious.html").read_text() == "keep me"
    assert (site / "tilbud").is_dir() and not (site / "tilbud").is_symlink()
    assert [p.name for p in (site / "tilbud").iterdir()] == ["T-1.html"]


def test_a_stale_page_link_is_removed_without_touching_its_target(tmp_path: Path) -> None:
    db = one_offer_ledger(tmp_path)
    target = tmp_path / "target.html"
    target.write_text("keep me")
    site = tmp_path / "site"
    (site / "tilbud").mkdir(parents=True)
    (site / "tilbud" / "OLD.html").symlink_to(target)
    (site / "tilbud" / "T-1.html").symlink_to(target)
    (site / "tilbud" / "stale.html").write_text("old page")
    assert export_to(db, str(site)).exit_code == 0
    assert target.read_text() == "keep me"
    assert [p.name for p in (site / "tilbud").iterdir()] == ["T-1.html"]
    assert not (site / "tilbud" / "T-1.html").is_symlink()
    mode = (site / "index.html").stat().st_mode & 0o777
    assert mode == 0o666 & ~_umask(), oct(mode)


def _umask() -> int:
    import os

    current = os.umask(0o022)
    os.umask(current)
    return current


# -- 4. two audiences: what appears, and what never does ---------------------------------------------
# Public facts carry PUB-, a foster family's personal data FAM-, and what is never shown NEVER-.
OFFER_KEY, FAMILY_KEY = "T-10", "PF-20"
LEAK_LEDGER: list[dict[str, Any]] = [
    ansoegning(offer=OFFER_KEY, navn="PUB-NAVN Bostedet", note="NEVER-NOTE-1", by="NEVER-STAFF-Jensen",
               afdelinger=[{"navn": "PUB-AFDELING", "adresse": "PUB-VEJ 1, 9000 Aalborg"}]),
    godkendelse(offer=OFFER_KEY, begrundelse="NEVER-BEGRUNDELSE-godkendelse",
                vilkaar=[{"tekst": "PUB-VILKAAR brandsyn", "frist": "2024-12-01"}]),
    {"command": "tilsynsbesoeg", "offer": OFFER_KEY, "date": "2024-04-15", "form": "uanmeldt", "note": "NEVER-NOTE-2"},
    {"command": "magtanvendelse", "offer": OFFER_KEY, "date": "2024-05-02", "haendelsesdato": "2024-04-30",
     "reference": "NEVER-MAGT-17"},
    {"command": "kvalitetsvurdering", "offer": OFFER_KEY, "date": "2024-04-20", "anledning": "tilsyn",
     "indikatorer": {"1.a": 3, "1.b": 2}, "temaer": {"1": "PUB-TEMA uddannelse og beskæftigelse"}},
    {"command": "dialog", "offer": OFFER_KEY, "date": "2024-05-10", "forhold": ["NEVER-DIALOG medicin"]},
    {"command": "paabud", "offer": OFFER_KEY, "date": "2024-05-20", "forhold": "PUB-PAABUD medicin dokumenteres",
     "frist": "2024-09-01", "karakter": "faglig", "begrundelse": "NEVER-BEGRUNDELSE-paabud"},
    {"command": "skaerpet-tilsyn", "offer": OFFER_KEY, "date": "2024-05-25", "periode_til": "2024-08-20",
     "baggrund": "sikkerhed", "begrundelse": "NEVER-BEGRUNDELSE-skaerpet", "straks_grund": "akut_risiko",
     "straks_begrundelse": "NEVER-STRAKS akut risiko",
     "paabud": [{"forhold": "PUB-PAABUD2 nattevagt", "frist": "2024-07-01", "karakter": "sikkerhed"}]},
    {"command": "klage", "offer": OFFER_KEY, "date": "2024-06-01", "afgoerelse": 7, "klager": "NEVER-KLAGER ApS",
     "afgoerelse_modtaget": "2024-05-22"},
    ansoegning(offer=FAMILY_KEY, navn="FAM-NAVN Familien Hansen", tilbudstyper=["PLEJEFAMILIE"], pladser=2,
               afdelinger=[{"navn": "FAM-HJEM", "adresse": "FAM-VEJ 7, 9800 Hjørring"}]),
    godkendelse(offer=FAMILY_KEY, vilkaar=[{"tekst": "FAM-VILKAAR børneattest", "frist": "2024-12-01"}]),
    {"command": "tilsynsbesoeg", "offer": FAMILY_KEY, "date": "2024-04-16", "form": "anmeldt"},
    {"command": "kvalitetsvurdering", "offer": FAMILY_KEY, "date": "2024-04-21", "anledning": "tilsyn",
     "indikatorer": {"1.a": 4}, "temaer": {"1": "FAM-TEMA barnets skolegang"}},
]
PUBLIC_VIEW_FIELDS = {"tilbud", "navn", "socialtilsyn", "tilbudstyper", "ejerform", "pladser", "adresser", "byer", "maalgrupper",
                      "status", "godkendt", "vilkaar", "paabud", "skaerpet_tilsyn", "kvalitetsvurdering",
                      "seneste_tilsynsbesoeg"}


def site_text(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file())


@pytest.fixture
def leak_sites(tmp_path: Path) -> dict[str, Path]:
    db = ledger_with(tmp_path, *LEAK_LEDGER)
    sites = {}
    for audience in ("offentlig", "myndighed"):
        out = tmp_path / audience
        result = run(["portal", "export", "--out", str(out), "--as-of", "2024-06-10", "--audience", audience,
                      "--feed-since", "2024-01-01"], db)
        assert result.exit_code == 0, result.output
        sites[audience] = out
    return sites


def test_the_public_site_shows_no_foster_familys_personal_data_only_a_suppressed_count(leak_sites: dict[str, Path]) -> None:
    site = leak_sites["offentlig"]
    text = site_text(site)
    for marker in ("FAM-NAVN", "FAM-HJEM", "FAM-VEJ", "FAM-VILKAAR", "FAM-TEMA", FAMILY_KEY, file_key(FAMILY_KEY)):
        assert marker not in text, f"{marker} reached the public site"
    portal = json.loads((site / "portal.json").read_text(encoding="utf-8"))
    assert [v["tilbud"] for v in portal["tilbud"]] == [OFFER_KEY]
    assert portal["plejefamilier"] == [{"socialtilsyn": "Nord", "tilbudstype": "Plejefamilie (generelt godkendt)",
                                        "antal": None, "vist_som": "færre end 5"}]
    assert "færre end 5" in (site / "index.html").read_text(encoding="utf-8")
    assert [p.name for p in (site / "tilbud").iterdir()] == [f"{OFFER_KEY}.html"]


def test_the_authorities_site_carries_the_foster_family_as_bilag_2_reports_it(leak_sites: dict[str, Path]) -> None:
    site = leak_sites["myndighed"]
    portal = json.loads((site / "portal.json").read_text(encoding="utf-8"))
    assert portal["publikum"] == "myndighed" and "plejefamilier" not in portal
    family = next(v for v in portal["tilbud"] if v["tilbud"] == FAMILY_KEY)
    assert family["navn"] == "FAM-NAVN Familien Hansen"
    assert family["adresser"] == [{"afdeling": "FAM-HJEM", "adresse": "FAM-VEJ 7, 9800 Hjørring"}]
    assert family["vilkaar"] == [{"tekst": "FAM-VILKAAR børneattest", "frist": "2024-12-01"}]
    assert family["kvalitetsvurdering"]["temaer"][0]["vurdering"] == "FAM-TEMA barnets skolegang"
    assert family["seneste_tilsynsbesoeg"] == "2024-04-16"
    page = (site / "tilbud" / f"{file_key(FAMILY_KEY)}.html").read_text(encoding="utf-8")
    for marker in ("FAM-NAVN", "FAM-HJEM", "FAM-VEJ", "FAM-VILKAAR", "FAM-TEMA", "16. april 2024"):
        assert marker in page
    assert '<meta name="robots" content="noindex,nofollow">' in page and "ikke til offentliggørelse" in page


@pytest.mark.parametrize("audience", ["offentlig", "myndighed"])
def test_each_audience_sees_the_public_facts_field_by_field_and_never_the_rest(leak_sites: dict[str, Path], audience: str) -> None:
    site = leak_sites[audience]
    portal = json.loads((site / "portal.json").read_text(encoding="utf-8"))
    for view in portal["tilbud"]:
        assert set(view) == PUBLIC_VIEW_FIELDS, set(view) ^ PUBLIC_VIEW_FIELDS
        assert set(view["kvalitetsvurdering"]) == {"dato", "anledning", "temaer"}  # no indicator scores
        assert all(set(t) == {"tema", "vurdering"} for t in view["kvalitetsvurdering"]["temaer"])
        assert all(set(p) == {"forhold", "frist"} for p in view["paabud"])
        assert all(set(s) == {"fra", "til"} for s in view["skaerpet_tilsyn"])
    offer = next(v for v in portal["tilbud"] if v["tilbud"] == OFFER_KEY)
    assert offer["navn"] == "PUB-NAVN Bostedet"
    assert offer["adresser"] == [{"afdeling": "PUB-AFDELING", "adresse": "PUB-VEJ 1, 9000 Aalborg"}]
    assert offer["vilkaar"] == [{"tekst": "PUB-VILKAAR brandsyn", "frist": "2024-12-01"}]
    assert sorted(p["forhold"] for p in offer["paabud"]) == ["PUB-PAABUD medicin dokumenteres", "PUB-PAABUD2 nattevagt"]
    assert offer["skaerpet_tilsyn"] == [{"fra": "2024-05-25", "til": "2024-08-20"}]
    assert offer["kvalitetsvurdering"]["temaer"][0]["vurdering"] == "PUB-TEMA uddannelse og beskæftigelse"
    page = (site / "tilbud" / f"{OFFER_KEY}.html").read_text(encoding="utf-8")
    for marker in ("PUB-NAVN", "PUB-AFDELING", "PUB-VEJ", "PUB-VILKAAR", "PUB-PAABUD", "PUB-PAABUD2", "PUB-TEMA",
                   "25. maj 2024", "20. august 2024", "15. april 2024"):
        assert marker in page, marker
    text = site_text(site)
    for marker in ("NEVER-NOTE-1", "NEVER-NOTE-2", "NEVER-STAFF", "NEVER-BEGRUNDELSE", "NEVER-MAGT", "NEVER-DIALOG",
                   "NEVER-STRAKS", "akut_risiko", "NEVER-KLAGER", "spindel", "indikator"):
        assert marker not in text, f"{marker} reached the {audience} site"
    assert '"1.a"' not in text


# -- 5. the changes feed, Danish dates --------------------------------------------------------------
def test_danish_dates_read_as_a_dane_writes_them() -> None:
    from ledger.reports.portal_site import danish_date

    assert danish_date("2026-12-03") == "3. december 2026"
    assert danish_date("2024-05-01") == "1. maj 2024" and danish_date(None) == "-"


def test_two_exports_of_the_same_ledger_position_are_byte_for_byte_the_same(tmp_path: Path) -> None:
    db = ledger_with(tmp_path, *LEAK_LEDGER)
    sites = []
    for name in ("first", "second"):
        out = tmp_path / name
        result = run(["portal", "export", "--out", str(out), "--as-of", "2024-06-10", "--feed-since", "2024-01-01"], db)
        assert result.exit_code == 0, result.output
        sites.append({str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert sites[0] == sites[1]
    assert "feed.xml" in sites[0] and "tilgaengelighed.html" in sites[0] and "kontakt.html" in sites[0]


def test_the_atom_feed_lists_the_published_changes_since_the_date_and_nothing_private(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    ophoert = [ansoegning(offer="T-30", navn="Bostedet Ophørt"), godkendelse(offer="T-30"),
               {"command": "ophoer", "offer": "T-30", "date": "2024-06-05", "straks": True, "straks_grund": "akut_risiko",
                "straks_begrundelse": "NEVER-STRAKS-ophoer", "baggrund": "sikkerhed", "begrundelse": "NEVER-BEGRUNDELSE-ophoer"}]
    db = ledger_with(tmp_path, *LEAK_LEDGER, *ophoert)
    out = tmp_path / "site"
    assert run(["portal", "export", "--out", str(out), "--as-of", "2024-06-10", "--feed-since", "2024-05-01"], db).exit_code == 0
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring((out / "feed.xml").read_bytes())
    entries = [(e.findtext(f"{atom}updated"), e.find(f"{atom}category").get("term"), e.findtext(f"{atom}title"))  # type: ignore[union-attr]
               for e in feed.findall(f"{atom}entry")]
    assert entries == [
        ("2024-06-05T00:00:00Z", "ophoert", "Godkendelsen er ophørt: Bostedet Ophørt"),
        ("2024-05-25T00:00:00Z", "skaerpet_tilsyn", "Skærpet tilsyn: PUB-NAVN Bostedet"),
        ("2024-05-25T00:00:00Z", "paabud", "Påbud udstedt: PUB-NAVN Bostedet"),
        ("2024-05-20T00:00:00Z", "paabud", "Påbud udstedt: PUB-NAVN Bostedet"),
    ]  # the approvals of March are before --feed-since; the foster family is never in the public feed
    assert feed.findtext(f"{atom}updated") == "2024-06-10T00:00:00Z"
    text = (out / "feed.xml").read_text(encoding="utf-8") + (out / "aendringer.html").read_text(encoding="utf-8")
    assert "NEVER-" not in text and "akut_risiko" not in text and "FAM-" not in text
    assert "PUB-PAABUD2 nattevagt (frist 1. juli 2024)" in text


def test_portal_show_keeps_a_foster_family_from_the_public_and_shows_it_to_the_authorities(tmp_path: Path) -> None:
    db = ledger_with(tmp_path, *LEAK_LEDGER)
    public = run(["portal", "show", FAMILY_KEY, "--as-of", "2024-06-10"], db)
    assert public.exit_code == 0, public.output
    assert "plejefamilie, a private home" in public.output and "bek bilag 2" in public.output
    assert "FAM-" not in public.output
    authorities = run(["portal", "show", FAMILY_KEY, "--as-of", "2024-06-10", "--audience", "myndighed"], db)
    assert authorities.exit_code == 0 and "FAM-NAVN Familien Hansen" in authorities.output


def test_contact_details_can_be_replaced_and_a_bad_file_is_exit_2(tmp_path: Path) -> None:
    db = one_offer_ledger(tmp_path)
    contacts = tmp_path / "kontakt.json"
    contacts.write_text(json.dumps({"Nord": {"vaert": "Hjørring Kommune", "adresse": "Testgade 1, 9800 Hjørring",
                                             "telefon": "72 33 33 33"}}), encoding="utf-8")
    out = tmp_path / "site"
    result = run(["portal", "export", "--out", str(out), "--as-of", "2024-06-01", "--kontakt", str(contacts)], db)
    assert result.exit_code == 0, result.output
    page = (out / "kontakt.html").read_text(encoding="utf-8")
    assert "Testgade 1, 9800 Hjørring" in page and "72 33 33 33" in page
    contacts.write_text("[1, 2]", encoding="utf-8")
    bad = run(["portal", "export", "--out", str(tmp_path / "other"), "--kontakt", str(contacts)], db)
    assert bad.exit_code == 2 and "--kontakt" in bad.output
