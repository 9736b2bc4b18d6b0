"""The message catalogues: find every message the code shows people, and keep the catalogues in step.

    .venv/bin/python scripts/i18n.py check    # exit 1 if a message has no translation (what the test checks)
    .venv/bin/python scripts/i18n.py update   # add new messages to both catalogues (empty), drop unused ones

A message is the first argument of a call of `_` (ledger.i18n) or of `N_` (a message marked where
it is defined and translated where it is shown), a string literal, in `ledger/` or `cli.py`. The catalogues are `ledger/locale/<lang>/LC_MESSAGES/`: `rules.po` for the
messages of the domain (the law's refusals: ledger/aggregates, commands, readers, coordination,
rulebook, quality), `ledger.po` for the rest; read and written with Babel. Translate the empty
entries `update` adds to the Danish catalogues (it fills the English ones with the messages as written).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("da", "en")
SOURCE = "en"  # the language the messages are written in


def sources() -> list[Path]:
    return sorted([ROOT / "cli.py", *(ROOT / "ledger").rglob("*.py")])


def messages() -> dict[str, list[str]]:
    """Every message, with where it is used (file:line)."""
    found: dict[str, list[str]] = {}
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
            ):
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.setdefault(first.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
                elif node.func.id == "N_":
                    raise SystemExit(f"{path.relative_to(ROOT)}:{node.lineno}: N_() needs a string literal")
    return found


DOMAINS = ("ledger", "rules")
RULES = ("ledger/aggregates/", "ledger/commands.py", "ledger/readers.py", "ledger/coordination.py", "ledger/rulebook/",
         "ledger/quality/", "ledger/events/")


def domain_of(places: list[str]) -> str:
    """The catalogue a message belongs in: `rules` if it is used only in the domain."""
    return "rules" if all(p.startswith(RULES) for p in places) else "ledger"


def catalogue_path(lang: str, domain: str = "ledger") -> Path:
    return ROOT / "ledger" / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"


def read(lang: str, domain: str | None = None) -> Catalog:
    """One catalogue of a language, or (domain None) all of them as one."""
    merged = Catalog(locale=lang, project="supervision-ledger", fuzzy=False)
    for name in DOMAINS if domain is None else (domain,):
        path = catalogue_path(lang, name)
        if path.exists():
            with path.open("rb") as handle:
                for message in read_po(handle, locale=lang):
                    if message.id:
                        merged.add(message.id, message.string, locations=message.locations)
    return merged


def missing(lang: str, wanted: dict[str, list[str]]) -> list[str]:
    catalogue = read(lang)
    return [m for m in wanted if not (catalogue.get(m) and catalogue.get(m).string)]  # type: ignore[union-attr]


def compiled_path(lang: str) -> Path:
    return ROOT / "ledger" / "locale" / f"{lang}.json"


def compiled(lang: str) -> str:
    """What `ledger.i18n` reads: the language's translations (every catalogue), as JSON."""
    catalogue = read(lang)
    table = {str(m.id): str(m.string) for m in catalogue if m.id and m.string}
    return json.dumps(dict(sorted(table.items())), ensure_ascii=False, indent=0) + "\n"


def update() -> int:
    wanted = messages()
    for lang in LANGUAGES:
        old = read(lang)
        for domain in DOMAINS:
            new = Catalog(locale=lang, project="supervision-ledger", fuzzy=False)
            for message, places in sorted(wanted.items()):
                if domain_of(places) != domain:
                    continue
                kept = old.get(message)
                string = kept.string if kept is not None else ""
                if lang == SOURCE and not string:
                    string = message  # the messages are written in English: English is them as written
                new.add(message, string, locations=[(p.split(":")[0], int(p.split(":")[1])) for p in places])
            path = catalogue_path(lang, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, new, width=100, sort_output=True, omit_header=False)
        compiled_path(lang).write_text(compiled(lang), encoding="utf-8")
        print(f"{lang}: {len(wanted)} messages, {len(missing(lang, wanted))} untranslated", file=sys.stderr)
    return 0


def check() -> int:
    wanted = messages()
    failed = 0
    for lang in LANGUAGES:
        for message in missing(lang, wanted):
            print(f"{lang}: no translation of {message!r} ({', '.join(wanted[message])})")
            failed += 1
        path = compiled_path(lang)
        if not path.exists() or path.read_text(encoding="utf-8") != compiled(lang):
            print(f"{lang}: {path.relative_to(ROOT)} is not compiled from the catalogues: run scripts/i18n.py update")
            failed += 1
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["check", "update"])
    args = parser.parse_args(argv)
    return update() if args.action == "update" else check()


if __name__ == "__main__":
    sys.exit(main())
