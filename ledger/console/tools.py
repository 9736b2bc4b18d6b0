"""`ledger init`, `ledger submit` and `ledger schema`."""

from __future__ import annotations

import json
import sys
from typing import IO, Any

import click

from ledger.console.common import by_option, db_option, emit_json, format_option, open_ledger
from ledger.errors import InvalidInput, LedgerError
from ledger.i18n import _, number

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
    position, _head = app.head()
    where = redact(app.url)
    if position:
        click.echo(_("The ledger at {where} already exists (position {position}); nothing changed.").format(where=where, position=position))
    else:
        click.echo(_("Created an empty ledger at {where}.").format(where=where))


def _read_lines(stream: IO[bytes]) -> list[tuple[int, str]]:
    lines = []
    for line_no, raw in enumerate(stream, start=1):
        if len(raw) > MAX_LINE_BYTES:
            raise _at(InvalidInput(_("the line is longer than {limit} bytes").format(limit=MAX_LINE_BYTES)), line_no)
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise _at(InvalidInput(_("the line is not valid UTF-8")), line_no) from None
        if text.startswith("\ufeff"):
            text = text[1:]
        if text:
            lines.append((line_no, text))
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
    for line_no, text in lines:
        try:
            commands.append(parse_json_line(text))
        except LedgerError as error:
            raise _at(error, line_no) from None
    if not commands:
        click.echo(_("Nothing to record: the file has no commands."))
        return
    app = open_ledger(db, by=by)
    line_of = [line_no for line_no, _text in lines]
    receipts: list[Any] = []
    if each and not dry_run:
        for index, command in enumerate(commands):
            try:
                receipts.extend(app.execute([command], by=by))
            except LedgerError as error:
                stored = sum(r.stored for r in receipts)
                click.echo(
                    _("Stored {index} of {lines} lines ({events} events) before the refusal.").format(
                        index=number(index), lines=number(len(commands)), events=number(stored)
                    ),
                    err=True,
                )
                raise _at(error, line_of[index]) from None
    else:
        try:
            receipts = app.execute(commands, by=by, store=not dry_run)
        except LedgerError as error:
            command_no: int | None = getattr(error, "command_number", None)
            if command_no is not None:
                _at(error, line_of[command_no - 1])
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
    shown = ", ".join(offers[:10]) + (_(" and {count} more").format(count=number(len(offers) - 10)) if len(offers) > 10 else "")
    koncern = _(" ({count} of them in koncerner's cases, bek § 3)").format(count=number(follow_ups)) if follow_ups else ""
    done = (
        _("Would record {events} events{koncern} from {lines} lines for {offers} offer(s): {shown}.")
        if dry_run
        else _("Recorded {events} events{koncern} from {lines} lines for {offers} offer(s): {shown}.")
    )
    click.echo(
        done.format(events=number(events), koncern=koncern, lines=number(lines), offers=number(len(offers)), shown=shown)
    )


@click.command()
@click.option("--command", "name", default=None, help="Only the schema of one command (e.g. paabud).")
@click.option(
    "--output", "output", default=None, is_flag=False, flag_value="",
    help="The JSON Schema of a command's JSON output (e.g. status, offers); without a name, the list of names.",
)
def schema(name: str | None, output: str | None) -> None:
    """Print the JSON Schema of the command format that `ledger submit` reads, or with --output NAME
    that of a command's JSON output (`--output` alone lists the names).

    Example:

        ledger schema --command paabud
        ledger schema --output status
    """
    from ledger.commands import COMMANDS, json_schema

    if output is not None:
        from ledger.reports.outputs import output_names, output_schema

        if not output:
            click.echo("\n".join(output_names()))
            return
        if output not in output_names():
            raise InvalidInput(_("unknown output {name!r}; known outputs: {known}").format(name=output, known=", ".join(output_names())))
        sys.stdout.write(json.dumps(output_schema(output), ensure_ascii=False, indent=2) + "\n")
        return
    if name is None:
        data = json_schema()
    else:
        if name not in COMMANDS:
            raise InvalidInput(_("unknown command {name!r}; known commands: {known}").format(name=name, known=", ".join(COMMANDS)))
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
@click.option(
    "--resume", is_flag=True,
    help="Go on after the stored part of the last import (its first lines must be this file's, byte for byte).",
)
@click.option("--dry-run", is_flag=True, help="Judge every line on one process and store nothing (holds the file's events in memory).")
@db_option
@by_option
def import_(file: IO[bytes], batch: int, workers: int | None, resume: bool, dry_run: bool, db: str, by: str | None) -> None:
    """Bulk-load a large file of commands (the format of `ledger submit`): each is judged by the
    same rules, and the events are stored in transactions of --batch events.

    Unlike `submit`, the file is not one transaction: if a line is refused, the import stops there,
    the transactions stored before it stay (each whole), and the error says the last line whose
    events are stored. Correct the file after that line and run the import again with --resume: it
    checks that the file's first lines are the ones stored, skips them and goes on. Importing a
    file that was imported whole before stores nothing and says so. Use it to load a ledger from
    another system; use `submit` for everyday files.

    A large file is judged on one process per core: each judges the cases of its share, and the
    events are stored in the file's order, as one process would store them. Progress (lines, rate,
    time left) is a bar on a terminal and a line every few seconds otherwise.

    Example:

        ledger import migrated-2018-2025.jsonl --batch 50000

        ledger import migrated-2018-2025.jsonl --resume
    """
    import time

    from ledger.bulk import default_workers, import_lines
    from ledger.console.importing import prepare, progress_reporter

    app = open_ledger(db, by=by)
    name = getattr(file, "name", "-")
    start = prepare(app, file, name, resume=resume, dry_run=dry_run)
    if start.done is not None:
        click.echo(start.done)
        return
    skipped = start.digest.lines if start.digest is not None else 0
    started = time.perf_counter()
    try:
        with progress_reporter(file, skipped) as report:
            lines, stored = import_lines(
                app, file, batch=batch, by=by, progress=report, workers=1 if dry_run else workers or default_workers(file),
                digest=start.digest, stored=start.stored, dry_run=dry_run,
            )
    except LedgerError as error:
        line = getattr(error, "line_number", None)
        if dry_run:
            click.echo(_("Nothing was stored (--dry-run)."), err=True)
        else:
            through = getattr(error, "stored_through", 0)
            events = getattr(error, "stored", 0)
            if through:
                click.echo(
                    _(
                        "Stored {events} events from lines 1-{through} of {name} (in whole transactions); nothing from "
                        "line {next} on. Correct line {line} and run `ledger import {name} --resume` to go on after "
                        "line {through}."
                    ).format(events=number(events), through=through, name=name, next=through + 1, line=line),
                    err=True,
                )
            else:
                click.echo(
                    _("Nothing of {name} was stored: line {line} was refused before the first transaction.").format(name=name, line=line),
                    err=True,
                )
        raise
    elapsed = time.perf_counter() - started
    rate = _(" ({rate} events/s)").format(rate=number(stored / elapsed)) if elapsed > 0 and stored else ""
    resumed = _(" after line {line}").format(line=skipped) if skipped else ""
    done = (
        _("Judged {events} events from {lines} lines{resumed} in {seconds} s{rate}; nothing was stored (--dry-run).")
        if dry_run
        else _("Imported {events} events from {lines} lines{resumed} in {seconds} s{rate}.")
    )
    click.echo(
        done.format(
            events=number(stored - start.stored), lines=number(lines), resumed=resumed, seconds=number(elapsed, 1), rate=rate
        )
    )
