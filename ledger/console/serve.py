"""`ledger serve`: the HTTP service."""

from __future__ import annotations

import os

import click

from ledger.console.common import db_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (PostgreSQL; a SQLite ledger is served by one).")
@click.option("--issuer", envvar="LEDGER_JWT_ISSUER", default=None, help="The trusted token issuer (iss). [env LEDGER_JWT_ISSUER]")
@click.option("--audience", envvar="LEDGER_JWT_AUDIENCE", default=None, help="This service's audience (aud). [env LEDGER_JWT_AUDIENCE]")
@click.option("--keys", envvar="LEDGER_JWT_KEYS", default=None, metavar="FILE|URL",
              help="The issuer's public keys: a JWKS file, a PEM file or a JWKS URL. [env LEDGER_JWT_KEYS; or PEM text in LEDGER_JWT_PUBLIC_KEY]")
@click.option("--max-body", "max_body", type=click.IntRange(1_000, 1_000_000_000), envvar="LEDGER_MAX_BODY_BYTES",
              default=10_000_000, show_default=True, help="The largest request body in bytes (larger: 413).")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log each request (method, path, status; never a header).")
@db_option
def serve(host: str, port: int, workers: int, issuer: str | None, audience: str | None, keys: str | None,
          max_body: int, access_log: bool, db: str) -> None:
    """Serve the ledger over HTTP: record commands, read status, history, offers, deadlines,
    statistics, complaint files, verify and digest, with a bearer token (JWT) from the configured
    issuer; the public portal view needs none. The OpenAPI document is at /openapi.json, its pages
    at /docs.

    Example:

        ledger serve --db postgresql+psycopg://ledger@db/ledger --workers 2 \\
            --issuer https://login.example.dk --audience supervision-ledger --keys issuer-jwks.json
    """
    import uvicorn

    from ledger.application import Ledger, normalise_url
    from ledger.errors import InvalidInput
    from ledger.service.config import ServiceConfig

    url = normalise_url(db)
    if workers > 1 and url.startswith("sqlite"):
        raise InvalidInput("a SQLite ledger is served by one worker process: use --workers 1, or PostgreSQL for more")
    settings = {
        "LEDGER_DATABASE_URL": url,
        "LEDGER_JWT_ISSUER": issuer or "",
        "LEDGER_JWT_AUDIENCE": audience or "",
        "LEDGER_JWT_KEYS": keys or "",
        "LEDGER_MAX_BODY_BYTES": str(max_body),
    }
    os.environ.update(settings)
    config = ServiceConfig.from_env()
    config.authenticator()  # refuse to start without a usable issuer, audience and key
    Ledger(url)  # and without a ledger
    click.echo(f"Serving the ledger on http://{host}:{port} with {workers} worker(s) (Ctrl-C to stop).", err=True)
    uvicorn.run(
        "ledger.service.app:create_app_from_env", factory=True, host=host, port=port, workers=workers,
        access_log=access_log, log_level="info", server_header=False, proxy_headers=False,
    )
