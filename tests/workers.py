"""Worker processes for the concurrency stress test (imported by spawned processes)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any


def record_decisions(url: str, worker: int, commands: int, seed: int) -> list[dict[str, Any]]:
    """Record visits (and some unlawful påbud) on shared and own offers; report every outcome."""
    from ledger.application import Ledger
    from ledger.commands import parse_command
    from ledger.errors import ConcurrencyConflict, LedgerError

    rng = random.Random(seed * 1000 + worker)
    app = Ledger(url, user=f"worker-{worker}")
    outcomes = []
    try:
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
