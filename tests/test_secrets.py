"""A database password never leaks: not on stdout, not on stderr (even with LEDGER_DEBUG=1, which
prints tracebacks of internal errors), not in any file a command writes, not in the ledger itself;
whether the URL comes from --db or from LEDGER_DATABASE_URL. A database that cannot be reached
(nothing listening, or no such database) is exit 6 with a message naming the host, not the password.

The test server uses trust authentication, so a password in the URL is accepted and ignored: the
commands really run. Skipped, saying so, when LEDGER_TEST_PG_URL is unset.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import sqlalchemy as sa
from support import close_cached_apps, run_cli

from ledger.application import normalise_url

PG_ENV = "LEDGER_TEST_PG_URL"
RUN = uuid.uuid4().hex[:10]
# A token found only in the passwords: however a password is escaped, its token survives intact.
TOKEN = uuid.uuid4().hex[:12]
PASSWORDS = {
    "plain": f"S3cretPW-{TOKEN}",
    # Characters that must be %-encoded in a URL: the encoded and the decoded form must both stay hidden.
    "special": f"S3cret@PW:/%#?&=+ ø-{TOKEN}",
}

pytestmark = pytest.mark.skipif(
    not os.environ.get(PG_ENV) and not os.environ.get("LEDGER_REQUIRE_PG"),
    reason=f"{PG_ENV} is not set, so there is no PostgreSQL server to connect to with a password (.ci/run sets it)",
)


# -- invoking the CLI exactly as a user -------------------------------------------------------------
def run(argv: list[str], url: str, *, via: str, debug: bool, input: str | None = None) -> Any:
    """One CLI invocation with the database URL given as --db or as LEDGER_DATABASE_URL."""
    env: dict[str, str | None] = {"LEDGER_DEBUG": "1" if debug else None, "LEDGER_DATABASE_URL": None}
    if via == "env":
        env["LEDGER_DATABASE_URL"] = url
    else:
        argv = [*argv, "--db", url]
    try:
        return run_cli(argv, input=input, env=env)
    finally:
        close_cached_apps()


# -- URLs ------------------------------------------------------------------------------------------
def base_url() -> sa.URL:
    raw = os.environ.get(PG_ENV)
    if not raw:
        pytest.fail(f"LEDGER_REQUIRE_PG is set but {PG_ENV} is not: CI must test PostgreSQL")
    return sa.make_url(normalise_url(raw))


def secret_for(kind: str) -> str:
    """The password the URLs carry: ours, unless the server's URL already needs a real one."""
    return base_url().password or PASSWORDS[kind]


def forms(secret: str) -> list[str]:
    """Every way the password could be spelled in output (for our own passwords, their token)."""
    rendered = sa.make_url("postgresql://u@h/d").set(password=secret).render_as_string(hide_password=False)
    in_url = rendered.split("u:", 1)[1].rsplit("@h", 1)[0]
    spelled = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret), in_url}
    if TOKEN in secret:
        spelled.add(TOKEN)
    return sorted(spelled)


def url_with(secret: str, *, schema: str | None = None, port: int | None = None, database: str | None = None) -> str:
    url = base_url().set(password=secret)
    if port is not None:
        url = url.set(port=port)
    if database is not None:
        url = url.set(database=database)
    if schema is not None:
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def assert_hidden(text: str | bytes, secret: str, where: str) -> None:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    for form in forms(secret):
        assert form.encode("utf-8") not in data, f"the password leaked into {where}"


@pytest.fixture
def schema() -> Iterator[str]:
    """A fresh schema on the test server, dropped afterwards."""
    name = f"ledger_secret_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base_url())
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {name}")
    try:
        yield name
    finally:
        close_cached_apps()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        admin.dispose()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands run here, so every file they write (the portal, a stray ledger.db) can be read back."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _jsonl(*commands: dict[str, Any]) -> str:
    return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in commands)


APPLICATION = {
    "command": "ansoegning", "offer": "T-1", "date": "2024-01-10", "navn": "Bostedet Lærkely", "tilbudstyper": ["SEL107"],
    "pladser": 12, "ejerform": "privat", "region": "Nord", "afdelinger": [{"navn": "Hovedhuset", "adresse": "Lærkevej 1"}],
}
APPROVAL = {"command": "godkendelse", "offer": "T-1", "date": "2024-03-01", "begrundelse": "Opfylder betingelserne"}

# (argv, stdin, expected exit code) against a reachable server: every kind of command, and refusals.
REACHABLE: list[tuple[list[str], str | None, int]] = [
    (["init"], None, 0),
    (["init"], None, 0),
    (["status", "T-1"], None, 4),
    (["submit", "-"], "{not json\n", 2),
    (["submit", "-"], _jsonl(APPLICATION, APPROVAL), 0),
    (["tilsynsbesoeg", "T-1", "--date", "2024-04-15", "--form", "anmeldt"], None, 0),
    (["paabud", "T-1", "--date", "2024-05-01", "--forhold", "Medicin", "--frist", "2024-06-01", "--karakter", "faglig",
      "--begrundelse", "Fund"], None, 3),
    (["verify"], None, 0),
    (["digest"], None, 0),
    (["offers"], None, 0),
    (["projections", "status"], None, 0),
    (["status", "T-1", "--format", "json"], None, 0),
    (["history", "T-1", "--format", "json"], None, 0),
    (["stats", "2024", "--format", "json"], None, 0),
    (["portal", "export", "--out", "site"], None, 0),
]


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("via", ["option", "env"])
@pytest.mark.parametrize("kind", list(PASSWORDS))
def test_a_password_in_the_url_never_leaks_from_a_working_ledger(
    kind: str, via: str, debug: bool, schema: str, workdir: Path
) -> None:
    secret = secret_for(kind)
    url = url_with(secret, schema=schema)
    for argv, stdin, code in REACHABLE:
        result = run(argv, url, via=via, debug=debug, input=stdin)
        assert result.exit_code == code, (argv, result.output)
        assert_hidden(result.output, secret, f"the output of {argv}")
        if code:
            assert result.output.startswith("Error: "), result.output
    written = files_under(workdir)
    assert any(p.name == "portal.json" for p in written), "the portal export wrote nothing to check"
    assert not (workdir / "ledger.db").exists(), "a command ignored the URL and used ./ledger.db"
    for path in written:
        assert_hidden(path.read_bytes(), secret, str(path.relative_to(workdir)))
    # Nor in the database: not in any row of any of the ledger's tables.
    engine = sa.create_engine(base_url())
    try:
        with engine.connect() as connection:
            tables = [r[0] for r in connection.execute(
                sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"), {"s": schema}
            )]
            assert "ledger_events" in tables
            for table in tables:
                for (row,) in connection.exec_driver_sql(f'SELECT t::text FROM {schema}."{table}" AS t'):
                    assert_hidden(row, secret, f"table {table}")
    finally:
        engine.dispose()


