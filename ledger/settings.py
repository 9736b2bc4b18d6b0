"""The numeric environment variables (README, "Environment"): read by name, checked at start.

Every command checks them all before it does anything (`check_environment`), so a bad value
is refused with the variable's name, exit 2, before a rebuild empties a read model or an import
stores a batch. The modules that use a value read it through `env_int` / `env_float`.
"""

from __future__ import annotations

import math
import os

from ledger.errors import InvalidInput

# name -> (default, smallest allowed, largest allowed, what it counts)
INTEGERS: dict[str, tuple[int, int, int, str]] = {
    "LEDGER_REBUILD_WORKERS": (0, 0, 256, "processes for a rebuild (0: one per core)"),
    "LEDGER_PARALLEL_FROM": (50_000, 0, 10**15, "events"),
    "LEDGER_PARALLEL_IMPORT_FROM": (8_000_000, 0, 10**15, "bytes"),
    "LEDGER_PROJECTION_FLUSH": (100_000, 1, 10**9, "events"),
    "LEDGER_REBUILD_FLUSH": (40_000, 1, 10**9, "events"),
}
FLOATS: dict[str, tuple[float, float, float, str]] = {
    "LEDGER_SQLITE_TIMEOUT": (60.0, 0.0, 86_400.0, "seconds"),
}


def env_int(name: str) -> int:
    default, low, high, unit = INTEGERS[name]
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 16:
        raise InvalidInput(f"the environment variable {name}={raw[:40]!r} is not a whole number ({unit}, {low}-{high})")
    value = int(text)
    if not low <= value <= high:
        raise InvalidInput(f"the environment variable {name}={value} is out of range ({unit}, {low}-{high})")
    return value


def env_float(name: str) -> float:
    default, low, high, unit = FLOATS[name]
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip()) if len(raw) <= 32 else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InvalidInput(f"the environment variable {name}={raw[:40]!r} is not a number ({unit}, {low:g}-{high:g})")
    if not low <= value <= high:
        raise InvalidInput(f"the environment variable {name}={value:g} is out of range ({unit}, {low:g}-{high:g})")
    return value


def check_environment() -> None:
    """Refuse a malformed numeric variable by name (exit 2) before anything runs."""
    for name in INTEGERS:
        env_int(name)
    for name in FLOATS:
        env_float(name)
