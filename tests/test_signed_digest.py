"""The signed digest (issue 17 item 7), on SQLite and PostgreSQL: the chain alone cannot catch a
writer who recomputes it, truncates the newest events or appends a forged event with correct
hashes; a digest signed with the Socialtilsyn's Ed25519 key, published, catches what happened
before it, and no one without the private key can make a digest that verifies."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import approved, besoeg, close_cached_apps, dialog, paabud, run_cli
from test_verify import rechain, rows, unprotect

from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.verify import verify

HASH = "ab" * 32


@pytest.fixture(autouse=True)
def _close_cli_ledgers() -> Iterator[None]:
    yield
    close_cached_apps()


@pytest.fixture
def keys(tmp_path: Path) -> tuple[str, str]:
    result = run_cli(["digest", "keygen", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    return str(tmp_path / "keys" / "ledger-digest.key"), str(tmp_path / "keys" / "ledger-digest.pub")


@pytest.fixture
def published(app: Ledger, keys: tuple[str, str], tmp_path: Path) -> str:
    """A ledger with two offers, and the signed digest of its head, as the annual report publishes it."""
    commands = [*approved(), besoeg(), dialog(), paabud(), *approved(offer="T-2")]
    app.execute([parse_command(c) for c in commands])
    out = tmp_path / "ledger-digest.json"
    result = run_cli(["digest", "--db", app.url, "--sign", keys[0], "--out", str(out)])
    assert result.exit_code == 0, result.output
    return str(out)


def check(app: Ledger, digest_file: str, public_key: str, option: str = "--digest") -> tuple[int, str]:
    close_cached_apps()
    result = run_cli(["verify", "--db", app.url, option, digest_file, "--public-key", public_key])
    return result.exit_code, result.output


def test_keygen_writes_a_private_key_only_its_owner_can_read_and_never_overwrites_it(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "keys"
    assert run_cli(["digest", "keygen", "--out", str(folder)]).exit_code == 0
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(folder / "ledger-digest.key").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder / "ledger-digest.pub").st_mode) == 0o644
    before = (folder / "ledger-digest.key").read_bytes()
    again = run_cli(["digest", "keygen", "--out", str(folder)])
    assert again.exit_code == 2 and "already exists" in again.output and "never overwritten" in again.output
    assert (folder / "ledger-digest.key").read_bytes() == before


def test_a_signed_digest_of_an_untouched_ledger_verifies_with_the_public_key(app: Ledger, published: str, keys: tuple[str, str]) -> None:
    data = json.loads(Path(published).read_text())
    assert data["format"] == "ledger-signed-digest/v1" and data["algorithm"] == "Ed25519"
    code, output = check(app, published, keys[1])
    assert code == 0 and f"It matches the published digest at position {data['position']}, signed by key {data['key_id']}" in output


def test_the_ledger_extends_the_published_digest_after_new_events(app: Ledger, published: str, keys: tuple[str, str]) -> None:
    app.execute([parse_command(besoeg(offer="T-2", date="2024-05-01")), parse_command(besoeg(date="2024-06-01"))])
    code, output = check(app, published, keys[1], "--since")
    assert code == 0 and "its hash there is the published one, and the 2 event(s) recorded since chain from it" in output


def test_a_digest_signed_with_another_key_is_refused_as_forged(app: Ledger, published: str, tmp_path: Path) -> None:
    """The forger signs a digest of the ledger they rewrote with a key of their own."""
    run_cli(["digest", "keygen", "--out", str(tmp_path / "forger")])
    forged = tmp_path / "forged.json"
    assert run_cli(["digest", "--db", app.url, "--sign", str(tmp_path / "forger" / "ledger-digest.key"), "--out", str(forged)]).exit_code == 0
    code, output = check(app, str(forged), str(tmp_path / "keys" / "ledger-digest.pub"))
    assert code == 7 and "signature does not verify with the public key" in output and "forged" in output


def test_a_signed_digest_whose_head_was_edited_fails_its_signature(app: Ledger, published: str, keys: tuple[str, str]) -> None:
    data = json.loads(Path(published).read_text())
    last = rows(app)[-2]
    data["position"], data["ledger_hash"] = last.id, bytes(last.ledger_hash).hex()
    data["digest"] = f"ledger-digest:v1:{last.id}:{data['ledger_hash']}"
    Path(published).write_text(json.dumps(data))
    code, output = check(app, published, keys[1])
    assert code == 7 and "signature does not verify" in output


def test_a_replayed_old_digest_catches_a_ledger_truncated_below_it(app: Ledger, published: str, keys: tuple[str, str]) -> None:
    unprotect(app)
    t = app.events_table
    newest = rows(app)[-2:]
    with app.engine.begin() as connection:
        connection.execute(t.delete().where(t.c.id.in_([r.id for r in newest])))
    assert verify(app.engine).ok  # the chain alone cannot see that its newest events are gone
    code, output = check(app, published, keys[1], "--since")
    assert code == 7 and "events were removed from its end" in output


def test_a_rewritten_and_rechained_ledger_fails_the_signed_digest(app: Ledger, published: str, keys: tuple[str, str]) -> None:
    unprotect(app)
    target = rows(app)[2]  # the visit of 2024-04-15
    t = app.events_table
    with app.engine.begin() as connection:
        connection.execute(t.update().where(t.c.id == target.id).values(state=bytes(target.state).replace(b"2024-04-15", b"2024-04-16")))
    rechain(app)
    assert verify(app.engine).ok
    code, output = check(app, published, keys[1])
    assert code == 7 and "not the one whose digest was published" in output


def test_a_forged_event_appended_with_recomputed_hashes_is_caught_where_a_digest_covers_it(
    app: Ledger, published: str, keys: tuple[str, str], tmp_path: Path
) -> None:
    """The forger removes the newest event and appends a forged one in its place, with correct
    case and ledger hashes: the chain holds, the signed digest at that position does not; and a
    digest the forger makes of the new head does not verify with the Socialtilsyn's key."""
    unprotect(app)
    t = app.events_table
    last = rows(app)[-1]
    with app.engine.begin() as connection:
        connection.execute(t.delete().where(t.c.id == last.id))
    forged_state = bytes(last.state).replace(b"Tilbuddet opfylder", b"Tilbuddet opfyldte")
    assert forged_state != bytes(last.state)
    with app.engine.begin() as connection:
        connection.execute(t.insert().values(
            id=last.id, originator_id=last.originator_id, originator_version=last.originator_version, topic=last.topic,
            state=forged_state, case_hash=bytes(32), ledger_hash=bytes(32),
        ))
    rechain(app)
    assert verify(app.engine).ok
    code, output = check(app, published, keys[1])
    assert code == 7 and "not the one whose digest was published" in output
    run_cli(["digest", "keygen", "--out", str(tmp_path / "forger")])
    forged = tmp_path / "forged.json"
    run_cli(["digest", "--db", app.url, "--sign", str(tmp_path / "forger" / "ledger-digest.key"), "--out", str(forged)])
    code, output = check(app, str(forged), keys[1])
    assert code == 7 and "signature does not verify" in output


