"""What the commands share: the --db/--format/--by options, building the application once per
invocation, and turning errors into `Error: ...` with an exit code."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, TypeVar

import click

from ledger.errors import LedgerError

F = TypeVar("F", bound=Callable[..., Any])

DB_HELP = "Database: a SQLite path or URL, or postgresql+psycopg://... [env LEDGER_DATABASE_URL; default ./ledger.db]"


def _database(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """The command's --db; else the one given before the command (`ledger --db URL offers`)."""
    if ctx.get_parameter_source("db") is not click.core.ParameterSource.COMMANDLINE:
        top: str | None = ctx.meta.get("ledger.db")
        if top is not None:
            return top
    return value


def db_option(function: F) -> F:
    return click.option(
        "--db", "db", envvar="LEDGER_DATABASE_URL", default="ledger.db", show_default=False, help=DB_HELP, metavar="URL",
        callback=_database,
    )(function)


def year_argument(function: F) -> F:
    """The year a report is for: YEAR, or `--aar YEAR` as the decisions name it."""
    import functools

    @functools.wraps(function)
    def wrapper(*args: Any, year: int | None = None, aar: int | None = None, **kwargs: Any) -> Any:
        if year is not None and aar is not None and year != aar:
            raise click.UsageError(f"two years given: {year} and --aar {aar}")
        chosen = year if year is not None else aar
        if chosen is None:
            raise click.UsageError("give the year: YEAR or --aar YEAR")
        return function(*args, year=chosen, **kwargs)

    with_option = click.option(
        "--aar", "aar", type=int, default=None, metavar="YEAR", help="The year (the same as YEAR, as the decisions name it)."
    )(wrapper)
    return click.argument("year", type=int, required=False)(with_option)  # type: ignore[return-value]


def by_option(function: F) -> F:
    return click.option(
        "--by", "by", envvar="LEDGER_USER", default=None, callback=_recorder,
        help="Who records (default: $LEDGER_USER or the login name; the rules of the `by` field).",
    )(function)


def _recorder(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--by and $LEDGER_USER obey the rules of the `by` field (exit 2 naming which was wrong)."""
    if value is None:
        return None
    from ledger.commands import check_recorder

    from_env = ctx.get_parameter_source(param.name or "by") is click.core.ParameterSource.ENVIRONMENT
    return check_recorder(value, "LEDGER_USER" if from_env else "--by")


def format_option(*choices: str) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        return click.option(
            "--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True, help="Output format."
        )(function)

    return decorate


_APPS: dict[tuple[str, bool], Any] = {}

# Seconds between two progress lines when stderr is not a terminal.
PROGRESS_LOG_EVERY = 5.0


def open_ledger(db: str, *, create: bool = False, by: str | None = None) -> Any:
    """The application for this invocation (built once, lazily)."""
    from ledger.application import Ledger

    key = (db, create)
    app = _APPS.get(key)
    if app is None:
        app = _APPS[key] = Ledger(db, create=create, user=by)
    elif by:
        app.user = by
    return app


@contextmanager
def progress_bar(length: int, label: str, *, start: int = 0, show_pos: bool = True) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr, driven by a callback that is told the position reached; when
    stderr is not a terminal (a log, a job), a line every PROGRESS_LOG_EVERY seconds instead."""
    if not sys.stderr.isatty():
        import time

        from ledger.i18n import _, number

        began = time.monotonic()
        logged = [began]

        def log(position: int) -> None:
            now = time.monotonic()
            if now - logged[0] < PROGRESS_LOG_EVERY:
                return
            logged[0] = now
            done = position - start
            share = done / max(length, 1)
            left = (now - began) * (1 - share) / share if share > 0 else None
            rest = _(", about {seconds} s left").format(seconds=number(left)) if left is not None else ""
            click.echo(
                _("{label}: {percent} % ({done} of {length}){rest}").format(
                    label=label, percent=number(100 * share), done=number(done), length=number(length), rest=rest
                ),
                err=True,
            )

        yield log
        return
    with click.progressbar(length=max(length, 1), label=label, file=sys.stderr, show_pos=show_pos) as bar:
        last = [start]

        def progress(position: int) -> None:
            bar.update(position - last[0])
            last[0] = position

        yield progress


def emit_records(fmt: str, records: list[dict[str, Any]], columns: list[tuple[str, str]]) -> None:
    """Records as JSON Lines, CSV for Danish Excel, or a Markdown table (ledger.reports.tables);
    `columns` are (JSON key, header for people)."""
    from ledger.i18n import _
    from ledger.reports import tables

    if fmt == "jsonl":
        click.echo(tables.jsonl(records), nl=False)
    elif fmt == "csv":
        emit_csv(tables.csv_records(records, [key for key, _label in columns]))
    else:
        click.echo(tables.markdown_records(records, [(key, _(label)) for key, label in columns]), nl=False)


def emit_csv(text: str) -> None:
    """CSV as its bytes (UTF-8 with its BOM, CRLF line ends kept as they are)."""
    sys.stdout.flush()
    stream: IO[bytes] = sys.stdout.buffer
    stream.write(text.encode("utf-8"))
    stream.flush()


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str))


def scrub(text: str) -> str:
    """Remove any database password from a message."""
    for app in _APPS.values():
        text = app.scrub(text)
    url = os.environ.get("LEDGER_DATABASE_URL")
    if url:
        from ledger.application import scrub_secrets

        text = scrub_secrets(text, url)
    return text


def _known_failure(error: BaseException) -> str | None:
    """A failure of the machine rather than of the ledger's code: a file that cannot be written
    or read (an output path such as /dev/null or /proc/...), or a damaged database file. These are
    exit 6 with the reason, not an internal error."""
    from ledger.application import cause

    if isinstance(error, OSError) and error.filename is not None:
        action = "write" if isinstance(error, (FileExistsError, IsADirectoryError, NotADirectoryError, PermissionError)) else "use"
        return f"cannot {action} {error.filename}: {error.strerror or type(error).__name__}"
    reason = cause(error)
    names = {type(e).__name__ for e in (error, getattr(error, "orig", None), error.__cause__) if e is not None}
    if "DatabaseError" in names and any(word in reason.lower() for word in ("malformed", "not a database", "corrupt")):
        return f"the database file is damaged ({reason}); nothing was written: restore it from a backup"
    return None


def report_error(error: BaseException) -> int:
    from ledger.i18n import _

    if isinstance(error, LedgerError):
        where = getattr(error, "line_number", None)
        prefix = _("line {number}: ").format(number=where) if where else ""
        click.echo(scrub(_("Error: {message}").format(message=f"{prefix}{error}")), err=True)
        return error.exit_code
    from ledger.application import cause

    known = _known_failure(error)
    if known is not None:
        click.echo(scrub(_("Error: {message}").format(message=known)), err=True)
        return 6
    click.echo(scrub(_("Error: internal error ({kind}): {cause}").format(kind=type(error).__name__, cause=cause(error))), err=True)
    if os.environ.get("LEDGER_DEBUG"):
        import traceback

        click.echo(scrub("".join(traceback.format_exception(error))), err=True, nl=False)
    return 70
