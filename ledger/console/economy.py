"""Money and the spindelvæv: `ledger fees`, `ledger takster load` and `ledger quality`.

`fee_report(app, year, ...)` and `fees_summary_for(app, year, ...)` gather the inputs of the pure
`ledger.fees` (each region's takster, the offers' states and capacity over time) from a ledger;
the § 18 statistics use the latter for item 7.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ledger.console.common import by_option, db_option, emit_json, format_option, open_ledger, year_argument
from ledger.errors import InvalidInput


def _region(value: str | None) -> str | None:
    if value is None:
        return None
    from ledger.events.vocab import Region

    try:
        return Region(value).value
    except ValueError:
        raise InvalidInput(f"unknown region {value!r}; one of: {', '.join(r.value for r in Region)}") from None


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise InvalidInput(f"year {year} is outside 2000-2100")
    return year


def fee_tables(app: Any, year: int, regions: list[str] | None = None) -> Any:
    """Each region's takster and objektive finansieringsandel for the year, from its own case."""
    from ledger.events.vocab import Region
    from ledger.fees import FeeTables

    tables = FeeTables(year=year)
    for name in regions or [r.value for r in Region]:
        authority = app.authority(name)
        tables.takster[name] = authority.takster_for(year)
        tables.objektiv[name] = authority.objektiv_for(year)
    return tables


def _inputs(app: Any, year: int, region: str | None, offer: str | None) -> tuple[list[Any], dict[str, Any]]:
    """The offers' folded states (from the cases projection, which keeps each offer's capacity
    over time) and their capacity timelines."""
    from ledger.console.views import fresh
    from ledger.fees import capacity_from_state
    from ledger.projections.cases import read_states

    runner = fresh(app, ["cases"])
    with runner.engine.connect() as connection:
        states = read_states(connection, region=region, keys=[offer] if offer else None)
    if offer and not states:
        app.case(offer)  # NotFound with the usual message, or a case the projection has not seen
    return states, {str(state.key): capacity_from_state(state) for state in states}


def fee_report(app: Any, year: int, *, region: str | None = None, offer: str | None = None, strict: bool = True) -> Any:
    """The `ledger.fees.FeeReport` of a year from a ledger (raises MissingTakster when `strict`)."""
    from ledger.fees import compute_fees

    region = _region(region)
    states, capacities = _inputs(app, _year(year), region, offer)
    regions = [region] if region else None
    if offer and states and not region:
        regions = [str(states[0].profile.get("region"))]
    tables = fee_tables(app, year, regions)
    report = compute_fees(
        states, year, tables, app.rulebooks, capacities=capacities, region=region, offer=offer, strict=strict
    )
    report.position = app.head()[0]
    return report


def fees_summary_for(app: Any, year: int, region: str | None = None) -> dict[str, dict[str, Any]]:
    """Per-region totals in øre for bek § 18 stk 2 nr 7 (see `ledger.fees.fees_summary`)."""
    from ledger.fees import fees_summary

    region = _region(region)
    states, capacities = _inputs(app, _year(year), region, None)
    tables = fee_tables(app, year, [region] if region else None)
    return fees_summary(states, year, tables, app.rulebooks, capacities=capacities, region=region)


@click.command()
@year_argument
@click.option("--offer", default=None, help="Only this offer.")
@click.option("--region", default=None, help="Only this region: Nord, Midt, Syd, Øst or Hovedstaden.")
@db_option
@format_option("text", "json", "csv")
def fees(year: int, offer: str | None, region: str | None, db: str, fmt: str) -> None:
    """Takster for a calendar year (bek §§ 27-29): each offer's godkendelsestakst, takst for a
    significant change, annual tilsynstakst (pro rata from the 1st of the month after approval) and
    tillægstakst for skærpet tilsyn (10 % of the annual takst per started month), with totals per
    region and in all, and the objektive finansieringsandele per kommune.

    Text shows kr ("12.345,67 kr"); JSON and CSV show integer øre. The takster come from `ledger
    takster` (or `ledger takster load FILE.json`); a region without takster for the year is an error
    naming it.

    Example:

        ledger fees 2024 --region Nord --format csv
    """
    from ledger.fees import render_csv, render_text

    app = open_ledger(db)
    report = fee_report(app, year, region=region, offer=offer)
    if fmt == "json":
        emit_json(report.as_dict())
    elif fmt == "csv":
        from ledger.console.common import emit_csv

        emit_csv(render_csv(report))
    else:
        click.echo(render_text(report), nl=False)