def test_an_unsigned_digest_is_refused_where_a_public_key_asks_for_a_signature(app: Ledger, published: str, keys: tuple[str, str]) -> None:
    head = json.loads(Path(published).read_text())["digest"]
    result = run_cli(["verify", "--db", app.url, "--digest", head, "--public-key", keys[1]])
    assert result.exit_code == 2 and "is not signed" in result.output


@pytest.mark.parametrize(
    ("digest", "says"),
    [
        (f"ledger-digest:v1:-1:{HASH}", "is not a ledger digest"),
        (f"ledger-digest:v1:1.5:{HASH}", "is not a ledger digest"),
        (f"ledger-digest:v1:1e400:{HASH}", "is not a ledger digest"),
        (f"ledger-digest:v1:{'9' * 5000}:{HASH}", "is not a ledger digest"),
        (f"ledger-digest:v1:{2**63}:{HASH}", "is outside 0-9223372036854775807"),
        (f"ledger-digest:v1:3:{HASH[:63]}", "is not a ledger digest"),
        (f"ledger-digest:v1:3:{'zz' * 32}", "is not a ledger digest"),
        (json.dumps({"position": -1, "ledger_hash": HASH}), "is outside"),
        ('{"position": 1e400, "ledger_hash": "' + HASH + '"}', "not a whole number"),
        ('{"position": ' + "9" * 5000 + ', "ledger_hash": "' + HASH + '"}', "not valid JSON"),
        (json.dumps({"position": "3", "ledger_hash": HASH}), "must be a whole number"),
        (json.dumps({"position": True, "ledger_hash": HASH}), "must be a whole number"),
        (json.dumps({"position": 3, "ledger_hash": "abc"}), "64 hexadecimal digits"),
        ('{"position": NaN, "ledger_hash": "' + HASH + '"}', "not a number"),
    ],
)
def test_a_malformed_digest_is_malformed_input_never_altered_or_ok(tmp_path: Path, digest: str, says: str) -> None:
    db = str(tmp_path / "l.db")
    run_cli(["init", "--db", db])
    result = run_cli(["verify", "--db", db, "--digest", digest])
    assert result.exit_code == 2 and says in result.output, result.output
    assert len(result.output) < 400  # the message quotes the digest, not all of it
    file = tmp_path / "digest.json"
    file.write_text(digest)
    assert run_cli(["verify", "--db", db, "--since", str(file)]).exit_code == 2


