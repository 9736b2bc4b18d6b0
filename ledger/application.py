"""The service layer: the ledger as an eventsourcing `Application`.

Wiring happens here and only here: which database (`url`), which clock, which rulebooks, who
records. Commands go in through `execute()`: each is judged by its case's aggregate, and all the
events of a batch are saved in one transaction, so a batch is stored whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from urllib.parse import quote, quote_plus

import sqlalchemy as sa
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import InfrastructureFactory, IntegrityError, PersistenceError
from eventsourcing.utils import Environment

from ledger.aggregates.authority import Authority
from ledger.aggregates.base import Case, Recording
from ledger.aggregates.employer import Arbejdsgiver
from ledger.aggregates.koncern import Koncern
from ledger.aggregates.offer import Offer
from ledger.commands import PARTY_ALIASES, BaseCommand, check_recorder
from ledger.coordination import context_for, follow_up
from ledger.errors import ConcurrencyConflict, InvalidInput, LedgerError, NotFound, StoreUnavailable
from ledger.events.base import LedgerEvent
from ledger.rulebook import Rulebooks, load_rulebooks
from ledger.store.mapper import PydanticMapper
from ledger.store.persistence import EVENTS_TABLE, ChainedApplicationRecorder, LedgerFactory, upgrade_append_only

DEFAULT_URL = "sqlite:///ledger.db"
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def default_user() -> str:
    return os.environ.get("LEDGER_USER") or getpass.getuser() or "ukendt"


def normalise_url(url: str) -> str:
    """Accept a plain path for SQLite and the usual PostgreSQL spellings."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        parsed = sa.make_url(url)
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"{parsed.get_backend_name()!r} is not a database the ledger runs on (sqlite or postgresql)")
        if parsed.port is not None and not 0 < parsed.port < 65536:
            raise ValueError(f"port {parsed.port} is out of range")
    except Exception as error:  # noqa: BLE001 - SQLAlchemy raises ArgumentError or ValueError
        reason = str(error).split("\n")[0]
        if "invalid literal for int()" in reason:
            reason = "the port is not a number"
        raise InvalidInput(f"malformed database URL {redact(url)!s}: {reason}") from None
    return url


_SECRET_KEYS = ("password", "passwd", "sslpassword")


def redact(url: str) -> str:
    """The URL with any password masked (in its credentials or its query), for messages."""
    try:
        parsed = sa.make_url(url)
        hidden = {key: "***" for key in parsed.query if key.lower() in _SECRET_KEYS}
        return parsed.update_query_dict(hidden).render_as_string(hide_password=True).replace("%2A%2A%2A", "***")
    except Exception:  # noqa: BLE001 - a malformed URL is shown without its credentials or query
        return url.split("@")[-1].split("?")[0]


def secrets_of(url: str) -> list[str]:
    """Every spelling of the URL's passwords (plain and percent-encoded), longest first."""
    try:
        parsed = sa.make_url(url)
    except Exception:  # noqa: BLE001
        return []
    found = [parsed.password] if parsed.password else []
    for key, value in parsed.query.items():
        if key.lower() in _SECRET_KEYS:
            found.extend([value] if isinstance(value, str) else value)
    spelled = {form for secret in found if secret for form in (secret, quote(secret, safe=""), quote_plus(secret), quote(secret))}
    return sorted(spelled, key=len, reverse=True)


def scrub_secrets(text: str, url: str) -> str:
    for secret in secrets_of(url):
        text = text.replace(secret, "***")
    return text


def cause(error: BaseException) -> str:
    """The driver's own first line, without SQLAlchemy's SQL, parameters and links."""
    inner: BaseException = error
    while True:
        nested = getattr(inner, "orig", None) or inner.__cause__
        if nested is None or nested is inner:
            break
        inner = nested
    text = str(inner).strip().splitlines()
    return text[0] if text else type(inner).__name__


@dataclass
class Receipt:
    """What one command stored: its case and the events it created."""

    offer: str
    events: list[LedgerEvent] = field(default_factory=list)
    # What the command's events recorded in other cases (a koncern's approvals, bek § 3).
    follow_ups: list[LedgerEvent] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return len(self.events) + len(self.follow_ups)

    def as_dict(self) -> dict[str, Any]:
        return {
            "offer": self.offer,
            "events": [
                {"event": e.title, "type": type(e).__name__, "number": e.originator_version, **_refs(e)}
                for e in self.events
            ],
            "follow_ups": [
                {"event": e.title, "type": type(e).__name__, "number": e.originator_version} for e in self.follow_ups
            ],
        }


