#!/usr/bin/env python3
"""A bounded load test of `ledger serve` on loopback (a benchmark, not a test: it asserts
nothing about speed; it reports).

It makes a fresh ledger in a schema of its own on PostgreSQL, starts `ledger serve --workers 2`
and `ledger projections follow`, records a few offers, then runs N concurrent clients (default 50),
each sending a fixed number of requests (default 40) that mix reads (status, history, offers,
deadlines, the portal) and decisions (visits and dialogs on a small set of shared offers, so that
writers meet). It stops by itself, then reports requests/s, p50/p99 latency, the statuses (409 =
a concurrent writer got there first), and checks afterwards that `ledger verify` and `ledger
projections check` are clean and that every decision answered 201 is stored exactly once: each
offer's events are its seeded ones plus its 201s, no more, no fewer.

    .venv/bin/python scripts/load.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import jwt  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

ISSUER = "https://login.load.local"
AUDIENCE = "supervision-ledger"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def token(key: Any, sub: str, roles: list[str], region: str | None) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "name": sub, "roles": roles,
                              "iat": now, "nbf": now - 5, "exp": now + 3600}
    if region:
        claims["region"] = region
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": "load-1"})


def offer_lines(offer: str) -> list[dict[str, Any]]:
    return [
        {"command": "ansoegning", "offer": offer, "date": "2024-01-10", "navn": f"Bostedet {offer}",
         "tilbudstyper": ["SEL107"], "pladser": 12, "ejerform": "privat", "region": "Nord",
         "afdelinger": [{"navn": "Hovedhuset", "adresse": "Lærkevej 1, 9000 Aalborg"}]},
        {"command": "godkendelse", "offer": offer, "date": "2024-03-01", "begrundelse": "Opfylder kvalitetsmodellen"},
    ]


def decision(rng: random.Random, offer: str) -> dict[str, Any]:
    day = f"2024-{rng.randint(4, 12):02d}-{rng.randint(1, 28):02d}"
    if rng.random() < 0.7:
        return {"command": "tilsynsbesoeg", "offer": offer, "date": day, "form": rng.choice(["anmeldt", "uanmeldt"])}
    return {"command": "dialog", "offer": offer, "date": day, "forhold": [f"Forhold {rng.randint(1, 10_000)}"]}


samples: list[str] = []


async def client_run(number: int, base: str, tokens: dict[str, str], offers: list[str], requests: int,
                     write_share: float, results: list[tuple[str, int, float, str | None]]) -> None:
    rng = random.Random(number)
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for _ in range(requests):
            offer = rng.choice(offers)
            if rng.random() < write_share:
                kind = "decision"
                started = time.perf_counter()
                response = await client.post("/commands", content=json.dumps(decision(rng, offer)),
                                             headers={"Authorization": f"Bearer {tokens['write']}"})
            else:
                kind, path, params = rng.choice([
                    ("status", f"/offers/{offer}/status", {"as_of": "2024-12-31"}),
                    ("history", f"/offers/{offer}/history", {}),
                    ("offers", "/offers", {"region": "Nord"}),
                    ("deadlines", "/deadlines", {"as_of": "2025-01-15"}),
                    ("portal", f"/portal/{offer}", {}),
                ])
                started = time.perf_counter()
                response = await client.get(path, params=params, headers={"Authorization": f"Bearer {tokens['read']}"})
            elapsed = time.perf_counter() - started
            if response.status_code not in (200, 201, 409):
                samples.append(f"{kind} {response.status_code}: {response.text[:300]}")
            results.append((kind, response.status_code, elapsed, offer if kind == "decision" and response.status_code == 201 else None))


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], env=env, capture_output=True, text=True, timeout=600)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("LEDGER_TEST_PG_URL"), help="A PostgreSQL URL (a schema of its own is made in it).")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="Requests per client.")
    parser.add_argument("--offers", type=int, default=10, help="Offers the decisions are shared among.")
    parser.add_argument("--write-share", type=float, default=0.3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="Keep the schema afterwards.")
    parser.add_argument("--json", dest="json_out", default=None, help="Write the report as JSON to this file too.")
    options = parser.parse_args()
    if not options.db or not options.db.startswith("postgres"):
        parser.error("--db must name a PostgreSQL database (or set LEDGER_TEST_PG_URL)")

    from ledger.application import normalise_url

    base_url = normalise_url(options.db)
    schema = f"ledger_load_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base_url else "?"
    url = f"{base_url}{separator}options=-csearch_path%3D{schema}"
    folder = Path(tempfile.mkdtemp(prefix="ledger-load-"))
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.get_algorithm_by_name("ES256").to_jwk(key.public_key()))
    (folder / "jwks.json").write_text(json.dumps({"keys": [{**jwk, "kid": "load-1", "use": "sig", "alg": "ES256"}]}))
    env = {**os.environ, "LEDGER_DATABASE_URL": url}
    processes: list[subprocess.Popen[bytes]] = []
    report: dict[str, Any] = {}
    try:
        assert run_cli(["init"], env).returncode == 0
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        processes.append(subprocess.Popen(
            [sys.executable, str(ROOT / "cli.py"), "serve", "--port", str(port), "--workers", str(options.workers),
             "--issuer", ISSUER, "--audience", AUDIENCE, "--keys", str(folder / "jwks.json"), "--no-access-log"],
            env=env, stdout=(folder / "serve.log").open("wb"), stderr=subprocess.STDOUT,
        ))
        processes.append(subprocess.Popen(
            [sys.executable, str(ROOT / "cli.py"), "projections", "follow"],
            env=env, stdout=(folder / "follow.log").open("wb"), stderr=subprocess.STDOUT,
        ))
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("ledger serve did not start: " + (folder / "serve.log").read_text())
            time.sleep(0.3)
        tokens = {"write": token(key, "load-sagsbehandler", ["sagsbehandler"], "Nord"),
                  "read": token(key, "load-revisor", ["revisor"], None)}
        offers = [f"L-{n:03d}" for n in range(1, options.offers + 1)]
        seed = "".join(json.dumps(line, ensure_ascii=False) + "\n" for o in offers for line in offer_lines(o))
        seeded = httpx.post(base + "/batches", content=seed.encode(), headers={"Authorization": f"Bearer {tokens['write']}"}, timeout=120)
        assert seeded.status_code == 201, seeded.text
        results: list[tuple[str, int, float, str | None]] = []
        started = time.perf_counter()

        async def everyone() -> None:
            await asyncio.gather(*(client_run(n, base, tokens, offers, options.requests, options.write_share, results)
                                   for n in range(options.clients)))

        asyncio.run(everyone())
        wall = time.perf_counter() - started
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        processes.clear()

        latencies = [r[2] for r in results]
        statuses = Counter(r[1] for r in results)
        by_kind: dict[str, list[float]] = {}
        for kind, _, elapsed, _ in results:
            by_kind.setdefault(kind, []).append(elapsed)
        stored_by_offer = Counter(r[3] for r in results if r[3])
        verify = run_cli(["verify"], env)
        check = run_cli(["projections", "check"], env)
        from ledger.application import Ledger

        app = Ledger(url)
        versions = {o: app.case(o).version for o in offers}
        expected = {o: 2 + stored_by_offer.get(o, 0) for o in offers}
        head = app.head()[0]
        t = app.events_table
        with app.engine.connect() as connection:
            count = int(connection.execute(sa.select(sa.func.count()).select_from(t)).scalar() or 0)
            distinct = int(connection.execute(
                sa.select(sa.func.count()).select_from(sa.select(t.c.originator_id, t.c.originator_version).distinct().subquery())
            ).scalar() or 0)
        report = {
            "clients": options.clients, "requests": len(results), "workers": options.workers,
            "seconds": round(wall, 2), "requests_per_second": round(len(results) / wall, 1),
            "p50_ms": round(percentile(latencies, 0.50) * 1000, 1), "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
            "by_kind": {k: {"n": len(v), "p50_ms": round(percentile(v, 0.5) * 1000, 1), "p99_ms": round(percentile(v, 0.99) * 1000, 1)}
                        for k, v in sorted(by_kind.items())},
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "decisions_stored": sum(stored_by_offer.values()), "conflicts_409": statuses.get(409, 0),
            "events_in_ledger": count, "distinct_case_versions": distinct, "head_position": head,
            "events_expected": len(offers) * 2 + sum(stored_by_offer.values()),
            "every_201_stored_once": versions == expected,
            "verify": verify.returncode == 0, "verify_output": verify.stdout.strip().splitlines()[:1],
            "projections_check": check.returncode == 0, "projections_check_output": check.stdout.strip().splitlines()[-1:],
            "other_statuses_samples": samples[:5],
        }
        app.close()
    finally:
        for process in processes:
            process.kill()
        if not options.keep:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if options.json_out:
        Path(options.json_out).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    clean = report.get("verify") and report.get("projections_check") and report.get("every_201_stored_once") \
        and report.get("events_in_ledger") == report.get("events_expected") == report.get("distinct_case_versions") \
        and set(report.get("statuses", {})) <= {"200", "201", "404", "409"}
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