# -- takster -----------------------------------------------------------------------------------------

_KINDS = {"takster", "objektiv-finansiering"}


def read_takst_file(path: Path, date: str | None) -> list[dict[str, Any]]:
    """The commands of a takst file: a JSON object or a list of them, each with the fields of the
    `takster` command (or, with "command": "objektiv-finansiering", of that one); or an object
    {"takster": [...], "objektiv_finansiering": [...]}. A missing "date" is taken from --date."""
    from ledger.commands import read_json_document

    try:
        data = read_json_document(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise InvalidInput(f"{path} is not a readable JSON file: {error}") from None
    items: list[Any]
    if isinstance(data, dict) and ("takster" in data or "objektiv_finansiering" in data) and "region" not in data:
        items = [dict(item, command=item.get("command", "takster")) if isinstance(item, dict) else item for item in data.get("takster", [])]
        items += [
            dict(item, command="objektiv-finansiering") if isinstance(item, dict) else item
            for item in data.get("objektiv_finansiering", [])
        ]
    elif isinstance(data, list):
        items = data
    else:
        items = [data]
    result = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidInput(f"{path}: entry {number} is not a JSON object")
        entry = dict(item)
        entry.setdefault("command", "takster")
        if entry["command"] not in _KINDS:
            raise InvalidInput(f"{path}: entry {number} is a {entry['command']!r}; a takst file holds takster and objektiv-finansiering")
        if "date" not in entry:
            if date is None:
                raise InvalidInput(f"{path}: entry {number} has no date; give one in the file or with --date")
            entry["date"] = date
        result.append(entry)
    if not result:
        raise InvalidInput(f"{path} holds no takster")
    return result


class _TaksterGroup(click.Group):
    """`ledger takster load FILE.json`; any other first word is the `takster` decision itself
    (`ledger takster REGION --date ... --aar ...`), so both spellings work under one name."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            from ledger.console.decisions import decision_command

            return "takster", decision_command("takster"), args
        return super().resolve_command(ctx, args)


@click.group(cls=_TaksterGroup)
def takster() -> None:
    """Takster (bek §§ 28-30): record a year's takster for a region, or load a file of them.

    `ledger takster REGION --date D --aar YEAR --godkendelse ... --tilsyn ... --vaesentlig-aendring ...`
    records one table (see `ledger takster Nord --help`); `ledger takster load FILE.json` records a file.

    Example:

        ledger takster load takster-2024.json --date 2023-12-15
    """


@takster.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE.json")
@click.option("--date", "date", default=None, metavar="DATE", help="Effective date for entries without one (YYYY-MM-DD).")
@click.option("--replace", is_flag=True, help="Supersede takster already fixed for the same region and year (a correction).")
@click.option("--reason", default=None, help="The correction_reason recorded with --replace.")
@click.option("--dry-run", is_flag=True, help="Judge every entry, store nothing.")
@db_option
@by_option
@format_option("text", "json")
def takster_load(file: Path, date: str | None, replace: bool, reason: str | None, dry_run: bool, db: str, by: str | None, fmt: str) -> None:
    """Load a takst table file: submit its takster and objektive finansieringsandele, all or nothing.

    The file is a JSON object or a list of objects with the fields of `ledger takster` (region, aar,
    date, godkendelse, tilsyn, vaesentlig_aendring: one amount in øre per size category; optional
    godkendelse_66_7, tilsyn_66_7, godkendelse_kapitel2, tilsyn_kapitel2, vaesentlig_aendring_kapitel2,
    begrundelse); entries with
    "command": "objektiv-finansiering" carry aar, samlet_beloeb_oere and kommuner. Several regions and
    years may be in one file. An entry identical to what is recorded is skipped; a different one for a
    year already fixed is refused unless --replace (then it supersedes the recorded one).

    Example:

        ledger takster load takster-2024.json --date 2023-12-15

    \b
    where takster-2024.json holds
        [{"region": "Nord", "aar": 2024, "godkendelse": [2400000, 3600000, 4800000, 6000000],
          "tilsyn": [12000000, 24000000, 36000000, 48000000],
          "vaesentlig_aendring": [1200000, 1800000, 2400000, 3000000]}]
    """
    from ledger.commands import ObjektivFinansieringCommand, TaksterCommand, parse_command

    app = open_ledger(db, by=by)
    commands, skipped = [], []
    for number, entry in enumerate(read_takst_file(file, date), start=1):
        try:
            command = parse_command(entry)
        except InvalidInput as error:
            raise InvalidInput(f"{file}: entry {number}: {error}") from None
        # read_takst_file admits only these two kinds of command
        assert isinstance(command, (TaksterCommand, ObjektivFinansieringCommand))
        authority = app.authority(command.case_key())
        current = (
            authority.takster_for(command.aar) if command.NAME == "takster" else authority.objektiv_for(command.aar)
        )
        if current is not None and command.supersedes is None:
            if _same(current, command):
                skipped.append(f"{command.NAME} {command.case_key()} {command.aar}")
                continue
            if replace:
                command = command.model_copy(
                    update={
                        "supersedes": current.originator_version,
                        "correction_reason": command.correction_reason or reason or f"Erstattet ved indlæsning af {file.name}",
                    }
                )
        commands.append(command)
    receipts = app.execute(commands, by=by, store=not dry_run) if commands else []
    if fmt == "json":
        emit_json({"recorded": 0 if dry_run else len(receipts), "dry_run": dry_run, "skipped_unchanged": skipped,
                   "receipts": [r.as_dict() for r in receipts]})
        return
    for receipt in receipts:
        for item in receipt.as_dict()["events"]:
            verb = "Would record" if dry_run else "Recorded"
            click.echo(f"{verb} #{item['number']} {item['event']} for Socialtilsyn {receipt.offer}")
    for text in skipped:
        click.echo(f"Unchanged, skipped: {text}")
    if not receipts and not skipped:
        click.echo("Nothing to record.")


def _same(event: Any, command: Any) -> bool:
    """Does a recorded table say what the command says (envelope and texts aside)?"""
    names = [n for n in type(command).model_fields if n not in ("command", "date", "by", "note", "supersedes", "correction_reason", "begrundelse")]
    for name in names:
        mine = getattr(command, name)
        theirs = getattr(event, name, None)
        if isinstance(mine, list):
            mine = tuple(mine)
        if isinstance(mine, dict):
            mine = dict(sorted(mine.items()))
            theirs = dict(sorted((theirs or {}).items()))
        if mine != theirs:
            return False
    return True


# -- the spindelvæv ----------------------------------------------------------------------------------


@click.command()
@click.argument("offer")
@click.option("--chart", "chart", default=None, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE", help="Draw the spindelvæv (radar chart) into FILE, as its suffix says: .png, .svg or .pdf.")
@db_option
@format_option("text", "json")
def quality(offer: str, chart: Path | None, db: str, fmt: str) -> None:
    """The theme values of the latest quality assessment at tilsyn beside the one before (criterion
    and theme means of the 1-5 indicator scores, bek § 11, Bilag 1/2), with the written theme texts,
    for the themes that apply to the offer. --chart draws the spindelvæv, as PNG, SVG or PDF by
    the file name's suffix (any other suffix is refused, exit 2).

    The scores, the values and the chart are never public (the Tilbudsportal shows only the
    written theme assessments).

    Example:

        ledger quality T-1001 --chart T-1001.png
    """
    from ledger.reports.quality import chart_format, draw_chart, quality_report, render_text, tilsyn_assessments

    if chart is not None:
        chart_format(chart)
    app = open_ledger(db)
    case = app.case(offer)
    report = quality_report(offer, case.state.profile, tilsyn_assessments(case.events))
    if chart is not None:
        draw_chart(report, chart)
        report = {**report, "chart": str(chart)}
    if fmt == "json":
        from ledger.reports.outputs import quality_document

        emit_json(quality_document(report))
        return
    click.echo(render_text(report), nl=False)
    if chart is not None:
        click.echo(f"Spindelvæv tegnet: {chart} (fortroligt)")
