"""What one case's decision means for another case, decided in the same transaction.

bek § 3: an approval of a koncern's private offer is judged with the koncern's record of which
Socialtilsyn approved its other offers, and the approval (or a later ophør) is added to that
record. `Ledger.execute()` and the bulk importer both go through here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ledger.aggregates.base import Case, Recording
from ledger.aggregates.koncern import Koncern
from ledger.aggregates.offer import Offer
from ledger.events import offer as ev
from ledger.events.base import LedgerEvent

Load = Callable[[str, str], Case]


# The use cases that need another case's record (an approval: its koncern's, bek § 3).
NEEDS_CONTEXT = frozenset({"godkend"})
# The offer's events that its koncern's record follows.
KONCERN_EVENTS = (ev.Godkendt, ev.GodkendelseOphoert, ev.TilbudLukket)


def context_for(case: Case, handler: str, load: Load) -> dict[str, Any]:
    """Extra arguments a use case needs from other cases."""
    if handler in NEEDS_CONTEXT and isinstance(case, Offer):
        name = case.state.profile.get("koncern")
        if name:
            return {"koncern": load("koncern", name)}
    return {}


def follow_up(case: Case, events: Sequence[LedgerEvent], load: Load, rec: Recording) -> None:
    """Record in the koncern's case what the offer's new events mean for it."""
    if not isinstance(case, Offer) or not events:
        return
    name = case.state.profile.get("koncern")
    if not name or case.state.profile.get("ejerform") != "privat":
        return
    koncern = load("koncern", name)
    assert isinstance(koncern, Koncern)
    for event in events:
        if isinstance(event, ev.Godkendt) and event.supersedes is None:
            koncern.record_approval(rec, koncern=name, date=event.effective_date, tilbud=str(case.key),
                                    region=case.state.profile["region"])
        elif isinstance(event, (ev.GodkendelseOphoert, ev.TilbudLukket)):
            koncern.record_end(rec, koncern=name, date=event.effective_date, tilbud=str(case.key),
                               ophoert_fra=event.virkning_fra)
