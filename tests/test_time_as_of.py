"""As of D means the events effective on or before D: a væsentlig ændring's new pladser, tilbudstyper
and afdelinger show in `ledger status --as-of` and `ledger portal export --as-of` from the day it was
approved, not from its application (the timeline `ledger fees` charges by)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ansoegning, close_cached_apps, cmd, godkendelse, run_cli

from ledger.application import Ledger
from ledger.commands import parse_command


@pytest.fixture(autouse=True)
def _close_cli_ledgers() -> Iterator[None]:
    yield
    close_cached_apps()


def run(app: Ledger, *commands: dict[str, Any]) -> None:
    app.execute([parse_command(c) for c in commands])


def changed(app: Ledger) -> None:
    """T-1 approved with 12 pladser of SEL107; a change to 18 pladser, SEL108 too and a new afdeling is
    applied for on 1 May 2025 and approved on 10 June 2025."""
    run(
        app, ansoegning("2024-01-10"), godkendelse("2024-03-01"),
        cmd("aendring-ansoegt", "2025-05-01", beskrivelse="Udvidelse", pladser=18, tilbudstyper=["SEL107", "SEL108"],
            nye_afdelinger=[{"navn": "Nyhuset", "adresse": "Lærkevej 3, 9000 Aalborg"}]),
        cmd("aendring-afgoerelse", "2025-06-10", aendring="Æ1", godkendt=True, begrundelse="Forsvarligt"),
    )


def status(app: Ledger, day: str) -> dict[str, Any]:
    result = run_cli(["status", "T-1", "--as-of", day, "--format", "json", "--db", app.url])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_status_as_of_shows_a_significant_change_only_from_the_day_it_was_approved(app: Ledger) -> None:
    changed(app)
    before = status(app, "2025-05-15")
    assert (before["pladser"], before["tilbudstyper"]) == (12, ["SEL107"])
    assert [a["navn"] for a in before["afdelinger"].values()] == ["Hovedhuset"]
    after = status(app, "2025-06-10")
    assert (after["pladser"], after["tilbudstyper"]) == (18, ["SEL107", "SEL108"])
    assert [a["navn"] for a in after["afdelinger"].values()] == ["Hovedhuset", "Nyhuset"]
    text = run_cli(["status", "T-1", "--as-of", "2025-05-15", "--db", app.url]).stdout
    assert "12 pladser" in text and "Nyhuset" not in text


def test_the_portal_export_as_of_shows_a_significant_change_only_from_the_day_it_was_approved(app: Ledger, tmp_path: Path) -> None:
    changed(app)
    views = {}
    for day in ("2025-05-15", "2025-06-10"):
        out = tmp_path / day
        result = run_cli(["portal", "export", "--out", str(out), "--as-of", day, "--db", app.url])
        assert result.exit_code == 0, result.output
        data = json.loads((out / "portal.json").read_text(encoding="utf-8"))
        offers = data["tilbud"]
        views[day] = next(o for o in offers if o["tilbud"] == "T-1")
    assert views["2025-05-15"]["pladser"] == 12
    assert [t["kode"] for t in views["2025-05-15"]["tilbudstyper"]] == ["SEL107"]
    assert [a["afdeling"] for a in views["2025-05-15"]["adresser"]] == ["Hovedhuset"]
    assert views["2025-06-10"]["pladser"] == 18
    assert [t["kode"] for t in views["2025-06-10"]["tilbudstyper"]] == ["SEL107", "SEL108"]
    assert [a["afdeling"] for a in views["2025-06-10"]["adresser"]] == ["Hovedhuset", "Nyhuset"]


# -- the deadline radar as of a day ----------------------------------------------------------------
def radar_json(app: Ledger, day: str) -> list[dict[str, Any]]:
    result = run_cli(["deadlines", "--as-of", day, "--offer", "T-1", "--within", "3650", "--format", "json", "--db", app.url])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["deadlines"]  # type: ignore[no-any-return]


def test_a_budget_sent_late_is_due_on_the_radar_as_of_a_day_before_it_was_sent(app: Ledger) -> None:
    run(app, ansoegning("2024-01-10"), godkendelse("2024-03-01"), cmd("budget-indsendt", "2024-11-10", budgetaar=2025))
    before = [d for d in radar_json(app, "2024-10-02") if d["kind"] == "budget"]
    assert [(d["frist"], d["ref"], d["overdue"]) for d in before] == [("2024-10-01", "2025", True)]
    assert [d for d in radar_json(app, "2024-11-10") if d["kind"] == "budget"] == []


def test_an_aarsrapport_sent_late_in_june_is_overdue_on_the_radar_in_may(app: Ledger) -> None:
    run(app, ansoegning("2024-01-10"), godkendelse("2024-03-01"), cmd("aarsrapport", "2025-06-25", aar=2024))
    may = [d for d in radar_json(app, "2025-05-15") if d["kind"] == "aarsrapport"]
    assert [(d["frist"], d["ref"], d["overdue"]) for d in may] == [("2025-05-01", "2024", True)]
    assert [d for d in radar_json(app, "2025-06-25") if d["kind"] == "aarsrapport"] == []
