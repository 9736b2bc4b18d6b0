"""`ledger serve` as a user starts it: a real uvicorn on loopback, driven with httpx. On SQLite
with one worker, and on PostgreSQL with two worker processes and concurrent writers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledger.application import Ledger
from ledger.verify import verify
from tests.serve_support import AUDIENCE, ISSUER, Issuer, bearer
from tests.support import ansoegning, cmd, godkendelse

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, db: str, keys: Path, log: Path, workers: int = 1, max_body: int = 100_000) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_JWT")}
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "cli.py"), "serve", "--db", db, "--port", str(self.port),
             "--workers", str(workers), "--issuer", ISSUER, "--audience", AUDIENCE, "--keys", str(keys),
             "--max-body", str(max_body)],
            stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env, cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise AssertionError("ledger serve did not start:\n" + log.read_text(errors="replace"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer()


def _serve(db: str, issuer: Issuer, folder: Path, workers: int = 1) -> Iterator[Server]:
    server = Server(db, issuer.write_jwks(folder), folder / "serve.log", workers=workers)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sqlite_server(tmp_path: Path, issuer: Issuer) -> Iterator[tuple[Server, str]]:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger(db, create=True)
    for server in _serve(db, issuer, tmp_path):
        yield server, db


def test_ledger_serve_on_loopback_refuses_each_attack_and_logs_no_token(sqlite_server: tuple[Server, str], issuer: Issuer) -> None:
    server, db = sqlite_server
    good = issuer.token()
    line = json.dumps(ansoegning())
    attacks: list[tuple[str, dict[str, Any], int]] = [
        ("no token", {"headers": {}}, 401),
        ("expired", {"headers": bearer(issuer.token(expires_in=-120))}, 401),
        ("another key", {"headers": bearer(Issuer().token())}, 401),
        ("another region", {"headers": bearer(issuer.token("bo@syd", region="Syd"))}, 403),
        ("revisor", {"headers": bearer(issuer.token("rita", roles=["revisor"], region=None))}, 403),
        ("oversized", {"headers": bearer(good), "content": json.dumps(ansoegning(navn="x" * 150_000))}, 413),
        ("malformed", {"headers": bearer(good), "content": '{"command": "ansoegning", "offer": '}, 400),
    ]
    with httpx.Client(base_url=server.base, timeout=30) as client:
        for name, request, status in attacks:
            kwargs = {"content": line, **request}
            response = client.post("/commands", **kwargs)
            assert response.status_code == status, (name, response.text)
            assert response.headers["content-type"].startswith("application/json"), name
        public = bearer(issuer.token("portal", roles=["offentlig"], region=None))
        assert client.get("/offers/T-1/history", headers=public).status_code == 403
        assert client.get("/offers/..%2F..%2Fetc%2Fpasswd/history", headers=bearer(good)).status_code in (400, 404)
        assert Ledger(db).head()[0] == 0
        # and the lawful request is stored, as the token's identity
        stored = client.post("/commands", content=line, headers=bearer(good), params={"on_behalf_of": "Direktøren"})
        assert stored.status_code == 201, stored.text
        history = client.get("/offers/T-1/history", headers=bearer(good)).json()
        assert history["entries"][0]["by"] == "Anne Jensen <anne@nord>"
        assert history["entries"][0]["on_behalf_of"] == "Direktøren"
        assert client.get("/portal/T-1").status_code == 404  # not approved: not shown
    server.stop()
    log = server.log.read_text(errors="replace")
    assert "POST /commands" in log  # the access log is on
    for part in good.split("."):
        assert part not in log


@pytest.mark.postgres
def test_two_workers_on_postgresql_store_every_concurrent_decision_once_or_answer_409(pg_schema_url: str, tmp_path: Path, issuer: Issuer) -> None:
    Ledger(pg_schema_url, create=True)
    # a password in the URL (the test server trusts loopback, so any password connects): never in the log
    import sqlalchemy as sa

    with_password = sa.make_url(pg_schema_url).set(password="Hemmeligt-Kodeord-42").render_as_string(hide_password=False)
    for server in _serve(with_password, issuer, tmp_path, workers=2):
        token = issuer.token()
        with httpx.Client(base_url=server.base, timeout=60) as client:
            body = "".join(json.dumps(c) + "\n" for c in (ansoegning(), godkendelse()))
            assert client.post("/batches", content=body, headers=bearer(token)).status_code == 201

        def visit(day: int, server: Any = server, token: str = token) -> int:
            line = json.dumps(cmd("tilsynsbesoeg", f"2024-04-{day:02d}", form="anmeldt"))
            with httpx.Client(base_url=server.base, timeout=60) as client:
                return client.post("/commands", content=line, headers=bearer(token)).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(visit, range(1, 25)))
        assert set(statuses) <= {201, 409}, statuses
        app = Ledger(pg_schema_url)
        assert app.case("T-1").version == 2 + statuses.count(201)
        assert verify(app.engine).ok
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert "Hemmeligt-Kodeord-42" not in log
    for part in token.split("."):
        assert part not in log
