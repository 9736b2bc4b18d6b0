"""The compiled judging path (ledger/_native.py, scripts/build_native.py): a compiled module is used
only while it was built from the sources as they are; otherwise, or with LEDGER_PURE=1, the sources run."""

from __future__ import annotations

import importlib.machinery
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ledger
from ledger import _native

ROOT = Path(__file__).resolve().parent.parent


def _package_copy(tmp_path: Path) -> Path:
    package = tmp_path / "ledger"
    for name in _native.COMPILED:
        source = _native.source_of(name)
        target = _native.source_of(name, package)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return package


def test_a_compiled_module_is_used_only_while_its_sources_are_the_ones_it_was_built_from(tmp_path: Path) -> None:
    package = _package_copy(tmp_path)
    assert _native.state(package) == "source"  # nothing built
    built = _native.source_of("ledger.aggregates.offer", package).with_suffix(importlib.machinery.EXTENSION_SUFFIXES[0])
    built.write_bytes(b"")
    assert _native.state(package) == "stale"  # built, but no stamp says from what
    (package / _native.STAMP.name).write_text(_native.source_digest(package) + "\n", encoding="utf-8")
    assert _native.state(package) == "compiled"
    offer = _native.source_of("ledger.aggregates.offer", package)
    offer.write_text(offer.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert _native.state(package) == "stale"  # a source changed since the build
    assert _native.remove_compiled(package) == 1
    assert _native.state(package) == "source" and not (package / _native.STAMP.name).exists()


def _loaded_from(env: dict[str, str]) -> list[str]:
    code = (
        "import importlib, ledger\n"
        f"names = {list(_native.COMPILED)!r}\n"
        "print(ledger.RUNNING)\n"
        "print('\\n'.join(importlib.import_module(n).__file__ for n in names))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, cwd=ROOT, check=True)
    return done.stdout.split()


def test_ledger_pure_runs_the_sources() -> None:
    running, *files = _loaded_from({"LEDGER_PURE": "1"})
    assert running == "source"
    assert all(file.endswith(".py") for file in files), files


def test_where_the_build_is_current_every_listed_module_runs_compiled() -> None:
    if _native.state() != "compiled":
        pytest.skip(f"the judging path is not compiled here ({_native.state()}): ./scripts/setup.sh compiles it")
    running, *files = _loaded_from({"LEDGER_PURE": ""})
    assert running == "compiled"
    assert not any(file.endswith(".py") for file in files), files
    # This process runs what its environment asks for (test.sh runs the suite both ways).
    assert ledger.RUNNING == ("source" if os.environ.get("LEDGER_PURE") else "compiled")
