"""The questions the command line and the HTTP service both ask of the ledger, answered once.

Each takes the application and what the caller has already read, and returns values; the caller
prints them (the console) or answers with them (the service). (The first of the read side's
queries; issue 18 moves the others here.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ledger.aggregates.state import CaseState
from ledger.reports.deadlines import Deadline, radar


def deadline_radar(
    app: Any,
    states: Sequence[CaseState],
    on: dt.date,
    *,
    region: str | None,
    offer: str | None,
    within_days: int,
    overdue: bool,
) -> list[Deadline]:
    """The deadline radar as of `on` for the cases read (of one region, one offer or all), with the
    Socialtilsyn's own annual reports (bek § 18 stk 5) unless one offer is asked for."""
    from ledger.reports.annual_report import annual_report_deadlines

    # Every case is read when no region is asked for: the ledger's first year is theirs.
    since = None if region else min((int(state.first_applied[:4]) for state in states if state.first_applied), default=None)
    own = [Deadline(**d) for d in annual_report_deadlines(app, on, since)] if not offer else []
    if region:
        own = [d for d in own if d.region == region]
    return radar(
        states, on, app.rulebooks, within_days=within_days, overdue_only=overdue, extra=own,
        events_of=lambda state: app.events_of(str(state.key)),
    )


def offer_status(app: Any, offer: str, on: dt.date, known_at: dt.datetime | None) -> dict[str, Any]:
    """An offer's (or chapter-2 party's) legal state on `on`, as the ledger knew it at `known_at`
    (None: now): the status, its flags, vilkår, påbud, ..., and its pladser, tilbudstyper and
    afdelinger on that day (a væsentlig ændring counts from its approval)."""
    from ledger.errors import NotFound
    from ledger.reports.history import local_time
    from ledger.reports.status import capacity_as_of

    case = app.any_case(offer)
    state = case.state_known_at(known_at)
    if state.key is None:
        raise NotFound(f"at {local_time(known_at) if known_at else 'that time'} the ledger knew nothing of offer {offer}")
    described: dict[str, Any] = state.describe_on(on)
    described.update(capacity_as_of(state, on.isoformat()))
    if known_at is not None:
        described["known_at"] = local_time(known_at)
    described["position"] = case.version
    return described
