#!/usr/bin/env python3
"""Benchmark the ledger at national scale against the storage's own limits, in one run.

    .venv/bin/python scripts/bench.py                     # SQLite, scale 1 (about a million events)
    .venv/bin/python scripts/bench.py --scale 0.05        # a quick run
    .venv/bin/python scripts/bench.py --db postgresql+psycopg://postgres@127.0.0.1/test

It builds a ledger with scripts/generate.py (every command judged by the ledger's rules) and
measures: bulk import, recording one decision (p50/p99), a full rebuild of every projection
(events/s and peak memory, in a child process), one year's statistics, one offer's history of
1,000 events, `ledger verify`, and `ledger --help` from a cold start. On the same events it
measures two baselines: `eventsourcing.sqlite` reading and decoding the whole log, and raw
`sqlite3` reading the rows and `json.loads` of each; our figures are printed as ratios to them.
It prints a table and writes JSON (default bench-out/bench.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

TARGETS = {
    "bulk_import_events_per_s": (">=", 40_000),
    "rebuild_events_per_s": (">=", 50_000),
    "rebuild_vs_eventsourcing_sqlite": (">=", 0.33),
    "rebuild_peak_rss_mb": ("<=", 500),
    "stats_one_year_s": ("<=", 0.2),
    "history_1000_events_ms": ("<=", 20),
    "verify_events_per_s": (">=", 150_000),
    "help_cold_start_s": ("<=", 0.3),
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(url: str, scale: float, seed: int, folder: Path) -> dict[str, Any]:
    """The generator writes the national ledger's commands as JSON lines (timed on its own), then
    `ledger import` loads them: every line parsed by the command models, judged by the rules,
    stored in transactions of 100,000 events (its default), chained. As `ledger import` does for a
    large file, the lines are judged on one process per core (`default_workers`), the events
    stored in file order."""
    from generate import write_jsonl

    from ledger.application import Ledger
    from ledger.bulk import default_workers, import_lines

    path = folder / "national.jsonl"
    started = time.perf_counter()
    with path.open("wb") as out:
        write_jsonl(out, scale, seed)
    generated = time.perf_counter() - started
    app = Ledger(url, create=True, user="bench")
    started = time.perf_counter()
    with path.open("rb") as lines:
        workers = default_workers(lines)
        count, events = import_lines(app, lines, workers=workers)
    elapsed = time.perf_counter() - started
    app.close()
    path.unlink()
    return {"events": events, "lines": count, "seconds": elapsed, "events_per_s": events / elapsed if elapsed else 0.0,
            "generator_seconds": generated, "workers": workers}


def long_history(app: Any, key: str = "BENCH-1000") -> str:
    """An offer with 1,000 events: an approval, then visits and magtanvendelse reports."""
    from ledger.bulk import BulkImporter

    moment = dt.datetime(2026, 1, 2, 8, 0, tzinfo=dt.timezone.utc)
    with BulkImporter(app, flush_every=5_000) as importer:
        importer.record("offer", key, "ansoeg", {
            "date": dt.date(2018, 1, 3), "tilbud": key, "navn": "Bostedet Benchmark", "tilbudstyper": ["SEL108"],
            "pladser": 30, "ejerform": "kommunal", "region": "Midt",
            "afdelinger": [{"navn": "Hus A", "adresse": "Vej 1, 8000 Aarhus"}, {"navn": "Hus B", "adresse": "Vej 3, 8000 Aarhus"}],
        }, recorded_at=moment)
        importer.record("offer", key, "godkend", {"date": dt.date(2018, 2, 1), "begrundelse": "Godkendt."}, recorded_at=moment)
        day = dt.date(2018, 2, 2)
        for n in range(998):
            if n % 4 == 0:
                importer.record("offer", key, "tilsynsbesoeg", {"date": day, "form": "uanmeldt", "afdeling": "A1" if n % 8 else "A2"}, recorded_at=moment)
            else:
                importer.record("offer", key, "magtanvendelse", {"date": day, "haendelsesdato": day, "reference": f"MA-B-{n}"}, recorded_at=moment)
            day += dt.timedelta(days=2)
    return key


def time_decisions(app: Any, count: int = 200) -> dict[str, float]:
    """Recording one decision at a time, as a caseworker does: p50 and p99 latency."""
    import random

    from ledger.commands import parse_command
    from ledger.projections.cases import read_states
    from ledger.projections.runner import up_to_date

    runner = up_to_date(app, ["cases"])
    with runner.engine.connect() as connection:
        keys = [s.key for s in read_states(connection) if s.status_on("2026-01-05") in ("godkendt", "godkendt_med_vilkaar")]
    rng = random.Random(5)
    latencies = []
    for n in range(count):
        key = rng.choice(keys)
        command = parse_command({"command": "tilsynsbesoeg", "offer": key, "date": "2026-01-05", "form": "anmeldt"})
        started = time.perf_counter()
        app.execute([command])
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    return {
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "count": count,
    }


_REBUILD_CHILD = """
import json, os, sys, threading, time
sys.path.insert(0, {root!r})
from ledger.application import Ledger
from ledger.projections.runner import ProjectionRunner


