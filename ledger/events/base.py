"""What every stored event carries, whatever case it belongs to.

Events are frozen pydantic models. The ledger stamps `timestamp` (the recorded time), never the
caller. `effective_date` is the legal date. `paragraph` is the legal basis and `rulebook` the
version of the rules that judged the event. A correction never edits an event: a later event
annuls it (`RegistreringAnnulleret`) or supersedes it (`supersedes` on an event of the same kind).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, cast
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json


class LedgerEvent(BaseModel):
    """Base class of every event in the ledger."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: dt.datetime
    effective_date: dt.date
    recorded_by: str
    # On whose behalf the recorder recorded (the HTTP service's client, or `--by` on PostgreSQL).
    # Left out of pydantic's serialisation: the mapper appends it to the stored JSON only when
    # there is one (`with_on_behalf_of`), so every event stored before this field existed keeps
    # its bytes and its hashes, and an event without it costs nothing more to encode (a per-field
    # `exclude_if` cost about 1 µs an event).
    on_behalf_of: str | None = Field(default=None, exclude=True)
    paragraph: str
    rulebook: str
    begrundelse: str | None = None
    note: str | None = None
    supersedes: int | None = None
    correction_reason: str | None = None

    # Bump when a field changes, and add `upcast_v{n}_v{n+1}(state: dict) -> None`.
    class_version: ClassVar[int] = 1
    TITLE: ClassVar[str] = ""
    PARAGRAPH: ClassVar[str] = ""
    # An afgørelse (bek § 1 stk 2): written, with its begrundelse.
    DECISION: ClassVar[bool] = False
    # A decision that can be complained about to Ankestyrelsen (DOMAIN.md, 'Complaints').
    APPEALABLE: ClassVar[bool] = False
    # Field names whose content is never public (the Tilbudsportal view never reads them).
    PRIVATE_FIELDS: ClassVar[frozenset[str]] = frozenset({"note", "correction_reason"})

    @property
    def recorded_at(self) -> dt.datetime:
        return self.timestamp

    @property
    def version(self) -> int:
        return self.originator_version

    @property
    def title(self) -> str:
        return self.TITLE or type(self).__name__

    def summary(self) -> str:
        """One line in the law's language for the history."""
        return self.title

    def references(self) -> tuple[int, ...]:
        """Event numbers (versions) of the same case this event depends on."""
        return ()

    def item_refs(self) -> tuple[str, ...]:
        """Local references (P1, V2, K1, ...) this event acts on without creating them."""
        return ()

    def payload(self) -> dict[str, Any]:
        """The event's own fields, without the envelope, for JSON output."""
        # pydantic accepts any set of names; its IncEx alias spells only `set`, not `frozenset`.
        return self.model_dump(mode="json", exclude=cast("set[str]", ENVELOPE_FIELDS), exclude_none=True)


ENVELOPE_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "effective_date",
        "recorded_by",
        "on_behalf_of",
        "paragraph",
        "rulebook",
        "supersedes",
        "correction_reason",
    }
)


def with_on_behalf_of(state: bytes, event: LedgerEvent) -> bytes:
    """An event's stored JSON (as pydantic writes it, without `on_behalf_of`), with its
    `on_behalf_of` as the last member when it has one."""
    if event.on_behalf_of is None:
        return state
    return state[:-1] + b',"on_behalf_of":' + to_json(event.on_behalf_of) + b"}"


def fmt_date(value: dt.date | None) -> str:
    return value.isoformat() if value else "-"