def _refs(event: LedgerEvent) -> dict[str, Any]:
    created: dict[str, Any] = {}
    for name in ("dialog", "paabud", "skaerpet_tilsyn", "fravigelse", "magtanvendelse", "klage", "aendring"):
        value = getattr(event, name, None)
        if isinstance(value, str):
            created[name] = value
    vilkaar = getattr(event, "vilkaar", None)
    if isinstance(vilkaar, tuple) and vilkaar:
        created["vilkaar"] = [v.id for v in vilkaar]
    return created


class Ledger(Application[Any]):
    """The supervision ledger."""

    name = "Ledger"
    _user: str | None

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        clock: Clock = utc_now,
        rulebooks: Rulebooks | None = None,
        user: str | None = None,
        create: bool = False,
    ) -> None:
        self.url = normalise_url(url)
        self.clock = clock
        self.rulebooks = rulebooks or load_rulebooks()
        self.user = user
        if not create:
            self._require_existing(self.url)
        env = {
            "SQLALCHEMY_URL": self.url,
            "CREATE_TABLE": "y" if create else "n",
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
        }
        try:
            super().__init__(env=env)
        except LedgerError:
            raise
        except Exception as error:
            raise StoreUnavailable(self.scrub(f"cannot open the ledger at {redact(self.url)}: {cause(error)}")) from None
        if not create:
            self._require_schema()
            with self.guarded():
                upgrade_append_only(self.engine)
        # On PostgreSQL the database authenticates who connects: its session user is the recorder,
        # and a name given with --by, $LEDGER_USER or a command's `by` is kept as on whose behalf.
        self.session_user: str | None = self._session_user()

    # -- wiring -----------------------------------------------------------------------------
    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        return LedgerFactory(env)

    def construct_mapper(self) -> PydanticMapper:
        return PydanticMapper()

    @property
    def mapper_(self) -> PydanticMapper:
        assert isinstance(self.mapper, PydanticMapper)
        return self.mapper

    @property
    def engine(self) -> sa.Engine:
        engine = self.recorder_.datastore.engine
        assert isinstance(engine, sa.Engine)
        return engine

    @property
    def recorder_(self) -> ChainedApplicationRecorder:
        assert isinstance(self.recorder, ChainedApplicationRecorder)
        return self.recorder

    @property
    def events_table(self) -> sa.Table:
        return self.recorder_.table

    def scrub(self, text: str) -> str:
        return scrub_secrets(text, self.url)

    @staticmethod
    def _require_existing(url: str) -> None:
        if url.startswith("sqlite") and ":memory:" not in url:
            path = sa.make_url(url).database
            if path and not Path(path).exists():
                raise NotFound(f"no ledger at {path}: run `ledger init` first (or pass --db / set LEDGER_DATABASE_URL)")

    def _require_schema(self) -> None:
        try:
            with self.engine.connect() as connection:
                present = sa.inspect(connection).has_table(EVENTS_TABLE)
        except Exception as error:  # noqa: BLE001
            raise StoreUnavailable(self.scrub(f"cannot reach the database {redact(self.url)}: {cause(error)}")) from None
        if not present:
            raise NotFound(f"the database {redact(self.url)} holds no ledger: run `ledger init` first")

    def _session_user(self) -> str | None:
        if self.engine.dialect.name != "postgresql":
            return None
        try:
            with self.engine.connect() as connection:
                return str(connection.exec_driver_sql("SELECT session_user").scalar())
        except Exception as error:  # noqa: BLE001
            raise StoreUnavailable(self.scrub(f"cannot reach the database {redact(self.url)}: {cause(error)}")) from None

    def who(self, claimed: str | None, *, recorder: str | None = None, on_behalf_of: str | None = None) -> tuple[str, str | None]:
        """Who is stored as the recorder, and on whose behalf. `recorder` is an identity the caller
        has authenticated (the HTTP service's token); `claimed` is a name the user typed (`--by`, a
        command's `by`). On SQLite, with no authenticated recorder, the claimed name records, as it
        always has; otherwise the authenticated identity (or the database's session user) records,
        and a claimed name is kept beside it as on whose behalf."""
        trusted = recorder or self.session_user
        if trusted is None:
            return claimed or self.user, on_behalf_of
        behalf = on_behalf_of or claimed
        return trusted, (behalf if behalf and behalf != trusted else None)

    @contextmanager
    def guarded(self) -> Iterator[None]:
        """Turn storage failures into the ledger's errors, with no password in the message."""
        try:
            yield
        except LedgerError:
            raise
        except IntegrityError as error:
            raise ConcurrencyConflict(
                "someone else recorded on the same case at the same moment; nothing of this command was "
                "stored: look at the case again and resubmit"
            ) from error
        except (PersistenceError, sa.exc.SQLAlchemyError, OSError) as error:
            raise StoreUnavailable(self.scrub(f"the database failed; nothing was written: {cause(error)}")) from None

    # -- cases ------------------------------------------------------------------------------
    def case(self, key: str) -> Offer:
        """One offer's case, rebuilt from its events."""
        with self.guarded():
            try:
                offer = self.repository.get(Offer.id_for(key), projector_func=Offer.project)
            except AggregateNotFoundError:
                raise NotFound(f"offer {key!r} is not in the ledger") from None
        assert isinstance(offer, Offer)
        return offer

    def events_of(self, key: str) -> list[LedgerEvent]:
        """One offer's (or chapter-2 party's) events, decoded, without folding them (for the history)."""
        decode = self.mapper_.decode
        sqlite = self.engine.dialect.name == "sqlite"
        # The driver's cursor directly: a long history is read in half the time SQLAlchemy's rows take.
        sql = (
            f"SELECT topic, state FROM {self.events_table.name} WHERE originator_id = {'?' if sqlite else '%s'} "
            "ORDER BY originator_version"
        )
        for case_id in (Offer.id_for(key), Arbejdsgiver.id_for(key)):
            with self.guarded(), self.engine.connect() as connection:
                # On PostgreSQL in the binary format: the stored JSON as it is, not as hex to decode.
                driver = connection.connection.driver_connection
                cursor = connection.connection.cursor() if sqlite else driver.cursor(binary=True)  # type: ignore[union-attr]
                try:
                    cursor.execute(sql, (case_id.bytes if sqlite else case_id,))
                    events = [decode(topic, bytes(state)) for topic, state in cursor.fetchall()]
                finally:
                    cursor.close()
            if events:
                return events
        raise NotFound(f"offer {key!r} is not in the ledger")

    def _case_or_new(self, kind: str, key: str) -> Case:
        if kind == "authority":
            return self.authority(key)
        if kind == "koncern":
            return self.koncern(key)
        if kind == "employer":
            return self.party(key, create=True)
        try:
            return self.case(key)
        except NotFound:
            return Offer(Offer.id_for(key))

    def party(self, key: str, *, create: bool = False) -> Arbejdsgiver:
        """A chapter-2 party's case."""
        aggregate_id = Arbejdsgiver.id_for(key)
        with self.guarded():
            try:
                found = self.repository.get(aggregate_id, projector_func=Arbejdsgiver.project)
            except AggregateNotFoundError:
                if create:
                    return Arbejdsgiver(aggregate_id)
                raise NotFound(f"{key!r} is not in the ledger") from None
        assert isinstance(found, Arbejdsgiver)
        return found

    def any_case(self, key: str) -> Offer:
        """An offer's case, or a chapter-2 party's (they share status, history and deadlines)."""
        try:
            return self.case(key)
        except NotFound:
            try:
                return self.party(key)
            except NotFound:
                raise NotFound(f"offer {key!r} is not in the ledger") from None

    def koncern(self, name: str) -> Koncern:
        """A koncern's case (empty until something is recorded)."""
        aggregate_id = Koncern.id_for(name)
        with self.guarded():
            try:
                found = self.repository.get(aggregate_id, projector_func=Koncern.project)
            except AggregateNotFoundError:
                return Koncern(aggregate_id)
        assert isinstance(found, Koncern)
        return found

    def authority(self, region: str) -> Authority:
        """A Socialtilsyn's own case (empty until something is recorded)."""
        aggregate_id = Authority.id_for(region)
        with self.guarded():
            try:
                found = self.repository.get(aggregate_id, projector_func=Authority.project)
            except AggregateNotFoundError:
                return Authority(aggregate_id)
        assert isinstance(found, Authority)
        return found

    @property
    def user(self) -> str:
        """Who records when a command does not say: --by, else $LEDGER_USER, else the login name;
        held to the rules of the `by` field, when first needed (a reading command needs none)."""
        if self._user is None:
            source = "LEDGER_USER" if os.environ.get("LEDGER_USER") else "the login name"
            self._user = check_recorder(default_user(), source)
        return self._user

    @user.setter
    def user(self, value: str | None) -> None:
        self._user = check_recorder(value, "--by") if value else None

    def recording(self, by: str | None = None) -> Recording:
        recorder, behalf = self.who(check_recorder(by, "--by") if by else None)
        return Recording(recorded_at=self.clock(), recorded_by=recorder, rulebooks=self.rulebooks, on_behalf_of=behalf)

    # -- commands ---------------------------------------------------------------------------
    def execute(
        self,
        commands: Sequence[BaseCommand],
        *,
        by: str | None = None,
        store: bool = True,
        recorder: str | None = None,
        on_behalf_of: str | None = None,
        admit: Callable[[BaseCommand, Case], None] | None = None,
    ) -> list[Receipt]:
        """Judge and record a batch of commands: all of them are stored, or none (`store=False`
        judges them and stores nothing).

        `recorder` is an authenticated identity (see `who`); `admit(command, case)` may refuse a
        command for the one who sends it: it is called with the command's case before and after
        it is judged (the HTTP service keeps a sagsbehandler to their own region with it)."""
        if by:
            by = check_recorder(by, "--by")
        moment = self.clock()
        cases: dict[tuple[str, str], Case] = {}
        receipts: list[Receipt] = []
        for number, command in enumerate(commands, start=1):
            try:
                receipts.append(self._decide(command, cases, moment, by, recorder, on_behalf_of, admit))
            except StoreUnavailable:
                raise
            except LedgerError as error:
                error.command_number = number  # type: ignore[attr-defined]
                raise
        if store:
            self.store(list(cases.values()))
        return receipts

    def _decide(
        self,
        command: BaseCommand,
        cases: dict[tuple[str, str], Case],
        moment: dt.datetime,
        by: str | None,
        recorder: str | None = None,
        on_behalf_of: str | None = None,
        admit: Callable[[BaseCommand, Case], None] | None = None,
    ) -> Receipt:
        key = (command.CASE, command.case_key())
        if command.NAME in PARTY_ALIASES and self._names_party(key[1], cases):
            key = ("employer", key[1])  # aendring-* naming a chapter-2 party by `offer`
        offer = cases.get(key)
        if offer is None:
            offer = cases[key] = self._case_or_new(*key)
        if admit is not None:
            admit(command, offer)
        recorded_by, behalf = self.who(command.by or by, recorder=recorder, on_behalf_of=on_behalf_of)
        rec = Recording(recorded_at=moment, recorded_by=recorded_by, rulebooks=self.rulebooks, on_behalf_of=behalf)
        before = len(offer.pending_events)

        def load(kind: str, name: str) -> Case:
            found = cases.get((kind, name))
            if found is None:
                found = cases[(kind, name)] = self._case_or_new(kind, name)
            return found

        kwargs = command.handler_kwargs() | context_for(offer, command.HANDLER, load)
        handler = getattr(offer, command.HANDLER)
        try:
            handler(rec, **kwargs)
        except (TypeError, ValueError) as error:
            if isinstance(error, LedgerError):
                raise
            raise InvalidInput(f"{command.NAME}: {error}") from None
        made = list(offer.pending_events[before:])
        if admit is not None:
            admit(command, offer)
        others = {id(case): len(case.pending_events) for case in cases.values() if case is not offer}
        follow_up(offer, made, load, rec)
        follow_ups = [
            event
            for case in cases.values()
            if case is not offer
            for event in case.pending_events[others.get(id(case), 0) :]
        ]
        return Receipt(offer=command.case_key(), events=made, follow_ups=follow_ups)

    def _names_party(self, key: str, cases: dict[tuple[str, str], Case]) -> bool:
        """Whether `key`, named as an offer, is a chapter-2 party's and no offer's."""
        offer = cases.get(("offer", key))
        if offer is not None and offer.version:
            return False
        party = cases.get(("employer", key))
        if party is not None:
            return bool(party.version)
        if offer is None:
            try:
                self.case(key)
                return False
            except NotFound:
                pass
        try:
            self.party(key)
        except NotFound:
            return False
        return True

    def store(self, cases: Sequence[Any]) -> None:
        with self.guarded():
            if any(case.pending_events for case in cases):
                self.save(*cases)

    # -- reading ----------------------------------------------------------------------------
    def head(self) -> tuple[int, bytes | None]:
        """The ledger's last position and its chain hash."""
        t = self.events_table
        with self.guarded(), self.engine.connect() as connection:
            row = connection.execute(sa.select(t.c.id, t.c.ledger_hash).order_by(t.c.id.desc()).limit(1)).first()
        if row is None:
            return 0, None
        return int(row[0]), bytes(row[1])

    def offer_keys(self) -> list[str]:
        """Every offer's key, from the first event of each case."""
        t = self.events_table
        query = sa.select(t.c.topic, t.c.state).where(t.c.originator_version == 1).order_by(t.c.id)
        keys = []
        with self.guarded(), self.engine.connect() as connection:
            for topic, state in connection.execute(query):
                event = self.mapper_.decode(topic, bytes(state))
                key = getattr(event, "tilbud", None)
                if key:
                    keys.append(key)
        return keys
