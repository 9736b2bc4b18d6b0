"""Commands that read the projections: `offers`, `stats`, `projections ...`. Each brings the
projections up to date first, so no output is ever stale."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
import sqlalchemy as sa

from ledger.console.common import db_option, emit_csv, emit_json, emit_records, format_option, open_ledger, progress_bar, year_argument
from ledger.console.reading import parse_day
from ledger.errors import InvalidInput


def today(app: Any) -> dt.date:
    from ledger.aggregates.base import COPENHAGEN

    result: dt.date = app.clock().astimezone(COPENHAGEN).date()
    return result


# Events behind from which bringing the projections up to date shows its progress.
CATCH_UP_SHOWN_FROM = 20_000


def fresh(app: Any, names: list[str] | None = None) -> Any:
    """A projection runner that has caught up (with a progress bar when there is much to do)."""
    from ledger.projections.runner import ProjectionRunner

    runner = ProjectionRunner(app, names)
    behind = max((s.behind for s in runner.status()), default=0)
    if behind > CATCH_UP_SHOWN_FROM:
        start = min(s.position for s in runner.status())
        with progress_bar(behind, "Bringing projections up to date", start=start, show_pos=False) as progress:
            runner.catch_up_retrying(progress)
    else:
        runner.catch_up_retrying()
    return runner


@click.command()
@click.option("--status", "status_", default=None, help="A status (ansoegt, godkendt, godkendt_med_vilkaar, afslaaet, ophoert, aktiv) or a flag (paabud, skaerpet_tilsyn, fravigelse, ophoer_besluttet, ophoer_udsat_af_klage, lukning_varslet); æ/ø/å and any letter case are accepted (påbud, Godkendt).")
@click.option("--tilbudstype", "--type", "offer_type", default=None, help="An offer type, e.g. SEL107, SEL66_5, PLEJEFAMILIE (the option of `ansoegning`; --type is the same).")
@click.option("--region", default=None, help="Nord, Midt, Syd, Øst or Hovedstaden.")
@click.option("--koncern", default=None, help="Only the offers of this koncern (with their regions).")
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="Status on this date (default: today).")
@db_option
@format_option("text", "json", "jsonl", "csv", "md")
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
    elif fmt == "text":
        click.echo(render_offers_text(rows, on))
    else:
        from ledger.reports.offers import OFFER_COLUMNS

        emit_records(fmt, rows, OFFER_COLUMNS)


def _vocab(kind: Any, value: str | None, what: str) -> str | None:
    if value is None:
        return None
    try:
        return str(kind(value).value)
    except ValueError:
        raise InvalidInput(f"unknown {what} {value!r}; one of: {', '.join(m.value for m in kind)}") from None


@click.command()
@year_argument
@click.option("--region", default=None, help="Only this region (default: every region and the total).")
@db_option
@format_option("text", "json", "jsonl", "csv", "md")
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
    if fmt == "csv":
        emit_csv(render(report, fmt))
    else:
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
    """Each projection's position against the ledger's head (read only: nothing is caught up).

    A projection whose position lies past the head (set by hand, or copied from another ledger)
    is flagged: it would hide every new event; `ledger projections rebuild` mends it.

    Example:

        ledger projections status --format json
    """
    from ledger.projections.runner import ProjectionRunner

    app = open_ledger(db)
    rows = [s.as_dict() for s in ProjectionRunner(app, ensure=False).status()]
    if fmt == "json":
        emit_json(rows)
        return
    for row in rows:
        if row["rebuilding"]:
            state = "a rebuild stopped halfway: the next reading command rebuilds it"
        elif row["ahead"]:
            state = (f"PAST the ledger's head by {row['ahead']} events: it would hide every new event; "
                     f"run `ledger projections rebuild {row['name']}`")
        elif row["behind"]:
            state = f"{row['behind']} events behind"
        else:
            state = "up to date"
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
    projection's tables (or one projection's), each as of the projection's own position. Nothing
    is written and nothing is caught up: a projection behind the ledger is reported behind (and
    compared as far as it has read); one whose position lies past the ledger's head is a
    difference. A difference means a read model no longer says what the ledger says; `ledger
    projections rebuild` mends it. Exits 1 if any difference is found.

    Example:

        ledger projections check statistics
    """
    import time

    from ledger.errors import LedgerError
    from ledger.projections.check import check
    from ledger.projections.runner import ProjectionRunner

    app = open_ledger(db)
    runner = ProjectionRunner(app, [name] if name else None, ensure=False)
    before = runner.positions()
    head = runner.head()
    started = time.perf_counter()
    with progress_bar(head, "Checking") as progress:
        result = check(runner, progress=progress)
    elapsed = time.perf_counter() - started
    if runner.positions() != before:
        raise LedgerError(
            "the projections moved during the check (a follower or a reading command caught them up), so its "
            "comparison may be off: run it again"
        )
    if fmt == "json":
        emit_json({**result.as_dict(), "seconds": round(elapsed, 3)})
    else:
        names = ", ".join(p.name for p in runner.projections)
        rows = ", ".join(f"{count:,} {table}" for table, count in sorted(result.rows.items()))
        click.echo(f"Checked {names} against {result.events:,} events of {result.cases:,} cases (the ledger's head is "
                   f"position {result.position}) in {elapsed:.1f} s ({rows or 'no'} rows).")
        for projection, count in sorted(result.behind.items()):
            click.echo(f"  {projection} is {count:,} events behind the ledger (at position "
                       f"{result.positions[projection]}): compared as far as it has read; any reading command "
                       "brings it up to date")
        for d in result.differences:
            click.echo(f"  {d.projection}/{d.table}, case {d.case}: {d.problem}")
        if result.more:
            click.echo(f"  ... and {result.more} more")
    if not result.ok:
        differing = sorted({d.projection for d in result.differences})
        target = name or (differing[0] if len(differing) == 1 and not result.more else None)
        raise LedgerError(
            f"{len(result.differences) + result.more} difference(s) between the projections and the ledger: "
            f"run `ledger projections rebuild{' ' + target if target else ''}`"
        )
    if fmt == "text":
        click.echo("OK: every row matches the ledger" + (" (as far as each projection has read)." if result.behind else "."))


