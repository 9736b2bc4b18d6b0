"""`ledger serve`: the HTTP service, through FastAPI's TestClient (the same ASGI application
uvicorn runs; tests/test_serve_live.py drives a real uvicorn on loopback)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.application import Ledger
from ledger.service.app import create_app
from ledger.service.config import ServiceConfig
from tests.serve_support import AUDIENCE, ISSUER, Issuer, bearer
from tests.support import ansoegning, cmd, dialog, godkendelse, paabud


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger(url, create=True)
    return url


@pytest.fixture
def client(db: str, issuer: Issuer, tmp_path: Path) -> Iterator[TestClient]:
    config = ServiceConfig(db=db, issuer=ISSUER, audience=AUDIENCE, keys=str(issuer.write_jwks(tmp_path)),
                           max_body_bytes=200_000)
    with TestClient(create_app(config)) as test_client:
        yield test_client


def stored(db: str) -> int:
    return Ledger(db).head()[0]


def post(client: TestClient, token: str | None, command: dict[str, Any], **params: Any) -> Any:
    headers = bearer(token) if token else {}
    return client.post("/commands", content=json.dumps(command), headers=headers, params=params)


def batch(client: TestClient, token: str, *commands: dict[str, Any]) -> Any:
    body = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in commands)
    return client.post("/batches", content=body.encode(), headers={**bearer(token), "Content-Type": "application/x-ndjson"})


def given_an_approved_offer(client: TestClient, issuer: Issuer) -> None:
    response = batch(client, issuer.token(), ansoegning(), godkendelse())
    assert response.status_code == 201, response.text


# -- recording ---------------------------------------------------------------------------------

def test_a_sagsbehandler_records_in_their_region_as_the_token_s_identity_on_someone_s_behalf(client: TestClient, issuer: Issuer, db: str) -> None:
    response = post(client, issuer.token(), ansoegning(), on_behalf_of="Direktøren for Socialtilsyn Nord")
    assert response.status_code == 201, response.text
    assert response.json()["by"] == "Anne Jensen <anne@nord>"
    history = client.get("/offers/T-1/history", headers=bearer(issuer.token(roles=["revisor"], region=None)))
    entry = history.json()["entries"][0]
    assert (entry["by"], entry["on_behalf_of"]) == ("Anne Jensen <anne@nord>", "Direktøren for Socialtilsyn Nord")


def test_a_client_cannot_set_the_recorder_with_by(client: TestClient, issuer: Issuer, db: str) -> None:
    response = post(client, issuer.token(), ansoegning(by="Direktøren"))
    assert response.status_code == 400
    assert "'by' is not accepted over HTTP" in response.json()["message"]
    assert response.json()["exit_code"] == 2
    assert stored(db) == 0


def test_a_batch_is_atomic_and_a_refused_line_is_named_with_its_paragraph(client: TestClient, issuer: Issuer, db: str) -> None:
    # given a batch whose second line is a påbud with no prior dialog and not straks
    response = batch(client, issuer.token(), ansoegning(), godkendelse(), paabud())
    # then the law refuses it with its paragraph, and nothing of the batch is stored
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "rule" and body["exit_code"] == 3 and body["line"] == 3
    assert body["paragraph"].startswith("bek § 8")
    assert stored(db) == 0


def test_a_batch_of_lawful_commands_is_stored_whole(client: TestClient, issuer: Issuer, db: str) -> None:
    response = batch(client, issuer.token(), ansoegning(), godkendelse(), dialog(), paabud())
    assert response.status_code == 201, response.text
    assert response.json()["events"] == 4 and stored(db) == 4


def test_a_dry_run_judges_and_stores_nothing(client: TestClient, issuer: Issuer, db: str) -> None:
    response = client.post("/commands", content=json.dumps(ansoegning()), headers=bearer(issuer.token()), params={"dry_run": "true"})
    assert response.status_code == 200 and response.json()["events"] == 1
    assert stored(db) == 0


def test_a_conflict_is_409_look_again_and_resubmit(client: TestClient, issuer: Issuer, db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.errors import ConcurrencyConflict

    service = client.app.state.service  # type: ignore[attr-defined]

    def clash(*args: Any, **kwargs: Any) -> Any:
        raise ConcurrencyConflict("someone else recorded on the same case at the same moment; nothing was stored")

    monkeypatch.setattr(service.ledger, "execute", clash)
    response = post(client, issuer.token(), ansoegning())
    assert response.status_code == 409
    assert response.json()["message"].startswith("look again and resubmit")
    assert response.json()["exit_code"] == 5


# -- the attacks -------------------------------------------------------------------------------

def test_no_token_is_401_and_nothing_is_stored(client: TestClient, db: str) -> None:
    response = post(client, None, ansoegning())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "no bearer token" in response.json()["message"]
    assert stored(db) == 0


def test_an_expired_token_is_401_and_nothing_is_stored(client: TestClient, issuer: Issuer, db: str) -> None:
    response = post(client, issuer.token(expires_in=-120), ansoegning())
    assert response.status_code == 401 and response.json()["message"] == "the token has expired"
    assert stored(db) == 0


def test_a_token_signed_by_another_key_is_401_and_nothing_is_stored(client: TestClient, issuer: Issuer, db: str) -> None:
    impostor = Issuer()
    response = post(client, impostor.token(), ansoegning())
    assert response.status_code == 401
    assert "signature" in response.json()["message"]
    assert stored(db) == 0


def test_a_token_for_another_audience_or_issuer_is_401(client: TestClient, issuer: Issuer, db: str) -> None:
    assert post(client, issuer.token(aud="another-service"), ansoegning()).json()["message"].endswith("(aud)")
    assert post(client, issuer.token(iss="https://evil.example"), ansoegning()).json()["message"].endswith("(iss)")
    assert stored(db) == 0


def test_an_unsigned_or_hmac_token_made_with_the_public_key_is_401(client: TestClient, issuer: Issuer, db: str) -> None:
    import jwt

    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "mallory", "exp": 4102444800, "roles": ["sagsbehandler"], "region": "Nord"}
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    assert post(client, unsigned, ansoegning()).status_code == 401
    forged = jwt.encode(claims, issuer.public_pem().encode()[:64], algorithm="HS256", headers={"kid": "rsa-1"})
    assert post(client, forged, ansoegning()).status_code == 401
    assert stored(db) == 0


def test_a_sagsbehandler_of_another_region_is_403_and_nothing_is_stored(client: TestClient, issuer: Issuer, db: str) -> None:
    # a new offer in Nord, asked by Syd
    syd = issuer.token("bo@syd", region="Syd", name="Bo Hansen")
    response = post(client, syd, ansoegning())
    assert response.status_code == 403
    assert "belongs to Socialtilsyn Nord" in response.json()["message"]
    assert stored(db) == 0
    # and a decision on an existing offer of Nord
    given_an_approved_offer(client, issuer)
    response = post(client, syd, dialog())
    assert response.status_code == 403 and stored(db) == 2


def test_a_revisor_cannot_record(client: TestClient, issuer: Issuer, db: str) -> None:
    response = post(client, issuer.token("rita@revision", roles=["revisor"], region=None), ansoegning())
    assert response.status_code == 403
    assert "needs the role sagsbehandler" in response.json()["message"]
    assert stored(db) == 0


def test_the_offentlig_role_cannot_read_a_history_but_sees_the_portal(client: TestClient, issuer: Issuer, db: str) -> None:
    given_an_approved_offer(client, issuer)
    public = issuer.token("portal", roles=["offentlig"], region=None)
    assert client.get("/offers/T-1/history", headers=bearer(public)).status_code == 403
    assert client.get("/offers/T-1/status", headers=bearer(public)).status_code == 403
    view = client.get("/portal/T-1")
    assert view.status_code == 200 and view.json()["navn"] == "Bostedet Lærkely"
    assert "note" not in json.dumps(view.json())


def test_an_oversized_body_is_413_and_nothing_is_stored(client: TestClient, issuer: Issuer, db: str) -> None:
    huge = ansoegning(navn="x" * 250_000)
    response = post(client, issuer.token(), huge)
    assert response.status_code == 413
    assert stored(db) == 0


def test_an_oversized_body_sent_in_chunks_is_413(client: TestClient, issuer: Issuer, db: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(30):
            yield b" " * 10_000

    response = client.post("/batches", content=chunks(), headers=bearer(issuer.token()))
    assert response.status_code == 413
    assert stored(db) == 0


@pytest.mark.parametrize("body", [b"{not json", b'{"command": "paabud"}', b"[1, 2]", b"\xff\xfe", b"", b'{"command": "ansoegning", "offer": "T-1", "date": "2024-13-45"}'])
def test_a_malformed_body_is_400_with_exit_code_2_and_nothing_is_stored(client: TestClient, issuer: Issuer, db: str, body: bytes) -> None:
    response = client.post("/commands", content=body, headers=bearer(issuer.token()))
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "malformed" and response.json()["exit_code"] == 2
    assert stored(db) == 0


@pytest.mark.parametrize("path", [
    "/offers/..%2F..%2Fetc%2Fpasswd/history",
    "/offers/../../etc/passwd/status",
    "/offers/T-1%2F..%2F..%2Fledger.db/history",
    "/complaints/..%2F..%2Fetc/K1/file",
    "/portal/..%2Fledger.db",
])
def test_a_path_traversal_in_an_id_is_refused(client: TestClient, issuer: Issuer, db: str, path: str) -> None:
    given_an_approved_offer(client, issuer)
    reader = issuer.token("karl@klage", roles=["klagesag", "revisor"], region=None)
    response = client.get(path, headers=bearer(reader))
    assert response.status_code in (400, 404), response.text
    assert "root:" not in response.text
    assert stored(db) == 2


def test_no_token_and_no_password_is_ever_in_a_log_line_or_an_error(client: TestClient, issuer: Issuer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    tokens = [issuer.token(), issuer.token(expires_in=-100), Issuer().token(), issuer.token(roles=["revisor"])]
    bodies = [post(client, token, ansoegning()).text for token in tokens]
    bodies.append(client.get("/offers/T-1/history", headers={"Authorization": "Bearer " + tokens[1]}).text)
    bodies.append(client.get("/offers/T-1/history", headers={"Authorization": "Basic dXNlcjpodW50ZXIy"}).text)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for token in tokens:
        for part in token.split("."):
            assert part not in logged
            assert all(part not in body for body in bodies)
    assert "dXNlcjpodW50ZXIy" not in logged + "".join(bodies)


# -- reading -----------------------------------------------------------------------------------

def test_every_reading_endpoint_answers_as_the_cli_does(client: TestClient, issuer: Issuer, db: str) -> None:
    assert batch(client, issuer.token(), ansoegning(), godkendelse(), dialog(), paabud(),
                 cmd("klage", "2024-10-01", afgoerelse="#4", emne="afgoerelsens_indhold", klager="Tilbuddet",
                     afgoerelse_modtaget="2024-09-21")).status_code == 201
    revisor = bearer(issuer.token("rita@revision", roles=["revisor"], region=None))
    status = client.get("/offers/T-1/status", params={"as_of": "2024-09-25"}, headers=revisor).json()
    assert status["status"] == "godkendt" and status["position"] == 5
    earlier = client.get("/offers/T-1/history", params={"as_of": "2024-03-01"}, headers=revisor).json()
    assert [e["type"] for e in earlier["entries"]] == ["AnsoegningModtaget", "Godkendt"]
    offers = client.get("/offers", params={"status": "paabud", "as_of": "2024-10-02"}, headers=revisor).json()
    assert [o["offer"] for o in offers["offers"]] == ["T-1"]
    radar = client.get("/deadlines", params={"as_of": "2024-10-02", "region": "Nord"}, headers=revisor).json()
    assert radar["count"] >= 1
    stats = client.get("/statistics/2024", headers=revisor).json()
    assert stats["aar"] == 2024
    verify = client.get("/verify", headers=revisor).json()
    assert verify["ok"] is True and verify["checked"] == 5
    digest = client.get("/digest", headers=revisor).json()
    assert digest["position"] == 5
    klagesag = bearer(issuer.token("karl@klage", roles=["klagesag"], region=None))
    case_file = client.get("/complaints/T-1/K1/file", headers=klagesag)
    assert case_file.status_code == 200, case_file.text
    assert case_file.json()["tilbud"] == "T-1" and case_file.json()["forside"]["emne"]["kode"] == "afgoerelsens_indhold"
    assert client.get("/verify", headers=klagesag).status_code == 403
    assert client.get("/offers/T-9/status", headers=revisor).status_code == 404


def test_the_openapi_document_holds_the_command_models(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "Paabud" in document["components"]["schemas"]
    assert "/commands" in document["paths"] and "/batches" in document["paths"]
