"""`ledger verify` and `ledger digest`: tamper evidence, and the signed digest to publish."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from ledger.console.common import db_option, emit_json, format_option, open_ledger
from ledger.errors import InvalidInput, NotFound, ProtectionWeakened, TamperDetected


def _damaged(error: BaseException) -> str | None:
    """The reason, when SQLite says the file itself is damaged."""
    from ledger.application import cause

    reason = cause(error)
    lowered = reason.lower()
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return reason
    return None


def _case_of(app: Any, offer: str) -> Any:
    """The case id of an offer (or a chapter-2 party); NotFound when the ledger holds neither."""
    import sqlalchemy as sa

    from ledger.aggregates.employer import Arbejdsgiver
    from ledger.aggregates.offer import Offer

    t = app.events_table
    for case_id in (Offer.id_for(offer), Arbejdsgiver.id_for(offer)):
        with app.guarded(), app.engine.connect() as connection:
            if connection.execute(sa.select(t.c.id).where(t.c.originator_id == case_id).limit(1)).first() is not None:
                return case_id
    raise NotFound(f"offer {offer!r} is not in the ledger: there is no chain to verify")


@click.command()
@click.option("--digest", "digest_text", default=None, metavar="DIGEST|FILE", help="A published digest (as `ledger digest` prints it, or a file holding it, signed or not): prove the ledger up to its position is the one published.")
@click.option("--since", "since_text", default=None, metavar="DIGEST|FILE", help="A published (signed) digest: prove that today's ledger extends it: its hash at the published position is the published one, and every event after it chains from it.")
@click.option("--public-key", "public_key", default=None, metavar="KEYFILE", help="The Socialtilsyn's Ed25519 public key (PEM): the digest must be signed by its private key.")
@click.option("--strict", is_flag=True, help="Exit 8 when the chain holds but the database's protection is weakened (a warning below).")
@click.option("--offer", "offer", default=None, help="Verify only this offer's own chain.")
@db_option
@format_option("text", "json")
def verify(digest_text: str | None, since_text: str | None, public_key: str | None, strict: bool, offer: str | None, db: str, fmt: str) -> None:
    """Walk the ledger and recompute its SHA-256 hash chain; report the first broken link.

    Exit code 0 when every link holds, 7 when the stored ledger was altered (or a signed digest's
    signature does not verify), 2 for a malformed digest or key, 4 for an offer the ledger does not
    hold. Warnings (a missing or disabled append-only trigger; on PostgreSQL a role or session
    that could turn them off) are printed on stderr; with --strict they make the exit code 8.

    Example:

        ledger verify --since aarsrapport-2024/ledger-digest.json --public-key socialtilsyn.pub
    """
    import sqlite3
    import time

    import sqlalchemy as sa

    from ledger.digest import load_digest, read_small_file
    from ledger.verify import verify as run

    given = [(flag, text) for flag, text in (("--digest", digest_text), ("--since", since_text)) if text]
    loaded = [(flag, *load_digest(text)) for flag, text in given]
    if public_key is not None:
        if not loaded:
            raise InvalidInput("--public-key checks a signed digest: give it with --digest FILE or --since FILE")
        pem = read_small_file(public_key, "public key file")
        for flag, _, signed in loaded:
            if signed is None:
                raise InvalidInput(f"the digest of {flag} is not signed (a signed digest is the file `ledger digest --sign KEY` writes)")
            signed.check(pem, public_key)
    app = open_ledger(db)
    case_id = _case_of(app, offer) if offer else None
    if case_id is not None and loaded:
        raise InvalidInput("--digest and --since prove the whole ledger: leave out --offer")
    started = time.perf_counter()
    try:
        results = [run(app.engine, digest=digest, case_id=case_id) for _, digest, _ in loaded] or [
            run(app.engine, case_id=case_id)
        ]
    except (sa.exc.DatabaseError, sqlite3.DatabaseError) as error:
        reason = _damaged(error)
        if reason is None:
            raise
        raise TamperDetected(
            f"the database file is damaged ({reason}): the ledger cannot be read whole, so it cannot be verified; "
            "restore it from a backup"
        ) from None
    elapsed = time.perf_counter() - started
    result = next((r for r in results if not r.ok), results[-1])
    warnings = list(result.warnings or [])
    for flag, _, signed in loaded:
        if signed is not None and public_key is None:
            warnings.append(f"the digest of {flag} is signed, but its signature was not checked: give --public-key KEYFILE")
    appended = None
    if result.ok and since_text:
        since = next(digest for flag, digest, _ in loaded if flag == "--since")
        t = app.events_table
        with app.guarded(), app.engine.connect() as connection:
            appended = connection.execute(sa.select(sa.func.count()).select_from(t).where(t.c.id > since.position)).scalar() or 0
    if fmt == "json":
        data = {**result.as_dict(), "warnings": warnings, "seconds": round(elapsed, 3)}
        if loaded:
            data["digests"] = [
                {"option": flag, "digest": digest.text(), "signed": signed is not None,
                 "signature_checked": signed is not None and public_key is not None,
                 "key_id": signed.key_id if signed is not None else None}
                for flag, digest, signed in loaded
            ]
        if appended is not None:
            data["appended_since"] = appended
        emit_json(data)
    else:
        for warning in warnings:
            click.echo(f"Warning: {warning}", err=True)
        if result.ok:
            scope = f"offer {offer}'s chain" if offer else "the ledger"
            rate = f" ({result.checked / elapsed:,.0f} events/s)" if elapsed > 0 and result.checked else ""
            click.echo(f"OK: {scope} holds: {result.checked} events checked up to position {result.position}{rate}.")
            for flag, digest, signed in loaded:
                how = f", signed by key {signed.key_id} on {signed.signed_at}" if signed is not None and public_key else ""
                if flag == "--since":
                    click.echo(
                        f"It extends the digest published at position {digest.position}{how}: its hash there is the "
                        f"published one, and the {appended} event(s) recorded since chain from it."
                    )
                else:
                    click.echo(f"It matches the published digest at position {digest.position}{how}.")
            if result.ledger_hash and not offer:
                click.echo(f"Head: ledger-digest:v1:{result.position}:{result.ledger_hash}")
    if not result.ok:
        where = f" (offer {result.case})" if result.case else ""
        raise TamperDetected(f"the ledger was altered{where}: {result.problem}")
    if warnings and strict:
        raise ProtectionWeakened(
            f"--strict: the chain holds, but {len(warnings)} warning(s) about the database's protection (see above)"
        )
    if warnings:
        sys.exit(0)


@click.group(invoke_without_command=True)
@click.option("--sign", "sign_key", default=None, metavar="KEYFILE", help="Sign the head with this Ed25519 private key (PEM, from `ledger digest keygen`): prints (or writes) a signed digest.")
@click.option("--out", "out", default=None, metavar="FILE", help="Write the (signed) digest into FILE instead of printing it.")
@db_option
@format_option("text", "json")
@click.pass_context
def digest(ctx: click.Context, sign_key: str | None, out: str | None, db: str, fmt: str) -> None:
    """Print the ledger's head (position and chain hash) to publish, e.g. in the annual report.

    Anyone holding it can later run `ledger verify --digest ...` to prove that nothing up to
    that position was altered. With --sign KEYFILE the head is signed (Ed25519): only the holder
    of the private key can make such a digest, so a rewritten ledger cannot be given a digest
    that `ledger verify --digest FILE --public-key KEYFILE` accepts. `ledger digest keygen`
    makes the key pair.

    Example:

        ledger digest --sign /secure/ledger-digest.key --out ledger-digest-2024.json
    """
    if ctx.invoked_subcommand is not None:
        return
    from ledger.digest import key_is_exposed, sign
    from ledger.verify import current_digest

    app = open_ledger(db)
    head = current_digest(app.engine)
    if sign_key is None:
        if out is not None:
            _write_text(out, head.text() + "\n")
            click.echo(f"Wrote {out}: {head.text()}")
        elif fmt == "json":
            emit_json(head.as_dict())
        else:
            click.echo(head.text())
            click.echo(f"(position {head.position}, {head.events} events)", err=True)
        return
    if key_is_exposed(sign_key):
        click.echo(f"Warning: the private key {sign_key} can be read by others than its owner (chmod 600 it)", err=True)
    signed = sign(head, sign_key)
    if out is not None:
        _write_text(out, signed.text())
        click.echo(f"Wrote {out}: {head.text()}, signed by key {signed.key_id}")
    else:
        click.echo(signed.text(), nl=False)


def _write_text(path: str, text: str) -> None:
    """Written whole (a temporary file renamed into place), never through a link."""
    if not path.strip():
        raise InvalidInput("--out is empty: name the file to write")
    target = Path(path)
    if target.is_symlink() or target.is_dir():
        raise InvalidInput(f"{path} is a link or a directory: name a plain file")
    folder = target.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    except OSError as error:
        raise InvalidInput(f"cannot write into {folder}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise InvalidInput(f"cannot write {path}: {error.strerror or error}") from None


@digest.command("keygen")
@click.option("--out", "out", required=True, metavar="DIR", help="Directory for ledger-digest.key (0600) and ledger-digest.pub (created 0700 if missing).")
def keygen(out: str) -> None:
    """Make a new Ed25519 key pair for signing digests.

    The private key (ledger-digest.key, readable by its owner only) signs; keep it away from the
    database's writers. Publish the public key (ledger-digest.pub) with the report: auditors verify
    with it. An existing key is never overwritten.

    Example:

        ledger digest keygen --out /secure/ledger-keys
    """
    from ledger.digest import keygen as make
    from ledger.digest import public_key_id

    private_path, public_path = make(Path(out))
    identity = public_key_id(public_path.read_bytes(), str(public_path))
    click.echo(f"Wrote {private_path} (the private key, mode 0600: keep it secret)")
    click.echo(f"Wrote {public_path} (the public key, key id {identity}: publish it)")
