"""The spindelvæv (`ledger quality`): theme values of the latest tilsyn assessment beside the one before,
hand-computed, and the radar chart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import approved, cmd, vurdering_ved_godkendelse

from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.console import common
from ledger.console.economy import quality
from ledger.errors import NotFound
from ledger.quality.catalogue import load_catalogue
from ledger.reports.quality import draw_chart, quality_report, tilsyn_assessments


@pytest.fixture(autouse=True)
def _close_cli_ledgers() -> Iterator[None]:
    yield
    for key in list(common._APPS):
        ledger = common._APPS.pop(key)
        ledger.close()
        ledger.engine.dispose()


def vurdering(date: str, indikatorer: dict[str, Any], offer: str = "T-1", anledning: str = "tilsyn") -> dict[str, Any]:
    """An assessment at tilsyn with a written text for each theme it scores."""
    catalogue = load_catalogue("bilag1")
    temaer = {catalogue.theme_of(i).id: f"Tema {catalogue.theme_of(i).id} vurderet {date}: skriftlig vurdering." for i in indikatorer}
    return cmd("kvalitetsvurdering", date, offer, anledning=anledning, indikatorer=indikatorer, temaer=temaer)


BEFORE = {"1.a": 3, "1.b": 2, "2.a": 4, "3.a": 3, "3.b": 5, "4.a": 2, "5.a": 4, "8.a": 4, "8.b": 3, "10.a": 4, "14.a": 5}
LATEST = {"1.a": 4, "1.b": 5, "2.a": 4, "2.b": 3, "3.a": 4, "3.b": 4, "4.a": 3, "4.b": 5, "5.a": 4, "5.c": 2,
          "8.a": 5, "9.a": 4, "10.a": 3, "10.b": 4, "14.a": 4}


def run(app: Ledger, *commands: dict[str, Any]) -> None:
    app.execute([parse_command(c) for c in commands])


def invoke(args: list[str]) -> Any:
    return CliRunner().invoke(quality, args, catch_exceptions=False)


def test_theme_values_of_the_latest_tilsyn_beside_the_one_before(app: Ledger) -> None:
    run(app, *approved(), vurdering("2024-04-15", BEFORE), vurdering("2025-04-10", LATEST))
    data = json.loads(invoke(["T-1", "--db", app.url, "--format", "json"]).output)
    assert data["public"] is False
    assert (data["latest"]["date"], data["previous"]["date"]) == ("2025-04-10", "2024-04-15")
    themes = {t["id"]: t for t in data["temaer"]}
    # theme 1 has one criterion: latest (4 + 5) / 2 = 4,5; before (3 + 2) / 2 = 2,5
    assert (themes["1"]["latest"], themes["1"]["previous"], themes["1"]["change"]) == (4.5, 2.5, 2.0)
    # theme 2 (criterion 2): latest (4 + 3) / 2 = 3,5; before 4
    assert (themes["2"]["latest"], themes["2"]["previous"]) == (3.5, 4.0)
    # theme 4 = mean of its criteria 4 and 5: latest criterion 4 = (3 + 5) / 2 = 4, criterion 5 = (4 + 2) / 2 = 3
    # -> (4 + 3) / 2 = 3,5; before criterion 4 = 2, criterion 5 = 4 -> 3
    assert (themes["4"]["latest"], themes["4"]["previous"]) == (3.5, 3.0)
    assert [c["id"] for c in themes["4"]["kriterier"]] == ["4", "5"]
    # theme 5 = criteria 8 and 9: latest 8 = 5, 9 = 4 -> 4,5; before only criterion 8 = (4 + 3) / 2 = 3,5
    assert (themes["5"]["latest"], themes["5"]["previous"]) == (4.5, 3.5)
    # theme 6 (criterion 10): latest (3 + 4) / 2 = 3,5; before 4
    assert (themes["6"]["latest"], themes["6"]["previous"]) == (3.5, 4.0)
    assert themes["1"]["latest_text"].endswith("2025-04-10: skriftlig vurdering.")
    assert themes["1"]["previous_text"].endswith("2024-04-15: skriftlig vurdering.")
    # Økonomi (theme 7) is udgået: never a theme that applies
    assert "7" not in themes and all(t["id"] != "7" for t in data["not_assessed"])
    text = invoke(["T-1", "--db", app.url]).output
    assert "FORTROLIGT" in text and "4,50" in text and "+2,00" in text and "Tema 1 vurderet 2025-04-10" in text


def test_only_the_last_two_tilsyn_assessments_count_and_not_those_at_approval(app: Ledger) -> None:
    run(
        app,
        approved()[0],
        vurdering_ved_godkendelse("2024-02-01"),
        approved()[1],
        vurdering("2024-04-15", {"1.a": 1}),
        vurdering("2024-10-15", BEFORE),
        vurdering("2025-04-10", LATEST),
    )
    case = app.case("T-1")
    assessments = tilsyn_assessments(case.events)
    assert [a["date"] for a in assessments] == ["2024-04-15", "2024-10-15", "2025-04-10"]
    report = quality_report("T-1", case.state.profile, assessments)
    assert (report["latest"]["date"], report["previous"]["date"]) == ("2025-04-10", "2024-10-15")


def test_only_themes_that_apply_to_the_offer(app: Ledger) -> None:
    # Organisation og ledelse (theme 5) does not apply to SEL § 66 stk 1 nr 7 offers
    run(app, *approved(tilbudstyper=["SEL66_7"]), vurdering("2024-04-15", {"1.a": 4, "2.a": 3, "3.a": 5}))
    report = json.loads(invoke(["T-1", "--db", app.url, "--format", "json"]).output)
    assert [t["id"] for t in report["temaer"]] == ["1", "2", "3"]
    assert report["previous"] is None and report["temaer"][0]["previous"] is None
    assert [t["id"] for t in report["not_assessed"]] == ["4", "6", "8"]


def test_no_assessment_at_tilsyn_is_not_found(app: Ledger) -> None:
    run(app, *approved())
    result = CliRunner().invoke(quality, ["T-1", "--db", app.url])
    assert isinstance(result.exception, NotFound) and "no quality assessment at tilsyn" in str(result.exception)
    missing = CliRunner().invoke(quality, ["T-404", "--db", app.url])
    assert isinstance(missing.exception, NotFound)


def test_the_chart_is_a_png_with_the_latest_over_the_one_before(app: Ledger, tmp_path: Path) -> None:
    run(app, *approved(), vurdering("2024-04-15", BEFORE), vurdering("2025-04-10", LATEST))
    target = tmp_path / "spindelvaev.png"
    result = invoke(["T-1", "--db", app.url, "--chart", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Spindelvæv tegnet: {target}" in result.output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    picture = decoded(target)
    # Then it decodes to a chart of the figure's size that is not blank, with the latest
    # assessment in blue (#1f5fa8) and the one before in grey (#8c8c8c, dashed)
    height, width, _ = picture.shape
    assert 600 <= width <= 1400 and 600 <= height <= 1400, picture.shape
    assert (picture != 255).any(axis=2).mean() > 0.05
    assert pixels_like(picture, (0x1F, 0x5F, 0xA8)) > 1000
    assert pixels_like(picture, (0x8C, 0x8C, 0x8C)) > 1000


def test_a_chart_of_a_single_assessment(tmp_path: Path) -> None:
    report = quality_report(
        "T-9", {"navn": "Bostedet", "tilbudstyper": ["SEL107"], "ejerform": "privat"},
        [{"date": "2024-04-15", "version": 3, "anledning": "tilsyn", "model": "bilag1",
          "indikatorer": {"1.a": 4, "2.a": 3, "3.a": 5}, "temaer": {"1": "a", "2": "b", "3": "c"}}],
    )
    path = draw_chart(report, tmp_path / "one.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    picture = decoded(path)
    assert (picture != 255).any(axis=2).mean() > 0.05
    assert pixels_like(picture, (0x1F, 0x5F, 0xA8)) > 1000
    assert pixels_like(picture, (0x8C, 0x8C, 0x8C)) < 1000  # no earlier assessment, no grey series


def decoded(path: Path) -> Any:
    """The PNG's pixels as an array (height, width, RGB)."""
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


def pixels_like(picture: Any, colour: tuple[int, int, int], tolerance: int = 10) -> int:
    import numpy as np

    return int((np.abs(picture.astype(int) - np.array(colour)) <= tolerance).all(axis=2).sum())
