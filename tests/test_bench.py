"""A small smoke run of the benchmark: every measure is produced (no timing is asserted)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def test_the_benchmark_runs_at_a_small_scale_and_writes_every_figure(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    out = tmp_path / "bench.json"
    assert bench.main(["--scale", "0.005", "--decisions", "5", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    figures = results["figures"]
    for name in bench.TARGETS:
        assert name in figures and figures[name] > 0, name
    assert results["bulk_import"]["events"] > 1000
    assert results["rebuild"]["events"] >= results["bulk_import"]["events"]
    assert results["verify"]["ok"] is True
    assert results["history"]["events"] == 1000
    assert set(results["targets"]) == set(bench.TARGETS)
