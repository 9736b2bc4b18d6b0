"""The Tilbudsportal site in a real browser: Debian's chromium driven by Playwright, axe-core from npm.

scripts/browser-setup.sh (run by scripts/test.sh) installs both. Without them these tests skip and
say why; with LEDGER_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ansoegning, godkendelse
from test_portal import ledger_with, run

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent.parent / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AS_OF = "2024-10-15"

REGIONS = [("Nord", "9800 Hjørring"), ("Midt", "8600 Silkeborg"), ("Syd", "5000 Odense C"), ("Øst", "4300 Holbæk"),
           ("Hovedstaden", "2200 København N")]
TYPES = ["SEL107", "SEL108", "SEL66_5", "SEL101", "SUL141", "SEL110"]
STEMS = ["Lærkely", "Egebo", "Solsikken", "Birkely", "Fjordbo", "Skovbrynet", "Engly", "Havbakken", "Lindely", "Åbo",
         "Strandly", "Granly"]
OFFERS = 60


def _unavailable(reason: str) -> None:
    if os.environ.get("LEDGER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and LEDGER_REQUIRE_BROWSER=1 says the browser tests must run")
    pytest.skip(reason)


def _ledger_commands() -> list[dict[str, Any]]:
    commands: list[dict[str, Any]] = []
    for i in range(OFFERS):
        key = f"T-{100 + i}"
        region, town = REGIONS[i % len(REGIONS)]
        street = "Solsikkevej" if i == 7 else "Testvej"
        commands.append(ansoegning(offer=key, navn=f"Bostedet {STEMS[i % len(STEMS)]} {i:02d}", region=region,
                                   tilbudstyper=[TYPES[i % len(TYPES)]],
                                   **({"forventede_borgere": 40} if TYPES[i % len(TYPES)] in ("SEL101", "SUL141") else {}),
                                   afdelinger=[{"navn": "Hovedhuset", "adresse": f"{street} {i + 1}, {town}"}]))
        commands.append(godkendelse(offer=key, **({"vilkaar": [{"tekst": "Brandsyn skal foreligge", "frist": "2024-12-01"}]}
                                                  if i == 7 else {})))
        if i % 10 == 7 or i % 15 == 3:
            commands.append({"command": "dialog", "offer": key, "date": "2024-09-01", "forhold": ["Medicinhåndtering"]})
        if i % 10 == 7:
            commands.append({"command": "paabud", "offer": key, "date": "2024-09-20", "forhold": "Medicinhåndtering skal dokumenteres",
                             "frist": "2024-11-01", "karakter": "faglig", "begrundelse": "Fund ved tilsynsbesøg"})
        if i % 15 == 3:
            commands.append({"command": "skaerpet-tilsyn", "offer": key, "date": "2024-10-01", "periode_til": "2024-12-31",
                             "baggrund": "kvalitet", "begrundelse": "Alvorlige fund",
                             "paabud": [{"forhold": "Døgnbemanding skal sikres", "frist": "2024-11-15", "karakter": "organisatorisk"}]})
        if i == 7:
            commands.append({"command": "tilsynsbesoeg", "offer": key, "date": "2024-04-15", "form": "uanmeldt"})
            commands.append({"command": "kvalitetsvurdering", "offer": key, "date": "2024-04-20", "anledning": "tilsyn",
                             "indikatorer": {"1.a": 3}, "temaer": {"1": "Tilbuddet understøtter borgernes uddannelse."}})
    return commands


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    db = ledger_with(root, *_ledger_commands())
    out = root / "site"
    result = run(["portal", "export", "--out", str(out), "--as-of", AS_OF, "--feed-since", "2024-01-01"], db)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def portal(site: Path) -> dict[str, Any]:
    return dict(json.loads((site / "portal.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable("no /usr/bin/chromium: scripts/browser-setup.sh installs Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (the dev extra in pyproject.toml; ./scripts/setup.sh)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def open_page(browser: Any, path: Path, width: int = 1280) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.errors = errors
    return page


def shown(page: Any) -> list[str]:
    return [str(text) for text in page.locator("#rows tr td:first-child a").all_inner_texts()]


def count_text(page: Any) -> str:
    return str(page.locator("#count").inner_text())


# -- search, filters, sorting, paging -----------------------------------------------------------------
def test_the_index_lists_every_offer_25_a_page_with_a_live_count(browser: Any, site: Path) -> None:
    page = open_page(browser, site / "index.html")
    assert page.errors == []
    assert count_text(page) == f"{OFFERS} tilbud"
    assert page.locator("#count").get_attribute("aria-live") == "polite"
    assert len(shown(page)) == 25
    assert page.locator("#page-info").inner_text() == "Side 1 af 3"
    assert page.locator("#prev").is_disabled() and not page.locator("#next").is_disabled()
    assert page.locator("caption").first.inner_text().startswith("Godkendte tilbud pr. 15. oktober 2024")
    assert page.locator("noscript, #fallback[hidden]").count() >= 1


def test_paging_visits_every_offer_exactly_once(browser: Any, site: Path, portal: dict[str, Any]) -> None:
    page = open_page(browser, site / "index.html")
    seen = shown(page)
    page.click("#next")
    assert page.locator("#page-info").inner_text() == "Side 2 af 3"
    seen += shown(page)
    page.click("#next")
    assert page.locator("#next").is_disabled()
    seen += shown(page)
    assert sorted(seen) == sorted(v["navn"] for v in portal["tilbud"]) and len(seen) == OFFERS
    page.click("#prev")
    assert page.locator("#page-info").inner_text() == "Side 2 af 3"


@pytest.mark.parametrize("query, expected", [
    ("Solsikkevej", ["Bostedet Havbakken 07"]),  # an address
    ("havbakken 07", ["Bostedet Havbakken 07"]),  # a name, any case, word by word
    ("T-107", ["Bostedet Havbakken 07"]),  # the offer's number
])
def test_search_finds_offers_by_name_address_and_number(browser: Any, site: Path, query: str, expected: list[str]) -> None:
    page = open_page(browser, site / "index.html")
    page.fill("#q", query)
    assert shown(page) == expected
    assert count_text(page) == f"1 af {OFFERS} tilbud matcher"


def test_search_by_town_finds_every_offer_there(browser: Any, site: Path, portal: dict[str, Any]) -> None:
    page = open_page(browser, site / "index.html")
    page.fill("#q", "hjørring")
    expected = sorted(v["navn"] for v in portal["tilbud"] if "9800 Hjørring" in v["byer"])
    assert sorted(shown(page)) == expected and len(expected) == OFFERS // 5


@pytest.mark.parametrize("select, value, keep", [
    ("#f-type", "SEL110", lambda v: any(t["kode"] == "SEL110" for t in v["tilbudstyper"])),
    ("#f-region", "Syd", lambda v: v["socialtilsyn"] == "Syd"),
    ("#f-by", "4300 Holbæk", lambda v: "4300 Holbæk" in v["byer"]),
    ("#f-maalgruppe", "Børn og unge", lambda v: "Børn og unge" in v["maalgrupper"]),
    ("#f-tilsyn", "paabud", lambda v: bool(v["paabud"])),
    ("#f-tilsyn", "skaerpet", lambda v: bool(v["skaerpet_tilsyn"])),
    ("#f-tilsyn", "ingen", lambda v: not v["paabud"] and not v["skaerpet_tilsyn"]),
])
def test_each_filter_shows_exactly_the_offers_it_names(browser: Any, site: Path, portal: dict[str, Any], select: str,
                                                       value: str, keep: Any) -> None:
    page = open_page(browser, site / "index.html")
    page.select_option(select, value)
    expected = sorted(v["navn"] for v in portal["tilbud"] if keep(v))
    assert 0 < len(expected) < OFFERS, "the data must make this filter choose"
    if len(expected) <= 25:
        assert sorted(shown(page)) == expected
    else:
        assert len(shown(page)) == 25 and set(shown(page)) <= set(expected)
    assert count_text(page) == f"{len(expected)} af {OFFERS} tilbud matcher"


def test_filters_combine_and_reset_clears_them(browser: Any, site: Path, portal: dict[str, Any]) -> None:
    page = open_page(browser, site / "index.html")
    page.select_option("#f-region", "Midt")
    page.select_option("#f-tilsyn", "paabud")
    expected = sorted(v["navn"] for v in portal["tilbud"] if v["socialtilsyn"] == "Midt" and v["paabud"])
    assert sorted(shown(page)) == expected
    page.click("#reset")
    assert count_text(page) == f"{OFFERS} tilbud"


def test_a_column_header_sorts_and_says_so(browser: Any, site: Path, portal: dict[str, Any]) -> None:
    page = open_page(browser, site / "index.html")
    header = page.locator("th[data-sort=navn]")
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert shown(page)[0] == max(v["navn"] for v in portal["tilbud"])
    page.locator("th[data-sort=socialtilsyn] button").click()
    assert page.locator("th[data-sort=socialtilsyn]").get_attribute("aria-sort") == "ascending"
    regions = [str(t) for t in page.locator("#rows tr td:nth-child(4)").all_inner_texts()]
    assert regions == sorted(regions, key=lambda r: r.replace("Ø", "~"))  # Danish order: Ø after Z


# -- an offer's page -------------------------------------------------------------------------------------
def test_an_offer_page_shows_approval_vilkaar_paabud_visit_and_assessment_in_danish(browser: Any, site: Path) -> None:
    page = open_page(browser, site / "index.html")
    page.fill("#q", "Solsikkevej")
    page.click("text=Bostedet Havbakken 07")
    page.wait_for_url("**/tilbud/T-107.html")
    assert page.locator("h1").inner_text() == "Bostedet Havbakken 07"
    text = page.locator("main").inner_text()
    for expected in ("Godkendt med vilkår siden 1. marts 2024", "Brandsyn skal foreligge (frist 1. december 2024)",
                     "Medicinhåndtering skal dokumenteres (frist 1. november 2024)", "Hovedhuset: Solsikkevej 8, 5000 Odense C",
                     "15. april 2024", "Tilbuddet understøtter borgernes uddannelse.", "Socialtilsyn Syd"):
        assert expected in text, expected
    assert page.locator("header").count() >= 1 and page.locator("footer").count() >= 1
    assert page.locator("nav[aria-label=Brødkrumme]").count() == 1


def test_a_skaerpet_tilsyn_shows_its_period(browser: Any, site: Path) -> None:
    page = open_page(browser, site / "tilbud" / "T-103.html")
    assert "Fra 1. oktober 2024 til og med 31. december 2024" in page.locator("main").inner_text()


def test_the_contact_page_names_each_socialtilsyn_and_the_complaint_guidance(browser: Any, site: Path) -> None:
    page = open_page(browser, site / "index.html")
    page.click("footer >> text=Klagevejledning")
    page.wait_for_url("**/kontakt.html#klagevejledning")
    text = page.locator("main").inner_text()
    assert "Socialtilsyn Nord" in text and "Springvandspladsen 5, 9800 Hjørring" in text and "Ankestyrelsen" in text


# -- keyboard, layout, accessibility --------------------------------------------------------------------
def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.className || document.activeElement.tagName"))


def _tab_to(page: Any, target: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page) == target:
            return
    raise AssertionError(f"Tab never reached {target!r}")


def test_the_register_is_usable_with_the_keyboard_alone(browser: Any, site: Path) -> None:
    page = open_page(browser, site / "index.html")
    page.keyboard.press("Tab")
    assert _focused(page) == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#indhold"
    _tab_to(page, "q")
    page.keyboard.type("Bostedet")
    _tab_to(page, "f-region")
    page.keyboard.press("ArrowDown")  # the first region in the list: Nord
    assert page.locator("#f-region").input_value() == "Nord"
    assert count_text(page) == f"{OFFERS // 5} af {OFFERS} tilbud matcher"
    _tab_to(page, "reset")
    page.keyboard.press("Tab")  # the first sortable header's button
    assert page.evaluate("document.activeElement.closest('th').dataset.sort") == "navn"
    page.keyboard.press("Enter")
    assert page.locator("th[data-sort=navn]").get_attribute("aria-sort") == "descending"
    page.keyboard.press("Tab")  # on to the first result's link, and open it
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    name = page.evaluate("document.activeElement.textContent")
    assert page.evaluate("document.activeElement.tagName") == "A" and name == shown(page)[0]
    page.keyboard.press("Enter")
    page.wait_for_url("**/tilbud/*.html")
    assert page.locator("h1").inner_text() == name


def test_paging_works_from_the_keyboard(browser: Any, site: Path) -> None:
    page = open_page(browser, site / "index.html")
    page.focus("#next")
    page.keyboard.press("Enter")
    assert page.locator("#page-info").inner_text() == "Side 2 af 3"
    page.keyboard.press("Space")
    assert page.locator("#page-info").inner_text() == "Side 3 af 3"
    assert _focused(page) == "prev", "focus must not be lost when the button it was on is disabled"


PAGES = ["index.html", "tilbud/T-107.html", "tilgaengelighed.html", "kontakt.html", "aendringer.html"]


@pytest.mark.parametrize("name", PAGES)
def test_no_page_scrolls_sideways_at_360_pixels(browser: Any, site: Path, name: str) -> None:
    page = open_page(browser, site / name, width=360)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1] == 360, width
    assert page.errors == []


@pytest.mark.parametrize("name", PAGES)
def test_axe_core_finds_no_wcag_21_a_or_aa_violation(browser: Any, site: Path, name: str) -> None:
    if not AXE.exists():
        _unavailable(f"axe-core is not installed at {AXE}: scripts/browser-setup.sh installs it from npm")
    for width in (1280, 360):
        page = open_page(browser, site / name, width=width)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_A_AA)
        violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        assert violations == [], f"{name} at {width} px: {violations}"
        assert len(result["passes"]) > 10, "axe-core checked nothing"
