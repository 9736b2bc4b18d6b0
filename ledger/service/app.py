"""`ledger serve`: the ledger over HTTP, on the same application layer as the CLI.

Every write goes through `Ledger.execute()`, the CLI's own path: the same models validate the
command (`parse_json_line`), the same aggregates judge it, one transaction stores a batch. The
recorder stored is the token's identity; `on_behalf_of` (a query parameter) is kept beside it.
Reads use the same reports as the CLI and catch the read models up first, as the CLI does.

Errors are JSON: `{"error", "message", "paragraph", "exit_code", "meaning"}` with the CLI's exit
code for the same failure. HTTP status: 400 malformed (2), 422 refused by a legal rule (3), 404
not found (4), 409 a concurrent writer got there first (5), 503 the database failed (6), 500 the
chain is broken (7); 401 no or an untrusted token, 403 a role that may not, 413 a body too large.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.errors import (
    ConcurrencyConflict,
    InvalidInput,
    LedgerError,
    NotFound,
    RuleViolation,
    StoreUnavailable,
    TamperDetected,
)
from ledger.service import auth
from ledger.service.config import ServiceConfig

log = logging.getLogger("ledger.serve")

MEANINGS = {
    1: "the request could not be carried out; nothing was written",
    2: "malformed input; nothing was written",
    3: "a legal rule refuses it; nothing was written",
    4: "something named does not exist",
    5: "a concurrent writer got there first; nothing of yours was stored: look again and resubmit",
    6: "the database failed; nothing was written",
    7: "the ledger was tampered with",
}
STATUS_OF_EXIT = {1: 400, 2: 400, 3: 422, 4: 404, 5: 409, 6: 503, 7: 500}


def error_response(status: int, kind: str, message: str, *, exit_code: int | None = None,
                   paragraph: str | None = None, extra: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": kind, "message": message}
    if paragraph is not None:
        body["paragraph"] = paragraph
    if exit_code is not None:
        body["exit_code"] = exit_code
        body["meaning"] = MEANINGS.get(exit_code, "")
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers)


class BodyLimit:
    """Refuse a request body larger than the limit (413) before the application reads it: by its
    Content-Length, and by counting what arrives when it is sent in chunks."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await self._refuse(scope, receive, send, 400, "the Content-Length header is not a number")
                    return
                if declared > self.limit:
                    await self._refuse(scope, receive, send, 413, f"the body is larger than {self.limit} bytes")
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send, 413, f"the body is larger than {self.limit} bytes")
        except Exception as error:  # noqa: BLE001
            # Answered here, so that no traceback (whose text may hold a connection string) reaches
            # the server's log: the class of the error only.
            log.error("internal error on %s %s: %s", scope.get("method"), scope.get("path"), type(error).__name__)
            if not started:
                response = error_response(500, "internal", f"internal error ({type(error).__name__}); nothing was written")
                await response(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
        response = error_response(status, "too_large" if status == 413 else "malformed", message,
                                  exit_code=2 if status == 400 else None)
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


class Service:
    """What one worker process holds: the application, one projection runner, the authenticator."""

    def __init__(self, config: ServiceConfig) -> None:
        from ledger.application import Ledger

        self.config = config
        self.ledger = Ledger(config.db)
        self.authenticator = config.authenticator()
        self._runner: Any = None
        self._catching_up = threading.Lock()

    def fresh(self) -> Any:
        """The projections brought up to at least the ledger's head as it was when the request came
        (as every reading CLI command does). Another worker or `projections follow` may be applying
        the same events at the same moment: what they apply counts, so a position moved by them is
        waited for, not an error."""
        from ledger.projections.runner import PositionMoved, ProjectionRunner

        with self._catching_up:
            if self._runner is None:
                self._runner = ProjectionRunner(self.ledger)
        runner = self._runner
        head = runner.head()
        if min(runner.positions().values()) >= head:
            return runner
        with self._catching_up:
            for _ in range(100):
                try:
                    runner.catch_up_retrying(attempts=2)
                    return runner
                except PositionMoved:
                    if min(runner.positions().values()) >= head:
                        return runner
                    time.sleep(0.02)
            runner.catch_up()
        return runner

    def today(self) -> dt.date:
        from ledger.aggregates.base import COPENHAGEN

        return self.ledger.clock().astimezone(COPENHAGEN).date()


def _day(value: str | None, what: str) -> dt.date | None:
    from ledger.console.reading import parse_day

    return parse_day(value, what)


def _moment(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    from ledger.reports.history import parse_known_at

    try:
        return parse_known_at(value)
    except ValueError as error:
        raise InvalidInput(f"known_at: {error}") from None


def _key(value: str, what: str = "offer") -> str:
    """An id from the path: the ledger's own id rules, and never a path of any kind."""
    from ledger.aggregates.base import check_key

    if ".." in value or value.startswith("/") or "\\" in value:
        raise InvalidInput(f"{what} id {value!r} is not valid: an id is not a path")
    return check_key(value, what)


def _vocab(kind: Any, value: str | None, what: str) -> str | None:
    from ledger.console.views import _vocab as vocab

    result: str | None = vocab(kind, value, what)
    return result


def case_region(case: Any) -> str | None:
    """The Socialtilsyn a case belongs to, as far as the case itself says."""
    from ledger.aggregates.authority import Authority
    from ledger.aggregates.koncern import Koncern

    if isinstance(case, Authority):
        return case.region.value if case.region is not None else None
    if isinstance(case, Koncern):
        return case.region
    state = getattr(case, "state", None)
    profile = getattr(state, "profile", None) or {}
    region = profile.get("region")
    return str(region) if region else None


def create_app(config: ServiceConfig) -> FastAPI:
    from ledger.commands import command_adapter

    service = Service(config)
    app = FastAPI(
        title="The supervision ledger",
        version="0.1.0",
        description=(
            "A Socialtilsyn's event-sourced system of record over HTTP. Every request but the public "
            "portal view carries `Authorization: Bearer <JWT>` from the configured issuer. Errors are "
            "JSON with the message, the paragraph of a legal rule and the CLI's exit code and its meaning."
        ),
    )
    app.state.service = service

    # -- errors -------------------------------------------------------------------------------
    @app.exception_handler(LedgerError)
    async def ledger_error(request: Request, error: LedgerError) -> JSONResponse:
        code = error.exit_code
        kind = {
            InvalidInput: "malformed", RuleViolation: "rule", NotFound: "not_found",
            ConcurrencyConflict: "conflict", StoreUnavailable: "database", TamperDetected: "tampered",
        }.get(type(error), "refused")
        extra: dict[str, Any] = {}
        number = getattr(error, "command_number", None) or getattr(error, "line_number", None)
        if number is not None:
            extra["line"] = number
        message = service.ledger.scrub(str(error))
        if isinstance(error, ConcurrencyConflict):
            message = "look again and resubmit: " + message
        return error_response(STATUS_OF_EXIT.get(code, 400), kind, message, exit_code=code,
                              paragraph=getattr(error, "paragraph", None), extra=extra)

    @app.exception_handler(auth.Unauthenticated)
    async def unauthenticated(request: Request, error: auth.Unauthenticated) -> JSONResponse:
        return error_response(401, "unauthenticated", str(error),
                              headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    @app.exception_handler(auth.Forbidden)
    async def forbidden(request: Request, error: auth.Forbidden) -> JSONResponse:
        return error_response(403, "forbidden", str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', ()))}: {item.get('msg')}" for item in error.errors()
        )
        return error_response(400, "malformed", problems or "malformed request", exit_code=2)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        kind = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http")
        return error_response(error.status_code, kind, str(error.detail))

    @app.exception_handler(Exception)
    async def internal(request: Request, error: Exception) -> JSONResponse:
        # The class only: an exception's text may hold a connection string or a token.
        log.error("internal error on %s %s: %s", request.method, request.url.path, type(error).__name__)
        return error_response(500, "internal", f"internal error ({type(error).__name__}); nothing was written")

    # -- who is asking ------------------------------------------------------------------------
    def identify(request: Request, allowed: frozenset[str], what: str) -> auth.Identity:
        identity = service.authenticator.identify(request.headers.get("authorization"))
        identity.require(allowed, what)
        return identity

    # -- writing ------------------------------------------------------------------------------
    command_schema = command_adapter().json_schema(ref_template="#/components/schemas/{model}")
    command_defs = command_schema.pop("$defs", {})

    def recorder(request: Request) -> auth.Identity:
        identity = identify(request, auth.RECORD, "recording")
        if identity.region is None:
            raise auth.Forbidden("a sagsbehandler's token must name their Socialtilsyn in the claim 'region'")
        return identity

    def record(identity: auth.Identity, commands: list[Any], lines: list[int], on_behalf_of: str | None, dry_run: bool) -> JSONResponse:
        for index, command in enumerate(commands):
            if command.by is not None:
                error = InvalidInput(
                    "'by' is not accepted over HTTP: the recorder is the identity of your token; "
                    "name on whose behalf you record with the query parameter on_behalf_of"
                )
                error.line_number = lines[index]  # type: ignore[attr-defined]
                raise error
        behalf = _behalf(on_behalf_of)

        def admit(command: Any, case: Any) -> None:
            region = case_region(case)
            if region is not None and region != identity.region:
                raise auth.Forbidden(
                    f"{command.NAME} on {command.case_key()}: the case belongs to Socialtilsyn {region}; "
                    f"this token records for Socialtilsyn {identity.region} only"
                )

        try:
            receipts = service.ledger.execute(
                commands, recorder=identity.recorder, on_behalf_of=behalf, store=not dry_run, admit=admit
            )
        except LedgerError as error:
            number = getattr(error, "command_number", None)
            if number is not None:
                error.line_number = lines[number - 1]  # type: ignore[attr-defined]
                error.command_number = None  # type: ignore[attr-defined]
            raise
        log.info("recorded %d events from %d commands by %s", sum(len(r.events) for r in receipts), len(commands), identity.subject)
        return JSONResponse(
            {
                "dry_run": dry_run, "by": identity.recorder, "on_behalf_of": behalf,
                "commands": len(commands), "events": sum(len(r.events) for r in receipts),
                "receipts": [r.as_dict() for r in receipts],
            },
            status_code=200 if dry_run else 201,
        )

    def _behalf(value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        from ledger.readers import printable

        value = value.strip()
        if len(value) > 300:
            raise InvalidInput("on_behalf_of is longer than 300 characters")
        checked: str = printable(value)
        return checked

    @app.post(
        "/commands", status_code=201, tags=["record"],
        summary="Record one command (the JSON of one line of `ledger submit`)",
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": command_schema}}}},
        responses={201: {"description": "Stored"}, 400: {"description": "Malformed"}, 422: {"description": "A legal rule refuses it"},
                   409: {"description": "A concurrent writer got there first: look again and resubmit"}},
    )
    async def post_command(
        request: Request,
        on_behalf_of: str | None = Query(None, description="On whose behalf you record (stored beside you)."),
        dry_run: bool = Query(False, description="Judge only; store nothing."),
    ) -> JSONResponse:
        identity = recorder(request)
        body = await request.body()
        from ledger.commands import parse_json_line

        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("the body is not valid UTF-8") from None
        if not text.strip():
            raise InvalidInput("the body is empty: send one JSON command")
        command = parse_json_line(text)
        return await _in_thread(record, identity, [command], [1], on_behalf_of, dry_run)

    @app.post(
        "/batches", status_code=201, tags=["record"],
        summary="Record a JSONL batch, atomically (as `ledger submit`): all lines or none",
        openapi_extra={"requestBody": {"required": True, "content": {"application/x-ndjson": {"schema": {"type": "string"}}}}},
    )
    async def post_batch(
        request: Request,
        on_behalf_of: str | None = Query(None, description="On whose behalf you record (stored beside you)."),
        dry_run: bool = Query(False, description="Judge every line; store nothing."),
    ) -> JSONResponse:
        identity = recorder(request)
        body = await request.body()
        from ledger.commands import parse_json_line
        from ledger.console.tools import _read_lines

        numbered = _read_lines(io.BytesIO(body))
        commands = []
        for number, text in numbered:
            try:
                commands.append(parse_json_line(text))
            except LedgerError as error:
                error.line_number = number  # type: ignore[attr-defined]
                raise
        if not commands:
            raise InvalidInput("the batch has no commands")
        return await _in_thread(record, identity, commands, [n for n, _ in numbered], on_behalf_of, dry_run)

    # -- reading ------------------------------------------------------------------------------
    @app.get("/offers/{offer:path}/status", tags=["read"], summary="An offer's legal state on a date (as `ledger status`)")
    def get_status(request: Request, offer: str, as_of: str | None = None, known_at: str | None = None) -> dict[str, Any]:
        identify(request, auth.READ, "reading a case")
        from ledger.queries import offer_status

        key = _key(offer)
        day, moment = _day(as_of, "as_of"), _moment(known_at)
        return offer_status(service.ledger, key, day or service.today(), moment)

    @app.get("/offers/{offer:path}/history", tags=["read"], summary="An offer's bitemporal history (as `ledger history`)")
    def get_history(request: Request, offer: str, as_of: str | None = None, known_at: str | None = None) -> dict[str, Any]:
        identify(request, auth.READ, "reading a case's history")
        from ledger.reports.history import history_entries, local_time
        from ledger.reports.outputs import history_document

        key = _key(offer)
        day, moment = _day(as_of, "as_of"), _moment(known_at)
        entries = history_entries(service.ledger.events_of(key), as_of=day, known_at=moment)
        return history_document(key, day.isoformat() if day else None, local_time(moment) if moment else None, entries)

    @app.get("/offers", tags=["read"], summary="Offers with their status on a date (as `ledger offers`)")
    def get_offers(
        request: Request, status: str | None = None, type: str | None = None, region: str | None = None,  # noqa: A002
        koncern: str | None = None, as_of: str | None = None,
    ) -> dict[str, Any]:
        identify(request, auth.READ, "listing offers")
        from ledger.events.vocab import OfferType, Region
        from ledger.projections.cases import read_states
        from ledger.reports.offers import offer_rows

        region_code = _vocab(Region, region, "region")
        type_code = _vocab(OfferType, type, "offer type")
        runner = service.fresh()
        on = _day(as_of, "as_of") or service.today()
        with runner.engine.connect() as connection:
            states = read_states(connection, region=region_code, offer_type=type_code, koncern=koncern)
        rows = offer_rows(states, on, status)
        return {"as_of": on.isoformat(), "count": len(rows), "offers": rows}

    @app.get("/deadlines", tags=["read"], summary="The deadline radar (as `ledger deadlines`)")
    def get_deadlines(
        request: Request, as_of: str | None = None, overdue: bool = False,
        within: int = Query(60, ge=0, le=3650), region: str | None = None, offer: str | None = None,
    ) -> dict[str, Any]:
        identify(request, auth.READ, "the deadline radar")
        from ledger.events.vocab import Region
        from ledger.projections.cases import read_states
        from ledger.queries import deadline_radar

        region_code = _vocab(Region, region, "region")
        key = _key(offer) if offer else None
        runner = service.fresh()
        on = _day(as_of, "as_of") or service.today()
        with runner.engine.connect() as connection:
            states = read_states(connection, region=region_code, keys=[key] if key else None)
        items = deadline_radar(
            service.ledger, states, on, region=region_code, offer=key, within_days=within, overdue=overdue
        )
        day = on.isoformat()
        return {"as_of": day, "count": len(items), "deadlines": [d.as_dict(day) for d in items]}

    @app.get("/statistics/{year}", tags=["read"], summary="The statistics of bek § 18 stk 2 (as `ledger stats`)")
    def get_statistics(request: Request, year: int, region: str | None = None) -> dict[str, Any]:
        identify(request, auth.READ, "the statistics")
        from ledger.console.economy import fees_summary_for
        from ledger.console.views import chain_hash_at
        from ledger.events.vocab import Region
        from ledger.reports.stats import add_fees, compute

        if not 2000 <= year <= 2100:
            raise InvalidInput(f"year {year} is outside 2000-2100")
        region_code = _vocab(Region, region, "region")
        runner = service.fresh()
        position = runner.positions()["statistics"]
        with runner.engine.connect() as connection:
            report: dict[str, Any] = compute(connection, year, region_code, position, chain_hash_at(service.ledger, connection, position))
        add_fees(report, fees_summary_for(service.ledger, year, region_code))
        return report

    @app.get("/complaints/{offer:path}/{klage}/file", tags=["read"],
             summary="The case file for Ankestyrelsen of one complaint (as `ledger complaint file`)")
    def get_complaint_file(request: Request, offer: str, klage: str, format: str = Query("json", pattern="^(json|md|pdf)$")) -> Response:  # noqa: A002
        identify(request, auth.COMPLAINT_FILE, "a complaint's case file")
        from ledger.console.complaints import case_position
        from ledger.reports.complaint_file import build_case_file, parse_complaint_ref, render_json, render_markdown, render_pdf

        key, ref = parse_complaint_ref(f"{_key(offer)}/{klage}")
        case = service.ledger.case(key)
        data = build_case_file(case, ref, service.ledger.rulebooks, case_position(service.ledger, case))
        if format == "md":
            return PlainTextResponse(render_markdown(data), media_type="text/markdown; charset=utf-8")
        if format == "pdf":
            pdf = render_pdf(data, case.events[-1].timestamp)
            if pdf is None:
                raise LedgerError("the PDF cannot be made here: fpdf2 is not installed")
            return Response(pdf, media_type="application/pdf")
        return Response(render_json(data), media_type="application/json")

    @app.get("/verify", tags=["audit"], summary="Recompute the hash chain (as `ledger verify`); 500 with exit code 7 if broken")
    def get_verify(request: Request, digest: str | None = None, offer: str | None = None) -> dict[str, Any]:
        identify(request, auth.VERIFY, "verifying the chain")
        from ledger.aggregates.offer import Offer
        from ledger.verify import Digest, verify

        parsed = Digest.parse(digest) if digest else None
        case_id = Offer.id_for(_key(offer)) if offer else None
        result = verify(service.ledger.engine, digest=parsed, case_id=case_id)
        if not result.ok:
            where = f" (offer {result.case})" if result.case else ""
            raise TamperDetected(f"the ledger was altered{where}: {result.problem}")
        answer: dict[str, Any] = result.as_dict()
        return answer

    @app.get("/digest", tags=["audit"], summary="The ledger's head to publish (as `ledger digest`)")
    def get_digest(request: Request) -> dict[str, Any]:
        identify(request, auth.DIGEST, "the digest")
        from ledger.verify import current_digest

        head: dict[str, Any] = current_digest(service.ledger.engine).as_dict()
        return head

    # -- public -------------------------------------------------------------------------------
    @app.get("/portal/{offer:path}", tags=["public"], summary="What Tilbudsportalen shows of one offer (no token)")
    def get_portal_offer(offer: str, as_of: str | None = None) -> dict[str, Any]:
        from ledger.projections.cases import read_states
        from ledger.reports.portal import public_view

        key = _key(offer)
        runner = service.fresh()
        on = _day(as_of, "as_of") or service.today()
        with runner.engine.connect() as connection:
            states = read_states(connection, keys=[key])
        view = public_view(states[0], on) if states else None
        if view is None:
            raise NotFound(f"offer {key!r} is not shown on Tilbudsportalen on {on}")
        return view

    @app.get("/portal", tags=["public"], summary="The public Tilbudsportal view of every offer shown (no token)")
    def get_portal(as_of: str | None = None) -> dict[str, Any]:
        from ledger.console.views import chain_hash_at
        from ledger.projections.cases import read_states
        from ledger.reports.portal import portal_views

        runner = service.fresh()
        on = _day(as_of, "as_of") or service.today()
        position = runner.positions()["cases"]
        with runner.engine.connect() as connection:
            views = portal_views(read_states(connection), on)
            source = {"position": position, "ledger_hash": chain_hash_at(service.ledger, connection, position)}
        return {"as_of": on.isoformat(), "source": source, "count": len(views), "offers": views}

    @app.get("/health", tags=["public"], summary="Whether the service reaches its ledger (no token)")
    def get_health() -> dict[str, Any]:
        position, _ = service.ledger.head()
        return {"ok": True, "position": position}

    # The command models in the OpenAPI document, as `ledger schema` prints them.
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(command_defs)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(_BodyLimitMiddleware, limit=config.max_body_bytes)
    return app


class _BodyLimitMiddleware(BodyLimit):
    def __init__(self, app: ASGIApp, limit: int) -> None:
        super().__init__(app, limit)


async def _in_thread(function: Callable[..., JSONResponse], *args: Any) -> JSONResponse:
    """Judge and store off the event loop (the store and the aggregates are synchronous)."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)


def create_app_from_env() -> FastAPI:
    """The factory uvicorn's workers call (`ledger serve` passes its options in the environment)."""
    return create_app(ServiceConfig.from_env())

