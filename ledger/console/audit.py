"""`ledger verify` and `ledger digest`: tamper evidence."""

from __future__ import annotations

import sys

import click

from ledger.console.common import db_option, emit_json, format_option, open_ledger
from ledger.errors import TamperDetected


@click.command()
@click.option("--digest", "digest_text", default=None, metavar="DIGEST", help="A published digest (as `ledger digest` prints it): prove the ledger up to its position is unaltered since.")
@click.option("--offer", "offer", default=None, help="Verify only this offer's own chain.")
@db_option
@format_option("text", "json")
def verify(digest_text: str | None, offer: str | None, db: str, fmt: str) -> None:
    """Walk the ledger and recompute its SHA-256 hash chain; report the first broken link.

    Exit code 0 when every link holds, 7 when the stored ledger was altered.

    Example:

        ledger verify --digest ledger-digest:v1:1204:3f1c...e9
    """
    import time

    from ledger.aggregates.offer import Offer
    from ledger.verify import Digest, verify as run

    digest = Digest.parse(digest_text) if digest_text else None
    app = open_ledger(db)
    case_id = Offer.id_for(offer) if offer else None
    started = time.perf_counter()
    result = run(app.engine, digest=digest, case_id=case_id)
    elapsed = time.perf_counter() - started
    if fmt == "json":
        emit_json({**result.as_dict(), "seconds": round(elapsed, 3)})
    else:
        for warning in result.warnings or []:
            click.echo(f"Warning: {warning}", err=True)
        if result.ok:
            scope = f"offer {offer}'s chain" if offer else "the ledger"
            against = f", and matches the published digest at position {digest.position}" if digest else ""
            rate = f" ({result.checked / elapsed:,.0f} events/s)" if elapsed > 0 and result.checked else ""
            click.echo(f"OK: {scope} holds: {result.checked} events checked up to position {result.position}{against}{rate}.")
            if result.ledger_hash and not offer:
                click.echo(f"Head: ledger-digest:v1:{result.position}:{result.ledger_hash}")
    if not result.ok:
        where = f" (offer {result.case})" if result.case else ""
        raise TamperDetected(f"the ledger was altered{where}: {result.problem}")
    if result.warnings:
        sys.exit(0)


@click.command()
@db_option
@format_option("text", "json")
def digest(db: str, fmt: str) -> None:
    """Print the ledger's head (position and chain hash) to publish, e.g. in the annual report.

    Anyone holding it can later run `ledger verify --digest ...` to prove that nothing up to
    that position was altered.

    Example:

        ledger digest
    """
    from ledger.verify import current_digest

    app = open_ledger(db)
    head = current_digest(app.engine)
    if fmt == "json":
        emit_json(head.as_dict())
    else:
        click.echo(head.text())
        click.echo(f"(position {head.position}, {head.events} events)", err=True)
