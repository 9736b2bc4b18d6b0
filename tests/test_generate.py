"""The generator of a national ledger (scripts/generate.py): lawful, deterministic, complete, replayable."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import generate  # noqa: E402  (scripts/ is not a package)

from cli import ledger  # noqa: E402
from ledger.aggregates.base import COPENHAGEN  # noqa: E402
from ledger.application import Ledger  # noqa: E402

SCALE = 0.01  # with --rich: about 5,000 events, every kind of event
REQUIRED = {
    "AnsoegningModtaget", "Godkendt", "Afslaaet", "TilsynsbesoegGennemfoert", "KvalitetsvurderingForetaget",
    "BudgetIndsendt", "BudgetGodkendt", "AarsrapportIndsendt", "MagtanvendelseIndberettet",
    "MagtanvendelseVurderet", "DialogIndledt", "PaabudUdstedt", "SkaerpetTilsynIvaerksat", "GodkendelseOphoert",
    "TilbudLukket", "KlageModtaget", "KlageVideresendt", "AnkestyrelsensAfgoerelse",
}


def jsonl(scale: float = SCALE, seed: int = 1, rich: bool = True, until: dt.date | None = None) -> bytes:
    out = io.BytesIO()
    generate.write_jsonl(out, scale, seed, rich=rich, until=until)
    return out.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    url = f"sqlite:///{tmp_path_factory.mktemp('gen') / 'ledger.db'}"
    return url, generate.build(url, SCALE, seed=1, flush_every=2_000, rich=True)


def test_builds_a_lawful_ledger_with_every_kind_of_event(built: tuple[str, dict]) -> None:
    url, summary = built  # build() raises GenerationRefused on the first refused command
    assert summary["events"] > 3_000
    missing = REQUIRED - set(summary["by_type"])
    assert not missing, f"event kinds never generated: {sorted(missing)}"
    app = Ledger(url)
    try:
        position, _ = app.head()
    finally:
        app.close()
        app.engine.dispose()
    assert position == summary["events"]


def test_same_seed_same_bytes_other_seed_differs() -> None:
    first = jsonl(seed=1)
    assert first == jsonl(seed=1)
    assert first != jsonl(seed=2)
    assert jsonl(0.005, seed=1, rich=False) == jsonl(0.005, seed=1, rich=False)


def test_commands_are_chronological_plausible_and_hold_no_personal_data() -> None:
    cap = generate.RECORDED_CAP
    last_date = generate.START
    last_recorded: dict[str, dt.datetime] = {}
    regions: dict[str, set[str]] = defaultdict(set)
    for planned in generate.generate(SCALE, seed=3, rich=True):
        assert generate.START <= planned.date <= generate.END
        assert planned.date >= last_date, "commands come in effective-date order"
        last_date = planned.date
        assert planned.recorded_at <= cap
        assert planned.recorded_at.astimezone(COPENHAGEN).date() >= planned.date, "recorded before it happened"
        assert planned.recorded_at >= last_recorded.get(planned.key, planned.recorded_at), "recorded_at goes back"
        last_recorded[planned.key] = planned.recorded_at
        if planned.handler == "magtanvendelse":
            assert re.fullmatch(r"MA-\d{4}-\d{5}", planned.kwargs["reference"])
        if planned.handler == "ansoeg" and planned.kwargs.get("koncern"):
            regions[planned.kwargs["koncern"]].add(planned.kwargs["region"])
    assert all(len(r) == 1 for r in regions.values()), "a koncern's offers are all in one region"


def test_until_stops_early() -> None:
    lines = jsonl(until=dt.date(2019, 6, 30)).splitlines()
    assert lines
    assert max(json.loads(line)["date"] for line in lines) <= "2019-06-30"


def test_jsonl_replays_through_ledger_submit(tmp_path: Path) -> None:
    path = tmp_path / "commands.jsonl"
    path.write_bytes(jsonl(0.005, seed=2, until=dt.date(2021, 12, 31)))
    db = str(tmp_path / "replay.db")
    runner = CliRunner()
    result = runner.invoke(ledger, ["init", "--db", db])
    assert result.exit_code == 0, result.output
    result = runner.invoke(ledger, ["submit", str(path), "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    stored = json.loads(result.output)["events"]
    expected = sum(1 + len(json.loads(line).get("paabud", [])) if b'"skaerpet-tilsyn"' in line else 1
                   for line in path.read_bytes().splitlines())
    assert stored == expected