def test_a_signed_digest_file_with_a_malformed_position_is_malformed_input(tmp_path: Path, keys: tuple[str, str]) -> None:
    db = str(tmp_path / "l.db")
    run_cli(["init", "--db", db])
    out = tmp_path / "d.json"
    assert run_cli(["digest", "--db", db, "--sign", keys[0], "--out", str(out)]).exit_code == 0
    data = json.loads(out.read_text())
    for position in (-5, 1.5, "7", 2**70):
        out.write_text(json.dumps({**data, "position": position}))
        result = run_cli(["verify", "--db", db, "--digest", str(out), "--public-key", keys[1]])
        assert result.exit_code == 2, (position, result.output)


def test_a_digest_file_that_does_not_exist_is_named(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    run_cli(["init", "--db", db])
    result = run_cli(["verify", "--db", db, "--since", str(tmp_path / "nowhere.json")])
    assert result.exit_code == 2 and "no digest file" in result.output


def test_the_annual_report_carries_the_signed_digest_when_given_a_key(tmp_path: Path, keys: tuple[str, str]) -> None:
    db = str(tmp_path / "l.db")
    run_cli(["init", "--db", db])
    run_cli(["submit", "-", "--db", db], "\n".join(json.dumps(c) for c in approved()))
    out = tmp_path / "rapport"
    result = run_cli(["annual-report", "2024", "--region", "Nord", "--out", str(out), "--format", "md,json", "--db", db, "--sign", keys[0]])
    assert result.exit_code == 0, result.output
    signed = out / "ledger-digest-2024.json"
    assert stat.S_IMODE(os.stat(signed).st_mode) == 0o644
    report = json.loads((out / "aarsrapport-2024-nord.json").read_text(encoding="utf-8"))
    assert report["beregnet_fra"]["signeret"]["signature"] == json.loads(signed.read_text())["signature"]
    markdown = (out / "aarsrapport-2024-nord.md").read_text(encoding="utf-8")
    assert json.loads(signed.read_text())["key_id"] in markdown
    close_cached_apps()
    check_result = run_cli(["verify", "--db", db, "--digest", str(signed), "--public-key", keys[1]])
    assert check_result.exit_code == 0, check_result.output


def test_the_chain_alone_accepts_a_rechained_ledger_which_is_why_the_digest_is_signed(app: Ledger) -> None:
    """What the README says the chain proves alone: every event matches the chain the ledger
    holds, not that this chain is the one that was written."""
    app.execute([parse_command(c) for c in approved()])
    unprotect(app)
    target = rows(app)[0]
    t = app.events_table
    with app.engine.begin() as connection:
        connection.execute(t.update().where(t.c.id == target.id).values(state=bytes(target.state).replace(b"Nord", b"Syd")))
    assert not verify(app.engine).ok
    rechain(app)
    assert verify(app.engine).ok
    with app.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(t)).scalar() == 2
