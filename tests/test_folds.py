"""Every event class an offer's (or chapter-2 party's) case can hold has its fold in CaseState: an
event without one would be stored and replayed but never change what the ledger answers."""

from __future__ import annotations

from collections.abc import Iterator

import ledger.events.employer  # noqa: F401  (the classes register as subclasses on import)
import ledger.events.offer as offer_events
from ledger.aggregates.state import CaseState
from ledger.events.base import LedgerEvent

# Events a case holds that deliberately fold to nothing of their own, and why.
NO_FOLD = {
    # An annulment takes effect by the replay leaving the annulled record out (ledger.aggregates.state).
    "RegistreringAnnulleret",
}


def _concrete(kind: type[LedgerEvent]) -> Iterator[type[LedgerEvent]]:
    for sub in kind.__subclasses__():
        # The ledger's own events (a test may define event classes of its own, e.g. for upcasting).
        if not sub.__name__.startswith("_") and sub.__module__.startswith("ledger.events."):
            yield sub
        yield from _concrete(sub)


def test_every_case_event_has_its_fold() -> None:
    kinds = set(_concrete(offer_events.OfferEvent))
    assert len(kinds) > 40
    missing = sorted(k.__name__ for k in kinds if k.__name__ not in NO_FOLD and not hasattr(CaseState, "_on_" + k.__name__))
    assert missing == []


def test_no_fold_is_left_over_from_an_event_that_is_gone() -> None:
    names = {k.__name__ for k in _concrete(offer_events.OfferEvent)}
    folds = {name.removeprefix("_on_") for name in vars(CaseState) if name.startswith("_on_")}
    assert folds <= names and NO_FOLD <= names