def pss_kb(pid):
    # Proportional set size: shared pages divided among the processes sharing them.
    try:
        with open(f"/proc/{{pid}}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def children(pid):
    try:
        with open(f"/proc/{{pid}}/task/{{pid}}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


peak = [0]
done = threading.Event()


def sample():
    me = os.getpid()
    while not done.is_set():
        total = pss_kb(me) + sum(pss_kb(child) for child in children(me))
        peak[0] = max(peak[0], total)
        time.sleep(0.05)


sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
app = Ledger({url!r})
runner = ProjectionRunner(app)
started = time.perf_counter()
applied = runner.rebuild()
elapsed = time.perf_counter() - started
done.set()
sampler.join()
workers = int(os.environ.get("LEDGER_REBUILD_WORKERS", "0")) or (os.cpu_count() or 1)
print(json.dumps({{"events": applied, "seconds": elapsed, "workers": workers, "peak_rss_mb": peak[0] / 1024}}))
"""


def time_rebuild(url: str) -> dict[str, float]:
    """A full rebuild of every projection in a child process, so its peak memory is its own. The
    rebuild replays in one worker process per core; its memory is sampled every 50 ms as the sum of
    the proportional set sizes (PSS) of the rebuilding process and its workers, so pages they share
    are counted once; the peak of that sum is reported."""
    child = subprocess.run(
        [sys.executable, "-c", _REBUILD_CHILD.format(root=str(ROOT), url=url)], capture_output=True, text=True, check=True
    )
    data = json.loads(child.stdout.strip().splitlines()[-1])
    data["events_per_s"] = data["events"] / data["seconds"] if data["seconds"] else 0.0
    return data


def time_stats(app: Any, year: int) -> dict[str, float]:
    from ledger.console.views import chain_hash_at
    from ledger.projections.runner import up_to_date
    from ledger.reports.stats import compute, render

    runner = up_to_date(app, ["statistics"])
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        position = runner.positions()["statistics"]
        with runner.engine.connect() as connection:
            report = compute(connection, year, None, position, chain_hash_at(app, connection, position))
        render(report, "text")
        runs.append(time.perf_counter() - started)
    return {"seconds": min(runs), "median_s": statistics.median(runs)}


def time_history(app: Any, key: str) -> dict[str, float]:
    from ledger.reports.history import history_entries, render_text

    runs = []
    events = 0
    for _ in range(7):
        started = time.perf_counter()
        history = app.events_of(key)
        entries = history_entries(history)
        render_text(key, entries)
        runs.append(time.perf_counter() - started)
        events = len(history)
    return {"ms": min(runs) * 1000, "median_ms": statistics.median(runs) * 1000, "events": events}


def time_verify(app: Any) -> dict[str, float]:
    from ledger.verify import verify

    started = time.perf_counter()
    result = verify(app.engine)
    elapsed = time.perf_counter() - started
    return {"events": result.checked, "seconds": elapsed, "events_per_s": result.checked / elapsed, "ok": result.ok}


def time_help() -> dict[str, float]:
    runs = []
    for _ in range(7):
        started = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "cli.py"), "--help"], capture_output=True, check=True)
        runs.append(time.perf_counter() - started)
    return {"seconds": statistics.median(runs), "best_s": min(runs)}


def rows_of(app: Any) -> Any:
    """Every stored event's id, topic and state, as the baselines get them."""
    t = app.events_table
    import sqlalchemy as sa

    with app.engine.connect() as connection:
        yield from connection.execute(sa.select(t.c.id, t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state).order_by(t.c.id))


def baseline_eventsourcing_sqlite(app: Any, folder: Path) -> dict[str, float]:
    """The same events in eventsourcing.sqlite, read back in notification order and decoded by the
    library's own JSON transcoder."""
    from eventsourcing.persistence import JSONTranscoder, StoredEvent
    from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

    path = folder / "eventsourcing.sqlite"
    datastore = SQLiteDatastore(str(path))
    recorder = SQLiteApplicationRecorder(datastore)
    recorder.create_table()
    batch: list[Any] = []
    for _id, originator_id, version, topic, state in rows_of(app):
        batch.append(StoredEvent(originator_id=originator_id, originator_version=version, topic=topic, state=bytes(state)))
        if len(batch) == 10_000:
            recorder.insert_events(batch)
            batch = []
    if batch:
        recorder.insert_events(batch)
    transcoder = JSONTranscoder()
    started = time.perf_counter()
    count = 0
    position = 0
    while True:
        notifications = recorder.select_notifications(start=position, limit=10_000, inclusive_of_start=False)
        if not notifications:
            break
        for notification in notifications:
            transcoder.decode(notification.state)
        count += len(notifications)
        position = notifications[-1].id
    elapsed = time.perf_counter() - started
    return {"events": count, "seconds": elapsed, "events_per_s": count / elapsed}


def baseline_raw_sqlite(path: str) -> dict[str, float]:
    """Raw sqlite3: read every row and json.loads its state."""
    import sqlite3

    connection = sqlite3.connect(path)
    started = time.perf_counter()
    count = 0
    cursor = connection.execute("SELECT id, topic, state FROM ledger_events ORDER BY id")
    while True:
        rows = cursor.fetchmany(10_000)
        if not rows:
            break
        for _id, _topic, state in rows:
            json.loads(state)
        count += len(rows)
    elapsed = time.perf_counter() - started
    connection.close()
    return {"events": count, "seconds": elapsed, "events_per_s": count / elapsed}


def sqlite_copy_for_baseline(app: Any, folder: Path) -> str:
    """The raw baseline reads a SQLite file: the ledger itself, or (on PostgreSQL) a copy."""
    if app.engine.dialect.name == "sqlite":
        return str(app.engine.url.database)
    import sqlite3

    path = folder / "raw.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE ledger_events (id INTEGER PRIMARY KEY, topic TEXT, state BLOB)")
    connection.executemany("INSERT INTO ledger_events VALUES (?, ?, ?)", ((r[0], r[3], bytes(r[4])) for r in rows_of(app)))
    connection.commit()
    connection.close()
    return str(path)


def machine() -> dict[str, Any]:
    import platform

    import ledger

    info: dict[str, Any] = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    # Whether the judging path ran compiled (scripts/build_native.py) or from its sources.
    info["judging_path"] = ledger.RUNNING
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def verdict(name: str, value: float) -> str:
    if name not in TARGETS:
        return ""
    op, target = TARGETS[name]
    ok = value >= target if op == ">=" else value <= target
    return f"{'met' if ok else 'MISSED'} ({op} {target:g})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=None, help="Database URL (default: a fresh SQLite file in a temporary folder).")
    parser.add_argument("--scale", type=float, default=1.0, help="Generator scale (1 = national scale, about a million events).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=2024, help="The year whose statistics are timed.")
    parser.add_argument("--decisions", type=int, default=200, help="Single decisions timed for p50/p99.")
    parser.add_argument("--out", default=str(ROOT / "bench-out" / "bench.json"))
    args = parser.parse_args(argv)

    from ledger.application import Ledger

    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as folder_name:
        folder = Path(folder_name)
        url = args.db or f"sqlite:///{folder / 'ledger.db'}"
        results: dict[str, Any] = {"machine": machine(), "scale": args.scale, "seed": args.seed,
                                   "store": "postgresql" if url.startswith("postgres") else "sqlite",
                                   "date": dt.date.today().isoformat()}
        log(f"Building the ledger at scale {args.scale} ...")
        results["bulk_import"] = build(url, args.scale, args.seed, folder)
        app = Ledger(url, user="bench")
        key = long_history(app)
        log("Rebuilding every projection (child process) ...")
        results["rebuild"] = time_rebuild(url)
        log("Timing single decisions, statistics, history, verify, --help ...")
        results["decision"] = time_decisions(app, args.decisions)
        results["stats"] = time_stats(app, args.year)
        results["history"] = time_history(app, key)
        results["verify"] = time_verify(app)
        results["help"] = time_help()
        log("Baselines on the same events ...")
        results["baseline_eventsourcing_sqlite"] = baseline_eventsourcing_sqlite(app, folder)
        results["baseline_raw_sqlite"] = baseline_raw_sqlite(sqlite_copy_for_baseline(app, folder))
        app.close()

    es = results["baseline_eventsourcing_sqlite"]["events_per_s"]
    raw = results["baseline_raw_sqlite"]["events_per_s"]
    rebuild_rate = results["rebuild"]["events_per_s"]
    figures = {
        "bulk_import_events_per_s": results["bulk_import"]["events_per_s"],
        # No target: the import as a share of the same run's read-and-decode baseline, to compare
        # runs on a machine whose speed varies (the import writes, judges and hashes; it reads nothing).
        "bulk_import_vs_eventsourcing_sqlite": results["bulk_import"]["events_per_s"] / es,
        "decision_p50_ms": results["decision"]["p50_ms"],
        "decision_p99_ms": results["decision"]["p99_ms"],
        "rebuild_events_per_s": rebuild_rate,
        "rebuild_vs_eventsourcing_sqlite": rebuild_rate / es,
        "rebuild_vs_raw_sqlite_json": rebuild_rate / raw,
        "rebuild_peak_rss_mb": results["rebuild"]["peak_rss_mb"],
        "stats_one_year_s": results["stats"]["seconds"],
        "history_1000_events_ms": results["history"]["ms"],
        "verify_events_per_s": results["verify"]["events_per_s"],
        "verify_vs_raw_sqlite_json": results["verify"]["events_per_s"] / raw,
        "help_cold_start_s": results["help"]["seconds"],
        "baseline_eventsourcing_sqlite_events_per_s": es,
        "baseline_raw_sqlite_json_events_per_s": raw,
    }
    results["figures"] = figures
    results["targets"] = {name: verdict(name, figures[name]) for name in TARGETS}
    events = results["bulk_import"]["events"]
    print(f"\nSupervision ledger benchmark: {events:,} events, scale {args.scale}, {results['store']}")
    print(
        f"Machine: {results['machine'].get('cpu', '?')}, {results['machine']['cpus']} cpus, "
        f"Python {results['machine']['python']}, judging path {results['machine']['judging_path']}\n"
    )
    print(f"{'measure':<44} {'value':>14}  target")
    print("-" * 80)
    units = {"_per_s": "/s", "_ms": " ms", "_s": " s", "_mb": " MB"}
    for name, value in figures.items():
        unit = next((u for suffix, u in units.items() if name.endswith(suffix)), "x")
        shown = f"{value:,.0f}" if value >= 1000 else f"{value:,.3f}" if value < 10 else f"{value:,.1f}"
        print(f"{name:<44} {shown + unit:>14}  {verdict(name, value)}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nWrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
