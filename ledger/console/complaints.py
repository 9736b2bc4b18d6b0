"""`ledger complaint ...`: complaints (klager) to Ankestyrelsen.

`complaint file OFFER/Kn --out DIR` writes the case file (klagesag) Socialtilsynet sends to
Ankestyrelsen with an upheld complaint, as Markdown, JSON and PDF; `complaint list [OFFER]` lists
complaints with their state and deadlines.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ledger.console.common import db_option, emit_json, format_option, open_ledger, report_error
from ledger.console.files import write_atomically
from ledger.errors import InvalidInput, LedgerError, StoreUnavailable


class _ComplaintGroup(click.Group):
    """Errors become `Error: ...` and the ledger's exit code however the group is invoked
    (through `ledger` or on its own)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LedgerError as error:
            sys.exit(report_error(error))


@click.group(cls=_ComplaintGroup)
def complaint() -> None:
    """Complaints (klager) to Ankestyrelsen: list them with their deadlines, and build the case
    file (klagesag) that goes to Ankestyrelsen.

    Example:

        ledger complaint file T-1004/K1 --out klagesager/
    """


def case_position(app: Any, case: Any) -> dict[str, Any]:
    """Where the case's last event stands in the whole ledger: its position and chain hash (a
    digest `ledger verify --digest` accepts)."""
    import sqlalchemy as sa

    t = app.events_table
    query = sa.select(t.c.id, t.c.ledger_hash).where(
        t.c.originator_id == case.id, t.c.originator_version == case.version
    )
    with app.guarded(), app.engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        return {}
    chain = bytes(row[1]).hex()
    return {"position": int(row[0]), "kaedehash": chain, "digest": f"ledger-digest:v1:{int(row[0])}:{chain}"}


def _chosen_files(value: str, known: tuple[str, ...]) -> list[str]:
    """`--files md,pdf`: the files a report command writes, in their usual order."""
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in known]
    if unknown or not chosen:
        raise InvalidInput(f"--files takes a comma-separated list of {', '.join(known)}; not {value!r}")
    return [name for name in known if name in chosen]


def _write(path: Path, content: bytes) -> None:
    write_atomically(path, content)


@complaint.command("file")
@click.argument("ref", metavar="COMPLAINT")
@click.option("--offer", default=None, metavar="OFFER", help="The offer, when COMPLAINT is given as Kn alone.")
@click.option(
    "--out", "out", default=".", show_default=True, metavar="DIR",
    type=click.Path(file_okay=False, dir_okay=True, writable=True), help="Directory to write into (created if missing).",
)
@click.option(
    "--files", "files", default="md,json,pdf", show_default=True, metavar="LIST",
    help="Which files to write, comma-separated: md, json, pdf (--format says how the summary is printed).",
)
@click.option("--no-pdf", "no_pdf", is_flag=True, hidden=True, help="The same as --files md,json.")
@db_option
@format_option("text", "json")
def file_(ref: str, offer: str | None, out: str, files: str, no_pdf: bool, db: str, fmt: str) -> None:
    """Build the case file (klagesag) for Ankestyrelsen of one complaint, from the ledger only.

    COMPLAINT is OFFER/Kn (e.g. T-1004/K1), or Kn with --offer. The file holds a cover sheet
    (parties, the decision complained of, the complaint's subject, each date and whether its
    deadline was kept, what is still pending), the decision with its reasons, legal basis and
    rulebook, the dialog and hearing that preceded it and the municipalities told, the complaint,
    its reconsideration, forwarding and Ankestyrelsen's decision, the case's full chronology with
    corrections beside what they correct, and an index of the documents.

    Writes klagesag-OFFER-Kn.md, .json and .pdf into DIR (the PDF needs fpdf2; without it the PDF
    is skipped). Regenerating from the same ledger gives the same bytes: the files state the case
    version, ledger position and chain hash they were computed from instead of a time.

    Example:

        ledger complaint file T-1004/K1 --out klagesager/
    """
    from ledger.reports.complaint_file import (
        build_case_file,
        file_stem,
        parse_complaint_ref,
        render_json,
        render_markdown,
        render_pdf,
    )

    chosen = _chosen_files(files, ("md", "json", "pdf"))
    if no_pdf:
        chosen = [name for name in chosen if name != "pdf"]
    offer_key, klage = parse_complaint_ref(ref, offer)
    app = open_ledger(db)
    case = app.case(offer_key)
    data = build_case_file(case, klage, app.rulebooks, case_position(app, case))
    folder = Path(out)
    stem = file_stem(offer_key, klage)
    outputs: list[tuple[Path, bytes]] = []
    if "md" in chosen:
        outputs.append((folder / f"{stem}.md", render_markdown(data).encode("utf-8")))
    if "json" in chosen:
        outputs.append((folder / f"{stem}.json", render_json(data).encode("utf-8")))
    pdf_note = None if "pdf" in chosen else "skipped (not in --files)"
    if "pdf" in chosen:
        pdf = render_pdf(data, case.events[-1].timestamp)
        if pdf is None:
            pdf_note = "skipped: fpdf2 is not installed (pip install 'fpdf2>=2.7')"
        else:
            outputs.append((folder / f"{stem}.pdf", pdf))
    # Rendered first, written after: a PDF that cannot be made (a character no font has) writes nothing.
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreUnavailable(f"cannot create the directory {folder}: {error.strerror or error}") from None
    try:
        for path, content in outputs:
            _write(path, content)
    except OSError as error:
        raise StoreUnavailable(f"cannot write the case file into {folder}: {error.strerror or error}") from None
    where = data["grundlag"]
    if fmt == "json":
        emit_json({
            "offer": offer_key, "klage": klage, "files": [str(path) for path, _ in outputs], "pdf": pdf_note or "written",
            "status": data["forside"]["status"], "grundlag": where,
        })
        return
    click.echo(f"Case file for {offer_key}/{klage} ({data['forside']['status_tekst']}):")
    for path, content in outputs:
        click.echo(f"  {path}  ({len(content):,} bytes)")
    if pdf_note:
        click.echo(f"PDF {pdf_note}", err=pdf_note.startswith("skipped:"))
    position = f", ledger position {where['position']}" if where.get("position") is not None else ""
    click.echo(f"Computed from case version {where['sagens_version']}{position}.")


@complaint.command("list")
@click.argument("offer", required=False)
@click.option("--open", "open_only", is_flag=True, help="Only complaints with something still pending.")
@db_option
@format_option("text", "json")
def list_(offer: str | None, open_only: bool, db: str, fmt: str) -> None:
    """List complaints with their state and deadlines: the complaint deadline (kept or late), the
    reconsideration and forwarding (done, kept or not, or due by a date), Ankestyrelsen's outcome.

    Without OFFER, every offer's complaints.

    Example:

        ledger complaint list T-1004 --open
    """
    from ledger.reports.complaint_file import complaint_rows, render_list_text

    app = open_ledger(db)
    if offer is not None:
        states = [app.case(offer).state]
    else:
        from ledger.console.views import fresh
        from ledger.projections.cases import read_states

        runner = fresh(app, ["cases"])
        with runner.engine.connect() as connection:
            states = read_states(connection)
    rows = [row for state in states for row in complaint_rows(state, app.rulebooks, open_only=open_only)]
    if fmt == "json":
        from ledger.reports.outputs import complaint_record

        emit_json({"count": len(rows), "complaints": [complaint_record(r) for r in rows]})
    else:
        click.echo(render_list_text(rows))
