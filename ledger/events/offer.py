"""The events of an offer's (tilbud's) legal life: DOMAIN.md's table, rows 1-18, and corrections.

Local references name the things a case holds: A1 (afdeling), V1 (vilkår), F1 (fravigelse),
D1 (dialog), P1 (påbud), S1 (skærpet tilsyn), M1 (magtanvendelse), K1 (klage), Æ1 (ændring).
Decisions are named by their event number in the case (#7).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from ledger.events.base import LedgerEvent, fmt_date
from ledger.events.vocab import (
    AnkeUdfald,
    Baggrund,
    Ejerform,
    KlageEmne,
    MagtVurdering,
    OfferType,
    PaabudKarakter,
    Region,
    StraksGrund,
    VisitKind,
    label,
)


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Afdeling(_Part):
    id: str
    navn: str
    adresse: str


class Vilkaar(_Part):
    id: str
    tekst: str
    frist: dt.date | None = None


class OfferEvent(LedgerEvent):
    """An event of one offer's case."""


class _Straks(OfferEvent):
    """A decision that needs prior dialog unless decided straks for a stated special reason."""

    dialog: tuple[str, ...] = ()
    straks: bool = False
    straks_grund: StraksGrund | None = None
    straks_begrundelse: str | None = None
    PRIVATE_FIELDS: ClassVar[frozenset[str]] = LedgerEvent.PRIVATE_FIELDS | {
        "dialog",
        "straks_grund",
        "straks_begrundelse",
    }

    def item_refs(self) -> tuple[str, ...]:
        return self.dialog

    def _straks_text(self) -> str:
        return " (straks)" if self.straks else ""


# 1 ------------------------------------------------------------------------------------------
class AnsoegningModtaget(OfferEvent):
    TITLE: ClassVar[str] = "Ansøgning modtaget"
    PARAGRAPH: ClassVar[str] = "bek § 1 stk 1; lov § 5 stk 1"

    tilbud: str
    navn: str
    tilbudstyper: tuple[OfferType, ...]
    pladser: int
    forventede_borgere: int | None = None
    ejerform: Ejerform
    region: Region
    afdelinger: tuple[Afdeling, ...]
    koncern: str | None = None
    ambulant: bool = False
    sikret: bool = False
    kun_aflastning: bool = False
    bestyrelse: bool = False

    def summary(self) -> str:
        types = ", ".join(t.value for t in self.tilbudstyper)
        return (
            f"Skriftlig ansøgning fra {self.navn} ({types}; {self.pladser} pladser; "
            f"{self.ejerform.value}; Socialtilsyn {self.region.value})"
        )


# 2-3 ----------------------------------------------------------------------------------------
class Godkendt(OfferEvent):
    TITLE: ClassVar[str] = "Godkendt"
    PARAGRAPH: ClassVar[str] = "bek § 1 stk 1-3 og 5; lov § 5 stk 1 og 5"
    DECISION: ClassVar[bool] = True

    vilkaar: tuple[Vilkaar, ...] = ()
    pladser: int | None = None
    # Why the approval stands after an economic assessment with a negative conclusion (bek § 1 stk 1;
    # lov § 6 stk 2 nr 7).
    oekonomisk_begrundelse: str | None = None

    @property
    def APPEALABLE(self) -> bool:  # type: ignore[override]
        # A plain approval is in the offer's favour; its vilkår can be complained about.
        return bool(self.vilkaar)

    @property
    def title(self) -> str:
        return "Godkendt med vilkår" if self.vilkaar else "Godkendt"

    def summary(self) -> str:
        reason = self.oekonomisk_begrundelse
        economy = f" (økonomien trods negativ økonomisk vurdering: {reason})" if reason else ""
        if not self.vilkaar:
            return "Godkendt som generelt egnet" + economy
        parts = [f"{v.id}: {v.tekst}" + (f" (frist {v.frist})" if v.frist else "") for v in self.vilkaar]
        return "Godkendt med vilkår: " + "; ".join(parts) + economy