@click.command()
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="The radar as of this date (default: today).")
@click.option("--overdue", is_flag=True, help="Only deadlines already passed.")
@click.option("--within", "within_days", type=click.IntRange(0, 3650), default=60, show_default=True, help="Show what falls due within this many days (and everything overdue).")
@click.option("--region", default=None, help="Only this region.")
@click.option("--offer", "offer_key", default=None, help="Only this offer.")
@db_option
@format_option("text", "json", "jsonl", "csv", "md")
def deadlines(as_of: str | None, overdue: bool, within_days: int, region: str | None, offer_key: str | None, db: str, fmt: str) -> None:
    """The deadline radar: påbud and vilkår frister, ends of skærpet tilsyn and fravigelse, ophør
    taking effect, the annual visit per offer and afdeling (bek § 5 stk 2), budgets (bek §§ 15-16),
    årsrapporter (bek § 17), complaints to reconsider and forward (4 weeks), municipalities to tell.

    Example:

        ledger deadlines --overdue --region Nord
    """
    from ledger.events.vocab import Region
    from ledger.projections.cases import read_states
    from ledger.reports.deadlines import render_text

    region_code = _vocab(Region, region, "region")
    app = open_ledger(db)
    runner = fresh(app, ["cases"])
    on = parse_day(as_of) or today(app)
    with runner.engine.connect() as connection:
        states = read_states(connection, region=region_code, keys=[offer_key] if offer_key else None)
    from ledger.queries import deadline_radar

    items = deadline_radar(
        app, states, on, region=region_code, offer=offer_key, within_days=within_days, overdue=overdue
    )
    day = on.isoformat()
    if fmt == "json":
        emit_json({"as_of": day, "count": len(items), "deadlines": [d.as_dict(day) for d in items]})
    elif fmt == "text":
        click.echo(render_text(items, on))
    else:
        from ledger.reports.deadlines import DEADLINE_COLUMNS

        emit_records(fmt, [d.as_dict(day) for d in items], DEADLINE_COLUMNS)


@click.group()
def portal() -> None:
    """The public Tilbudsportal view: only what the law makes public (bek § 1 stk 5, § 10).

    Example:

        ledger portal export --out site/
    """


@portal.command("show")
@click.argument("offer")
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="As of this date (default: today).")
@click.option("--audience", type=click.Choice(["offentlig", "myndighed"]), default="offentlig", show_default=True,
              help="offentlig: as the public sees it (no plejefamilie); myndighed: as the placing municipalities do.")
