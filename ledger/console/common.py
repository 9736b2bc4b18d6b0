"""What the commands share: the --db/--format/--by options, building the application once per
invocation, and turning errors into `Error: ...` with an exit code."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from ledger.errors import LedgerError

F = TypeVar("F", bound=Callable[..., Any])

DB_HELP = "Database: a SQLite path or URL, or postgresql+psycopg://... [env LEDGER_DATABASE_URL; default ./ledger.db]"


def db_option(function: F) -> F:
    return click.option("--db", "db", envvar="LEDGER_DATABASE_URL", default="ledger.db", show_default=False, help=DB_HELP, metavar="URL")(function)


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
    """A progress bar on stderr, driven by a callback that is told the position reached."""
    with click.progressbar(length=max(length, 1), label=label, file=sys.stderr, show_pos=show_pos) as bar:
        last = [start]

        def progress(position: int) -> None:
            bar.update(position - last[0])
            last[0] = position

        yield progress


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


def report_error(error: BaseException) -> int:
    if isinstance(error, LedgerError):
        where = getattr(error, "line_number", None)
        prefix = f"line {where}: " if where else ""
        click.echo(scrub(f"Error: {prefix}{error}"), err=True)
        return error.exit_code
    from ledger.application import cause

    click.echo(scrub(f"Error: internal error ({type(error).__name__}): {cause(error)}"), err=True)
    if os.environ.get("LEDGER_DEBUG"):
        import traceback

        click.echo(scrub("".join(traceback.format_exception(error))), err=True, nl=False)
    return 70
