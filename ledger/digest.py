"""A published ledger digest: the chain's position and hash, as `ledger digest` prints it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ledger.errors import InvalidInput

_DIGEST = re.compile(r"^(?:ledger-digest:)?v1:(\d+):([0-9a-f]{64})$")


@dataclass(frozen=True)
class Digest:
    position: int
    ledger_hash: str
    events: int = 0

    def text(self) -> str:
        return f"ledger-digest:v1:{self.position}:{self.ledger_hash}"

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "events": self.events, "ledger_hash": self.ledger_hash, "digest": self.text()}

    @classmethod
    def parse(cls, text: str) -> Digest:
        text = text.strip()
        if text.startswith("{"):
            try:
                data = json.loads(text)
                return cls(int(data["position"]), str(data["ledger_hash"]).lower())
            except (ValueError, KeyError, TypeError):
                raise InvalidInput("the digest JSON needs 'position' and 'ledger_hash'") from None
        match = _DIGEST.match(text.lower())
        if not match:
            raise InvalidInput(f"{text!r} is not a ledger digest (ledger-digest:v1:POSITION:HASH, as `ledger digest` prints)")
        return cls(int(match.group(1)), match.group(2))
