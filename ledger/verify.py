"""Tamper evidence: walk the stored ledger and recompute its hash chain.

`verify()` reports the first broken link: an event whose content no longer matches its hash
(changed), a case whose versions jump (deleted or moved), a ledger hash that does not follow
from the one before it (rows deleted, inserted or reordered), a stored hash that was altered.
With a published digest (position and hash) it also proves that the ledger up to that position
is the one that was published: a rewritten chain cannot reproduce the published hash.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from ledger.digest import Digest as Digest  # noqa: PLC0414 - explicit re-export (ledger.console.audit uses it)
from ledger.store.chain import GENESIS, case_hash_of, ledger_hash
from ledger.store.persistence import EVENTS_TABLE, append_only_triggers
from ledger.store.stream import stream_rows


@dataclass
class Verification:
    ok: bool
    checked: int
    position: int
    ledger_hash: str | None
    problem: str | None = None
    broken_at: int | None = None
    case: str | None = None
    warnings: list[str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "position": self.position,
            "ledger_hash": self.ledger_hash,
            "problem": self.problem,
            "broken_at_position": self.broken_at,
            "case": self.case,
            "warnings": self.warnings or [],
        }


def _uuid_bytes(value: Any) -> bytes:
    if isinstance(value, UUID):
        return value.bytes
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return UUID(str(value)).bytes


def verify(
    engine: sa.Engine,
    *,
    digest: Digest | None = None,
    case_id: UUID | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = 20_000,
) -> Verification:
    """Recompute every link of the chain (or of one case's chain)."""
    last_case: dict[bytes, tuple[int, bytes]] = {}
    previous_ledger = GENESIS
    checked = 0
    position = 0
    # On PostgreSQL the case id is read as its 16 bytes (uuid_send), not made into a UUID per row.
    case_column = "uuid_send(originator_id)" if engine.dialect.name == "postgresql" else "originator_id"
    sql = f"SELECT id, {case_column}, originator_version, topic, state, case_hash, ledger_hash FROM {EVENTS_TABLE}"
    params: dict[str, Any] = {}
    if case_id is not None:
        sql += " WHERE originator_id = :case"
        params["case"] = _bind_id(engine, case_id)
    sql += " ORDER BY id"
    warnings = _trigger_warnings(engine)

    def broken(problem: str, at: int, oid: bytes | None) -> Verification:
        return Verification(False, checked, position, previous_ledger.hex(), problem, at, _case_name(engine, oid), warnings)

    for rows in stream_rows(engine, sql, params, batch=batch, name="ledger_verify", binary=True):
        for row_id, raw_id, version, topic, state, stored_case, stored_ledger in rows:
            oid = _uuid_bytes(raw_id)
            previous_version, previous_case = last_case.get(oid, (0, GENESIS))
            if version != previous_version + 1:
                what = "is missing" if version > previous_version + 1 else "is out of order or duplicated"
                return broken(
                    f"case event #{previous_version + 1} {what} (found #{version} at position {row_id}): "
                    "events were deleted, inserted or moved",
                    row_id, oid,
                )
            if not isinstance(state, (bytes, memoryview)) or not isinstance(topic, str) or stored_case is None:
                return broken(f"event #{version} at position {row_id} was rewritten (its stored form changed type)", row_id, oid)
            digest_case = case_hash_of(previous_case, oid, version, topic, bytes(state))
            if digest_case != bytes(stored_case):
                return broken(
                    f"event #{version} at position {row_id} does not match its hash: its content or its case hash was altered",
                    row_id, oid,
                )
            if case_id is None:
                expected = ledger_hash(previous_ledger, digest_case)
                if stored_ledger is None or expected != bytes(stored_ledger):
                    return broken(
                        f"the ledger chain breaks at position {row_id}: rows before it were deleted, inserted "
                        "or reordered, or its ledger hash was altered",
                        row_id, oid,
                    )
                previous_ledger = expected
            last_case[oid] = (version, digest_case)
            checked += 1
            position = row_id
            if digest is not None and row_id == digest.position:
                if previous_ledger.hex() != digest.ledger_hash:
                    return broken(
                        f"the ledger at position {row_id} is not the one whose digest was published: "
                        f"its hash is {previous_ledger.hex()}, the published hash {digest.ledger_hash}",
                        row_id, oid,
                    )
        if progress is not None:
            progress(position)
    if digest is not None and case_id is None and position < digest.position:
        return Verification(
            False, checked, position, previous_ledger.hex(),
            f"the published digest names position {digest.position}, but the ledger ends at {position}: "
            "events were removed from its end",
            position, None, warnings,
        )
    if digest is not None and case_id is None and digest.position not in (0, position) and not _has_position(engine, digest.position):
        return Verification(
            False, checked, position, previous_ledger.hex(),
            f"position {digest.position} of the published digest is not in the ledger", digest.position, None, warnings,
        )
    return Verification(True, checked, position, previous_ledger.hex() if checked else None, None, None, None, warnings)


def _bind_id(engine: sa.Engine, case_id: UUID) -> Any:
    """A case id as the driver stores it: 16 bytes on SQLite, a uuid on PostgreSQL."""
    return case_id.bytes if engine.dialect.name == "sqlite" else case_id


def _has_position(engine: sa.Engine, position: int) -> bool:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT 1 FROM {EVENTS_TABLE} WHERE id = :p"), {"p": position}).first() is not None


def _case_name(engine: sa.Engine, oid: bytes | None) -> str | None:
    """The offer key (or region) of a case, from its first event, for the report."""
    if oid is None:
        return None
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.text(f"SELECT state FROM {EVENTS_TABLE} WHERE originator_id = :case ORDER BY originator_version LIMIT 1"),
                {"case": _bind_id(engine, UUID(bytes=oid))},
            ).first()
        if row is None:
            return str(UUID(bytes=oid))
        data = json.loads(bytes(row[0]))
        return str(data.get("tilbud") or data.get("region") or UUID(bytes=oid))
    except Exception:  # noqa: BLE001 - the name is a courtesy; the finding stands without it
        return str(UUID(bytes=oid))


