"""The compiled judging path: which modules `scripts/build_native.py` compiles with mypyc, and the
guard that keeps a compiled module from standing in for a source that has changed since.

The bulk import judges every line in Python: the aggregates' rules, the folding of a case's state,
the sealing of events. Compiled with mypyc, the same code judges a line in about 20 % less time
(measured in docs/PERFORMANCE.md). The compiled modules are built in place by `./scripts/setup.sh`
and are optional: without them, or with `LEDGER_PURE=1`, the sources run.

Python would load a compiled module in preference to its source even after the source changed, so
`ledger/__init__.py` calls `guard()` first: unless the stamp written by the build names the digest
of the sources as they are now, the sources are loaded instead (`./scripts/setup.sh` compiles them
again; `ledger.RUNNING` and the benchmark say which ran).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

PACKAGE = Path(__file__).resolve().parent
STAMP = PACKAGE / "_native.stamp"
GROUP = "ledger._native_lib"  # the shared library of the compiled modules, inside the package

COMPILED = (
    "ledger.aggregates.base",
    "ledger.aggregates.state",
    "ledger.aggregates.offer",
    "ledger.aggregates.authority",
    "ledger.aggregates.koncern",
    "ledger.aggregates.employer",
    "ledger.coordination",
    "ledger.bulk",
    "ledger.bulk_parallel",
    "ledger.store.chain",
    "ledger.readers",
    "ledger.verify",
)


def source_of(name: str, package: Path = PACKAGE) -> Path:
    return package.joinpath(*name.split(".")[1:]).with_suffix(".py")


def source_digest(package: Path = PACKAGE) -> str:
    """SHA-256 over the compiled modules' sources (each named), and the Python that compiles them."""
    digest = hashlib.sha256(sys.implementation.cache_tag.encode())
    for name in COMPILED:
        digest.update(name.encode() + b"\0")
        digest.update(source_of(name, package).read_bytes())
    return digest.hexdigest()


def compiled_files(package: Path = PACKAGE) -> list[Path]:
    found = []
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for name in (*COMPILED, GROUP + "__mypyc"):
            path = source_of(name, package).with_suffix(suffix)
            if path.exists():
                found.append(path)
    return found


def state(package: Path = PACKAGE) -> str:
    """'compiled' (built from the sources as they are), 'stale' (built from other sources) or
    'source' (not built)."""
    if not compiled_files(package):
        return "source"
    try:
        built = (package / STAMP.name).read_text(encoding="utf-8").strip()
    except OSError:
        return "stale"
    return "compiled" if built == source_digest(package) else "stale"


def remove_compiled(package: Path = PACKAGE) -> int:
    files = compiled_files(package)
    for path in files:
        path.unlink()
    (package / STAMP.name).unlink(missing_ok=True)
    return len(files)


class _Sources(importlib.abc.MetaPathFinder):
    """Loads the compiled modules' names from their sources."""

    def __init__(self, package: Path) -> None:
        self.package = package

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if fullname not in COMPILED:
            return None
        return importlib.util.spec_from_file_location(fullname, source_of(fullname, self.package))


def guard() -> str:
    """Called before any compiled module is imported. Returns what runs: 'compiled' or 'source'."""
    found = state()
    if found == "compiled" and not os.environ.get("LEDGER_PURE"):
        return "compiled"
    if found == "source":
        return "source"
    # Stale, or LEDGER_PURE set: the sources, silently (the benchmark prints which ran).
    sys.meta_path.insert(0, _Sources(PACKAGE))
    return "source"
