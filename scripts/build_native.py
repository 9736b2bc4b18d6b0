"""Compile the bulk import's judging path with mypyc, in place (the .so files sit beside the
sources, ignored by git). The ledger runs the same without them, slower.

    .venv/bin/python scripts/build_native.py          # compile (about a minute on 2 cores)
    .venv/bin/python scripts/build_native.py --check  # exit 0 if the compiled modules are up to date
    .venv/bin/python scripts/build_native.py --clean  # remove the compiled modules

`./scripts/setup.sh` compiles when --check says the sources changed since the last build. A
compiled module whose source has changed since is never used: `ledger` loads the sources instead
(see ledger/_native.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["LEDGER_PURE"] = "1"  # this process reads the sources, never the modules it is about to replace

from ledger import _native  # noqa: E402


def clean() -> int:
    removed = _native.remove_compiled()
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    print(f"removed {removed} compiled files", file=sys.stderr)
    return 0


def build() -> int:
    from mypyc.build import mypycify
    from setuptools import setup

    started = time.perf_counter()
    digest = _native.source_digest()
    _native.remove_compiled()
    os.chdir(ROOT)
    paths = [str(_native.source_of(name).relative_to(ROOT)) for name in _native.COMPILED]
    print(f"compiling {len(paths)} modules with mypyc ...", file=sys.stderr)
    setup(
        name="supervision-ledger-native",
        ext_modules=mypycify(paths, opt_level="3", group_name=_native.GROUP),
        script_args=["--quiet", "build_ext", "--inplace", "--parallel", str(os.cpu_count() or 1)],
    )
    _native.STAMP.write_text(digest + "\n", encoding="utf-8")
    print(f"compiled in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules")
    parser.add_argument("--check", action="store_true", help="exit 0 if the compiled modules are up to date, 1 if not")
    args = parser.parse_args(argv)
    if args.check:
        found = _native.state()
        print(found)
        return 0 if found == "compiled" else 1
    if args.clean:
        return clean()
    return build()


if __name__ == "__main__":
    sys.exit(main())
