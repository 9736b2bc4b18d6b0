"""Commands that read the projections: `offers`, `stats`, `projections ...`. Each brings the
projections up to date first, so no output is ever stale."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click
import sqlalchemy as sa

from ledger.console.common import db_option, emit_json, format_option, open_ledger, progress_bar
from ledger.console.reading import parse_day
from ledger.errors import InvalidInput


def today(app: Any) -> dt.date:
    from ledger.aggregates.base import COPENHAGEN

    result: dt.date = app.clock().astimezone(COPENHAGEN).date()
    return result


def fresh(app: Any, names: list[str] | None = None) -> Any:
    """A projection runner that has caught up (with a progress bar when there is much to do)."""
    from ledger.projections.runner import ProjectionRunner

    runner = ProjectionRunner(app, names)
    behind = max((s.behind for s in runner.status()), default=0)
    if behind > 20_000 and sys.stderr.isatty():
        start = min(s.position for s in runner.status())
        with progress_bar(behind, "Bringing projections up to date", start=start, show_pos=False) as progress:
            runner.catch_up_retrying(progress)
    else:
        runner.catch_up_retrying()
    return runner


@click.command()
@click.option("--status", "status_", default=None, help="A status (ansoegt, godkendt, godkendt_med_vilkaar, afslaaet, ophoert, aktiv) or a flag (paabud, skaerpet_tilsyn, fravigelse, ophoer_besluttet, ophoer_udsat_af_klage).")
@click.option("--type", "offer_type", default=None, help="An offer type, e.g. SEL107, SEL66_5, PLEJEFAMILIE.")
@click.option("--region", default=None, help="Nord, Midt, Syd, Øst or Hovedstaden.")
@click.option("--koncern", default=None, help="Only the offers of this koncern (with their regions).")
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="Status on this date (default: today).")
@db_option
@format_option("text", "json")
def offers(status_: str | None, offer_type: str | None, region: str | None, koncern: str | None, as_of: str | None, db: str, fmt: str) -> None:
    """List offers with their status on a date, including what lapses by time alone.

    Example:

        ledger offers --status paabud --region Nord --as-of 2024-12-01
    """
    from ledger.events.vocab import OfferType, Region
    from ledger.projections.cases import read_states
    from ledger.reports.offers import offer_rows, render_offers_text

    region_code = _vocab(Region, region, "region")
    type_code = _vocab(OfferType, offer_type, "offer type")
    app = open_ledger(db)
    runner = fresh(app, ["cases"])
    on = parse_day(as_of) or today(app)
    with runner.engine.connect() as connection:
        states = read_states(connection, region=region_code, offer_type=type_code, koncern=koncern)
    rows = offer_rows(states, on, status_)
    if fmt == "json":
        emit_json({"as_of": on.isoformat(), "count": len(rows), "offers": rows})
    else:
        click.echo(render_offers_text(rows, on))


def _vocab(kind: Any, value: str | None, what: str) -> str | None:
    if value is None:
        return None
    try:
        return str(kind(value).value)
    except ValueError:
        raise InvalidInput(f"unknown {what} {value!r}; one of: {', '.join(m.value for m in kind)}") from None


@click.command()
@click.argument("year", type=int)
@click.option("--region", default=None, help="Only this region (default: every region and the total).")
@db_option
@format_option("text", "json", "csv", "md")
def stats(year: int, region: str | None, db: str, fmt: str) -> None:
    """The statistics of bek § 18 stk 2 for a calendar year, per region and in total.

    The output states the ledger position and chain hash it was computed from; regenerating it
    from the same ledger gives the same bytes.

    Example:

        ledger stats 2024 --format md
    """
    from ledger.console.economy import fees_summary_for
    from ledger.events.vocab import Region
    from ledger.reports.stats import add_fees, compute, render

    if not 2000 <= year <= 2100:
        raise InvalidInput(f"year {year} is outside 2000-2100")
    region_code = _vocab(Region, region, "region")
    app = open_ledger(db)
    runner = fresh(app, ["statistics"])
    position = runner.positions()["statistics"]
    with runner.engine.connect() as connection:
        report = compute(connection, year, region_code, position, chain_hash_at(app, connection, position))
    add_fees(report, fees_summary_for(app, year, region_code))
    click.echo(render(report, fmt), nl=False)


def chain_hash_at(app: Any, connection: sa.Connection, position: int) -> str | None:
    t = app.events_table
    value = connection.execute(sa.select(t.c.ledger_hash).where(t.c.id == position)).scalar()
    return bytes(value).hex() if value is not None else None


@click.group()
def projections() -> None:
    """Show, check, rebuild and follow the projections (the read models).

    Example:

        ledger projections status
    """


@projections.command("status")
@db_option
@format_option("text", "json")
def projections_status(db: str, fmt: str) -> None:
    """Each projection's position against the ledger's head.

    Example:

        ledger projections status --format json
    """
    from ledger.projections.runner import ProjectionRunner

    app = open_ledger(db)
    rows = [s.as_dict() for s in ProjectionRunner(app).status()]
    if fmt == "json":
        emit_json(rows)
        return
    for row in rows:
        state = "up to date" if not row["behind"] else f"{row['behind']} events behind"
        click.echo(f"{row['name']:<12} position {row['position']:>9} of {row['head']:>9}  ({state})")


@projections.command("rebuild")
@click.argument("name", required=False)
@db_option
def projections_rebuild(name: str | None, db: str) -> None:
    """Drop a projection's tables (or all) and rebuild them from the whole ledger.

    Example:

        ledger projections rebuild statistics
    """
    import time

    from ledger.projections.runner import ProjectionRunner

    app = open_ledger(db)
    runner = ProjectionRunner(app, [name] if name else None)
    head = runner.head()
    started = time.perf_counter()
    with progress_bar(head, "Rebuilding") as progress:
        applied = runner.rebuild(progress)
    elapsed = time.perf_counter() - started
    names = ", ".join(p.name for p in runner.projections)
    rate = f" ({applied / elapsed:,.0f} events/s)" if elapsed > 0 and applied else ""
    click.echo(f"Rebuilt {names} from {applied} events in {elapsed:.2f} s{rate}.")


@projections.command("check")
@click.argument("name", required=False)
@db_option
@format_option("text", "json")
def projections_check(name: str | None, db: str, fmt: str) -> None:
    """Replay every case from the ledger, in memory, and compare the rows it gives with the
    projection's tables (or one projection's). Nothing is written. A difference means a read model
    no longer says what the ledger says; `ledger projections rebuild` mends it. Exits 1 if any
    difference is found.

    Example:

        ledger projections check statistics
    """
    import time

    from ledger.errors import LedgerError
    from ledger.projections.check import check
    from ledger.projections.runner import up_to_date

    app = open_ledger(db)
    runner = up_to_date(app, [name] if name else None)
    head = runner.head()
    started = time.perf_counter()
    with progress_bar(head, "Checking") as progress:
        result = check(runner, progress=progress)
    elapsed = time.perf_counter() - started
    if runner.head() != head:
        raise LedgerError("events were recorded during the check, so its comparison may be off: run it again")
    if fmt == "json":
        emit_json({**result.as_dict(), "seconds": round(elapsed, 3)})
    else:
        names = ", ".join(p.name for p in runner.projections)
        rows = ", ".join(f"{count:,} {table}" for table, count in sorted(result.rows.items()))
        click.echo(f"Checked {names} against {result.events:,} events of {result.cases:,} cases up to position "
                   f"{result.position} in {elapsed:.1f} s ({rows} rows).")
        for d in result.differences:
            click.echo(f"  {d.projection}/{d.table}, case {d.case}: {d.problem}")
        if result.more:
            click.echo(f"  ... and {result.more} more")
    if not result.ok:
        raise LedgerError(
            f"{len(result.differences) + result.more} difference(s) between the projections and the ledger: "
            f"run `ledger projections rebuild{' ' + name if name else ''}`"
        )
    if fmt == "text":
        click.echo("OK: every row matches the ledger.")


@click.command()
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="The radar as of this date (default: today).")
@click.option("--overdue", is_flag=True, help="Only deadlines already passed.")
@click.option("--within", "within_days", type=click.IntRange(0, 3650), default=60, show_default=True, help="Show what falls due within this many days (and everything overdue).")
@click.option("--region", default=None, help="Only this region.")
@click.option("--offer", "offer_key", default=None, help="Only this offer.")
@db_option
@format_option("text", "json")
def deadlines(as_of: str | None, overdue: bool, within_days: int, region: str | None, offer_key: str | None, db: str, fmt: str) -> None:
    """The deadline radar: påbud and vilkår frister, ends of skærpet tilsyn and fravigelse, ophør
    taking effect, the annual visit per offer and afdeling (bek § 5 stk 2), budgets (bek §§ 15-16),
    årsrapporter (bek § 17), complaints to reconsider and forward (4 weeks), municipalities to tell.

    Example:

        ledger deadlines --overdue --region Nord
    """
    from ledger.events.vocab import Region
    from ledger.projections.cases import read_states
    from ledger.reports.deadlines import radar, render_text

    region_code = _vocab(Region, region, "region")
    app = open_ledger(db)
    runner = fresh(app, ["cases"])
    on = parse_day(as_of) or today(app)
    with runner.engine.connect() as connection:
        states = read_states(connection, region=region_code, keys=[offer_key] if offer_key else None)
    from ledger.reports.annual_report import annual_report_deadlines
    from ledger.reports.deadlines import Deadline

    own = [Deadline(**d) for d in annual_report_deadlines(app, on)] if not offer_key else []
    if region_code:
        own = [d for d in own if d.region == region_code]
    items = radar(states, on, app.rulebooks, within_days=within_days, overdue_only=overdue, extra=own)
    if fmt == "json":
        day = on.isoformat()
        emit_json({"as_of": day, "count": len(items), "deadlines": [d.as_dict(day) for d in items]})
    else:
        click.echo(render_text(items, on))


@click.group()
def portal() -> None:
    """The public Tilbudsportal view: only what the law makes public (bek § 1 stk 5, § 10).

    Example:

        ledger portal export --out site/
    """


@portal.command("show")
@click.argument("offer")
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="As of this date (default: today).")
@db_option
@format_option("text", "json")
def portal_show(offer: str, as_of: str | None, db: str, fmt: str) -> None:
    """What Tilbudsportalen shows of one offer.

    Example:

        ledger portal show T-1001
    """
    from ledger.projections.cases import read_states
    from ledger.reports.portal import public_view, render_text

    app = open_ledger(db)
    runner = fresh(app, ["cases"])
    on = parse_day(as_of) or today(app)
    with runner.engine.connect() as connection:
        states = read_states(connection, keys=[offer])
    if not states:
        from ledger.errors import NotFound

        raise NotFound(f"offer {offer!r} is not in the ledger")
    view = public_view(states[0], on)
    if fmt == "json":
        emit_json(view)
    elif view is None:
        from ledger.aggregates.state import STATUS_LABELS

        status = STATUS_LABELS[states[0].status_on(on)].lower()
        click.echo(f"{offer} is not shown on Tilbudsportalen on {on}: its status is {status}.")
    else:
        click.echo(render_text(view))


@portal.command("export")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Directory to write portal.json and the HTML site into.")
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="As of this date (default: today).")
@db_option
def portal_export(out: str, as_of: str | None, db: str) -> None:
    """Write portal.json and a static, self-contained HTML site: an index page that searches and
    filters by name, type, status and region, and one page per offer.

    Example:

        ledger portal export --out site/ && open site/index.html
    """
    from pathlib import Path

    from ledger.projections.cases import read_states
    from ledger.reports.portal import export, portal_views

    app = open_ledger(db)
    runner = fresh(app, ["cases"])
    on = parse_day(as_of) or today(app)
    position = runner.positions()["cases"]
    with runner.engine.connect() as connection:
        views = portal_views(read_states(connection), on)
        source = {"position": position, "ledger_hash": chain_hash_at(app, connection, position)}
    written = export(views, on, Path(out), source)
    click.echo(f"Wrote {len(views)} offers to {out} ({len(written)} files: portal.json, index.html, tilbud/*.html).")


@projections.command("follow")
@click.option("--interval", type=click.FloatRange(0.1, 3600), default=1.0, show_default=True, help="Seconds between polls (SQLite; on PostgreSQL, which LISTEN/NOTIFY wakes, the longest wait without a notification).")
@db_option
def projections_follow(interval: float, db: str) -> None:
    """Keep every projection current as events are recorded, until Ctrl-C.

    On PostgreSQL new events wake the runner through LISTEN/NOTIFY (it listens before it first
    reads, and looks again every --interval seconds all the same) and an advisory lock allows one
    runner per projection; on SQLite it polls. Each batch is committed with its position, so
    stopping at any moment loses nothing.

    Example:

        ledger projections follow --db postgresql+psycopg://ledger@db/ledger
    """
    import signal
    import threading

    from ledger.projections.runner import ProjectionRunner

    app = open_ledger(db)
    runner = ProjectionRunner(app)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    names = ", ".join(p.name for p in runner.projections)
    click.echo(f"Following {names} (Ctrl-C to stop).", err=True)
    last = [-1]

    def report(position: int) -> None:
        if position != last[0]:
            click.echo(f"Up to date at position {position}.", err=True)
            last[0] = position

    try:
        position = runner.follow(stop, interval=interval, on_caught_up=report)
    except KeyboardInterrupt:
        stop.set()
        position = min(runner.positions().values())
    click.echo(f"Stopped at position {position}; every applied batch was committed with its position.", err=True)
