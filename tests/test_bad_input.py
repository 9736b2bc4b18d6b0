"""A corpus of malformed and unlawful commands, each sent to `ledger submit -` as one line exactly as a
system would send it: every one is refused with its exit code and a message naming the rule, on
stderr, starting with "Error: ", and the ledger stays exactly as it was (its chain digest, and on
SQLite the database file's bytes). Lawful text that merely looks dangerous (SQL, shell, quotes,
emoji, Danish letters) is accepted and read back verbatim.

The corpus is `tests/corpus/bad_commands.json`: a JSON list of cases
    {"name": ..., "line": ..., "exit": ..., "message": ..., "xfail": ...?}
with these conventions:

* `line` is the raw text of one line (a JSON string, so control characters appear as JSON escapes
  in the corpus file but are real characters in the line sent); it is sent UTF-8 encoded.
* `line_hex` replaces `line` for lines that are not valid UTF-8: the exact bytes, in hex.
* the token `{TOMORROW}` in a line is replaced by tomorrow's date (Copenhagen time, the ledger's
  "today" plus one day) when the case runs, since "today" moves.
* `exit` is the expected exit code (2 malformed, 3 a legal rule refuses, 4 not found) and `message`
  a fragment the error output must contain (for exit 3, the paragraph that refuses).
* `xfail` (optional) holds the reason why the ledger currently gets the case wrong: the case runs
  as `xfail(strict=True)`, so it starts failing the suite the day the ledger is fixed.

Every case runs against ONE standard ledger (built once per store and module, see `SETUP`): on
SQLite a copy of the file per case; on PostgreSQL one schema per module, rebuilt only if a case
ever changed it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from support import ansoegning, close_cached_apps, cmd, godkendelse, run_cli

from ledger.aggregates.base import COPENHAGEN
from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.verify import current_digest, verify

CORPUS = Path(__file__).parent / "corpus" / "bad_commands.json"
PG_ENV = "LEDGER_TEST_PG_URL"


def _c(command: str, offer: str, date: str, **fields: Any) -> dict[str, Any]:
    return cmd(command, date, offer, **fields)


def _application(offer: str, **fields: Any) -> dict[str, Any]:
    return ansoegning(offer=offer, **fields)


def _approval(offer: str, **fields: Any) -> dict[str, Any]:
    return godkendelse(offer=offer, **fields)


# Event numbers matter to the corpus (#2, #3, #4, #5, #6 name decisions and records below).
SETUP: list[dict[str, Any]] = [
    # T-PEND: an application pending.
    _application("T-PEND"),
    # T-VILK: #1 application, #2 approval with vilkår V1, #3 a visit.
    _application("T-VILK"),
    _approval("T-VILK", vilkaar=[{"tekst": "Brandsyn skal foreligge", "frist": "2025-06-01"}]),
    _c("tilsynsbesoeg", "T-VILK", "2024-04-15", form="anmeldt"),
    # T-PAAB: #1, #2 approval, #3 magtanvendelse M1, #4 fravigelse F1 (lapsed 2024-08-31), #5 dialog D1,
    # #6 påbud P1 (frist 2024-11-01), #7 complaint K1 about #6, #8 budget for 2025 submitted.
    _application("T-PAAB"),
    _approval("T-PAAB"),
    _c("magtanvendelse", "T-PAAB", "2024-05-02", haendelsesdato="2024-04-30", reference="MA-2024-017"),
    _c("fravigelse", "T-PAAB", "2024-06-01", anmodning_modtaget="2024-05-20", periode_til="2024-08-31", begrundelse="Ombygning"),
    _c("dialog", "T-PAAB", "2024-09-01", forhold=["Medicinhåndtering"]),
    _c("paabud", "T-PAAB", "2024-09-20", forhold="Medicinhåndtering skal dokumenteres", frist="2024-11-01",
       karakter="faglig", begrundelse="Fund ved tilsynsbesøg"),
    _c("klage", "T-PAAB", "2024-10-01", afgoerelse=6, klager="Bostedet Lærkely ApS", afgoerelse_modtaget="2024-09-22"),
    _c("budget-indsendt", "T-PAAB", "2024-09-25", budgetaar=2025),
    # T-SKAERP: #3 dialog D1, #4 påbud P1 and #5 skærpet tilsyn S1 2025-01-10 to 2025-04-10.
    _application("T-SKAERP"),
    _approval("T-SKAERP"),
    _c("dialog", "T-SKAERP", "2025-01-05", forhold=["Bemanding"]),
    _c("skaerpet-tilsyn", "T-SKAERP", "2025-01-10", periode_til="2025-04-10", baggrund="kvalitet", begrundelse="Alvorlige fund",
       paabud=[{"forhold": "Døgnbemanding skal sikres", "frist": "2025-03-01", "karakter": "organisatorisk"}]),
    # T-OPHPEND: #4 ophør decided 2025-01-10, in effect from 2025-03-01.
    _application("T-OPHPEND"),
    _approval("T-OPHPEND"),
    _c("dialog", "T-OPHPEND", "2025-01-02", forhold=["Økonomien"]),
    _c("ophoer", "T-OPHPEND", "2025-01-10", virkning_fra="2025-03-01", baggrund="oekonomi", begrundelse="Ikke bæredygtig"),
    # T-OPHOERT: ophør straks on 2024-06-01.
    _application("T-OPHOERT"),
    _approval("T-OPHOERT"),
    _c("ophoer", "T-OPHOERT", "2024-06-01", straks=True, straks_grund="akut_risiko",
       straks_begrundelse="Akut risiko for borgernes sikkerhed", baggrund="sikkerhed", begrundelse="Akut risiko"),
    # T-AFSLAG: refused.
    _application("T-AFSLAG"),
    _c("afslag", "T-AFSLAG", "2024-03-01", begrundelse="Ledelsen mangler relevante kompetencer"),
    # T-PLEJE: an approved foster family (no budgets, no årsrapport).
    _application("T-PLEJE", tilbudstyper=["PLEJEFAMILIE"], pladser=2,
                 afdelinger=[{"navn": "Familien", "adresse": "Skovvej 2, 8000 Aarhus"}]),
    _approval("T-PLEJE"),
]


def build_standard(url: str) -> None:
    app = Ledger(url, create=True, user="opsætning")
    try:
        app.execute([parse_command(c) for c in SETUP])
    finally:
        app.close()
        app.engine.dispose()


def digest_of(url: str) -> Any:
    engine = sa.create_engine(url)
    try:
        return current_digest(engine)
    finally:
        engine.dispose()


def pg_base() -> str:
    from ledger.application import normalise_url

    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("LEDGER_REQUIRE_PG"):
            pytest.fail(f"LEDGER_REQUIRE_PG is set but {PG_ENV} is not: CI must test PostgreSQL")
        pytest.skip(f"{PG_ENV} is not set, so there is no PostgreSQL server to test against (.ci/run sets it)")
    return normalise_url(url)


@dataclass
class Standard:
    """The standard ledger on one store, and how to get a pristine copy of it for a case."""

    kind: str
    url: str
    baseline: Any  # the ledger's Digest (position, chain hash, events)
    base_file: Path | None = None
    base_bytes: bytes = b""
    admin: sa.Engine | None = None
    schema: str = ""
    rebuilt: int = field(default=0)

    def fresh(self, tmp: Path) -> tuple[str, Path | None]:
        if self.kind == "sqlite":
            assert self.base_file is not None
            path = tmp / "ledger.db"
            shutil.copyfile(self.base_file, path)
            return f"sqlite:///{path}", path
        if digest_of(self.url) != self.baseline:
            # A case changed the ledger (a failure or an xfail the ledger accepts): start again.
            self.rebuild()
        return self.url, None

    def rebuild(self) -> None:
        assert self.admin is not None
        with self.admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            connection.exec_driver_sql(f"CREATE SCHEMA {self.schema}")
        build_standard(self.url)
        self.rebuilt += 1
        rebuilt = digest_of(self.url)
        assert rebuilt.events == self.baseline.events
        self.baseline = rebuilt  # the same events, recorded at new times: a new chain


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def standard(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standard]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("standard") / "standard.db"
        url = f"sqlite:///{path}"
        build_standard(url)
        baseline = digest_of(url)
        assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
        yield Standard("sqlite", url, baseline, base_file=path, base_bytes=path.read_bytes())
        return
    base = pg_base()
    schema = f"ledger_bad_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    try:
        build_standard(url)
        yield Standard("postgres", url, digest_of(url), admin=admin, schema=schema)
    finally:
        close_cached_apps()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()


# -- the corpus ------------------------------------------------------------------------------------
def load_corpus() -> list[dict[str, Any]]:
    return json.loads(CORPUS.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def tomorrow() -> str:
    return (dt.datetime.now(COPENHAGEN).date() + dt.timedelta(days=1)).isoformat()


def raw_line(case: dict[str, Any]) -> bytes:
    if "line_hex" in case:
        return bytes.fromhex(case["line_hex"])
    return str(case["line"]).replace("{TOMORROW}", tomorrow()).encode("utf-8") + b"\n"


def _params() -> list[Any]:
    params = []
    for case in load_corpus():
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


def test_the_corpus_is_well_formed() -> None:
    cases = load_corpus()
    names = [c["name"] for c in cases]
    assert len(cases) >= 70 and len(set(names)) == len(names)
    for case in cases:
        assert set(case) <= {"name", "line", "line_hex", "exit", "message", "xfail"}, case["name"]
        assert ("line" in case) != ("line_hex" in case), case["name"]
        assert case["exit"] in (2, 3, 4), case["name"]
        assert case["message"].strip(), case["name"]
        assert b"\n" not in raw_line(case).rstrip(b"\n"), f"{case['name']} is more than one line"
    # Every refusal of a legal rule names the paragraph (or the legal source) that refuses it.
    for case in cases:
        if case["exit"] == 3:
            assert any(word in case["message"] for word in ("§", "side:", "rettelse")), case["name"]
    # Every rule family is covered.
    prefixes = {c["name"].split("_")[0] for c in cases}
    assert {
        "json", "utf8", "type", "missing", "unknown", "date", "oversized", "id", "control", "cpr", "application",
        "approval", "afslag", "vilkaar", "fravigelse", "akut", "dialog", "paabud", "skaerpet", "ophoer", "after",
        "lukning", "visit", "quality", "budget", "aarsrapport", "magt", "klage", "annul", "supersede",
    } <= prefixes


def test_the_standard_ledger_holds_what_the_corpus_assumes(standard: Standard) -> None:
    app = Ledger(standard.url, user="test")
    try:
        state = {key: app.case(key).state for key in
                 ("T-PEND", "T-VILK", "T-PAAB", "T-SKAERP", "T-OPHPEND", "T-OPHOERT", "T-AFSLAG", "T-PLEJE")}
        assert state["T-PEND"].status_on("2025-06-01") == "ansoegt"
        assert state["T-VILK"].status_on("2024-05-01") == "godkendt_med_vilkaar"
        assert list(state["T-VILK"].active_vilkaar_on("2024-05-01")) == ["V1"]
        assert list(state["T-PAAB"].active_paabud_on("2024-10-20")) == ["P1"]
        assert list(state["T-PAAB"].dialogs) == ["D1"] and list(state["T-PAAB"].open_complaints()) == ["K1"]
        assert state["T-PAAB"].decisions["6"]["kind"] == "PaabudUdstedt"
        assert list(state["T-SKAERP"].active_skaerpet_on("2025-02-01")) == ["S1"]
        assert state["T-OPHPEND"].flags_on("2025-02-01") == ["ophoer_besluttet"]
        assert state["T-OPHPEND"].status_on("2025-03-05") == "ophoert"
        assert state["T-OPHOERT"].status_on("2024-07-01") == "ophoert"
        assert state["T-AFSLAG"].status_on("2024-05-01") == "afslaaet"
        assert state["T-PLEJE"].status_on("2024-05-01") == "godkendt"
        assert verify(app.engine).ok
    finally:
        app.close()
        app.engine.dispose()


def _assert_refused_and_unchanged(standard: Standard, case: dict[str, Any], tmp_path: Path) -> None:
    url, path = standard.fresh(tmp_path)
    try:
        result = run_cli(["submit", "-", "--db", url], raw_line(case))
    finally:
        close_cached_apps()
    out = result.output
    assert result.exit_code == case["exit"], out
    assert out.startswith("Error: line 1: "), out
    assert result.stdout == "" and result.stderr.startswith("Error: "), out
    assert case["message"] in out, out
    if path is not None:
        wal = Path(f"{path}-wal")
        assert not wal.exists() or wal.stat().st_size == 0, "something was written to the write-ahead log"
        assert path.read_bytes() == standard.base_bytes, "the database file changed"
    assert digest_of(url) == standard.baseline, "the ledger's chain changed"


@pytest.mark.parametrize("case", _params())
def test_a_bad_line_is_refused_and_the_ledger_is_unchanged(standard: Standard, case: dict[str, Any], tmp_path: Path) -> None:
    _assert_refused_and_unchanged(standard, case, tmp_path)


def test_the_check_would_catch_a_line_that_was_stored(standard: Standard, tmp_path: Path) -> None:
    """The harness can fail: a lawful line run through the same check is caught by it."""
    lawful = {"name": "lawful_visit", "exit": 3, "message": "bek",
              "line": json.dumps(_c("tilsynsbesoeg", "T-VILK", "2024-05-01", form="anmeldt"))}
    with pytest.raises(AssertionError):
        _assert_refused_and_unchanged(standard, lawful, tmp_path)
    if standard.kind == "sqlite":
        assert (tmp_path / "ledger.db").read_bytes() != standard.base_bytes
        assert digest_of(f"sqlite:///{tmp_path / 'ledger.db'}").events == standard.baseline.events + 1
    else:
        assert digest_of(standard.url).events == standard.baseline.events + 1
        standard.fresh(tmp_path)  # rebuilds
        assert digest_of(standard.url) == standard.baseline


# -- lawful text that looks dangerous is stored verbatim --------------------------------------------
ACCEPTED = [
    pytest.param("'; DROP TABLE ledger_events; --", id="sql_drop_table"),
    pytest.param("Robert'); DROP TABLE case_states;--", id="sql_bobby_tables"),
    pytest.param("x' OR '1'='1", id="sql_or_1"),
    pytest.param("$(rm -rf /)", id="shell_subst"),
    pytest.param("`id`", id="shell_backticks"),
    pytest.param("; ls -la | cat /etc/passwd && echo ${HOME} > /tmp/x", id="shell_chain"),
    pytest.param("Bostedet 🌳 Lærkely 👍🏽👨‍👩‍👧", id="emoji"),
    pytest.param("\"Det Gode Hjem\" & 'Søstrene' <b>fed</b> &amp;", id="quotes_and_markup"),
    pytest.param("ÆØÅ æøå — Ærø, Ølstykke og Aabenraa/Åbenrå", id="danish_letters"),
    pytest.param("C:\\Temp\\ %s %n {0} \\u0041 \\\\ 100% ~", id="backslashes_and_formats"),
    pytest.param("Zoë Ñandú «citat» ‘enkelt’ “dobbelt” – ½ € §", id="typography"),
]


def test_the_accepted_texts_are_accepted_for_holding_no_personal_number_not_for_hiding_one(tmp_path: Path) -> None:
    # Given an approved offer
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    try:
        assert run_cli(["init", "--db", url], None).exit_code == 0
        setup = "".join(json.dumps(line) + "\n" for line in (_application("T-1"), _approval("T-1")))
        assert run_cli(["submit", "-", "--db", url], setup).exit_code == 0
        before = digest_of(url)
        for param in ACCEPTED:
            # When each accepted text carries a CPR number, in the field that keeps it verbatim above
            text = f"{param.values[0]} 010190-1234"
            line = json.dumps(_c("magtanvendelse", "T-1", "2024-05-02", haendelsesdato="2024-04-30", reference=text))
            result = run_cli(["submit", "-", "--db", url], line + "\n")
            # Then it is refused as personal data, and nothing is stored
            assert result.exit_code == 2, (param.id, result.output)
            assert result.output.startswith("Error: line 1: ") and "looks like a CPR number" in result.output, result.output
            assert digest_of(url) == before
    finally:
        close_cached_apps()


@pytest.mark.parametrize("text", ACCEPTED)
def test_lawful_text_with_metacharacters_is_stored_and_read_back_verbatim(store_url: str, text: str) -> None:
    try:
        assert run_cli(["init", "--db", store_url], None).exit_code == 0
        lines = [
            _application("T-1", navn=text, koncern=text, afdelinger=[{"navn": text, "adresse": text}], by=text),
            _approval("T-1", begrundelse=text, vilkaar=[{"tekst": text, "frist": "2024-06-01"}], note=text),
            _c("tilsynsbesoeg", "T-1", "2024-04-15", form="anmeldt", note=text),
            _c("magtanvendelse", "T-1", "2024-05-02", haendelsesdato="2024-04-30", reference=text),
            _c("dialog", "T-1", "2024-09-01", forhold=[text]),
        ]
        data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        stored = run_cli(["submit", "-", "--db", store_url], data.encode("utf-8"))
        assert stored.exit_code == 0, stored.output
        history = run_cli(["history", "T-1", "--db", store_url, "--format", "json"], None)
        assert history.exit_code == 0, history.output
        entries = {e["type"]: e for e in json.loads(history.output)["entries"]}
        # SQLite: the name given records; PostgreSQL: the session user records, on its behalf.
        first = entries["AnsoegningModtaget"]
        assert (first.get("on_behalf_of") if store_url.startswith("postgresql") else first["by"]) == text
        assert f"Skriftlig ansøgning fra {text} (SEL107" in entries["AnsoegningModtaget"]["summary"]
        assert entries["Godkendt"]["begrundelse"] == text and entries["Godkendt"]["note"] == text
        assert entries["Godkendt"]["summary"] == f"Godkendt med vilkår: V1: {text} (frist 2024-06-01)"
        assert entries["TilsynsbesoegGennemfoert"]["note"] == text
        assert entries["MagtanvendelseIndberettet"]["summary"].endswith(f"(ref. {text})")
        assert entries["DialogIndledt"]["summary"].startswith("Dialog D1 (")
        assert entries["DialogIndledt"]["summary"].endswith(f") om: {text}")
        status = run_cli(["status", "T-1", "--db", store_url, "--format", "json", "--as-of", "2024-10-01"], None)
        assert status.exit_code == 0, status.output
        view = json.loads(status.output)
        assert view["navn"] == text and view["koncern"] == text
        assert view["afdelinger"] == {"A1": {"navn": text, "adresse": text}}
        assert view["vilkaar"] == {} or all(v["tekst"] == text for v in view["vilkaar"].values())
        checked = run_cli(["verify", "--db", store_url], None)
        assert checked.exit_code == 0, checked.output
    finally:
        close_cached_apps()


def test_a_nul_in_a_name_never_breaks_the_reading_commands(store_url: str) -> None:
    """Either the ledger refuses the NUL (exit 2, as the corpus expects) or every reading command still
    works afterwards. An accepted NUL is an immutable event: if it breaks a projection, it does so for good."""
    try:
        assert run_cli(["init", "--db", store_url], None).exit_code == 0
        before = digest_of(store_url)
        line = json.dumps(_application("T-1", navn="Bostedet\u0000Lærkely"))
        stored = run_cli(["submit", "-", "--db", store_url], line + "\n")
        if stored.exit_code == 2:
            assert stored.output.startswith("Error: line 1: ") and "control character" in stored.output, stored.output
            assert digest_of(store_url) == before and before.events == 0, "a refused line stored something"
            return
        if stored.exit_code != 0:
            raise RuntimeError(stored.output)
        for argv in (["offers"], ["deadlines"], ["projections", "status"], ["status", "T-1"]):
            result = run_cli([*argv, "--db", store_url], None)
            assert result.exit_code == 0, (argv, result.output)
    finally:
        close_cached_apps()
