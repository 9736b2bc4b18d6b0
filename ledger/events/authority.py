"""Events of a Socialtilsyn itself (one case per region): what it earns from other tasks, the
texts of its annual report, its takster. These are recorded like any decision, so they are
versioned and auditable."""

from __future__ import annotations

from typing import ClassVar

from ledger.events.base import LedgerEvent
from ledger.events.vocab import Region


class AuthorityEvent(LedgerEvent):
    """An event of one Socialtilsyn's own case."""

    region: Region


class IndtaegtAndreOpgaver(AuthorityEvent):
    TITLE: ClassVar[str] = "Indtægt fra andre opgaver"
    PARAGRAPH: ClassVar[str] = "bek § 31; § 18 stk 2 nr 8"

    aar: int
    beloeb_oere: int
    modpart: str
    beskrivelse: str

    def summary(self) -> str:
        kroner = f"{self.beloeb_oere / 100:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        return f"Indtægt {self.aar} fra {self.modpart}: {kroner} kr. ({self.beskrivelse})"


AUTHORITY_EVENTS: tuple[type[AuthorityEvent], ...] = (IndtaegtAndreOpgaver,)