# (argv, stdin, expected exit code) against a database that cannot be reached.
UNREACHABLE: list[tuple[list[str], str | None, int]] = [
    (["init"], None, 6),
    (["status", "T-1"], None, 6),
    (["submit", "-"], "{not json\n", 2),  # judged before the database is opened
    (["submit", "-"], _jsonl(APPLICATION), 6),
    (["tilsynsbesoeg", "T-1", "--date", "2024-04-15", "--form", "anmeldt"], None, 6),
    (["verify"], None, 6),
    (["digest"], None, 6),
    (["offers"], None, 6),
    (["projections", "status"], None, 6),
    (["history", "T-1"], None, 6),
]


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("via", ["option", "env"])
@pytest.mark.parametrize("target", ["nothing_listening", "no_such_database"])
@pytest.mark.parametrize("kind", list(PASSWORDS))
def test_an_unreachable_database_is_exit_6_naming_the_host_not_the_password(
    kind: str, target: str, via: str, debug: bool, workdir: Path
) -> None:
    secret = secret_for(kind)
    host = base_url().host or "localhost"
    if target == "nothing_listening":
        url, named = url_with(secret, port=1), "port 1"
    else:
        database = f"ledger_no_such_db_{RUN}"
        url, named = url_with(secret, database=database), database
    for argv, stdin, code in UNREACHABLE:
        result = run(argv, url, via=via, debug=debug, input=stdin)
        assert result.exit_code == code, (argv, result.output)
        assert result.output.startswith("Error: "), result.output
        assert_hidden(result.output, secret, f"the output of {argv}")
        if code == 6:
            assert result.stdout == "", result.output
            assert "cannot reach the database" in result.output or "cannot open the ledger" in result.output, result.output
            assert host in result.output and named in result.output, result.output
            assert "Traceback" not in result.output
    for path in files_under(workdir):
        assert_hidden(path.read_bytes(), secret, str(path.relative_to(workdir)))
    assert not (workdir / "ledger.db").exists()


@pytest.mark.parametrize("via", ["option", "env"])
def test_a_password_given_as_a_query_parameter_never_leaks(via: str, schema: str, workdir: Path) -> None:
    secret = PASSWORDS["plain"]
    if base_url().password:
        pytest.skip("the test server needs its own password; this test passes ours as a query parameter")
    working = base_url().update_query_dict({"password": secret, "options": f"-csearch_path={schema}"})
    down = base_url().set(port=1).update_query_dict({"password": secret})
    outputs = []
    for url, argv, code in [(working, ["init"], 0), (working, ["status", "T-1"], 4), (down, ["status", "T-1"], 6)]:
        result = run(argv, url.render_as_string(hide_password=False), via=via, debug=False)
        if result.exit_code != code:  # not an AssertionError: only the leak itself is the expected failure
            raise RuntimeError(f"{argv}: exit {result.exit_code}: {result.output}")
        outputs.append(result.output)
    for output in outputs:
        assert_hidden(output, secret, "the output")


def _failing_case(self: Any, key: str) -> Any:
    # What a driver error that echoes its connection string would look like.
    raise RuntimeError(f"could not load {key} from {self.url}")


def test_the_message_of_an_internal_error_holds_no_password(schema: str, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.application import Ledger

    secret = secret_for("plain")
    url = url_with(secret, schema=schema)
    assert run(["init"], url, via="option", debug=False).exit_code == 0
    monkeypatch.setattr(Ledger, "case", _failing_case)
    for via in ("option", "env"):
        result = run(["status", "T-1"], url, via=via, debug=False)
        assert result.exit_code == 70 and result.output.startswith("Error: internal error (RuntimeError)"), result.output
        assert "could not load T-1 from postgresql" in result.output and "***" in result.output
        assert_hidden(result.output, secret, "the one-line message")


def test_the_traceback_of_an_internal_error_holds_no_password(schema: str, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.application import Ledger

    secret = secret_for("plain")
    url = url_with(secret, schema=schema)
    if run(["init"], url, via="option", debug=True).exit_code != 0:
        raise RuntimeError("the ledger could not be created")
    monkeypatch.setattr(Ledger, "case", _failing_case)
    loud = run(["status", "T-1"], url, via="option", debug=True)
    if loud.exit_code != 70 or "Traceback" not in loud.output:  # only the leak is the expected failure
        raise RuntimeError(f"expected an internal error with its traceback: {loud.output}")
    assert_hidden(loud.output, secret, "the traceback")