def _trigger_warnings(engine: sa.Engine) -> list[str]:
    """What weakens the database's append-only protection: a trigger missing or disabled, and
    (PostgreSQL) a session or a role that could turn the triggers off."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names = {r[0] for r in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
            return [
                f"append-only trigger {name} is missing: someone removed the database's protection "
                "(an old ledger gets it when opened by a writer: `ledger init` adds it)"
                for name in append_only_triggers("sqlite")
                if name not in names
            ]
        return _postgresql_warnings(connection)


def _postgresql_warnings(connection: sa.Connection) -> list[str]:
    warnings: list[str] = []
    found = {
        str(name): str(enabled)
        for name, enabled in connection.execute(
            sa.text("SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = to_regclass(:t)"), {"t": EVENTS_TABLE}
        )
    }
    not_always = False
    for name in append_only_triggers("postgresql"):
        state = found.get(name)
        if state is None:
            warnings.append(f"append-only trigger {name} is missing: someone removed the database's protection")
        elif state == "D":
            warnings.append(f"append-only trigger {name} is disabled (ALTER TABLE ... DISABLE TRIGGER): stored events can be changed")
        elif state == "R":
            warnings.append(f"append-only trigger {name} fires only in replica sessions: ordinary sessions can change stored events")
        elif state == "O":
            not_always = True
    if not_always:
        warnings.append(
            "the append-only triggers are not ENABLE ALWAYS: a session with session_replication_role = replica "
            "bypasses them (run `ledger init` as the table's owner to make them fire always)"
        )
    if connection.exec_driver_sql("SELECT current_setting('session_replication_role')").scalar() == "replica" and not_always:
        warnings.append("this session runs with session_replication_role = replica: the append-only triggers do not fire in it")
    role, superuser, owner = connection.execute(
        sa.text(
            "SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
            "(SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(:t))"
        ),
        {"t": EVENTS_TABLE},
    ).one()
    if superuser:
        warnings.append(
            f"the connected role {role} is a superuser: it can disable or drop the append-only triggers "
            "(run the ledger under a role that owns nothing: README, \"A role that cannot disable the triggers\")"
        )
    elif owner:
        warnings.append(
            f"the connected role {role} owns {EVENTS_TABLE} (or is a member of its owner): it can disable or drop the "
            "append-only triggers (run the ledger under a role that owns nothing: README, "
            "\"A role that cannot disable the triggers\")"
        )
    return warnings


def current_digest(engine: sa.Engine) -> Digest:
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(f"SELECT id, ledger_hash FROM {EVENTS_TABLE} ORDER BY id DESC LIMIT 1")
        ).first()
        count = connection.execute(sa.text(f"SELECT count(*) FROM {EVENTS_TABLE}")).scalar() or 0
    if row is None:
        return Digest(0, GENESIS.hex(), 0)
    return Digest(int(row[0]), bytes(row[1]).hex(), int(count))
