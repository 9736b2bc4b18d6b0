"""`ledger status` and `ledger history`: an offer's legal state and history, bitemporally."""

from __future__ import annotations

import datetime as dt

import click

from ledger.console.common import F, db_option, emit_json, format_option, open_ledger
from ledger.errors import InvalidInput


def parse_day(text: str | None, what: str = "--as-of") -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None


def parse_moment(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    from ledger.reports.history import parse_known_at

    try:
        moment = parse_known_at(text)
        moment.astimezone(dt.timezone.utc)  # a moment past year 9999 in UTC cannot be compared with any other
    except ValueError as error:
        raise InvalidInput(f"--known-at: {error}") from None
    except OverflowError:
        raise InvalidInput(f"--known-at: {text.strip()!r} lies outside the years 1-9999 in UTC") from None
    return moment


def as_of_option(function: F) -> F:
    return click.option("--as-of", "as_of", default=None, metavar="DATE", help="The legal state on this date (default: today).")(function)


def known_at_option(function: F) -> F:
    return click.option(
        "--known-at", "known_at", default=None, metavar="TIMESTAMP",
        help="What the ledger said at this moment (ISO time; Danish time if no zone; a date means the end of that day).",
    )(function)


@click.command()
@click.argument("offer")
@as_of_option
@known_at_option
@db_option
@format_option("text", "json")
def status(offer: str, as_of: str | None, known_at: str | None, db: str, fmt: str) -> None:
    """An offer's legal state on a date: status, vilkår, fravigelse, påbud, skærpet tilsyn, ophør.

    --as-of D answers "what was the legal state on D" (events effective on or before D);
    --known-at T answers "what did the ledger say at time T" (events recorded at or before T).

    Example:

        ledger status T-1001 --as-of 2024-06-01 --known-at 2024-06-05T12:00
    """
    from ledger.aggregates.base import COPENHAGEN
    from ledger.queries import offer_status
    from ledger.reports.status import render_status_text

    day = parse_day(as_of)
    moment = parse_moment(known_at)
    app = open_ledger(db)
    on = day or app.clock().astimezone(COPENHAGEN).date()
    described = offer_status(app, offer, on, moment)
    if fmt == "json":
        emit_json(described)
    else:
        click.echo(render_status_text(described, described.get("known_at")))


@click.command()
@click.argument("offer")
@as_of_option
@known_at_option
@db_option
@format_option("text", "json", "jsonl", "md")
def history(offer: str, as_of: str | None, known_at: str | None, db: str, fmt: str) -> None:
    """An offer's legal history, oldest effective date first: each entry with its effective date,
    recorded time, who recorded it, the event, its reasons, its paragraph, the rulebook version
    that judged it, and the status after it. Corrections stand beside what they correct.

    Example:

        ledger history T-1001 --format md --known-at 2024-06-05
    """
    from ledger.reports.history import history_entries, local_time, render_markdown, render_text

    day = parse_day(as_of)
    moment = parse_moment(known_at)
    app = open_ledger(db)
    entries = history_entries(app.events_of(offer), as_of=day, known_at=moment)
    header = ", ".join(
        part for part in (f"as of {day}" if day else "", f"known at {local_time(moment)}" if moment else "") if part
    )
    if fmt == "json":
        from ledger.reports.outputs import history_document

        emit_json(history_document(offer, day.isoformat() if day else None, local_time(moment) if moment else None, entries))
    elif fmt == "jsonl":
        from ledger.reports.outputs import history_entry
        from ledger.reports.tables import jsonl

        click.echo(jsonl(history_entry(e) for e in entries), nl=False)
    elif fmt == "md":
        click.echo(render_markdown(offer, entries, header), nl=False)
    else:
        click.echo(render_text(offer, entries, header))