class Afslaaet(OfferEvent):
    TITLE: ClassVar[str] = "Afslag på godkendelse"
    PARAGRAPH: ClassVar[str] = "bek § 1 stk 1-2; lov § 5 stk 1"
    DECISION: ClassVar[bool] = True
    APPEALABLE: ClassVar[bool] = True

    def summary(self) -> str:
        return f"Ansøgningen afslået: {self.begrundelse}"


# 4 ------------------------------------------------------------------------------------------
class VilkaarOpfyldt(OfferEvent):
    TITLE: ClassVar[str] = "Vilkår opfyldt"
    PARAGRAPH: ClassVar[str] = "bek § 1 stk 3; lov § 5 stk 5"

    vilkaar: str

    def item_refs(self) -> tuple[str, ...]:
        return (self.vilkaar,)

    def summary(self) -> str:
        return f"Vilkår {self.vilkaar} opfyldt"


class VilkaarAendret(OfferEvent):
    TITLE: ClassVar[str] = "Vilkår ændret"
    PARAGRAPH: ClassVar[str] = "bek § 1 stk 3; lov § 5 stk 5"
    DECISION: ClassVar[bool] = True
    APPEALABLE: ClassVar[bool] = True

    vilkaar: str
    tekst: str
    frist: dt.date | None = None

    def item_refs(self) -> tuple[str, ...]:
        return (self.vilkaar,)

    def summary(self) -> str:
        frist = f" (frist {self.frist})" if self.frist else ""
        return f"Vilkår {self.vilkaar} ændret til: {self.tekst}{frist}"


class VilkaarOphaevet(OfferEvent):
    TITLE: ClassVar[str] = "Vilkår ophævet"
    PARAGRAPH: ClassVar[str] = "bek § 1 stk 3; lov § 5 stk 5"
    DECISION: ClassVar[bool] = True

    vilkaar: str

    def item_refs(self) -> tuple[str, ...]:
        return (self.vilkaar,)

    def summary(self) -> str:
        return f"Vilkår {self.vilkaar} ophævet"


# 5 ------------------------------------------------------------------------------------------
class FravigelseBevilget(OfferEvent):
    TITLE: ClassVar[str] = "Fravigelse"
    PARAGRAPH: ClassVar[str] = "bek § 1 stk 4; lov § 5 stk 6"
    DECISION: ClassVar[bool] = True

    fravigelse: str
    anmodning_modtaget: dt.date
    betingelser: str | None = None
    periode_fra: dt.date | None = None
    periode_til: dt.date | None = None
    vilkaar: tuple[Vilkaar, ...] = ()

    def summary(self) -> str:
        bits = [f"Fravigelse {self.fravigelse} efter tilbuddets anmodning af {self.anmodning_modtaget}"]
        if self.betingelser:
            bits.append(f"på betingelse: {self.betingelser}")
        if self.periode_til:
            bits.append(f"i perioden {fmt_date(self.periode_fra)} til {self.periode_til}")
        if self.vilkaar:
            bits.append("vilkår: " + "; ".join(f"{v.id}: {v.tekst}" for v in self.vilkaar))
        return ", ".join(bits)


class FravigelseBortfaldet(OfferEvent):
    TITLE: ClassVar[str] = "Fravigelse bortfaldet"
    PARAGRAPH: ClassVar[str] = "bek § 1 stk 4, 4. pkt."

    fravigelse: str

    def item_refs(self) -> tuple[str, ...]:
        return (self.fravigelse,)

    def summary(self) -> str:
        return f"Fravigelse {self.fravigelse} bortfaldet: betingelserne er ikke længere opfyldt"


