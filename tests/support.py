"""Builders for tests: commands as the JSON lines a system would submit, and a given/when/then
harness that judges them with the real aggregate, without a database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

import cli
from ledger.aggregates.base import Recording
from ledger.aggregates.offer import Offer
from ledger.commands import parse_command
from ledger.console import common
from ledger.errors import LedgerError, RuleViolation
from ledger.events.base import LedgerEvent
from ledger.projections.cases import case_states
from ledger.projections.statistics import stat_cases, stat_facts
from ledger.rulebook import Rulebooks, load_rulebooks

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc)
OFFER = "T-1"


def cmd(command: str, date: str, offer: str = OFFER, **fields: Any) -> dict[str, Any]:
    return {"command": command, "offer": offer, "date": date, **fields}


def ansoegning(date: str = "2024-01-10", offer: str = OFFER, **fields: Any) -> dict[str, Any]:
    base = {
        "navn": "Bostedet Lærkely",
        "tilbudstyper": ["SEL107"],
        "pladser": 12,
        "ejerform": "privat",
        "region": "Nord",
        "afdelinger": [{"navn": "Hovedhuset", "adresse": "Lærkevej 1, 9000 Aalborg"}],
    }
    base.update(fields)
    return cmd("ansoegning", date, offer, **base)


def godkendelse(date: str = "2024-03-01", offer: str = OFFER, **fields: Any) -> dict[str, Any]:
    fields.setdefault("begrundelse", "Tilbuddet opfylder betingelserne for godkendelse.")
    return cmd("godkendelse", date, offer, **fields)


def dialog(date: str = "2024-09-01", offer: str = OFFER, **fields: Any) -> dict[str, Any]:
    fields.setdefault("forhold", ["Medicinhåndtering"])
    return cmd("dialog", date, offer, **fields)


def paabud(date: str = "2024-09-20", offer: str = OFFER, **fields: Any) -> dict[str, Any]:
    fields.setdefault("forhold", "Medicinhåndtering skal dokumenteres")
    fields.setdefault("frist", "2024-11-01")
    fields.setdefault("karakter", "faglig")
    fields.setdefault("begrundelse", "Fund ved tilsynsbesøg")
    return cmd("paabud", date, offer, **fields)


def skaerpet(date: str = "2024-10-01", offer: str = OFFER, **fields: Any) -> dict[str, Any]:
    fields.setdefault("periode_til", "2024-12-31")
    fields.setdefault("baggrund", "kvalitet")
    fields.setdefault("begrundelse", "Alvorlige fund")
    fields.setdefault("paabud", [{"forhold": "Døgnbemanding skal sikres", "frist": "2024-11-15", "karakter": "organisatorisk"}])
    return cmd("skaerpet-tilsyn", date, offer, **fields)


def ophoer(date: str = "2025-01-10", offer: str = OFFER, **fields: Any) -> dict[str, Any]:
    fields.setdefault("baggrund", "kvalitet")
    fields.setdefault("begrundelse", "Påbud er ikke efterkommet")
    if not fields.get("straks") and not fields.get("straks_begrundelse"):
        fields.setdefault("virkning_fra", "2025-03-01")
    return cmd("ophoer", date, offer, **fields)


def besoeg(date: str = "2024-04-15", offer: str = OFFER, **fields: Any) -> dict[str, Any]:
    fields.setdefault("form", "anmeldt")
    return cmd("tilsynsbesoeg", date, offer, **fields)


def approved(offer: str = OFFER, **fields: Any) -> list[dict[str, Any]]:
    """An application and its approval."""
    return [ansoegning(offer=offer, **fields), godkendelse(offer=offer)]


class Case:
    """Given commands, when a command, then events or a refusal: the real aggregate, no database."""

    def __init__(self, *, rulebooks: Rulebooks | None = None, now: dt.datetime = NOW) -> None:
        self.rulebooks = rulebooks or load_rulebooks(extra_dir="")
        self.now = now
        self.offers: dict[str, Offer] = {}

    def run(self, data: dict[str, Any]) -> list[LedgerEvent]:
        command = parse_command(data)
        offer = self.offers.setdefault(command.offer, Offer(Offer.id_for(command.offer)))
        before = len(offer.events)
        rec = Recording(recorded_at=self.now, recorded_by="test", rulebooks=self.rulebooks)
        getattr(offer, command.HANDLER)(rec, **command.handler_kwargs())
        offer.collect_events()
        return offer.events[before:]

    def given(self, *commands: dict[str, Any] | Iterable[dict[str, Any]]) -> Case:
        for item in commands:
            for data in [item] if isinstance(item, dict) else item:
                self.run(data)
        return self

    def offer(self, key: str = OFFER) -> Offer:
        return self.offers[key]

    def status(self, on: str, key: str = OFFER) -> str:
        return self.offers[key].state.status_on(on)


def given(*commands: dict[str, Any] | Iterable[dict[str, Any]], **options: Any) -> Case:
    return Case(**options).given(*commands)


def refused(
    case: Case,
    command: dict[str, Any] | Callable[[], object],
    error: type[LedgerError] = RuleViolation,
    paragraph: str | None = None,
    offer: str = OFFER,
    message: str | None = None,
) -> LedgerError:
    """Run a command that must be refused: the named error, the named paragraph (or, for an error
    that names none, words of its message), nothing appended."""
    before = case.offers.get(offer)
    version, events = (before.version, list(before.events)) if before else (0, [])
    with pytest.raises(error) as caught:
        command() if callable(command) else case.run(command)
    after = case.offers.get(offer)
    assert (after.version if after else 0) == version
    assert (list(after.events) if after else []) == events
    if paragraph is not None:
        assert isinstance(caught.value, RuleViolation)
        assert caught.value.paragraph == paragraph
    if message is not None:
        assert message in str(caught.value), str(caught.value)
    return caught.value


def kinds(events: list[LedgerEvent]) -> list[str]:
    return [type(e).__name__ for e in events]


def projection_rows(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the projections' tables, sorted, per table: for comparing two ways of building them."""
    tables = {}
    with app.engine.connect() as connection:
        for table in (case_states, stat_facts, stat_cases):
            rows = connection.execute(sa.select(table)).all()
            tables[table.name] = sorted(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows)
    return tables


