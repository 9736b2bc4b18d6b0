"""Events of a koncern (bek § 3): its head address, and which of its offers are approved by which
Socialtilsyn, so that an approval by the wrong Socialtilsyn can be refused."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from ledger.events.base import LedgerEvent
from ledger.events.vocab import Region


class KoncernEvent(LedgerEvent):
    koncern: str


class KoncernRegistreret(KoncernEvent):
    TITLE: ClassVar[str] = "Koncern registreret"
    PARAGRAPH: ClassVar[str] = "bek § 3; lov § 2 stk 4"

    navn: str
    hovedadresse: str
    region: Region

    def summary(self) -> str:
        return f"Koncernen {self.navn} har hovedadresse {self.hovedadresse} (Socialtilsyn {self.region.value})"


class KoncernTilbudGodkendt(KoncernEvent):
    TITLE: ClassVar[str] = "Koncernens tilbud godkendt"
    PARAGRAPH: ClassVar[str] = "bek § 3"

    tilbud: str
    region: Region

    def summary(self) -> str:
        return f"{self.tilbud} godkendt af Socialtilsyn {self.region.value}"


class KoncernTilbudOphoert(KoncernEvent):
    TITLE: ClassVar[str] = "Koncernens tilbud ophørt"
    PARAGRAPH: ClassVar[str] = "bek § 3"

    tilbud: str
    ophoert_fra: dt.date

    def summary(self) -> str:
        return f"Godkendelsen af {self.tilbud} ophører fra {self.ophoert_fra}"
