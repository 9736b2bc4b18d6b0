"""Events of a chapter-2 party: an association or private company that acts as employer in
schemes under SEL §§ 95-96 (lov § 18 a; bek §§ 19-25, 30). Where the legal act is the same as an
offer's (a dialog, a budget, a vilkår met, closing), the offer's event is used with chapter 2's
paragraph; these are the acts of its own."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from ledger.events.offer import OfferEvent, Vilkaar
from ledger.events.vocab import Baggrund, Region, label

PART_PARAGRAPH = "bek § 19; lov § 18 b stk 1"


class ArbejdsgiverAnsoegt(OfferEvent):
    TITLE: ClassVar[str] = "Ansøgning modtaget (arbejdsgiver, SEL §§ 95-96)"
    PARAGRAPH: ClassVar[str] = "bek § 19 stk 1; lov § 18 b stk 1"

    part: str
    navn: str
    virksomhedsform: Literal["forening", "privat_virksomhed"]
    region: Region
    adresse: str
    cvr: str | None = None

    def summary(self) -> str:
        return f"Skriftlig ansøgning fra {self.navn} ({label(self.virksomhedsform).lower()}, Socialtilsyn {self.region.value})"


class ArbejdsgiverGodkendt(OfferEvent):
    TITLE: ClassVar[str] = "Godkendt (arbejdsgiver)"
    PARAGRAPH: ClassVar[str] = "bek §§ 19-20; lov § 18 b stk 1 og 3"
    DECISION: ClassVar[bool] = True

    betingelser: dict[str, bool]
    dokumentation: str
    vilkaar: tuple[Vilkaar, ...] = ()

    @property
    def title(self) -> str:
        return "Godkendt med vilkår (arbejdsgiver)" if self.vilkaar else "Godkendt (arbejdsgiver)"

    def summary(self) -> str:
        text = "Godkendt som arbejdsgiver i ordninger efter SEL §§ 95-96 (betingelserne i bek § 20 er opfyldt)"
        if self.vilkaar:
            text += "; vilkår: " + "; ".join(f"{v.id}: {v.tekst}" + (f" (frist {v.frist})" if v.frist else "") for v in self.vilkaar)
        return text


class ArbejdsgiverAfslaaet(OfferEvent):
    TITLE: ClassVar[str] = "Afslag (arbejdsgiver)"
    PARAGRAPH: ClassVar[str] = "bek §§ 19-20; lov § 18 b stk 1"
    DECISION: ClassVar[bool] = True
    APPEALABLE: ClassVar[bool] = True

    def summary(self) -> str:
        return f"Ansøgningen afslået: {self.begrundelse}"


class ArbejdsgiverGodkendelseOphoert(OfferEvent):
    TITLE: ClassVar[str] = "Ophør af godkendelse (arbejdsgiver)"
    PARAGRAPH: ClassVar[str] = "bek § 21; lov § 18 b stk 4"
    DECISION: ClassVar[bool] = True
    APPEALABLE: ClassVar[bool] = True
    PRIVATE_FIELDS: ClassVar[frozenset[str]] = OfferEvent.PRIVATE_FIELDS | {"dialog"}

    virkning_fra: dt.date
    baggrund: Baggrund
    dialog: tuple[str, ...]
    kommuner_underrettet: tuple[str, ...] = ()
    borgere_underrettet: int = 0

    def item_refs(self) -> tuple[str, ...]:
        return self.dialog

    def summary(self) -> str:
        return (
            f"Godkendelsen bringes til ophør med virkning fra {self.virkning_fra} ({label(self.baggrund)}); "
            f"{len(self.kommuner_underrettet)} kommuner og {self.borgere_underrettet} borgere underrettet"
        )


class ArbejdsgiverTilsynGennemfoert(OfferEvent):
    TITLE: ClassVar[str] = "Tilsyn (arbejdsgiver)"
    PARAGRAPH: ClassVar[str] = "bek § 22; lov § 18 c stk 1"

    form: Literal["anmeldt_besoeg", "uanmeldt_besoeg", "uden_besoeg"]

    def summary(self) -> str:
        return f"Risikobaseret tilsyn: {label(self.form).lower()}"


class RegnskabIndsendt(OfferEvent):
    TITLE: ClassVar[str] = "Revideret årsregnskab indsendt"
    PARAGRAPH: ClassVar[str] = "bek § 25; lov § 18 g stk 2"

    regnskabsaar: int

    def summary(self) -> str:
        return f"Revideret årsregnskab for {self.regnskabsaar} indsendt til Socialtilsynets orientering"


EMPLOYER_EVENTS: tuple[type[OfferEvent], ...] = (
    ArbejdsgiverAnsoegt,
    ArbejdsgiverGodkendt,
    ArbejdsgiverAfslaaet,
    ArbejdsgiverGodkendelseOphoert,
    ArbejdsgiverTilsynGennemfoert,
    RegnskabIndsendt,
)