# 6 ------------------------------------------------------------------------------------------
class AkutForlaengelseBevilget(OfferEvent):
    TITLE: ClassVar[str] = "Akut anvendelse forlænget"
    PARAGRAPH: ClassVar[str] = "bek § 2; lov § 5 stk 4"
    DECISION: ClassVar[bool] = True

    kommune: str
    akut_fra: dt.date
    forlaenget_til: dt.date

    def summary(self) -> str:
        return (
            f"Akut anvendelse fra {self.akut_fra} forlænget til {self.forlaenget_til} "
            f"efter ansøgning fra {self.kommune} Kommune"
        )


class AkutForlaengelseAfslaaet(OfferEvent):
    TITLE: ClassVar[str] = "Afslag på akut forlængelse"
    PARAGRAPH: ClassVar[str] = "bek § 2; lov § 5 stk 4"
    DECISION: ClassVar[bool] = True
    APPEALABLE: ClassVar[bool] = True

    kommune: str
    akut_fra: dt.date

    def summary(self) -> str:
        return f"Afslag på forlængelse af akut anvendelse fra {self.akut_fra} ({self.kommune} Kommune)"


# 7 ------------------------------------------------------------------------------------------
class DialogIndledt(OfferEvent):
    TITLE: ClassVar[str] = "Dialog indledt"
    PARAGRAPH: ClassVar[str] = "bek § 4 stk 1, § 8 stk 1"
    PRIVATE_FIELDS: ClassVar[frozenset[str]] = LedgerEvent.PRIVATE_FIELDS | {"forhold", "form"}

    dialog: str
    forhold: tuple[str, ...]
    form: Literal["moede", "skriftlig", "partshoering"] = "moede"
    svarfrist: dt.date | None = None

    def summary(self) -> str:
        frist = f", svarfrist {self.svarfrist}" if self.svarfrist else ""
        form = {"moede": "møde", "skriftlig": "skriftlig", "partshoering": "partshøring"}[self.form]
        return f"Dialog {self.dialog} ({form}) om: " + "; ".join(self.forhold) + frist


class DialogSvarModtaget(OfferEvent):
    TITLE: ClassVar[str] = "Tilbuddets bemærkninger modtaget"
    PARAGRAPH: ClassVar[str] = "bek § 4 stk 1, § 8 stk 1"
    PRIVATE_FIELDS: ClassVar[frozenset[str]] = LedgerEvent.PRIVATE_FIELDS | {"resume"}

    dialog: str
    resume: str

    def item_refs(self) -> tuple[str, ...]:
        return (self.dialog,)

    def summary(self) -> str:
        return f"Bemærkninger i dialog {self.dialog}: {self.resume}"


# 8-10 ---------------------------------------------------------------------------------------
class PaabudUdstedt(_Straks):
    TITLE: ClassVar[str] = "Påbud udstedt"
    PARAGRAPH: ClassVar[str] = "bek §§ 7-9; lov § 8 stk 2"
    DECISION: ClassVar[bool] = True
    APPEALABLE: ClassVar[bool] = True

    paabud: str
    forhold: str
    frist: dt.date
    karakter: PaabudKarakter
    forventes_rettet: bool = True
    kommuner_orienteret: tuple[str, ...] = ()
    skaerpet_tilsyn: str | None = None

    def summary(self) -> str:
        return (
            f"Påbud {self.paabud}{self._straks_text()} ({label(self.karakter)}): "
            f"{self.forhold}; frist {self.frist}"
        )


class PaabudFristForlaenget(OfferEvent):
    TITLE: ClassVar[str] = "Påbudsfrist forlænget"
    PARAGRAPH: ClassVar[str] = "bek § 7 stk 3"
    DECISION: ClassVar[bool] = True

    paabud: str
    tidligere_frist: dt.date
    ny_frist: dt.date
    anmodning_modtaget: dt.date
    saerlige_omstaendigheder: str

    def item_refs(self) -> tuple[str, ...]:
        return (self.paabud,)

    def summary(self) -> str:
        return (
            f"Frist for påbud {self.paabud} forlænget fra {self.tidligere_frist} til {self.ny_frist} "
            f"efter tilbuddets anmodning: {self.saerlige_omstaendigheder}"
        )


