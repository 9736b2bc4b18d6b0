"""`ledger roles setup`: the four roles of the HTTP service as PostgreSQL roles, each with the
least privileges it needs on one ledger (its schema).

| role | on the events table | on the read models |
|---|---|---|
| `ledger_sagsbehandler` | SELECT, INSERT (and UPDATE, only because a writer takes the table's EXCLUSIVE lock, which PostgreSQL grants to holders of UPDATE; the append-only trigger refuses every UPDATE) | read and bring up to date |
| `ledger_revisor` | SELECT | read and bring up to date |
| `ledger_klagesag` | SELECT | read and bring up to date |
| `ledger_offentlig` | nothing | SELECT on the cases read model (the portal's source) |

The read models are derived from the events and checked against them (`ledger projections
check`); the readers bring them up to date before reading, as every reading command does. The
roles are NOLOGIN groups: a person logs in as their own role, made a member of one of them
(`CREATE ROLE anne LOGIN IN ROLE ledger_sagsbehandler`), and the CLI then records `anne`.
"""

from __future__ import annotations

import click

from ledger.console.common import db_option, emit_json, format_option, open_ledger

GROUPS = ("sagsbehandler", "revisor", "klagesag", "offentlig")


@click.group()
def roles() -> None:
    """PostgreSQL roles for the four roles of `ledger serve`.

    Example:

        ledger roles setup --db postgresql+psycopg://owner@db/ledger
    """


def role_name(prefix: str, group: str) -> str:
    return f"{prefix}{group}"


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def grants(schema: str, prefix: str, events: str, sequences: list[str], projection_tables: list[str],
           public_tables: list[str]) -> list[str]:
    """The SQL that gives each role its privileges on one ledger (schema), after revoking any others."""
    s = q(schema)
    every = [q(role_name(prefix, g)) for g in GROUPS]
    tables = [events, *projection_tables]
    sql: list[str] = []
    for role in every:
        sql.append(f"REVOKE ALL ON {', '.join(f'{s}.{q(t)}' for t in tables)} FROM {role}")
        if sequences:
            sql.append(f"REVOKE ALL ON SEQUENCE {', '.join(f'{s}.{q(n)}' for n in sequences)} FROM {role}")
        sql.append(f"GRANT USAGE ON SCHEMA {s} TO {role}")
    readers = [q(role_name(prefix, g)) for g in ("sagsbehandler", "revisor", "klagesag")]
    for role in readers:
        sql.append(f"GRANT SELECT ON {s}.{q(events)} TO {role}")
        sql.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(f'{s}.{q(t)}' for t in projection_tables)} TO {role}")
    writer = q(role_name(prefix, "sagsbehandler"))
    sql.append(f"GRANT INSERT, UPDATE ON {s}.{q(events)} TO {writer}")
    if sequences:
        sql.append(f"GRANT USAGE, SELECT ON SEQUENCE {', '.join(f'{s}.{q(n)}' for n in sequences)} TO {writer}")
    public = q(role_name(prefix, "offentlig"))
    sql.append(f"GRANT SELECT ON {', '.join(f'{s}.{q(t)}' for t in public_tables)} TO {public}")
    return sql


@roles.command("setup")
@click.option("--prefix", default="ledger_", show_default=True, help="The roles' names begin with this.")
@db_option
@format_option("text", "json")
def setup(prefix: str, db: str, fmt: str) -> None:
    """Create (if missing) the roles ledger_sagsbehandler, ledger_revisor, ledger_klagesag and
    ledger_offentlig, and give each the least privileges it needs on this ledger. Run it as the
    ledger's owner; safe to run again. The append-only triggers stay: no role may change or delete
    an event, and only ledger_sagsbehandler may add one.

    Example:

        ledger roles setup --db postgresql+psycopg://owner@db/ledger
        psql -c "CREATE ROLE anne LOGIN PASSWORD '...' IN ROLE ledger_sagsbehandler"
    """
    import re

    import sqlalchemy as sa

    from ledger.errors import InvalidInput
    from ledger.projections.base import positions
    from ledger.projections.cases import case_states
    from ledger.projections.runner import ProjectionRunner

    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", prefix):
        raise InvalidInput(f"--prefix {prefix!r} is not a role name prefix: lower-case letters, digits and _")
    app = open_ledger(db)
    if app.engine.dialect.name != "postgresql":
        raise InvalidInput("database roles are PostgreSQL's: a SQLite ledger is one office's file, guarded by its file permissions")
    runner = ProjectionRunner(app)  # the read models' tables exist before they are granted
    projection_tables = [positions.name, *[t.name for p in runner.projections for t in p.tables]]
    events = app.events_table.name
    with app.guarded(), app.engine.begin() as connection:
        schema = str(connection.exec_driver_sql("SELECT current_schema()").scalar())
        sequences = [
            str(name) for (name,) in connection.execute(
                sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f'"{schema}"."{events}"'}
            ) if name
        ]
        sequences = [name.split(".")[-1].strip('"') for name in sequences]
        created = []
        for group in GROUPS:
            name = role_name(prefix, group)
            exists = connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
            if exists is None:
                connection.exec_driver_sql(f'CREATE ROLE "{name}" NOLOGIN')
                created.append(name)
        for statement in grants(schema, prefix, events, sequences, projection_tables, [positions.name, case_states.name]):
            connection.exec_driver_sql(statement)
    result = {"schema": schema, "created": created, "roles": [role_name(prefix, g) for g in GROUPS]}
    if fmt == "json":
        emit_json(result)
        return
    made = f" (created {', '.join(created)})" if created else " (they existed; privileges set again)"
    click.echo(f"Roles {', '.join(result['roles'])} hold their privileges on the ledger in schema {schema}{made}.")
