"""`ledger annual-report`: Socialtilsynets whole annual report (bek § 18) as Markdown, HTML and PDF."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.console.common import db_option, open_ledger, year_argument
from ledger.console.files import write_atomically
from ledger.errors import InvalidInput, StoreUnavailable


def _formats(value: str) -> list[str]:
    from ledger.reports.annual_report import FORMATS

    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or not chosen:
        raise InvalidInput(f"unknown format {', '.join(unknown) or repr(value)}; choose from {', '.join(FORMATS)} (comma-separated)")
    return [f for f in FORMATS if f in chosen]


def _write(path: Path, content: bytes) -> None:
    write_atomically(path, content)


@click.command("annual-report")
@year_argument
@click.option("--region", default=None, help="Only this Socialtilsyn (Nord, Midt, Syd, Øst, Hovedstaden); default: every region and a national summary.")
@click.option(
    "--out", "out", required=True, metavar="DIR",
    type=click.Path(file_okay=False, dir_okay=True, writable=True), help="Directory to write into (created if missing).",
)
@click.option(
    "--files", "formats", default="md,html,pdf", show_default=True, metavar="LIST",
    help="Which files to write, comma-separated: md, html, pdf, json.",
)
@click.option("--format", "old_formats", default=None, hidden=True, metavar="LIST", help="The same as --files.")
@click.option("--sign", "sign_key", default=None, metavar="KEYFILE", help="Sign the report's digest with this Ed25519 private key (`ledger digest keygen`): the report names the signature, and ledger-digest-YEAR.json is written beside it.")
@db_option
def annual_report(
    year: int, region: str | None, out: str, formats: str, old_formats: str | None, sign_key: str | None, db: str
) -> None:
    """Socialtilsynets annual report for a calendar year (bek § 18), whole: front page with the
    legal basis, the due date (1 July the year after, stk 5), whether it has been delivered and the
    ledger digest it was computed from; the general considerations on quality (stk 3) and the focus
    points (stk 4) as recorded with `ledger tilsynsrapport-tekst`; all eight statistics of stk 2 as
    tables (the same numbers as `ledger stats`) with charts; the rules in force; how the numbers
    are counted.

    Writes aarsrapport-YEAR-REGION.md (with its charts as .svg files beside it), .html (one
    self-contained page) and .pdf into DIR. Without --region: one report per region and
    aarsrapport-YEAR-landsoversigt.* comparing them. With --sign KEYFILE the digest is signed and
    written as ledger-digest-YEAR.json, for `ledger verify --digest FILE --public-key KEY`. A report without the general considerations
    is marked as a draft. Regenerating from the same ledger gives the same bytes. Charts need
    matplotlib (the 'charts' extra) and the PDF fpdf2; without them they are left out.

    Example:

        ledger annual-report 2024 --region Nord --out aarsrapporter/
    """
    from ledger.console.views import _vocab
    from ledger.events.vocab import Region
    from ledger.reports.annual_report import build, charts_available, pdf_available, render_all

    if not 2000 <= year <= 2100:
        raise InvalidInput(f"year {year} is outside 2000-2100")
    region_code = _vocab(Region, region, "region")
    chosen = _formats(old_formats or formats)
    app = open_ledger(db)
    reports = build(app, year, region_code)
    if sign_key is not None:
        from ledger.digest import Digest, sign

        source = reports[0]["beregnet_fra"]
        signed = sign(Digest(int(source["position"]), str(source["ledger_hash"])), sign_key)
        for data in reports:
            data["beregnet_fra"]["signeret"] = {**signed.as_dict(), "fil": f"ledger-digest-{year}.json"}
    # Every report is rendered before anything is written: one that cannot be (a character no PDF
    # font has) leaves the folder as it was.
    rendered = [(data, render_all(data, chosen)) for data in reports]
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreUnavailable(f"cannot create the directory {folder}: {error.strerror or error}") from None
    written: list[Path] = []
    try:
        if sign_key is not None:
            _write(folder / f"ledger-digest-{year}.json", signed.text().encode("utf-8"))
            written.append(folder / f"ledger-digest-{year}.json")
        for data, files in rendered:
            for name, content in files.items():
                path = folder / name
                _write(path, content)
                written.append(path)
            if "md" in chosen:
                # A chart an earlier run drew that this ledger no longer has (nothing to show) goes.
                for stale in folder.glob(f"{data['fil']}-*.svg"):
                    if stale.name not in files:
                        stale.unlink()
    except OSError as error:
        raise StoreUnavailable(f"cannot write the annual report into {folder}: {error.strerror or error}") from None
    for path in written:
        if path.suffix != ".svg":
            click.echo(f"Wrote {path}")
    charts = sum(1 for path in written if path.suffix == ".svg")
    if charts:
        click.echo(f"Wrote {charts} chart(s) as SVG beside the Markdown.")
    for data in reports:
        if data.get("region") and data["udkast"]:
            click.echo(
                f"Draft: Socialtilsyn {data['region']} has no general considerations for {year} yet (bek § 18 stk 3; "
                f"ledger tilsynsrapport-tekst {data['region']} --aar {year} --afsnit generelle_overvejelser ...)."
            )
    if "pdf" in chosen and not pdf_available():
        click.echo("PDF skipped: fpdf2 is not installed (pip install 'fpdf2>=2.7').")
    if not charts_available():
        click.echo("Charts left out: matplotlib is not installed (pip install 'supervision-ledger[charts]').")
    click.echo(f"Computed from {reports[0]['beregnet_fra']['digest']}")