@db_option
@format_option("text", "json")
def portal_show(offer: str, as_of: str | None, audience: str, db: str, fmt: str) -> None:
    """What Tilbudsportalen shows of one offer.

    Example:

        ledger portal show T-1001
    """
    from ledger.projections.cases import read_states
    from ledger.reports.portal import is_foster_family, public_view, render_text

    app = open_ledger(db)
    runner = fresh(app, ["cases"])
    on = parse_day(as_of) or today(app)
    with runner.engine.connect() as connection:
        states = read_states(connection, keys=[offer])
    if not states:
        from ledger.errors import NotFound

        raise NotFound(f"offer {offer!r} is not in the ledger")
    view = public_view(states[0], on, audience)
    if fmt == "json":
        emit_json(view)
    elif view is None and audience == "offentlig" and is_foster_family(states[0]) and states[0].is_approved_on(on):
        click.echo(f"{offer} is a plejefamilie, a private home: it is reported to the authorities (bek bilag 2), "
                   "not published. See it with --audience myndighed.")
    elif view is None:
        from ledger.aggregates.state import STATUS_LABELS

        status = STATUS_LABELS[states[0].status_on(on)].lower()
        click.echo(f"{offer} is not shown on Tilbudsportalen on {on}: its status is {status}.")
    else:
        click.echo(render_text(view))


@portal.command("export")
@click.option("--out", "out", required=True, help="Directory to write the site into (created if need be).")
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="As of this date (default: today).")
@click.option("--audience", type=click.Choice(["offentlig", "myndighed"]), default="offentlig", show_default=True,
              help="offentlig: the public register, no plejefamilie shown (only counts). myndighed: for the "
                   "municipalities that place citizens, with the plejefamilier (bek bilag 2); not for publication.")
@click.option("--feed-since", "feed_since", default=None, metavar="DATE",
              help="The feed and the changes page list changes after this date (default: 90 days before --as-of).")
@click.option("--kontakt", "contacts_file", default=None, type=click.Path(dir_okay=False, exists=True),
              help="A JSON file {region: {vaert, adresse, telefon, email, web}} replacing the contact details shown.")
@db_option
def portal_export(out: str, as_of: str | None, audience: str, feed_since: str | None, contacts_file: str | None, db: str) -> None:
    """Write the Tilbudsportal site: index.html (search, filters, sorting, paging), one page per
    offer in tilbud/, kontakt.html, tilgaengelighed.html, aendringer.html, feed.xml (Atom) and
    portal.json. The same ledger position gives the same bytes.

    Example:

        ledger portal export --out site/ && open site/index.html
        ledger portal export --audience myndighed --out myndighed/
    """
    import datetime as dt
    import json

    from ledger.errors import InvalidInput
    from ledger.projections.cases import read_states
    from ledger.reports.portal import PUBLIC, changes, foster_family_counts, portal_views
    from ledger.reports.portal_site import Site
    from ledger.reports.sitewriter import site_directory

    contacts = None
    if contacts_file:
        try:
            with open(contacts_file, encoding="utf-8") as stream:
                contacts = json.load(stream)
        except (OSError, ValueError) as error:
            raise InvalidInput(f"--kontakt {contacts_file!r} is not a readable JSON file: {error}") from None
        if not isinstance(contacts, dict) or not all(
                isinstance(v, dict) and all(isinstance(x, str) for x in v.values()) for v in contacts.values()):
            raise InvalidInput(f"--kontakt {contacts_file!r} must hold {{region: {{field: text}}}}")
    root = site_directory(out)
    app = open_ledger(db)
    runner = fresh(app, ["cases"])
    on = parse_day(as_of) or today(app)
    since = parse_day(feed_since) or on - dt.timedelta(days=90)
    position = runner.positions()["cases"]
    with runner.engine.connect() as connection:
        states = read_states(connection)
        views = portal_views(states, on, audience)
        counts = foster_family_counts(states, on) if audience == PUBLIC else []
        found = changes(states, since, on, audience)
        source = {"position": position, "ledger_hash": chain_hash_at(app, connection, position)}
    site = Site(views, on, source, audience=audience, foster_counts=counts, contacts=contacts,
                changes=found, changes_since=since)
    written = site.write(root)
    click.echo(f"Wrote {len(views)} offers ({audience}) to {out}: {len(written)} files "
               "(index.html, tilbud/*.html, kontakt.html, tilgaengelighed.html, aendringer.html, feed.xml, portal.json).")


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
