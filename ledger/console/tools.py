"""`ledger init`, `ledger submit` and `ledger schema`."""

from __future__ import annotations

import json
import sys
from typing import IO, Any

import click

from ledger.console.common import by_option, db_option, emit_json, format_option, open_ledger
from ledger.errors import InvalidInput, LedgerError

MAX_LINE_BYTES = 1_000_000


@click.command()
@db_option
def init(db: str) -> None:
    """Create a new, empty ledger (tables, append-only triggers). Safe to run twice.

    Example:

        ledger init --db ledger.db
    """
    from ledger.application import redact

    app = open_ledger(db, create=True)
    position, _ = app.head()
    where = redact(app.url)
    if position:
        click.echo(f"The ledger at {where} already exists (position {position}); nothing changed.")
    else:
        click.echo(f"Created an empty ledger at {where}.")


def _read_lines(stream: IO[bytes]) -> list[tuple[int, str]]:
    lines = []
    for number, raw in enumerate(stream, start=1):
        if len(raw) > MAX_LINE_BYTES:
            raise _at(InvalidInput(f"the line is longer than {MAX_LINE_BYTES} bytes"), number)
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise _at(InvalidInput("the line is not valid UTF-8"), number) from None
        if text.startswith("\ufeff"):
            text = text[1:]
        if text:
            lines.append((number, text))
    return lines


def _at(error: LedgerError, line: int) -> LedgerError:
    error.line_number = line  # type: ignore[attr-defined]
    return error


@click.command()
@click.argument("file", type=click.File("rb"), metavar="FILE.jsonl")
@click.option("--each", is_flag=True, help="Store each line on its own (stop at the first refused line) instead of the whole file at once.")
@click.option("--dry-run", is_flag=True, help="Judge every line, store nothing.")
@db_option
@by_option
@format_option("text", "json")
def submit(file: IO[bytes], each: bool, dry_run: bool, db: str, by: str | None, fmt: str) -> None:
    """Record a file of commands, one JSON object per line (FILE or - for stdin).

    Each line is validated by the same models as the per-decision commands (`ledger schema`
    prints them) and judged by the law on its effective date. By default the whole file is
    atomic: if any line is malformed or unlawful, nothing is stored and the first bad line is
    reported with its number.

    Example:

        ledger submit cases.jsonl

    \b
    where cases.jsonl holds lines such as
        {"command": "tilsynsbesoeg", "offer": "T-1001", "date": "2024-04-15", "form": "uanmeldt"}
    """
    from ledger.commands import parse_json_line

    lines = _read_lines(file)
    commands = []
    number: int | None
    for number, text in lines:
        try:
            commands.append(parse_json_line(text))
        except LedgerError as error:
            raise _at(error, number) from None
    if not commands:
        click.echo("Nothing to record: the file has no commands.")
        return
    app = open_ledger(db, by=by)
    line_of = [number for number, _ in lines]
    receipts: list[Any] = []
    if each and not dry_run:
        for index, command in enumerate(commands):
            try:
                receipts.extend(app.execute([command], by=by))
            except LedgerError as error:
                stored = sum(r.stored for r in receipts)
                click.echo(f"Stored {index} of {len(commands)} lines ({stored} events) before the refusal.", err=True)
                raise _at(error, line_of[index]) from None
    else:
        try:
            receipts = app.execute(commands, by=by, store=not dry_run)
        except LedgerError as error:
            number = getattr(error, "command_number", None)
            if number is not None:
                _at(error, line_of[number - 1])
            raise
    _summarise(receipts, len(commands), dry_run, fmt)


def _summarise(receipts: list[Any], lines: int, dry_run: bool, fmt: str) -> None:
    events = sum(r.stored for r in receipts)
    follow_ups = sum(len(r.follow_ups) for r in receipts)
    offers = sorted({r.offer for r in receipts})
    if fmt == "json":
        emit_json({"dry_run": dry_run, "lines": lines, "events": events, "follow_ups": follow_ups,
                   "receipts": [r.as_dict() for r in receipts]})
        return
    verb = "Would record" if dry_run else "Recorded"
    shown = ", ".join(offers[:10]) + (f" and {len(offers) - 10} more" if len(offers) > 10 else "")
    koncern = f" ({follow_ups} of them in koncerner's cases, bek § 3)" if follow_ups else ""
    click.echo(f"{verb} {events} events{koncern} from {lines} lines for {len(offers)} offer(s): {shown}.")


@click.command()
@click.option("--command", "name", default=None, help="Only the schema of one command (e.g. paabud).")
def schema(name: str | None) -> None:
    """Print the JSON Schema of the command format that `ledger submit` reads.

    Example:

        ledger schema --command paabud
    """
    from ledger.commands import COMMANDS, json_schema

    if name is None:
        data = json_schema()
    else:
        if name not in COMMANDS:
            raise InvalidInput(f"unknown command {name!r}; known commands: {', '.join(COMMANDS)}")
        data = COMMANDS[name].model_json_schema()
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@click.command("import")
@click.argument("file", type=click.File("rb"), metavar="FILE.jsonl")
@click.option(
    # ledger.bulk.IMPORT_BATCH, written out: this module is read for --help without the ledger's machinery.
    "--batch", "batch", type=click.IntRange(100, 1_000_000), default=100_000, show_default=True,
    help="Events stored per transaction (with several workers: whole chunks of lines, at least this many but for the last lines of the file, which are stored as they are judged).",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=None,
    help="Processes that judge the lines, the cases shared out among them (default: one per core, up to 8, "
    "for a file of 8 MB or more; one otherwise).",
)
@db_option
@by_option
def import_(file: IO[bytes], batch: int, workers: int | None, db: str, by: str | None) -> None:
    """Bulk-load a large file of commands (the format of `ledger submit`): each is judged by the
    same rules, and the events are stored in transactions of --batch events.

    Unlike `submit`, the file is not one transaction: if a line is refused, the import stops there,
    the batches stored before it stay (each batch whole), and the refused line's batch is not
    stored. Use it to load a ledger from another system; use `submit` for everyday files.

    A large file is judged on one process per core: each judges the cases of its share, and the
    events are stored in the file's order, as one process would store them.

    Example:

        ledger import migrated-2018-2025.jsonl --batch 50000
    """
    import time

    from ledger.bulk import default_workers, import_lines

    app = open_ledger(db, by=by)
    started = time.perf_counter()
    show = sys.stderr.isatty()

    def report(lines: int, stored: int) -> None:
        if show:
            click.echo(f"  {lines:,} lines, {stored:,} events stored", err=True)

    try:
        lines, stored = import_lines(
            app, file, batch=batch, by=by, progress=report, workers=workers or default_workers(file)
        )
    except LedgerError as error:
        number = getattr(error, "line_number", None)
        click.echo(f"Stored {getattr(error, 'stored', 0)} events in whole batches before line {number}.", err=True)
        raise
    elapsed = time.perf_counter() - started
    rate = f" ({stored / elapsed:,.0f} events/s)" if elapsed > 0 and stored else ""
    click.echo(f"Imported {stored} events from {lines} lines in {elapsed:.1f} s{rate}.")