# -- invoking the CLI exactly as a user ---------------------------------------------------------
@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    cli.main(list(ctx.args))


def run_cli(argv: list[str], input: str | bytes | None = None, env: dict[str, str | None] | None = None) -> Result:
    """Invoke through cli.main, so errors become `Error: ...` and exit codes exactly as for users."""
    return CliRunner().invoke(_entry, argv, input=input, env=env, catch_exceptions=False)


def close_cached_apps() -> None:
    """The CLI keeps one application per --db for the process; close them so SQLite checkpoints
    its write-ahead log into the file (a write hiding in the WAL would otherwise go unseen)."""
    for app in list(common._APPS.values()):
        try:
            app.close()
        finally:
            app.engine.dispose()
    common._APPS.clear()


# -- a complete quality assessment at approval (bilag 1/2: every indicator that applies) ------------
def vurdering_ved_godkendelse(
    date: str = "2024-02-15", offer: str = OFFER, *, tilbudstyper: tuple[str, ...] = ("SEL107",),
    ejerform: str = "privat", skip: int = 0, **profile: bool,
) -> dict[str, Any]:
    """An assessment at approval rating every indicator that applies to an offer of this profile
    ("forventes"), with a written text for each theme; `skip` leaves out that many of the last."""
    from ledger.quality.catalogue import OfferProfile, catalogue_for_types

    catalogue = catalogue_for_types(tilbudstyper)
    live, _ = catalogue.live_map(OfferProfile(types=tilbudstyper, ejerform=ejerform, **profile))
    rated = list(live)[: len(live) - skip]
    temaer = {live[i]: f"Tema {live[i]}: tilbuddet forventes at kunne opfylde kriterierne." for i in rated}
    return cmd("kvalitetsvurdering", date, offer, anledning="godkendelse",
               indikatorer={i: "forventes" for i in rated}, temaer=temaer)