class PaabudOpfyldt(OfferEvent):
    TITLE: ClassVar[str] = "Påbud opfyldt"
    PARAGRAPH: ClassVar[str] = "bek § 7; lov § 8 stk 2"

    paabud: str

    def item_refs(self) -> tuple[str, ...]:
        return (self.paabud,)

    def summary(self) -> str:
        return f"Påbud {self.paabud} opfyldt"


class PaabudOphaevet(OfferEvent):
    TITLE: ClassVar[str] = "Påbud ophævet"
    PARAGRAPH: ClassVar[str] = "bek § 9"
    DECISION: ClassVar[bool] = True

    paabud: str
    kommuner_orienteret: tuple[str, ...] = ()

    def item_refs(self) -> tuple[str, ...]:
        return (self.paabud,)

    def summary(self) -> str:
        return f"Påbud {self.paabud} ophævet"


# 11 -----------------------------------------------------------------------------------------
class SkaerpetTilsynIvaerksat(_Straks):
    TITLE: ClassVar[str] = "Skærpet tilsyn iværksat"
    PARAGRAPH: ClassVar[str] = "bek §§ 6, 8 og 9; lov § 8 stk 1"
    DECISION: ClassVar[bool] = True
    APPEALABLE: ClassVar[bool] = True

    skaerpet_tilsyn: str
    periode_fra: dt.date
    periode_til: dt.date
    baggrund: Baggrund
    paabud: tuple[str, ...]
    forventes_rettet: bool = True
    kommuner_orienteret: tuple[str, ...] = ()

    def item_refs(self) -> tuple[str, ...]:
        return self.dialog + self.paabud

    def summary(self) -> str:
        return (
            f"Skærpet tilsyn {self.skaerpet_tilsyn}{self._straks_text()} {self.periode_fra} til "
            f"{self.periode_til} ({label(self.baggrund)}), sammen med påbud {', '.join(self.paabud)}"
        )


class SkaerpetTilsynOphaevet(OfferEvent):
    TITLE: ClassVar[str] = "Skærpet tilsyn ophævet"
    PARAGRAPH: ClassVar[str] = "bek § 6; lov § 8 stk 1"
    DECISION: ClassVar[bool] = True

    skaerpet_tilsyn: str

    def item_refs(self) -> tuple[str, ...]:
        return (self.skaerpet_tilsyn,)

    def summary(self) -> str:
        return f"Skærpet tilsyn {self.skaerpet_tilsyn} ophævet"


# 12 -----------------------------------------------------------------------------------------
class GodkendelseOphoert(_Straks):
    TITLE: ClassVar[str] = "Ophør af godkendelse"
    PARAGRAPH: ClassVar[str] = "bek § 4; lov § 5 stk 7"
    DECISION: ClassVar[bool] = True
    APPEALABLE: ClassVar[bool] = True

    virkning_fra: dt.date
    baggrund: Baggrund
    kommuner_underrettet: tuple[str, ...] = ()

    def summary(self) -> str:
        return (
            f"Godkendelsen bringes til ophør{self._straks_text()} med virkning fra {self.virkning_fra} "
            f"({label(self.baggrund)})"
        )


class TilbudLukket(OfferEvent):
    TITLE: ClassVar[str] = "Tilbuddet lukker"
    PARAGRAPH: ClassVar[str] = "lov § 5 stk 1 (godkendelsen bortfalder, når tilbuddet lukker)"

    virkning_fra: dt.date

    def summary(self) -> str:
        return f"Tilbuddet lukker på eget initiativ med virkning fra {self.virkning_fra}"


# 13-14 --------------------------------------------------------------------------------------
class TilsynsbesoegGennemfoert(OfferEvent):
    TITLE: ClassVar[str] = "Tilsynsbesøg"
    PARAGRAPH: ClassVar[str] = "bek § 5; lov § 7 stk 3"

    form: VisitKind
    afdeling: str | None = None

    def summary(self) -> str:
        where = f", afdeling {self.afdeling}" if self.afdeling else ""
        return f"{label(self.form)} tilsynsbesøg{where}"


