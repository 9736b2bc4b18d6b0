"""One vocabulary for programs: every command's JSON (and JSON Lines) output is validated against
the schema `ledger schema --output NAME` publishes, on a ledger with varied events (the demo's
offers, a koncern, a plejefamilie, a chapter-2 party, complaints, corrections, takster). The
schemas refuse unknown keys, so a key added, renamed or dropped in an output fails here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from support import close_cached_apps, run_cli

from ledger.reports.outputs import ARRAYS, OUTPUTS, RECORDS, output_names, output_schema, validate

DEMO = Path(__file__).resolve().parent.parent / "scripts" / "demo"
OFFERS = ["T-1001", "T-1002", "T-1003", "T-1004", "T-1005", "T-1006", "T-1007", "T-1008", "PF-2001", "AG-301"]


def _ok(argv: list[str], input: str | None = None) -> str:
    result = run_cli(argv, input)
    assert result.exit_code == 0, f"{argv}: {result.output}"
    return str(result.output)


@pytest.fixture(scope="module")
def ledger_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    """The demo ledger, a visit recorded and annulled, and the JSON each recording printed."""
    path = str(tmp_path_factory.mktemp("outputs") / "ledger.db")
    printed: dict[str, Any] = {}
    _ok(["init", "--db", path])
    printed["takster-load"] = json.loads(_ok(["takster", "load", str(DEMO / "takster.json"), "--db", path, "--format", "json"]))
    printed["submit"] = json.loads(_ok(["submit", str(DEMO / "cases.jsonl"), "--db", path, "--format", "json"]))
    visit = json.loads(_ok(["tilsynsbesoeg", "T-1002", "--date", "2025-06-12", "--form", "uanmeldt", "--db", path, "--format", "json"]))
    printed["receipts"] = visit
    number = visit[0]["events"][0]["number"]
    annulled = json.loads(_ok([
        "annullering", "T-1002", "--date", "2025-06-13", "--annulleret", str(number),
        "--correction-reason", "Registreret på det forkerte tilbud", "--db", path, "--format", "json",
    ]))
    printed["receipts-annullering"] = annulled
    yield path, printed
    close_cached_apps()


def _check(name: str, text: str) -> Any:
    data = json.loads(text)
    validate(name, data)
    return data


def test_every_output_the_schema_command_lists_has_a_schema_that_refuses_unknown_keys() -> None:
    listed = _ok(["schema", "--output"]).split()
    assert listed == output_names()
    assert {"status", "history", "offers", "deadlines", "stats", "fees", "verify", "digest", "receipts"} <= set(listed)
    for name in listed:
        schema = json.loads(_ok(["schema", "--output", name]))
        assert schema == output_schema(name)
        objects = [s for s in _subschemas(schema) if "properties" in s]
        assert objects, name
        for obj in objects:
            assert obj.get("additionalProperties") is False, f"{name}: {obj.get('title')} allows unknown keys"


def test_an_unknown_output_is_refused_naming_the_known_ones() -> None:
    result = run_cli(["schema", "--output", "statuss"])
    assert result.exit_code == 2
    assert "statuss" in result.output and "status" in result.output and "history" in result.output


def test_a_renamed_key_fails_validation() -> None:
    # given a status as the ledger printed it before the vocabulary was one: `last_visit`
    status = {
        "offer": "T-1", "as_of": "2024-06-01", "position": 3, "status": "godkendt", "flags": [], "navn": "X",
        "region": "Nord", "tilbudstyper": ["SEL107"], "ejerform": "privat", "pladser": 4, "koncern": None,
        "afdelinger": {}, "godkendt_fra": "2024-03-01", "ophoert": None, "vilkaar": {}, "fravigelser": {},
        "paabud": {}, "skaerpet_tilsyn": {}, "ophoer_besluttet": None, "seneste_tilsynsbesoeg": None,
    }
    validate("status", status)
    old = {**{k: v for k, v in status.items() if k != "seneste_tilsynsbesoeg"}, "last_visit": None}
    with pytest.raises(ValidationError) as caught:
        validate("status", old)
    assert "last_visit" in str(caught.value) and "seneste_tilsynsbesoeg" in str(caught.value)


def test_status_and_history_of_every_offer_match_their_schemas(ledger_db: tuple[str, dict[str, Any]]) -> None:
    path, _printed = ledger_db
    corrected = annulled = False
    for offer in OFFERS:
        for as_of in ("2024-06-01", "2025-03-20", "2026-01-01"):
            status = _check("status", _ok(["status", offer, "--as-of", as_of, "--db", path, "--format", "json"]))
            assert status["offer"] == offer and "seneste_tilsynsbesoeg" in status and "last_visit" not in status
        history = _check("history", _ok(["history", offer, "--db", path, "--format", "json"]))
        for entry in history["entries"]:
            assert entry["regelsaet"] == "bek-2017" and entry["by"]
            corrected |= "corrected" in entry
            annulled |= "annulleret" in entry
    known = _check("history", _ok(["history", "T-1001", "--known-at", "2025-01-01", "--as-of", "2024-12-31", "--db", path, "--format", "json"]))
    assert known["known_at"] and known["as_of"] == "2024-12-31"
    # the ledger had a superseded and an annulled record, so the correction keys were checked too
    assert corrected and annulled


def test_lists_match_their_schemas_as_json_and_each_json_line_its_record_schema(ledger_db: tuple[str, dict[str, Any]]) -> None:
    path, _printed = ledger_db
    runs = [
        ("offers", ["offers", "--as-of", "2025-06-01"]),
        ("offers", ["offers", "--as-of", "2025-06-01", "--status", "paabud"]),
        ("deadlines", ["deadlines", "--as-of", "2024-06-01"]),
        ("deadlines", ["deadlines", "--as-of", "2025-06-01", "--within", "365"]),
        ("deadlines", ["deadlines", "--as-of", "2026-12-01", "--overdue"]),
        ("stats", ["stats", "2024"]),
        ("stats", ["stats", "2025", "--region", "Nord"]),
    ]
    for name, argv in runs:
        document = _check(name, _ok([*argv, "--db", path, "--format", "json"]))
        lines = _ok([*argv, "--db", path, "--format", "jsonl"]).splitlines()
        for line in lines:
            validate(RECORDS[name], json.loads(line))
        if name != "stats":
            assert len(lines) == document["count"] > 0, argv
    deadline = json.loads(_ok(["deadlines", "--as-of", "2025-06-01", "--db", path, "--format", "jsonl"]).splitlines()[0])
    assert "frist" in deadline and "due" not in deadline


def test_fees_audit_and_projection_outputs_match_their_schemas(ledger_db: tuple[str, dict[str, Any]]) -> None:
    path, _printed = ledger_db
    for year in ("2024", "2025"):
        fees = _check("fees", _ok(["fees", year, "--db", path, "--format", "json"]))
        assert fees["aar"] == int(year) and set(fees["regioner"]) >= {"Nord"}
    _check("fees", _ok(["fees", "2025", "--offer", "T-1001", "--db", path, "--format", "json"]))
    _check("verify", _ok(["verify", "--db", path, "--format", "json"]))
    _check("digest", _ok(["digest", "--db", path, "--format", "json"]))
    _check("projections-status", _ok(["projections", "status", "--db", path, "--format", "json"]))
    _check("projections-check", _ok(["projections", "check", "--db", path, "--format", "json"]))


def test_complaints_and_quality_match_their_schemas(ledger_db: tuple[str, dict[str, Any]]) -> None:
    path, _printed = ledger_db
    complaints = _check("complaints", _ok(["complaint", "list", "--db", path, "--format", "json"]))
    assert complaints["count"] >= 1 and all(c["offer"] for c in complaints["complaints"])
    _check("quality", _ok(["quality", "T-1001", "--db", path, "--format", "json"]))


def test_what_recording_commands_print_matches_the_receipt_schemas(ledger_db: tuple[str, dict[str, Any]]) -> None:
    path, printed = ledger_db
    validate("takster-load", printed["takster-load"])
    validate("submit", printed["submit"])
    validate("receipts", printed["receipts"])
    validate("receipts", printed["receipts-annullering"])
    assert printed["submit"]["receipts"] and printed["receipts"][0]["offer"] == "T-1002"
    # a dry run over a file prints the same shape, naming the references a påbud would create
    line = json.dumps({"command": "dialog", "offer": "T-1003", "date": "2025-07-01", "forhold": ["Vagtplan"]}, ensure_ascii=False)
    validate("submit", json.loads(_ok(["submit", "-", "--dry-run", "--db", path, "--format", "json"], line + "\n")))


def test_the_outputs_module_names_each_output_once() -> None:
    assert not set(ARRAYS) & set(OUTPUTS)
    assert set(RECORDS.values()) <= set(OUTPUTS)


def _subschemas(schema: Any) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        yield schema
        for value in schema.values():
            yield from _subschemas(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _subschemas(value)


def test_the_http_service_answers_with_the_same_documents(ledger_db: tuple[str, dict[str, Any]], tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from ledger.service.app import create_app
    from ledger.service.config import ServiceConfig
    from tests.serve_support import AUDIENCE, ISSUER, Issuer, bearer

    path, _printed = ledger_db
    issuer = Issuer()
    config = ServiceConfig(db=f"sqlite:///{path}", issuer=ISSUER, audience=AUDIENCE, keys=str(issuer.write_jwks(tmp_path)))
    reader = bearer(issuer.token(roles=["revisor"], region=None))
    with TestClient(create_app(config)) as client:
        def get(url: str, **params: str) -> Any:
            response = client.get(url, params=params, headers=reader)
            assert response.status_code == 200, response.text
            return response.json()

        validate("status", get("/offers/T-1002/status", as_of="2025-01-01"))
        validate("history", get("/offers/T-1002/history"))
        validate("offers", get("/offers", as_of="2025-06-01"))
        validate("deadlines", get("/deadlines", as_of="2025-06-01"))
        # The same answers as the command line's, for the same question (one query behind both).
        for offer in OFFERS:
            assert get(f"/offers/{offer}/status", as_of="2025-01-01") == json.loads(
                _ok(["status", offer, "--db", path, "--as-of", "2025-01-01", "--format", "json"])
            )
        for as_of in ("2024-06-01", "2025-06-01"):
            assert get("/deadlines", as_of=as_of, within="365") == json.loads(
                _ok(["deadlines", "--db", path, "--as-of", as_of, "--within", "365", "--format", "json"])
            )
        validate("stats", get("/statistics/2024"))
        validate("verify", get("/verify"))
        validate("digest", get("/digest"))
        line = json.dumps({"command": "tilsynsbesoeg", "offer": "T-1001", "date": "2025-07-01", "form": "anmeldt"})
        answer = client.post("/commands", content=line, params={"dry_run": "true", "on_behalf_of": "Direktøren"},
                             headers=bearer(issuer.token()))
        assert answer.status_code == 200, answer.text
        validate("submit", answer.json())
        assert answer.json()["by"] and answer.json()["on_behalf_of"] == "Direktøren"
