"""Worker processes for the concurrency stress test (imported by spawned processes)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any


def record_decisions(url: str, worker: int, commands: int, seed: int, decided: Any = None) -> list[dict[str, Any]]:
    """Record visits (and some unlawful påbud) on shared and own offers; report every outcome.

    With `decided` (a barrier shared by the workers), each worker first records a visit on S-1,
    storing it only when every worker has decided its own on S-1 as it stood: one of them wins and
    the others get the conflict."""
    from ledger.application import Ledger
    from ledger.commands import parse_command
    from ledger.errors import ConcurrencyConflict, LedgerError

    rng = random.Random(seed * 1000 + worker)
    app = Ledger(url, user=f"worker-{worker}")
    outcomes = []
    try:
        if decided is not None:
            store = app.store
            app.store = lambda cases: (decided.wait(60), store(cases))[1]  # type: ignore[method-assign]
            tag = f"w{worker}-first"
            try:
                app.execute([parse_command({"command": "tilsynsbesoeg", "offer": "S-1", "date": "2024-03-15",
                                            "form": "anmeldt", "note": tag})])
                outcomes.append({"tag": tag, "offer": "S-1", "outcome": "acknowledged"})
            except ConcurrencyConflict:
                outcomes.append({"tag": tag, "offer": "S-1", "outcome": "conflict"})
            del app.store
        for n in range(commands):
            tag = f"w{worker}-{n}"
            offer = rng.choice(["S-1", "S-2", f"W-{worker}"])
            day = dt.date(2024, 4, 1) + dt.timedelta(days=rng.randrange(0, 200))
            if rng.random() < 0.1:
                data = {"command": "paabud", "offer": offer, "date": day.isoformat(), "forhold": "x",
                        "frist": (day + dt.timedelta(days=30)).isoformat(), "karakter": "faglig",
                        "begrundelse": "no dialog: unlawful", "note": tag}
            else:
                data = {"command": "tilsynsbesoeg", "offer": offer, "date": day.isoformat(),
                        "form": rng.choice(["anmeldt", "uanmeldt"]), "note": tag}
            try:
                app.execute([parse_command(data)])
                outcomes.append({"tag": tag, "offer": offer, "outcome": "acknowledged"})
            except ConcurrencyConflict:
                outcomes.append({"tag": tag, "offer": offer, "outcome": "conflict"})
            except LedgerError as error:
                outcomes.append({"tag": tag, "offer": offer, "outcome": "refused", "error": type(error).__name__})
    finally:
        app.close()
    return outcomes