class KvalitetsvurderingForetaget(OfferEvent):
    TITLE: ClassVar[str] = "Kvalitetsvurdering"
    PARAGRAPH: ClassVar[str] = "bek § 11, bilag 1 og 2"
    PRIVATE_FIELDS: ClassVar[frozenset[str]] = LedgerEvent.PRIVATE_FIELDS | {"indikatorer"}

    anledning: Literal["godkendelse", "tilsyn"]
    model: Literal["bilag1", "bilag2"]
    indikatorer: dict[str, int | Literal["forventes", "forventes_ikke"]]
    temaer: dict[str, str]

    def summary(self) -> str:
        return (
            f"Kvalitetsvurdering ved {self.anledning} ({self.model}): {len(self.indikatorer)} indikatorer, "
            f"{len(self.temaer)} temaer vurderet skriftligt"
        )


# 15-16 --------------------------------------------------------------------------------------
class BudgetIndsendt(OfferEvent):
    TITLE: ClassVar[str] = "Budget indsendt"
    PARAGRAPH: ClassVar[str] = "bek §§ 14-15"

    budgetaar: int

    def summary(self) -> str:
        return f"Årsbudget for {self.budgetaar} indsendt"


class KoncernnoteIndsendt(OfferEvent):
    TITLE: ClassVar[str] = "Koncernnote indsendt"
    PARAGRAPH: ClassVar[str] = "bek § 14 stk 3, § 15 stk 2"

    budgetaar: int

    def summary(self) -> str:
        return f"Koncernnote for {self.budgetaar} indsendt"


class BudgetGodkendt(OfferEvent):
    TITLE: ClassVar[str] = "Budget godkendt"
    PARAGRAPH: ClassVar[str] = "bek § 16"
    DECISION: ClassVar[bool] = True

    budgetaar: int
    kriterier: dict[str, bool] = {}
    kontroller: dict[str, bool] = {}

    def summary(self) -> str:
        return f"Årsbudget for {self.budgetaar} godkendt"


class BudgetIkkeGodkendt(OfferEvent):
    TITLE: ClassVar[str] = "Budget ikke godkendt"
    PARAGRAPH: ClassVar[str] = "bek § 16"
    DECISION: ClassVar[bool] = True
    APPEALABLE: ClassVar[bool] = True

    budgetaar: int
    kriterier: dict[str, bool] = {}
    kontroller: dict[str, bool] = {}

    def summary(self) -> str:
        return f"Årsbudget for {self.budgetaar} ikke godkendt: {self.begrundelse}"


class AarsrapportIndsendt(OfferEvent):
    TITLE: ClassVar[str] = "Årsrapport indsendt"
    PARAGRAPH: ClassVar[str] = "bek § 17"

    aar: int
    noegletal: dict[str, float | int | str] = {}

    def summary(self) -> str:
        return f"Årsrapport for {self.aar} indsendt ({len(self.noegletal)} nøgletal)"


class OekonomiskVurdering(OfferEvent):
    TITLE: ClassVar[str] = "Økonomisk vurdering"
    PARAGRAPH: ClassVar[str] = "bek §§ 12-13; lov § 6 stk 2 nr 7-8 og stk 3"
    PRIVATE_FIELDS: ClassVar[frozenset[str]] = LedgerEvent.PRIVATE_FIELDS | {"konklusioner", "kontroller"}

    konklusioner: dict[str, bool]
    kontroller: dict[str, bool] = {}

    def summary(self) -> str:
        good = sum(1 for v in self.konklusioner.values() if v)
        return f"Økonomisk vurdering: {good} af {len(self.konklusioner)} konklusioner positive"


