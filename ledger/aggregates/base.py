"""What every aggregate of the ledger shares: identity, version, pending events, and how a
command stamps an event.

The aggregates satisfy the eventsourcing library's protocols (``id``, ``version``,
``collect_events()``), so ``Application.save()`` stores them and ``Repository.get()`` rebuilds
them with ``projector_func=Case.project``. The library's ``Aggregate`` metaclass is not used: our
events are defined in ``ledger.events`` and know nothing of the aggregates that emit them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from ledger.errors import InvalidInput, RuleViolation
from ledger.events.base import LedgerEvent
from ledger.rulebook import Rulebook, Rulebooks

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
LEDGER_NAMESPACE = uuid5(NAMESPACE_URL, "urn:supervision-ledger")

TEvent = TypeVar("TEvent", bound=LedgerEvent)
TCase = TypeVar("TCase", bound="Case")

_KEY = re.compile(r"^[A-Za-z0-9ÆØÅæøå][A-Za-z0-9ÆØÅæøå._:/-]{0,63}$")


def case_id(kind: str, key: str) -> UUID:
    """The stable aggregate id of a case: the same key always names the same case."""
    return uuid5(LEDGER_NAMESPACE, f"{kind}:{key}")


def check_key(key: str, what: str = "offer") -> str:
    if not _KEY.match(key or ""):
        raise InvalidInput(
            f"{what} id {key!r} is not valid: use 1-64 letters, digits and . _ : / - (for example T-1001)"
        )
    return key


@dataclass(frozen=True)
class Recording:
    """Who records, when the ledger stores it, and the rules it judges by. Set by the ledger."""

    recorded_at: dt.datetime
    recorded_by: str
    rulebooks: Rulebooks
    # On whose behalf the recorder records (kept beside the recorder, never instead of it).
    on_behalf_of: str | None = None
    today: dt.date = field(init=False)

    def __post_init__(self) -> None:
        # The ledger's own date in Denmark: no effective date may lie after it.
        object.__setattr__(self, "today", danish_date(self.recorded_at))


# The last Danish day asked about: its first moment and the next day's, in UTC, and its date.
_DAY_SPAN: list[Any] = [None, None, None]


def danish_date(moment: dt.datetime) -> dt.date:
    """The date in Denmark at a moment. Remembers the day's span: an import records thousands of
    moments a second, all on the same day."""
    span = _DAY_SPAN
    start, end, day = span
    if start is not None and start <= moment < end:
        return day  # type: ignore[no-any-return]
    day = moment.astimezone(COPENHAGEN).date()
    # Midnight exists once on every Danish day (the clocks change at 02:00 and 03:00).
    start = dt.datetime.combine(day, dt.time(), COPENHAGEN).astimezone(dt.timezone.utc)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), COPENHAGEN).astimezone(dt.timezone.utc)
    span[:] = [start, end, day]
    return day


class Case:
    """Base class of the ledger's aggregates."""

    KIND: ClassVar[str] = "case"

    def __init__(self, id: UUID) -> None:  # noqa: A002 - the library's protocol names it id
        self._id = id
        self._version = 0
        self._pending: list[LedgerEvent] = []
        self.events: list[LedgerEvent] = []

    @property
    def id(self) -> UUID:
        return self._id

    @property
    def version(self) -> int:
        return self._version

    @version.setter
    def version(self, value: int) -> None:
        self._version = value

    @property
    def pending_events(self) -> list[LedgerEvent]:
        return self._pending

    def collect_events(self) -> list[LedgerEvent]:
        collected, self._pending = self._pending, []
        return collected

    @classmethod
    def project(cls: type[TCase], aggregate: TCase | None, events: Iterable[Any]) -> TCase | None:
        """Projector for ``Repository.get()``: replay stored events into the aggregate."""
        for event in events:
            if aggregate is None:
                aggregate = cls(event.originator_id)
            aggregate._apply(event)
        return aggregate

    def _apply(self, event: LedgerEvent) -> None:
        self.events.append(event)
        self._version = event.originator_version
        self._evolve(event)

    def _evolve(self, event: LedgerEvent) -> None:
        """Subclasses record the event's facts in their state. No checks here."""

    def _trigger(
        self,
        event_class: type[TEvent],
        rec: Recording,
        rules: Rulebook,
        date: dt.date,
        **fields: Any,
    ) -> TEvent:
        fields.setdefault("paragraph", event_class.PARAGRAPH)
        fields["originator_id"] = self._id
        fields["originator_version"] = self._version + 1
        fields["timestamp"] = rec.recorded_at
        fields["effective_date"] = date
        fields["recorded_by"] = rec.recorded_by
        if rec.on_behalf_of is not None:
            fields["on_behalf_of"] = rec.on_behalf_of
        fields["rulebook"] = rules.id
        # Validated as event_class(**fields) validates it, without BaseModel.__init__'s wrapping.
        event: TEvent = event_class.__pydantic_validator__.validate_python(fields)
        self._apply(event)
        self._pending.append(event)
        return event

    def event(self, version: int) -> LedgerEvent | None:
        """Event #version of this case, if it is held in memory."""
        if self.events and self.events[0].originator_version == 1 and 1 <= version <= len(self.events):
            return self.events[version - 1]
        for event in reversed(self.events):
            if event.originator_version == version:
                return event
        return None


def check_effective_date(rec: Recording, date: dt.date) -> Rulebook:
    """An effective date is a real day, not in the future, with rules in force on it."""
    if date > rec.today:
        raise InvalidInput(f"effective date {date} is in the future (today is {rec.today})")
    return rec.rulebooks.in_force(date)


def require_text(value: str | None, paragraph: str, what: str) -> str:
    if value is None or not value.strip():
        raise RuleViolation(paragraph, what)
    return value.strip()