# 17 -----------------------------------------------------------------------------------------
class MagtanvendelseIndberettet(OfferEvent):
    TITLE: ClassVar[str] = "Magtanvendelse indberettet"
    PARAGRAPH: ClassVar[str] = "side: Magtanvendelse"
    PRIVATE_FIELDS: ClassVar[frozenset[str]] = LedgerEvent.PRIVATE_FIELDS | {"reference", "haendelsesdato"}

    magtanvendelse: str
    haendelsesdato: dt.date
    reference: str

    def summary(self) -> str:
        return f"Magtanvendelse {self.magtanvendelse} af {self.haendelsesdato} indberettet (ref. {self.reference})"


class MagtanvendelseVurderet(OfferEvent):
    TITLE: ClassVar[str] = "Magtanvendelse vurderet"
    PARAGRAPH: ClassVar[str] = "side: Magtanvendelse"
    PRIVATE_FIELDS: ClassVar[frozenset[str]] = LedgerEvent.PRIVATE_FIELDS | {"vurdering", "konsekvens"}

    magtanvendelse: str
    vurdering: MagtVurdering
    konsekvens: str | None = None

    def item_refs(self) -> tuple[str, ...]:
        return (self.magtanvendelse,)

    def summary(self) -> str:
        tail = f": {self.konsekvens}" if self.konsekvens else ""
        return f"Magtanvendelse {self.magtanvendelse} vurderet: {label(self.vurdering)}{tail}"


# 18 -----------------------------------------------------------------------------------------
class _Klage(OfferEvent):
    PRIVATE_FIELDS: ClassVar[frozenset[str]] = frozenset({"*"})  # complaints are never public


class KlageModtaget(_Klage):
    TITLE: ClassVar[str] = "Klage modtaget"
    PARAGRAPH: ClassVar[str] = "side: Klagevejledning"

    klage: str
    afgoerelse: int
    emne: KlageEmne
    klager: str
    afgoerelse_modtaget: dt.date
    for_sent: bool = False

    def references(self) -> tuple[int, ...]:
        return (self.afgoerelse,)

    def summary(self) -> str:
        late = " (modtaget efter klagefristen)" if self.for_sent else ""
        return f"Klage {self.klage} fra {self.klager} over afgørelse #{self.afgoerelse} ({label(self.emne)}){late}"


class KlageGenvurderet(_Klage):
    TITLE: ClassVar[str] = "Klage genvurderet"
    PARAGRAPH: ClassVar[str] = "side: Klagevejledning"
    DECISION: ClassVar[bool] = True

    klage: str
    udfald: Literal["fastholdt", "aendret"]
    ny_afgoerelse: int | None = None

    def item_refs(self) -> tuple[str, ...]:
        return (self.klage,)

    def references(self) -> tuple[int, ...]:
        return (self.ny_afgoerelse,) if self.ny_afgoerelse else ()

    def summary(self) -> str:
        if self.udfald == "fastholdt":
            return f"Klage {self.klage} genvurderet: afgørelsen fastholdes"
        new = f" (ny afgørelse #{self.ny_afgoerelse})" if self.ny_afgoerelse else ""
        return f"Klage {self.klage} genvurderet: afgørelsen ændres{new}"


class KlageVideresendt(_Klage):
    TITLE: ClassVar[str] = "Klage videresendt til Ankestyrelsen"
    PARAGRAPH: ClassVar[str] = "side: Klagevejledning"

    klage: str

    def item_refs(self) -> tuple[str, ...]:
        return (self.klage,)

    def summary(self) -> str:
        return f"Klage {self.klage} med sagens akter videresendt til Ankestyrelsen"


class AnkestyrelsensAfgoerelse(_Klage):
    TITLE: ClassVar[str] = "Ankestyrelsens afgørelse"
    PARAGRAPH: ClassVar[str] = "side: Klagevejledning"

    klage: str
    udfald: AnkeUdfald

    def item_refs(self) -> tuple[str, ...]:
        return (self.klage,)

    def summary(self) -> str:
        return f"Ankestyrelsen har afgjort klage {self.klage}: {label(self.udfald)}"


# Notifications and corrections ---------------------------------------------------------------
class KommunerOrienteret(OfferEvent):
    TITLE: ClassVar[str] = "Kommuner orienteret"
    PARAGRAPH: ClassVar[str] = "bek § 4 stk 4, § 9"

    afgoerelse: int
    kommuner: tuple[str, ...]

    def references(self) -> tuple[int, ...]:
        return (self.afgoerelse,)

    def summary(self) -> str:
        return f"Orientering om afgørelse #{self.afgoerelse} sendt til: {', '.join(self.kommuner)}"


class AendringAnsoegt(OfferEvent):
    TITLE: ClassVar[str] = "Ansøgning om væsentlig ændring"
    PARAGRAPH: ClassVar[str] = "bek § 28 stk 4; lov § 5 stk 1"

    aendring: str
    beskrivelse: str
    pladser: int | None = None
    forventede_borgere: int | None = None
    tilbudstyper: tuple[OfferType, ...] = ()
    nye_afdelinger: tuple[Afdeling, ...] = ()

    def summary(self) -> str:
        return f"Ansøgning {self.aendring} om godkendelse af væsentlig ændring: {self.beskrivelse}"


class AendringGodkendt(OfferEvent):
    TITLE: ClassVar[str] = "Væsentlig ændring godkendt"
    PARAGRAPH: ClassVar[str] = "bek § 28 stk 4; lov § 5 stk 1"
    DECISION: ClassVar[bool] = True

    aendring: str

    def item_refs(self) -> tuple[str, ...]:
        return (self.aendring,)

    def summary(self) -> str:
        return f"Væsentlig ændring {self.aendring} godkendt"


class AendringAfslaaet(OfferEvent):
    TITLE: ClassVar[str] = "Væsentlig ændring afslået"
    PARAGRAPH: ClassVar[str] = "bek § 28 stk 4; lov § 5 stk 1"
    DECISION: ClassVar[bool] = True
    APPEALABLE: ClassVar[bool] = True

    aendring: str

    def item_refs(self) -> tuple[str, ...]:
        return (self.aendring,)

    def summary(self) -> str:
        return f"Væsentlig ændring {self.aendring} afslået: {self.begrundelse}"


class RegistreringAnnulleret(OfferEvent):
    TITLE: ClassVar[str] = "Registrering annulleret"
    PARAGRAPH: ClassVar[str] = "rettelse: en fejlregistrering annulleres, begge bevares"

    annulleret: int

    def references(self) -> tuple[int, ...]:
        return (self.annulleret,)

    def summary(self) -> str:
        return f"Registrering #{self.annulleret} annulleret: {self.correction_reason}"


OFFER_EVENTS: tuple[type[OfferEvent], ...] = (
    AnsoegningModtaget,
    Godkendt,
    Afslaaet,
    VilkaarOpfyldt,
    VilkaarAendret,
    VilkaarOphaevet,
    FravigelseBevilget,
    FravigelseBortfaldet,
    AkutForlaengelseBevilget,
    AkutForlaengelseAfslaaet,
    DialogIndledt,
    DialogSvarModtaget,
    PaabudUdstedt,
    PaabudFristForlaenget,
    PaabudOpfyldt,
    PaabudOphaevet,
    SkaerpetTilsynIvaerksat,
    SkaerpetTilsynOphaevet,
    GodkendelseOphoert,
    TilbudLukket,
    TilsynsbesoegGennemfoert,
    KvalitetsvurderingForetaget,
    BudgetIndsendt,
    KoncernnoteIndsendt,
    BudgetGodkendt,
    BudgetIkkeGodkendt,
    AarsrapportIndsendt,
    OekonomiskVurdering,
    MagtanvendelseIndberettet,
    MagtanvendelseVurderet,
    KlageModtaget,
    KlageGenvurderet,
    KlageVideresendt,
    AnkestyrelsensAfgoerelse,
    KommunerOrienteret,
    AendringAnsoegt,
    AendringGodkendt,
    AendringAfslaaet,
    RegistreringAnnulleret,
)
