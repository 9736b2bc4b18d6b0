"""The command vocabulary: one pydantic model per decision or record, shared by the per-decision
CLI subcommands and by `ledger submit` (one JSON object per line). `ledger schema` prints the
JSON Schema of `Command`.

Every command has `command` (its name), `offer` (the offer's id) and `date` (the effective date:
the day the decision was made or the visit took place). The ledger stamps the recorded time.
Field names are the law's Danish, ASCII-folded (æ→ae, ø→oe, å→aa).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from ledger.errors import InvalidInput, LedgerError, RuleViolation
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
)
from ledger.readers import event_number, holds_cpr_number, json_integer, printable, read_day

# Numbers and yes/no are what they say: a JSON true is not the number 1, "12" is not 12, 1 is not true.
Int = Annotated[int, BeforeValidator(json_integer)]
Flag = Annotated[bool, Strict()]
Day = Annotated[dt.date, BeforeValidator(read_day)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000), BeforeValidator(printable)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), BeforeValidator(printable)]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-ZÆ]\d{1,6}$"), BeforeValidator(printable)]
EventNo = Annotated[int, BeforeValidator(event_number), Strict(), Field(ge=1, le=10_000_000)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9ÆØÅæøå][A-Za-z0-9ÆØÅæøå._:/-]{0,63}$"), BeforeValidator(printable)]
# An indicator's or a theme's number in the quality model (1.a, 10): a key of a short text.
Label = Annotated[str, StringConstraints(max_length=10), BeforeValidator(printable)]
# Lists of municipalities: Denmark has 98.
KOMMUNER = 98


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class AfdelingSpec(_Model):
    """An afdeling (department) with its address. CLI: --afdeling "NAVN|ADRESSE"."""

    navn: Short
    adresse: Short


class VilkaarSpec(_Model):
    """A vilkår with an optional frist. CLI: --vilkaar "TEKST" or "TEKST|YYYY-MM-DD"."""

    tekst: Text
    frist: Day | None = None


class PaabudSpec(_Model):
    """A påbud decided together with a skærpet tilsyn. CLI: --paabud "FORHOLD|FRIST|KARAKTER"."""

    forhold: Text
    frist: Day
    karakter: PaabudKarakter = PaabudKarakter.ANDET
    begrundelse: Text | None = None


_NESTED: dict[type[BaseModel], tuple[str, ...]] = {}


def _holds_models(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_models(arg) for arg in get_args(annotation))


def _nested_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a command that can hold models (afdelinger, vilkår, ...): handed on as dicts."""
    found = _NESTED.get(cls)
    if found is None:
        found = _NESTED[cls] = tuple(name for name, info in cls.model_fields.items() if _holds_models(info.annotation))
    return found


class BaseCommand(_Model):
    """Fields every command has."""

    NAME: ClassVar[str] = ""
    HANDLER: ClassVar[str] = ""
    SUMMARY: ClassVar[str] = ""
    CORRECTABLE: ClassVar[bool] = True
    # Which kind of case the command is judged by: an offer's, or a Socialtilsyn's own.
    CASE: ClassVar[str] = "offer"

    date: Day = Field(description="Effective date: the day of the decision or record (YYYY-MM-DD).")
    by: Short | None = Field(default=None, description="Who records it (default: --by, $LEDGER_USER or the login name).")
    note: Text | None = Field(default=None, description="Internal note; never public.")
    supersedes: EventNo | None = Field(
        default=None, description="Correction: the event number (#n) this record replaces (same kind of event)."
    )
    correction_reason: Text | None = Field(default=None, description="Why a correction is made.")

    def case_key(self) -> str:
        raise NotImplementedError

    def handler_kwargs(self) -> dict[str, Any]:
        data = dict(self.__dict__)  # the validated fields
        for field in ("command", "offer", "by"):
            data.pop(field, None)
        if not self.CORRECTABLE:
            if data.pop("supersedes", None) is not None:
                raise InvalidInput(f"'{self.NAME}' cannot supersede another record")
            if data.get("correction_reason") is not None and self.NAME != "annullering":
                raise InvalidInput(f"'{self.NAME}' takes no correction_reason")
            if self.NAME != "annullering":
                data.pop("correction_reason", None)
        for name in _nested_fields(type(self)):
            value = data.get(name)
            if isinstance(value, BaseModel):
                data[name] = value.model_dump()
            elif isinstance(value, (list, tuple)) and value and isinstance(value[0], BaseModel):
                data[name] = [item.model_dump() for item in value]
        return data


class Command(BaseCommand):
    """A command judged by one offer's case."""

    offer: Key = Field(description="The offer's id in the ledger, e.g. T-1001.")

    def case_key(self) -> str:
        return self.offer


class AuthorityCommand(BaseCommand):
    """A command judged by a Socialtilsyn's own case."""

    CASE: ClassVar[str] = "authority"
    region: Region = Field(description="The Socialtilsyn: Nord, Midt, Syd, Øst or Hovedstaden.")

    def case_key(self) -> str:
        return self.region.value


class _StraksFields(_Model):
    dialog: list[Ref] | None = Field(default=None, max_length=100, description="The dialog(s) (D1, ...) that preceded the decision; default: the dialogs opened before it.")
    straks: Flag = Field(default=False, description="Decided straks, without prior dialog (needs straks_begrundelse).")
    straks_grund: StraksGrund | None = Field(default=None, description="The category of special reason for straks.")
    straks_begrundelse: Text | None = Field(default=None, description="The special reason that makes a straks decision necessary.")


class Ansoegning(Command):
    """Ansøgning modtaget (bek § 1 stk 1): a written application for approval opens the offer's case.

    Example: ledger ansoegning T-1001 --date 2024-01-10 --navn "Bostedet Lærkely" --tilbudstype SEL107
    --pladser 12 --ejerform privat --region Nord --afdeling "Hovedhuset|Lærkevej 1, 9000 Aalborg"
    """

    NAME: ClassVar[str] = "ansoegning"
    HANDLER: ClassVar[str] = "ansoeg"
    SUMMARY: ClassVar[str] = "Ansøgning modtaget: a written application opens (or reopens) a case"
    command: Literal["ansoegning"] = "ansoegning"
    navn: Short
    tilbudstyper: list[OfferType] = Field(min_length=1, max_length=20, description="Offer types, e.g. SEL107, SEL66_5, PLEJEFAMILIE.")
    pladser: Int = Field(ge=1, le=10_000)
    ejerform: Ejerform
    region: Region
    afdelinger: list[AfdelingSpec] = Field(min_length=1, max_length=200)
    koncern: Short | None = None
    forventede_borgere: Int | None = Field(default=None, ge=1, le=1_000_000, description="SEL §§ 101/101a, SUL § 141: citizens expected a year.")
    ambulant: Flag = False
    sikret: Flag = False
    kun_aflastning: Flag = False
    bestyrelse: Flag = False
    skriftlig: Flag = Field(default=True, description="The application is written (bek § 1 stk 1).")

    def handler_kwargs(self) -> dict[str, Any]:
        data = super().handler_kwargs()
        data["tilbud"] = self.offer
        return data


class Godkendelse(Command):
    """Godkendt / godkendt med vilkår (bek § 1 stk 1-3; lov § 5 stk 1, 5).

    Example: ledger godkendelse T-1001 --date 2024-03-01 --begrundelse "Opfylder kvalitetsmodellen"
    --vilkaar "Brandsyn skal foreligge|2024-06-01"
    """

    NAME: ClassVar[str] = "godkendelse"
    HANDLER: ClassVar[str] = "godkend"
    SUMMARY: ClassVar[str] = "Godkendt (med vilkår): approve a pending application"
    command: Literal["godkendelse"] = "godkendelse"
    begrundelse: Text | None = None
    vilkaar: list[VilkaarSpec] = Field(default_factory=list, max_length=100)
    pladser: Int | None = Field(default=None, ge=1, le=10_000)
    oekonomisk_begrundelse: Text | None = Field(
        default=None,
        description="Why the approval stands although the latest economic assessment has a negative conclusion "
        "(bek § 1 stk 1; lov § 6 stk 2 nr 7): required then.",
    )


class Afslag(Command):
    """Afslag på godkendelse (bek § 1 stk 1-2).

    Example: ledger afslag T-1002 --date 2024-03-01 --begrundelse "Ledelsen mangler relevante kompetencer"
    """

    NAME: ClassVar[str] = "afslag"
    HANDLER: ClassVar[str] = "afslaa"
    SUMMARY: ClassVar[str] = "Afslag: refuse a pending application"
    command: Literal["afslag"] = "afslag"
    begrundelse: Text | None = None


class VilkaarOpfyldt(Command):
    """Vilkår opfyldt (bek § 1 stk 3).

    Example: ledger vilkaar-opfyldt T-1001 --date 2024-05-20 --vilkaar V1
    """

    NAME: ClassVar[str] = "vilkaar-opfyldt"
    HANDLER: ClassVar[str] = "vilkaar_opfyldt"
    SUMMARY: ClassVar[str] = "Vilkår opfyldt: one vilkår is met"
    command: Literal["vilkaar-opfyldt"] = "vilkaar-opfyldt"
    vilkaar: Ref
    begrundelse: Text | None = None


class VilkaarAendret(Command):
    """Vilkår ændret (bek § 1 stk 3; lov § 5 stk 5).

    Example: ledger vilkaar-aendret T-1001 --date 2024-05-20 --vilkaar V1 --tekst "Brandsyn for begge huse"
    --frist 2024-08-01 --begrundelse "Afdeling B indgår nu"
    """

    NAME: ClassVar[str] = "vilkaar-aendret"
    HANDLER: ClassVar[str] = "vilkaar_aendret"
    SUMMARY: ClassVar[str] = "Vilkår ændret: change one vilkår"
    command: Literal["vilkaar-aendret"] = "vilkaar-aendret"
    vilkaar: Ref
    tekst: Text
    frist: Day | None = None
    begrundelse: Text | None = None


class VilkaarOphaevet(Command):
    """Vilkår ophævet (bek § 1 stk 3; lov § 5 stk 5).

    Example: ledger vilkaar-ophaevet T-1001 --date 2024-05-20 --vilkaar V1 --begrundelse "Ikke længere relevant"
    """

    NAME: ClassVar[str] = "vilkaar-ophaevet"
    HANDLER: ClassVar[str] = "vilkaar_ophaevet"
    SUMMARY: ClassVar[str] = "Vilkår ophævet: lift one vilkår"
    command: Literal["vilkaar-ophaevet"] = "vilkaar-ophaevet"
    vilkaar: Ref
    begrundelse: Text | None = None


class Fravigelse(Command):
    """Fravigelse (bek § 1 stk 4; lov § 5 stk 6): on the approved offer's request, bounded by conditions
    and/or a period.

    Example: ledger fravigelse T-1001 --date 2024-06-01 --anmodning-modtaget 2024-05-20
    --periode-til 2024-08-31 --betingelser "Højst 14 borgere under ombygningen" --begrundelse "Ombygning"
    """

    NAME: ClassVar[str] = "fravigelse"
    HANDLER: ClassVar[str] = "fravig"
    SUMMARY: ClassVar[str] = "Fravigelse: a bounded departure from the approval, at the offer's request"
    command: Literal["fravigelse"] = "fravigelse"
    begrundelse: Text | None = None
    anmodning_modtaget: Day | None = Field(default=None, description="When the offer's request was received.")
    betingelser: Text | None = None
    periode_fra: Day | None = None
    periode_til: Day | None = None
    vilkaar: list[VilkaarSpec] = Field(default_factory=list, max_length=100)


class FravigelseBortfaldet(Command):
    """Fravigelse bortfaldet: its conditions are no longer met (bek § 1 stk 4).

    Example: ledger fravigelse-bortfaldet T-1001 --date 2024-07-01 --fravigelse F1
    """

    NAME: ClassVar[str] = "fravigelse-bortfaldet"
    HANDLER: ClassVar[str] = "fravigelse_bortfaldet"
    SUMMARY: ClassVar[str] = "Fravigelse bortfaldet: its conditions no longer hold"
    command: Literal["fravigelse-bortfaldet"] = "fravigelse-bortfaldet"
    fravigelse: Ref
    begrundelse: Text | None = None


class AkutForlaengelse(Command):
    """Akut forlængelse (bek § 2; lov § 5 stk 4): a not-approved offer used acutely may be used at most
    3 more weeks, on the placing municipality's application.

    Example: ledger akut-forlaengelse T-1003 --date 2024-02-10 --kommune Aalborg --akut-fra 2024-02-01
    --forlaenget-til 2024-03-14 --begrundelse "Borgeren kan ikke flyttes uden risiko"
    """

    NAME: ClassVar[str] = "akut-forlaengelse"
    HANDLER: ClassVar[str] = "akut_forlaeng"
    SUMMARY: ClassVar[str] = "Akut forlængelse: allow (or refuse) 3 more weeks of acute use"
    command: Literal["akut-forlaengelse"] = "akut-forlaengelse"
    kommune: Short | None = None
    akut_fra: Day
    forlaenget_til: Day | None = None
    bevilget: Flag = True
    begrundelse: Text | None = None


class Dialog(Command):
    """Dialog indledt about named forhold (bek § 4 stk 1, § 8 stk 1).

    Example: ledger dialog T-1001 --date 2024-09-01 --forhold "Utilstrækkelig dokumentation af medicin"
    """

    NAME: ClassVar[str] = "dialog"
    HANDLER: ClassVar[str] = "indled_dialog"
    SUMMARY: ClassVar[str] = "Dialog indledt: open a dialog about named concerns"
    command: Literal["dialog"] = "dialog"
    forhold: list[Text] = Field(min_length=1, max_length=50)
    form: Literal["moede", "skriftlig", "partshoering"] = "moede"
    svarfrist: Day | None = None


class DialogSvar(Command):
    """The offer's remarks in a dialog or hearing.

    Example: ledger dialog-svar T-1001 --date 2024-09-10 --dialog D1 --resume "Tilbuddet anerkender forholdet"
    """

    NAME: ClassVar[str] = "dialog-svar"
    HANDLER: ClassVar[str] = "dialog_svar"
    SUMMARY: ClassVar[str] = "Tilbuddets bemærkninger: the offer's reply in a dialog or hearing"
    command: Literal["dialog-svar"] = "dialog-svar"
    dialog: Ref
    resume: Text


class Paabud(Command, _StraksFields):
    """Påbud udstedt (bek §§ 7-9; lov § 8 stk 2): after prior dialog, unless straks.

    Example: ledger paabud T-1001 --date 2024-09-20 --forhold "Medicinhåndtering skal dokumenteres"
    --frist 2024-11-01 --karakter faglig --begrundelse "Fund ved tilsynsbesøg" --kommune Aalborg
    """

    NAME: ClassVar[str] = "paabud"
    HANDLER: ClassVar[str] = "udsted_paabud"
    SUMMARY: ClassVar[str] = "Påbud: order the offer to rectify a forhold by a frist"
    command: Literal["paabud"] = "paabud"
    forhold: Text
    frist: Day | None = None
    karakter: PaabudKarakter
    begrundelse: Text | None = None
    forventes_rettet: Flag = Field(default=True, description="The offer is expected to be able and willing to rectify (bek § 8 stk 2).")
    kommuner_orienteret: list[Short] = Field(default_factory=list, max_length=KOMMUNER, description="Municipalities told (bek § 9).")


class PaabudsfristForlaenget(Command):
    """Påbudsfrist forlænget, at the offer's request, under special circumstances (bek § 7 stk 3).

    Example: ledger paabudsfrist-forlaenget T-1001 --date 2024-10-25 --paabud P1 --ny-frist 2024-12-01
    --anmodning-modtaget 2024-10-20 --saerlige-omstaendigheder "Leder sygemeldt"
    """

    NAME: ClassVar[str] = "paabudsfrist-forlaenget"
    HANDLER: ClassVar[str] = "forlaeng_paabudsfrist"
    SUMMARY: ClassVar[str] = "Påbudsfrist forlænget: a later frist at the offer's request"
    command: Literal["paabudsfrist-forlaenget"] = "paabudsfrist-forlaenget"
    paabud: Ref
    ny_frist: Day
    anmodning_modtaget: Day | None = None
    saerlige_omstaendigheder: Text | None = None
    begrundelse: Text | None = None


class PaabudOpfyldt(Command):
    """Påbud opfyldt.

    Example: ledger paabud-opfyldt T-1001 --date 2024-11-15 --paabud P1
    """

    NAME: ClassVar[str] = "paabud-opfyldt"
    HANDLER: ClassVar[str] = "paabud_opfyldt"
    SUMMARY: ClassVar[str] = "Påbud opfyldt: the offer complied"
    command: Literal["paabud-opfyldt"] = "paabud-opfyldt"
    paabud: Ref
    begrundelse: Text | None = None


class PaabudOphaevet(Command):
    """Påbud ophævet; the municipalities are told (bek § 9).

    Example: ledger paabud-ophaevet T-1001 --date 2024-11-15 --paabud P1 --begrundelse "Grundlaget er bortfaldet"
    """

    NAME: ClassVar[str] = "paabud-ophaevet"
    HANDLER: ClassVar[str] = "ophaev_paabud"
    SUMMARY: ClassVar[str] = "Påbud ophævet: lift a påbud"
    command: Literal["paabud-ophaevet"] = "paabud-ophaevet"
    paabud: Ref
    begrundelse: Text | None = None
    kommuner_orienteret: list[Short] = Field(default_factory=list, max_length=KOMMUNER)


class SkaerpetTilsyn(Command, _StraksFields):
    """Skærpet tilsyn iværksat (bek §§ 6, 8, 9): at most the rulebook's longest period (3 months under
    the 2017 order), decided together with a påbud.

    Example: ledger skaerpet-tilsyn T-1001 --date 2024-10-01 --periode-til 2024-12-31 --baggrund kvalitet
    --paabud "Døgnbemanding skal sikres|2024-11-15|organisatorisk" --begrundelse "Alvorlige fund"
    """

    NAME: ClassVar[str] = "skaerpet-tilsyn"
    HANDLER: ClassVar[str] = "skaerpet_tilsyn"
    SUMMARY: ClassVar[str] = "Skærpet tilsyn: intensified supervision for a period, with a påbud"
    command: Literal["skaerpet-tilsyn"] = "skaerpet-tilsyn"
    periode_fra: Day | None = None
    periode_til: Day
    baggrund: Baggrund
    begrundelse: Text | None = None
    paabud: list[PaabudSpec] = Field(default_factory=list, max_length=20, description="Påbud decided together with it.")
    paabud_refs: list[Ref] = Field(default_factory=list, max_length=20, description="Påbud issued the same day (P1, ...).")
    forventes_rettet: Flag = True
    kommuner_orienteret: list[Short] = Field(default_factory=list, max_length=KOMMUNER)


class SkaerpetTilsynOphaevet(Command):
    """Skærpet tilsyn ophævet before its period ends.

    Example: ledger skaerpet-tilsyn-ophaevet T-1001 --date 2024-11-20 --skaerpet-tilsyn S1 --begrundelse "Forholdene er rettet"
    """

    NAME: ClassVar[str] = "skaerpet-tilsyn-ophaevet"
    HANDLER: ClassVar[str] = "ophaev_skaerpet_tilsyn"
    SUMMARY: ClassVar[str] = "Skærpet tilsyn ophævet: end it before its period"
    command: Literal["skaerpet-tilsyn-ophaevet"] = "skaerpet-tilsyn-ophaevet"
    skaerpet_tilsyn: Ref
    begrundelse: Text | None = None


class Ophoer(Command, _StraksFields):
    """Ophør af godkendelse decided by Socialtilsynet (bek § 4; lov § 5 stk 7): after dialog, with a
    reasonable frist (a later virkning_fra), unless straks.

    Example: ledger ophoer T-1001 --date 2025-01-10 --virkning-fra 2025-03-01 --baggrund kvalitet
    --begrundelse "Påbud P1 er ikke efterkommet" --kommune Aalborg
    """

    NAME: ClassVar[str] = "ophoer"
    HANDLER: ClassVar[str] = "ophoer"
    SUMMARY: ClassVar[str] = "Ophør af godkendelse: revoke the approval"
    command: Literal["ophoer"] = "ophoer"
    virkning_fra: Day | None = None
    baggrund: Baggrund
    begrundelse: Text | None = None
    kommuner_underrettet: list[Short] = Field(default_factory=list, max_length=KOMMUNER, description="Municipalities told (bek § 4 stk 4).")


class Lukning(Command):
    """The offer closes on its own initiative; its approval ends without a revocation.

    Example: ledger lukning T-1004 --date 2024-12-01 --virkning-fra 2024-12-31
    """

    NAME: ClassVar[str] = "lukning"
    HANDLER: ClassVar[str] = "luk"
    SUMMARY: ClassVar[str] = "Tilbuddet lukker: the offer closes on its own"
    command: Literal["lukning"] = "lukning"
    virkning_fra: Day | None = None
    begrundelse: Text | None = None


class Tilsynsbesoeg(Command):
    """Tilsynsbesøg, anmeldt or uanmeldt (bek § 5), at an afdeling (A1 or its name).

    Example: ledger tilsynsbesoeg T-1001 --date 2024-04-15 --form uanmeldt --afdeling A1
    """

    NAME: ClassVar[str] = "tilsynsbesoeg"
    HANDLER: ClassVar[str] = "tilsynsbesoeg"
    SUMMARY: ClassVar[str] = "Tilsynsbesøg: a supervision visit"
    command: Literal["tilsynsbesoeg"] = "tilsynsbesoeg"
    form: VisitKind
    afdeling: Short | None = None


class Kvalitetsvurdering(Command):
    """Kvalitetsvurdering (bek § 11, bilag 1/2): at approval each indicator 'forventes' or
    'forventes_ikke', at supervision a score 1-5; a written assessment per theme.

    Example: ledger kvalitetsvurdering T-1001 --date 2024-04-15 --anledning tilsyn --indikator 1.a=4
    --indikator 1.b=5 --tema "1=Borgerne understøttes godt i uddannelse og beskæftigelse"
    """

    NAME: ClassVar[str] = "kvalitetsvurdering"
    HANDLER: ClassVar[str] = "kvalitetsvurdering"
    SUMMARY: ClassVar[str] = "Kvalitetsvurdering: indicators and written theme assessments"
    command: Literal["kvalitetsvurdering"] = "kvalitetsvurdering"
    anledning: Literal["godkendelse", "tilsyn"]
    indikatorer: dict[Label, Int | Literal["forventes", "forventes_ikke"]] = Field(max_length=200)
    temaer: dict[Label, Text] = Field(default_factory=dict, max_length=20)


class BudgetIndsendt(Command):
    """Årsbudget indsendt (bek §§ 14-15): due 1 October (private) or 15 November (public) the year before.

    Example: ledger budget-indsendt T-1001 --date 2024-09-25 --budgetaar 2025
    """

    NAME: ClassVar[str] = "budget-indsendt"
    HANDLER: ClassVar[str] = "budget_indsendt"
    SUMMARY: ClassVar[str] = "Budget indsendt: the annual budget is submitted"
    command: Literal["budget-indsendt"] = "budget-indsendt"
    budgetaar: Int = Field(ge=2000, le=2100)


class Koncernnote(Command):
    """Koncernnote indsendt with a koncern's budgets (bek § 14 stk 3, § 15 stk 2).

    Example: ledger koncernnote T-1001 --date 2024-09-25 --budgetaar 2025
    """

    NAME: ClassVar[str] = "koncernnote"
    HANDLER: ClassVar[str] = "koncernnote_indsendt"
    SUMMARY: ClassVar[str] = "Koncernnote indsendt with a koncern's budget"
    command: Literal["koncernnote"] = "koncernnote"
    budgetaar: Int = Field(ge=2000, le=2100)


class BudgetAfgoerelse(Command):
    """Budget godkendt / ikke godkendt (bek § 16): the three criteria of stk 2, the four checks of stk 3.

    Example: ledger budget-afgoerelse T-1001 --date 2024-12-15 --budgetaar 2025 --godkendt
    --kriterium sammenhaeng=ja --kriterium ingen_uvedkommende_poster=ja --kriterium ansvarlig_forvaltning=ja
    """

    NAME: ClassVar[str] = "budget-afgoerelse"
    HANDLER: ClassVar[str] = "budget_afgoer"
    SUMMARY: ClassVar[str] = "Budget godkendt / ikke godkendt"
    command: Literal["budget-afgoerelse"] = "budget-afgoerelse"
    budgetaar: Int = Field(ge=2000, le=2100)
    godkendt: Flag
    begrundelse: Text | None = None
    kriterier: dict[Short, Flag] = Field(default_factory=dict, max_length=20)
    kontroller: dict[Short, Flag] = Field(default_factory=dict, max_length=20)


class Aarsrapport(Command):
    """Årsrapport indsendt (bek § 17): due 1 May the year after.

    Example: ledger aarsrapport T-1001 --date 2025-04-20 --aar 2024 --noegletal omsaetning=12500000
    """

    NAME: ClassVar[str] = "aarsrapport"
    HANDLER: ClassVar[str] = "aarsrapport"
    SUMMARY: ClassVar[str] = "Årsrapport indsendt by the offer"
    command: Literal["aarsrapport"] = "aarsrapport"
    aar: Int = Field(ge=2000, le=2100)
    noegletal: dict[Short, Annotated[float, Strict()] | Int | Short] = Field(default_factory=dict, max_length=100)


class OekonomiskVurdering(Command):
    """Økonomisk vurdering (bek § 13: three conclusions, four checks; bek § 12 for plejefamilier).

    Example: ledger oekonomisk-vurdering T-1001 --date 2024-04-15 --konklusion baeredygtig=ja
    --konklusion kvalitet_for_prisen=ja --konklusion gennemsigtig=ja --kontrol ingen_revisorforbehold=ja
    --kontrol rimeligt_budget=ja --kontrol rimelig_soliditet=ja --kontrol budget_afspejler_maalgruppe=ja
    """

    NAME: ClassVar[str] = "oekonomisk-vurdering"
    HANDLER: ClassVar[str] = "oekonomisk_vurdering"
    SUMMARY: ClassVar[str] = "Økonomisk vurdering (bek §§ 12-13)"
    command: Literal["oekonomisk-vurdering"] = "oekonomisk-vurdering"
    konklusioner: dict[Short, Flag] = Field(max_length=20)
    kontroller: dict[Short, Flag] = Field(default_factory=dict, max_length=20)
    begrundelse: Text | None = None


class Magtanvendelse(Command):
    """Magtanvendelse indberettet by the offer: a reference only, never personal data.

    Example: ledger magtanvendelse T-1001 --date 2024-05-02 --haendelsesdato 2024-04-30 --reference "MA-2024-017"
    """

    NAME: ClassVar[str] = "magtanvendelse"
    HANDLER: ClassVar[str] = "magtanvendelse"
    SUMMARY: ClassVar[str] = "Magtanvendelse indberettet (a reference, no personal data)"
    command: Literal["magtanvendelse"] = "magtanvendelse"
    haendelsesdato: Day
    reference: Short


class MagtanvendelseVurderet(Command):
    """Socialtilsynet's assessment of a reported magtanvendelse.

    Example: ledger magtanvendelse-vurderet T-1001 --date 2024-05-10 --magtanvendelse M1 --vurdering ingen_bemaerkning
    """

    NAME: ClassVar[str] = "magtanvendelse-vurderet"
    HANDLER: ClassVar[str] = "magtanvendelse_vurderet"
    SUMMARY: ClassVar[str] = "Magtanvendelse vurderet by Socialtilsynet"
    command: Literal["magtanvendelse-vurderet"] = "magtanvendelse-vurderet"
    magtanvendelse: Ref
    vurdering: MagtVurdering
    konsekvens: Text | None = None


class Klage(Command):
    """Klage modtaget: names one decision (#n) of the case; within 4 weeks of receiving it (late ones
    are flagged). Complaints about case-processing time or staff conduct are refused.

    Example: ledger klage T-1001 --date 2024-10-10 --afgoerelse 7 --emne afgoerelsens_indhold
    --klager "Bostedet Lærkely ApS" --afgoerelse-modtaget 2024-09-22
    """

    NAME: ClassVar[str] = "klage"
    HANDLER: ClassVar[str] = "klage"
    SUMMARY: ClassVar[str] = "Klage modtaget over a decision"
    command: Literal["klage"] = "klage"
    afgoerelse: EventNo
    emne: KlageEmne = KlageEmne.AFGOERELSENS_INDHOLD
    klager: Short
    afgoerelse_modtaget: Day
    begrundelse: Text | None = None


class KlageGenvurderet(Command):
    """Socialtilsynet reconsiders a complaint: fastholdt (upheld) or aendret (the decision is changed;
    name the new decision with ny_afgoerelse if one was recorded).

    Example: ledger klage-genvurderet T-1001 --date 2024-10-20 --klage K1 --udfald fastholdt --begrundelse "..."
    """

    NAME: ClassVar[str] = "klage-genvurderet"
    HANDLER: ClassVar[str] = "klage_genvurderet"
    SUMMARY: ClassVar[str] = "Klage genvurderet: upheld or changed"
    command: Literal["klage-genvurderet"] = "klage-genvurderet"
    klage: Ref
    udfald: Literal["fastholdt", "aendret"]
    begrundelse: Text | None = None
    ny_afgoerelse: EventNo | None = None


class KlageVideresendt(Command):
    """An upheld complaint is forwarded with the case's documents to Ankestyrelsen (within 4 weeks).

    Example: ledger klage-videresendt T-1001 --date 2024-10-21 --klage K1
    """

    NAME: ClassVar[str] = "klage-videresendt"
    HANDLER: ClassVar[str] = "klage_videresendt"
    SUMMARY: ClassVar[str] = "Klage videresendt til Ankestyrelsen"
    command: Literal["klage-videresendt"] = "klage-videresendt"
    klage: Ref


class AnkestyrelsensAfgoerelse(Command):
    """Ankestyrelsen's outcome: stadfaestet, aendret, ophaevet, hjemvist or afvist.

    Example: ledger ankestyrelsens-afgoerelse T-1001 --date 2025-01-15 --klage K1 --udfald stadfaestet --begrundelse "..."
    """

    NAME: ClassVar[str] = "ankestyrelsens-afgoerelse"
    HANDLER: ClassVar[str] = "ankestyrelsens_afgoerelse"
    SUMMARY: ClassVar[str] = "Ankestyrelsens afgørelse of a complaint"
    command: Literal["ankestyrelsens-afgoerelse"] = "ankestyrelsens-afgoerelse"
    klage: Ref
    udfald: AnkeUdfald
    begrundelse: Text | None = None


class KommunerOrienteret(Command):
    """The municipalities told of a decision (bek § 4 stk 4, § 9).

    Example: ledger kommuner-orienteret T-1001 --date 2024-09-21 --afgoerelse 7 --kommune Aalborg --kommune Hjørring
    """

    NAME: ClassVar[str] = "kommuner-orienteret"
    HANDLER: ClassVar[str] = "kommuner_orienteret"
    SUMMARY: ClassVar[str] = "Kommuner orienteret om a decision"
    CORRECTABLE: ClassVar[bool] = False
    command: Literal["kommuner-orienteret"] = "kommuner-orienteret"
    afgoerelse: EventNo
    kommuner: list[Short] = Field(min_length=1, max_length=KOMMUNER)


class AendringAnsoegt(Command):
    """Ansøgning om væsentlig ændring of an approved offer (bek § 28 stk 4).

    Example: ledger aendring-ansoegt T-1001 --date 2025-02-01 --beskrivelse "Udvidelse med 6 pladser" --pladser 18
    """

    NAME: ClassVar[str] = "aendring-ansoegt"
    HANDLER: ClassVar[str] = "ansoeg_aendring"
    SUMMARY: ClassVar[str] = "Ansøgning om væsentlig ændring"
    command: Literal["aendring-ansoegt"] = "aendring-ansoegt"
    beskrivelse: Text
    pladser: Int | None = Field(default=None, ge=1, le=10_000)
    forventede_borgere: Int | None = Field(default=None, ge=1, le=1_000_000)
    tilbudstyper: list[OfferType] = Field(default_factory=list, max_length=20)
    nye_afdelinger: list[AfdelingSpec] = Field(default_factory=list, max_length=200)


class AendringAfgoerelse(Command):
    """Decide an application for a significant change.

    Example: ledger aendring-afgoerelse T-1001 --date 2025-03-01 --aendring Æ1 --godkendt --begrundelse "..."
    """

    NAME: ClassVar[str] = "aendring-afgoerelse"
    HANDLER: ClassVar[str] = "afgoer_aendring"
    SUMMARY: ClassVar[str] = "Væsentlig ændring godkendt / afslået"
    command: Literal["aendring-afgoerelse"] = "aendring-afgoerelse"
    aendring: Ref
    godkendt: Flag
    begrundelse: Text | None = None


class Annullering(Command):
    """Annul a wrong record (#n). Both stay in the history; the annulled one no longer counts.

    Example: ledger annullering T-1001 --date 2024-04-20 --annulleret 5 --correction-reason "Besøget blev registreret på forkert tilbud"
    """

    NAME: ClassVar[str] = "annullering"
    HANDLER: ClassVar[str] = "annuller"
    SUMMARY: ClassVar[str] = "Annullering: annul a wrong record (a correction; both stay)"
    CORRECTABLE: ClassVar[bool] = False
    command: Literal["annullering"] = "annullering"
    annulleret: EventNo


class IndtaegtAndreOpgaverCommand(AuthorityCommand):
    """Income from tasks other than those of lov § 2 (bek § 31), counted by § 18 stk 2 nr 8. Money is
    integer øre.

    Example: ledger indtaegt-andre-opgaver Nord --date 2024-12-31 --aar 2024 --beloeb-oere 12500000
    --modpart "Aalborg Kommune" --beskrivelse "Faglig sparring om magtanvendelse"
    """

    NAME: ClassVar[str] = "indtaegt-andre-opgaver"
    HANDLER: ClassVar[str] = "indtaegt"
    SUMMARY: ClassVar[str] = "Indtægt fra andre opgaver (bek § 31), for § 18 stk 2 nr 8"
    command: Literal["indtaegt-andre-opgaver"] = "indtaegt-andre-opgaver"
    aar: Int = Field(ge=2000, le=2100)
    beloeb_oere: Int = Field(ge=0, le=10**13, description="The amount in øre (1 kr = 100 øre).")
    modpart: Short
    beskrivelse: Text


Oere = Annotated[int, BeforeValidator(json_integer), Field(ge=0, le=10**13)]


class TaksterCommand(AuthorityCommand):
    """The year's takster of a Socialtilsyn (bek § 28; § 29 stk 3; § 30), in integer øre. `godkendelse`,
    `tilsyn` (the annual tilsynstakst) and `vaesentlig_aendring` (§ 28 stk 4) take one amount per size
    category of the rulebook, in order (1-7, 8-24, 25-49, 50+ pladser). The special takster for SEL § 66
    stk 1 nr 7 offers (§ 29 stk 3) and for chapter-2 parties (§ 30) are optional. A second table for the
    same year is a correction: give supersedes (#n) and a correction_reason. `ledger takster load FILE.json`
    records a whole file of them.

    Example: ledger takster Nord --date 2023-12-15 --aar 2024 --godkendelse 2400000 --godkendelse 3600000
    --godkendelse 4800000 --godkendelse 6000000 --tilsyn 12000000 --tilsyn 24000000 --tilsyn 36000000
    --tilsyn 48000000 --vaesentlig-aendring 1200000 --vaesentlig-aendring 1800000 --vaesentlig-aendring 2400000
    --vaesentlig-aendring 3000000 --tilsyn-66-7 6000000
    """

    NAME: ClassVar[str] = "takster"
    HANDLER: ClassVar[str] = "fastsaet_takster"
    SUMMARY: ClassVar[str] = "Takster fastsat for a year (bek §§ 28-30), in øre per size category"
    command: Literal["takster"] = "takster"
    aar: Int = Field(ge=2000, le=2100, description="The year the takster are for.")
    godkendelse: list[Oere] = Field(min_length=1, max_length=20, description="Godkendelsestakst per size category, in øre (bek § 28 stk 3).")
    tilsyn: list[Oere] = Field(min_length=1, max_length=20, description="Annual tilsynstakst per size category, in øre (bek § 28 stk 5).")
    vaesentlig_aendring: list[Oere] = Field(min_length=1, max_length=20, description="Takst for a significant change per size category, in øre (bek § 28 stk 4).")
    godkendelse_66_7: Oere | None = Field(default=None, description="Special godkendelsestakst for SEL § 66 stk 1 nr 7 offers (bek § 29 stk 3), in øre.")
    tilsyn_66_7: Oere | None = Field(default=None, description="Special annual tilsynstakst for SEL § 66 stk 1 nr 7 offers (bek § 29 stk 3), in øre.")
    godkendelse_kapitel2: Oere | None = Field(default=None, description="Godkendelsestakst for chapter-2 parties (bek § 30 stk 2), in øre.")
    tilsyn_kapitel2: Oere | None = Field(default=None, description="Annual tilsynstakst for chapter-2 parties (bek § 30 stk 4), in øre.")
    vaesentlig_aendring_kapitel2: Oere | None = Field(default=None, description="Takst for a chapter-2 party's significant change, a partial new approval (bek § 30 stk 3), in øre.")
    begrundelse: Text | None = None


class ObjektivFinansieringCommand(AuthorityCommand):
    """The year's objektive finansieringsandel (bek § 27): the total in integer øre and each kommune's
    number of 0-17-year-olds, by which the total is split (§ 27 stk 2). A second one for the same year is a
    correction: give supersedes (#n) and a correction_reason.

    Example: ledger objektiv-finansiering Nord --date 2023-12-15 --aar 2024 --samlet-beloeb-oere 4200000000
    --kommune Aalborg=41000 --kommune Hjørring=12500 --kommune Thisted=8600
    """

    NAME: ClassVar[str] = "objektiv-finansiering"
    HANDLER: ClassVar[str] = "fastsaet_objektiv_finansiering"
    SUMMARY: ClassVar[str] = "Objektiv finansieringsandel fastsat for a year (bek § 27)"
    command: Literal["objektiv-finansiering"] = "objektiv-finansiering"
    aar: Int = Field(ge=2000, le=2100, description="The year the andel is for.")
    samlet_beloeb_oere: Oere = Field(description="The total to split between the kommuner, in øre.")
    kommuner: dict[Short, Annotated[Int, Field(ge=0, le=10**8)]] = Field(min_length=1, max_length=KOMMUNER, description="Each kommune's number of 0-17-year-olds (KOMMUNE=ANTAL).")
    begrundelse: Text | None = None


OFFER_COMMANDS: tuple[type[Command], ...] = (
    Ansoegning,
    Godkendelse,
    Afslag,
    VilkaarOpfyldt,
    VilkaarAendret,
    VilkaarOphaevet,
    Fravigelse,
    FravigelseBortfaldet,
    AkutForlaengelse,
    Dialog,
    DialogSvar,
    Paabud,
    PaabudsfristForlaenget,
    PaabudOpfyldt,
    PaabudOphaevet,
    SkaerpetTilsyn,
    SkaerpetTilsynOphaevet,
    Ophoer,
    Lukning,
    Tilsynsbesoeg,
    Kvalitetsvurdering,
    BudgetIndsendt,
    Koncernnote,
    BudgetAfgoerelse,
    Aarsrapport,
    OekonomiskVurdering,
    Magtanvendelse,
    MagtanvendelseVurderet,
    Klage,
    KlageGenvurderet,
    KlageVideresendt,
    AnkestyrelsensAfgoerelse,
    KommunerOrienteret,
    AendringAnsoegt,
    AendringAfgoerelse,
    Annullering,
)
class TilsynsrapportTekstCommand(AuthorityCommand):
    """A text of Socialtilsynet's own annual report: its general considerations on the offers' quality
    (afsnit generelle_overvejelser, bek § 18 stk 3) or a chosen focus point (afsnit fokuspunkt, stk 4).

    Example: ledger tilsynsrapport-tekst Nord --date 2026-05-20 --aar 2025 --afsnit generelle_overvejelser
    --overskrift "Kvaliteten i tilbuddene" --tekst "Kvaliteten er generelt god ..."
    """

    NAME: ClassVar[str] = "tilsynsrapport-tekst"
    HANDLER: ClassVar[str] = "tilsynsrapport_tekst"
    SUMMARY: ClassVar[str] = "Årsrapportens tekster: generelle overvejelser og fokuspunkter (bek § 18 stk 3-4)"
    command: Literal["tilsynsrapport-tekst"] = "tilsynsrapport-tekst"
    aar: Int = Field(ge=2000, le=2100)
    afsnit: Literal["generelle_overvejelser", "fokuspunkt"]
    overskrift: Short
    tekst: Text


class TilsynsrapportAfgivetCommand(AuthorityCommand):
    """The year's annual report sent to Socialstyrelsen's audit function and the framework-agreement
    secretariat and published (bek § 18 stk 5: by 1 July the year after), with the ledger digest it was
    made from (as `ledger annual-report` prints it).

    Example: ledger tilsynsrapport-afgivet Nord --date 2026-06-20 --aar 2025 --digest ledger-digest:v1:1204:3f1c...
    """

    NAME: ClassVar[str] = "tilsynsrapport-afgivet"
    HANDLER: ClassVar[str] = "tilsynsrapport_afgivet"
    SUMMARY: ClassVar[str] = "Årsrapporten afgivet og offentliggjort (bek § 18 stk 5)"
    command: Literal["tilsynsrapport-afgivet"] = "tilsynsrapport-afgivet"
    aar: Int = Field(ge=2000, le=2100)
    digest: Short


class KoncernCommand(BaseCommand):
    """Register a koncern (or koncern-like construction) and its head address (bek § 3): when offers of
    one koncern are approved by different Socialtilsyn, its applications are handled by the Socialtilsyn
    of the region of its head address. A new head address is a correction (supersedes).

    Example: ledger koncern "Lærkely Gruppen ApS" --date 2024-01-02 --navn "Lærkely Gruppen ApS"
    --hovedadresse "Lærkevej 1, 9000 Aalborg" --region Nord
    """

    NAME: ClassVar[str] = "koncern"
    HANDLER: ClassVar[str] = "registrer"
    SUMMARY: ClassVar[str] = "Koncern registreret with its head address (bek § 3)"
    CASE: ClassVar[str] = "koncern"
    command: Literal["koncern"] = "koncern"
    koncern: Short = Field(description="The koncern's name as the offers give it (their koncern field).")
    navn: Short
    hovedadresse: Short
    region: Region = Field(description="The region of the head address: its Socialtilsyn handles the koncern's applications.")

    def case_key(self) -> str:
        return self.koncern


class EmployerCommand(BaseCommand):
    """A command judged by a chapter-2 party's case: an association or private company acting as
    employer in SEL §§ 95-96 schemes (lov § 18 a; bek kapitel 2)."""

    CASE: ClassVar[str] = "employer"
    part: Key = Field(description="The party's id in the ledger, e.g. AG-301.")

    def case_key(self) -> str:
        return self.part

    def handler_kwargs(self) -> dict[str, Any]:
        data = super().handler_kwargs()
        data.pop("part", None)
        return data


class ArbejdsgiverAnsoegning(EmployerCommand):
    """Ansøgning om godkendelse from an association or private company employing in SEL §§ 95-96
    schemes (bek § 19 stk 1): written.

    Example: ledger arbejdsgiver-ansoegning AG-301 --date 2024-02-01 --navn "Hjælperforeningen Nord"
    --virksomhedsform forening --region Nord --adresse "Boulevarden 5, 9000 Aalborg"
    """

    NAME: ClassVar[str] = "arbejdsgiver-ansoegning"
    HANDLER: ClassVar[str] = "ansoeg_arbejdsgiver"
    SUMMARY: ClassVar[str] = "Kapitel 2: ansøgning fra en forening eller privat virksomhed (SEL §§ 95-96)"
    command: Literal["arbejdsgiver-ansoegning"] = "arbejdsgiver-ansoegning"
    navn: Short
    virksomhedsform: Literal["forening", "privat_virksomhed"]
    region: Region
    adresse: Short
    cvr: Annotated[str, StringConstraints(pattern=r"^\d{8}$"), BeforeValidator(printable)] | None = None
    skriftlig: Flag = True

    def handler_kwargs(self) -> dict[str, Any]:
        data = super().handler_kwargs()
        data["part"] = self.part
        return data


class ArbejdsgiverDialog(EmployerCommand):
    """Dialog with the applicant or the party about named forhold (bek § 19 stk 1, § 21 stk 1).

    Example: ledger arbejdsgiver-dialog AG-301 --date 2024-02-20 --forhold "Dokumentation for kendskab til ansættelsesret"
    """

    NAME: ClassVar[str] = "arbejdsgiver-dialog"
    HANDLER: ClassVar[str] = "indled_dialog_arbejdsgiver"
    SUMMARY: ClassVar[str] = "Kapitel 2: dialog med ansøgeren eller foreningen/virksomheden"
    command: Literal["arbejdsgiver-dialog"] = "arbejdsgiver-dialog"
    forhold: list[Text] = Field(min_length=1, max_length=50)
    form: Literal["moede", "skriftlig", "partshoering"] = "moede"
    svarfrist: Day | None = None


class ArbejdsgiverGodkendelse(EmployerCommand):
    """Godkendt (bek §§ 19-20): after the written application and a dialog with the applicant, only if
    it is solvent, has a competent management using external supervision, and documents its knowledge of
    employment law.

    Example: ledger arbejdsgiver-godkendelse AG-301 --date 2024-03-15 --betingelse solvent=ja
    --betingelse kompetent_ledelse_og_supervision=ja --betingelse kendskab_til_ansaettelsesret=ja
    --dokumentation "Kursusbevis i ansættelsesret, 2023" --begrundelse "Betingelserne i § 20 er opfyldt"
    """

    NAME: ClassVar[str] = "arbejdsgiver-godkendelse"
    HANDLER: ClassVar[str] = "godkend_arbejdsgiver"
    SUMMARY: ClassVar[str] = "Kapitel 2: godkendt (betingelserne i bek § 20)"
    command: Literal["arbejdsgiver-godkendelse"] = "arbejdsgiver-godkendelse"
    begrundelse: Text | None = None
    betingelser: dict[Short, Flag] = Field(default_factory=dict, max_length=20, description="The conditions of bek § 20: solvent, kompetent_ledelse_og_supervision, kendskab_til_ansaettelsesret.")
    dokumentation: Text | None = Field(default=None, description="The documentation of the knowledge of employment law (bek § 20 nr 3).")
    vilkaar: list[VilkaarSpec] = Field(default_factory=list, max_length=100)
    dialog: list[Ref] | None = Field(default=None, max_length=100)


class ArbejdsgiverAfslag(EmployerCommand):
    """Afslag (bek §§ 19-20).

    Example: ledger arbejdsgiver-afslag AG-302 --date 2024-03-15 --begrundelse "Foreningen er ikke solvent"
    """

    NAME: ClassVar[str] = "arbejdsgiver-afslag"
    HANDLER: ClassVar[str] = "afslaa_arbejdsgiver"
    SUMMARY: ClassVar[str] = "Kapitel 2: afslag"
    command: Literal["arbejdsgiver-afslag"] = "arbejdsgiver-afslag"
    begrundelse: Text | None = None


class ArbejdsgiverVilkaarOpfyldt(EmployerCommand):
    """A vilkår of the approval met (bek § 19 stk 3).

    Example: ledger arbejdsgiver-vilkaar-opfyldt AG-301 --date 2024-06-01 --vilkaar V1
    """

    NAME: ClassVar[str] = "arbejdsgiver-vilkaar-opfyldt"
    HANDLER: ClassVar[str] = "vilkaar_opfyldt_arbejdsgiver"
    SUMMARY: ClassVar[str] = "Kapitel 2: vilkår opfyldt"
    command: Literal["arbejdsgiver-vilkaar-opfyldt"] = "arbejdsgiver-vilkaar-opfyldt"
    vilkaar: Ref
    begrundelse: Text | None = None


class ArbejdsgiverTilsyn(EmployerCommand):
    """Risk-based supervision, by an announced or unannounced visit or without one (bek § 22): no visit
    is mandatory.

    Example: ledger arbejdsgiver-tilsyn AG-301 --date 2024-10-01 --form uden_besoeg
    """

    NAME: ClassVar[str] = "arbejdsgiver-tilsyn"
    HANDLER: ClassVar[str] = "tilsyn_arbejdsgiver"
    SUMMARY: ClassVar[str] = "Kapitel 2: risikobaseret tilsyn (bek § 22)"
    command: Literal["arbejdsgiver-tilsyn"] = "arbejdsgiver-tilsyn"
    form: Literal["anmeldt_besoeg", "uanmeldt_besoeg", "uden_besoeg"]


class ArbejdsgiverBudgetIndsendt(EmployerCommand):
    """The annual budget (bek § 23): due 1 October the year before; from budget year 2019 (§ 33 stk 3).

    Example: ledger arbejdsgiver-budget-indsendt AG-301 --date 2024-09-20 --budgetaar 2025
    """

    NAME: ClassVar[str] = "arbejdsgiver-budget-indsendt"
    HANDLER: ClassVar[str] = "budget_indsendt_arbejdsgiver"
    SUMMARY: ClassVar[str] = "Kapitel 2: budget indsendt (bek § 23)"
    command: Literal["arbejdsgiver-budget-indsendt"] = "arbejdsgiver-budget-indsendt"
    budgetaar: Int = Field(ge=2000, le=2100)


class ArbejdsgiverBudgetAfgoerelse(EmployerCommand):
    """The budget approved or not (bek § 24): the two criteria of stk 2, the two checks of stk 3; due by
    1 January when submitted before 1 October.

    Example: ledger arbejdsgiver-budget-afgoerelse AG-301 --date 2024-12-10 --budgetaar 2025 --godkendt
    --kriterium ingen_uvedkommende_poster=ja --kriterium ansvarlig_forvaltning=ja
    """

    NAME: ClassVar[str] = "arbejdsgiver-budget-afgoerelse"
    HANDLER: ClassVar[str] = "budget_afgoer_arbejdsgiver"
    SUMMARY: ClassVar[str] = "Kapitel 2: budget godkendt / ikke godkendt (bek § 24)"
    command: Literal["arbejdsgiver-budget-afgoerelse"] = "arbejdsgiver-budget-afgoerelse"
    budgetaar: Int = Field(ge=2000, le=2100)
    godkendt: Flag
    begrundelse: Text | None = None
    kriterier: dict[Short, Flag] = Field(default_factory=dict, max_length=20)
    kontroller: dict[Short, Flag] = Field(default_factory=dict, max_length=20)


class ArbejdsgiverRegnskab(EmployerCommand):
    """The revised annual accounts sent right after the audit (bek § 25); from accounting year 2018 (§ 33 stk 4).

    Example: ledger arbejdsgiver-regnskab AG-301 --date 2025-04-10 --regnskabsaar 2024
    """

    NAME: ClassVar[str] = "arbejdsgiver-regnskab"
    HANDLER: ClassVar[str] = "regnskab"
    SUMMARY: ClassVar[str] = "Kapitel 2: revideret årsregnskab indsendt (bek § 25)"
    command: Literal["arbejdsgiver-regnskab"] = "arbejdsgiver-regnskab"
    regnskabsaar: Int = Field(ge=2000, le=2100)


class ArbejdsgiverAendringAnsoegt(EmployerCommand):
    """An approved party applies for a partial new approval because of a significant change in the basis
    of its approval (bek § 30 stk 3: its own takst). Also accepted as `aendring-ansoegt` with `part`.

    Example: ledger arbejdsgiver-aendring-ansoegt AG-301 --date 2025-02-01 --beskrivelse "Ny ledelse og nyt hovedsæde"
    """

    NAME: ClassVar[str] = "arbejdsgiver-aendring-ansoegt"
    HANDLER: ClassVar[str] = "ansoeg_aendring_arbejdsgiver"
    SUMMARY: ClassVar[str] = "Kapitel 2: ansøgning om væsentlig ændring (bek § 30 stk 3)"
    command: Literal["arbejdsgiver-aendring-ansoegt"] = "arbejdsgiver-aendring-ansoegt"
    beskrivelse: Text


class ArbejdsgiverAendringAfgoerelse(EmployerCommand):
    """Decide a party's application for a significant change, with its begrundelse (bek § 19 stk 2).
    Also accepted as `aendring-afgoerelse` with `part`.

    Example: ledger arbejdsgiver-aendring-afgoerelse AG-301 --date 2025-03-01 --aendring Æ1 --godkendt
    --begrundelse "Betingelserne i bek § 20 er fortsat opfyldt"
    """

    NAME: ClassVar[str] = "arbejdsgiver-aendring-afgoerelse"
    HANDLER: ClassVar[str] = "afgoer_aendring_arbejdsgiver"
    SUMMARY: ClassVar[str] = "Kapitel 2: væsentlig ændring godkendt / afslået"
    command: Literal["arbejdsgiver-aendring-afgoerelse"] = "arbejdsgiver-aendring-afgoerelse"
    aendring: Ref
    godkendt: Flag
    begrundelse: Text | None = None


class ArbejdsgiverOphoer(EmployerCommand, _StraksFields):
    """Ophør af godkendelse (bek § 21): after dialog and a chance to rectify, with a reasonable frist
    (a later virkning_fra), NEVER straks; the municipalities that granted the schemes and the citizens
    concerned are told (§ 21 stk 3).

    Example: ledger arbejdsgiver-ophoer AG-301 --date 2025-05-01 --virkning-fra 2025-08-01 --baggrund oekonomi
    --begrundelse "Foreningen er ikke længere solvent" --kommune Aalborg --borgere-underrettet 14
    """

    NAME: ClassVar[str] = "arbejdsgiver-ophoer"
    HANDLER: ClassVar[str] = "ophoer_arbejdsgiver"
    SUMMARY: ClassVar[str] = "Kapitel 2: ophør af godkendelse (bek § 21; aldrig straks)"
    command: Literal["arbejdsgiver-ophoer"] = "arbejdsgiver-ophoer"
    virkning_fra: Day | None = None
    baggrund: Baggrund
    begrundelse: Text | None = None
    kommuner_underrettet: list[Short] = Field(default_factory=list, max_length=KOMMUNER, description="The municipalities that granted schemes (bek § 21 stk 3).")
    borgere_underrettet: Int = Field(default=0, ge=0, le=1_000_000, description="How many citizens with schemes were told (bek § 21 stk 3).")


class ArbejdsgiverLukning(EmployerCommand):
    """The party stops on its own initiative.

    Example: ledger arbejdsgiver-lukning AG-301 --date 2025-11-01 --virkning-fra 2025-12-31
    """

    NAME: ClassVar[str] = "arbejdsgiver-lukning"
    HANDLER: ClassVar[str] = "luk_arbejdsgiver"
    SUMMARY: ClassVar[str] = "Kapitel 2: foreningen/virksomheden ophører selv"
    command: Literal["arbejdsgiver-lukning"] = "arbejdsgiver-lukning"
    virkning_fra: Day | None = None
    begrundelse: Text | None = None


EMPLOYER_COMMANDS: tuple[type[EmployerCommand], ...] = (
    ArbejdsgiverAnsoegning,
    ArbejdsgiverDialog,
    ArbejdsgiverGodkendelse,
    ArbejdsgiverAfslag,
    ArbejdsgiverVilkaarOpfyldt,
    ArbejdsgiverTilsyn,
    ArbejdsgiverBudgetIndsendt,
    ArbejdsgiverBudgetAfgoerelse,
    ArbejdsgiverRegnskab,
    ArbejdsgiverAendringAnsoegt,
    ArbejdsgiverAendringAfgoerelse,
    ArbejdsgiverOphoer,
    ArbejdsgiverLukning,
)


AUTHORITY_COMMANDS: tuple[type[AuthorityCommand], ...] = (
    IndtaegtAndreOpgaverCommand,
    TaksterCommand,
    ObjektivFinansieringCommand,
    TilsynsrapportTekstCommand,
    TilsynsrapportAfgivetCommand,
)
ALL_COMMANDS: tuple[type[BaseCommand], ...] = (*OFFER_COMMANDS, *EMPLOYER_COMMANDS, *AUTHORITY_COMMANDS, KoncernCommand)
COMMANDS: dict[str, type[BaseCommand]] = {cls.NAME: cls for cls in ALL_COMMANDS}

# Built at run time from ALL_COMMANDS, so it is a type form only to pydantic, not to a static checker.
AnyCommand: Any = Annotated[Union[tuple(ALL_COMMANDS)], Field(discriminator="command")]
_ADAPTER: TypeAdapter[BaseCommand] = TypeAdapter(AnyCommand)



# -- the fields the law demands ---------------------------------------------------------------------
# Where the law demands a field, its absence and its emptiness (blank text, an empty list) are refused
# alike, naming the paragraph, whichever layer notices it: the aggregate when the model lets the field be
# absent (a decision's begrundelse), the command layer when the model requires it (a påbud's forhold) or
# when it is given blank. Each command has its own paragraphs (chapter 2 writes its decisions under
# bek § 19 stk 2). The messages are the aggregates' own. `field.*.name` is a field of each item of a list.
_BEGRUNDELSE = ("bek § 1 stk 2", "a decision must be written with its begrundelse (reasons)")
_BEGRUNDELSE_KAP2 = ("bek § 19 stk 2", "a decision must be written with its begrundelse (reasons)")
_VILKAAR_TEKST = ("bek § 1 stk 3", "a vilkår must have a text")
_VILKAAR_REF = ("bek § 1 stk 3", "name the vilkår (V1, ...) the decision concerns")
_PAABUD_FORHOLD = ("bek § 7 stk 2", "a påbud states the forhold the offer must rectify")
_PAABUD_FRIST = ("bek § 7 stk 3", "a påbud must have a frist for its compliance")
_PAABUD_REF = ("bek § 7", "name the påbud (P1, ...) the decision concerns")
_KLAGE_REF = ("side: Klagevejledning", "name the complaint (K1, ...) it concerns")
_KOMMUNER = ("bek § 4 stk 4, § 9", "name at least one municipality (kommuner)")
LEGAL_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "ansoegning": {
        "navn": ("bek § 1 stk 1", "the offer has a name"),
        "afdelinger": ("bek § 1 stk 1", "an application names at least one afdeling with its address"),
        "afdelinger.*.navn": ("bek § 1 stk 1", "each afdeling has a name"),
        "afdelinger.*.adresse": ("bek § 1 stk 1", "each afdeling has an address"),
    },
    "godkendelse": {"begrundelse": _BEGRUNDELSE, "vilkaar.*.tekst": _VILKAAR_TEKST},
    "afslag": {"begrundelse": _BEGRUNDELSE},
    "vilkaar-opfyldt": {"vilkaar": _VILKAAR_REF},
    "vilkaar-aendret": {"vilkaar": _VILKAAR_REF, "tekst": _VILKAAR_TEKST, "begrundelse": _BEGRUNDELSE},
    "vilkaar-ophaevet": {"vilkaar": _VILKAAR_REF, "begrundelse": _BEGRUNDELSE},
    "fravigelse": {"begrundelse": _BEGRUNDELSE, "vilkaar.*.tekst": _VILKAAR_TEKST},
    "fravigelse-bortfaldet": {"fravigelse": ("bek § 1 stk 4", "name the fravigelse (F1, ...) that lapses")},
    "akut-forlaengelse": {
        "kommune": ("bek § 2", "akut forlængelse is decided on the application of the placing municipality (kommune)"),
        "akut_fra": ("bek § 2", "state the day the acute use began (akut_fra): it may be extended only within its 3 weeks"),
        "begrundelse": _BEGRUNDELSE,
    },
    "dialog": {"forhold": ("bek § 8 stk 1", "a dialog names the forhold (concerns) it is about")},
    "dialog-svar": {
        "dialog": ("bek § 8 stk 1", "name the dialog (D1, ...) the offer answers"),
        "resume": ("bek § 8 stk 1", "record what the offer said (resume)"),
    },
    "paabud": {
        "forhold": _PAABUD_FORHOLD,
        "frist": _PAABUD_FRIST,
        "karakter": ("bek § 18 stk 2 nr 4", "a påbud states its karakter (the category the annual statistics count)"),
        "begrundelse": _BEGRUNDELSE,
    },
    "paabudsfrist-forlaenget": {
        "paabud": _PAABUD_REF,
        "ny_frist": ("bek § 7 stk 3", "state the new frist (ny_frist)"),
        "saerlige_omstaendigheder": (
            "bek § 7 stk 3",
            "a påbud's frist is extended only under special circumstances: state them (saerlige_omstaendigheder)",
        ),
    },
    "paabud-opfyldt": {"paabud": _PAABUD_REF},
    "paabud-ophaevet": {"paabud": _PAABUD_REF, "begrundelse": _BEGRUNDELSE},
    "skaerpet-tilsyn": {
        "periode_til": ("bek § 6 stk 2", "skærpet tilsyn is decided for a period: state its last day (periode_til)"),
        "baggrund": ("bek § 18 stk 2 nr 3", "a skærpet tilsyn states its baggrund (the background the annual statistics count)"),
        "begrundelse": _BEGRUNDELSE,
        "paabud.*.forhold": _PAABUD_FORHOLD,
        "paabud.*.frist": _PAABUD_FRIST,
    },
    "skaerpet-tilsyn-ophaevet": {
        "skaerpet_tilsyn": ("bek § 6 stk 2", "name the skærpet tilsyn (S1, ...) that is lifted"),
        "begrundelse": _BEGRUNDELSE,
    },
    "ophoer": {
        "baggrund": ("bek § 18 stk 2 nr 5", "an ophør states its baggrund (the background the annual statistics count)"),
        "begrundelse": _BEGRUNDELSE,
    },
    "tilsynsbesoeg": {"form": ("bek § 18 stk 2 nr 2", "a visit is anmeldt or uanmeldt (form)")},
    "kvalitetsvurdering": {
        "anledning": ("bek § 11", "state whether the assessment is made at godkendelse or tilsyn (anledning)"),
        "indikatorer": ("bek § 11", "a quality assessment scores at least one indicator"),
        "temaer.*": ("bek § 11", "each assessed theme has a written assessment"),
    },
    "magtanvendelse": {"reference": ("side: Magtanvendelse", "a report carries the offer's reference")},
    "magtanvendelse-vurderet": {
        "magtanvendelse": ("side: Magtanvendelse", "name the magtanvendelse (M1, ...) assessed"),
        "vurdering": ("side: Magtanvendelse", "state the assessment (vurdering)"),
    },
    "klage": {
        "afgoerelse": ("side: Klagevejledning", "a complaint names the decision (#n) it is about"),
        "klager": ("side: Klagevejledning", "a complaint names who complains (klager)"),
        "afgoerelse_modtaget": ("side: Klagevejledning", "state when the decision was received (afgoerelse_modtaget): the 4 weeks run from it"),
    },
    "klage-genvurderet": {"klage": _KLAGE_REF, "begrundelse": _BEGRUNDELSE},
    "klage-videresendt": {"klage": _KLAGE_REF},
    "ankestyrelsens-afgoerelse": {
        "klage": _KLAGE_REF,
        "begrundelse": ("side: Klagevejledning", "record Ankestyrelsen's reasons (begrundelse)"),
    },
    "kommuner-orienteret": {
        "afgoerelse": ("bek § 4 stk 4, § 9", "name the decision (#n) the municipalities were told of"),
        "kommuner": _KOMMUNER,
    },
    "aendring-ansoegt": {"beskrivelse": ("bek § 28 stk 4", "describe the change (beskrivelse)")},
    "aendring-afgoerelse": {
        "aendring": ("bek § 28 stk 4", "name the change (Æ1, ...) decided"),
        "begrundelse": _BEGRUNDELSE,
    },
    "arbejdsgiver-ansoegning": {
        "navn": ("bek § 19 stk 1", "the party has a name"),
        "adresse": ("bek § 19 stk 1", "the party has an address"),
    },
    "arbejdsgiver-dialog": {"forhold": ("bek § 19 stk 1, § 21 stk 1", "a dialog names the forhold (concerns) it is about")},
    "arbejdsgiver-godkendelse": {
        "begrundelse": _BEGRUNDELSE_KAP2,
        "dokumentation": (
            "bek § 20 nr 3",
            "the knowledge of employment law is shown by documentation the management sent (dokumentation)",
        ),
        "vilkaar.*.tekst": ("bek § 19 stk 3", "a vilkår must have a text"),
    },
    "arbejdsgiver-afslag": {"begrundelse": _BEGRUNDELSE_KAP2},
    "arbejdsgiver-aendring-ansoegt": {"beskrivelse": ("bek § 30 stk 3", "describe the change (beskrivelse)")},
    "arbejdsgiver-aendring-afgoerelse": {
        "aendring": ("bek § 30 stk 3", "name the change (Æ1, ...) decided"),
        "begrundelse": _BEGRUNDELSE_KAP2,
    },
    "arbejdsgiver-vilkaar-opfyldt": {"vilkaar": ("bek § 19 stk 3", "name the vilkår (V1, ...) the decision concerns")},
    "arbejdsgiver-ophoer": {
        "baggrund": ("bek § 18 stk 2 nr 5", "an ophør states its baggrund (the background the annual statistics count)"),
        "begrundelse": _BEGRUNDELSE_KAP2,
    },
}
# Blank text (or a blank date) that counts as absent, for the aggregate to judge: a budget approval may go without
# reasons (the law's criteria are its reasons), a refusal may not (bek § 1 stk 2).
# The same for the fields whose absence the aggregate judges with more to say: a straks decision
# without its special reason (bek § 4 stk 3, § 8 stk 1), a fravigelse without the offer's request or
# its bounds (bek § 1 stk 4), an ophør without its effective date (bek § 4 stk 2), a longer påbudsfrist
# without the offer's request (bek § 7 stk 3).
_STRAKS = ("straks_begrundelse",)
BLANK_IS_ABSENT: dict[str, tuple[str, ...]] = {
    "budget-afgoerelse": ("begrundelse",),
    "arbejdsgiver-budget-afgoerelse": ("begrundelse",),
    "paabud": _STRAKS,
    "skaerpet-tilsyn": _STRAKS,
    "ophoer": (*_STRAKS, "virkning_fra"),
    "arbejdsgiver-ophoer": ("virkning_fra",),
    "fravigelse": ("anmodning_modtaget", "betingelser", "periode_til"),
    "paabudsfrist-forlaenget": ("anmodning_modtaget",),
    "akut-forlaengelse": ("forlaenget_til",),
}
# The demanded fields the models let be absent, by command: checked once a command is valid.
_ABSENT: dict[str, tuple[tuple[str, str, str], ...]] = {}


def _absent_checks(cls: type[BaseCommand]) -> tuple[tuple[str, str, str], ...]:
    found = _ABSENT.get(cls.NAME)
    if found is None:
        legal = LEGAL_FIELDS.get(cls.NAME, {})
        found = _ABSENT[cls.NAME] = tuple(
            (name, *legal[name]) for name, info in cls.model_fields.items()
            if name in legal and not info.is_required() and info.default is None
        )
    return found


def require_legal_fields(command: BaseCommand) -> None:
    """Refuse a command whose demanded field is absent, naming its paragraph."""
    for name, paragraph, message in _absent_checks(type(command)):
        if getattr(command, name) is None:
            raise RuleViolation(paragraph, message)


def _blank(item: Any) -> bool:
    """A validation error caused by a missing or empty value (not a wrong one)."""
    if item["type"] == "missing":
        return True
    value = item.get("input")
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, (list, dict)) and not value and item["type"] == "too_short"
    )


def _legal_path(command: str, loc: Sequence[Any]) -> tuple[str, str, str] | None:
    """The demanded field an error's location names, with its paragraph and message."""
    legal = LEGAL_FIELDS.get(command)
    if not legal:
        return None
    parts = [str(p) for p in loc if not str(p).startswith("function-")]
    path = ".".join("*" if p.isdigit() else p for p in parts)
    for candidate in (path, path.removesuffix(".*")):
        if candidate in legal:
            return (candidate, *legal[candidate])
    if len(parts) > 1 and f"{parts[0]}.*" in legal and not parts[1].isdigit():
        return (f"{parts[0]}.*", *legal[f"{parts[0]}.*"])  # a dict's value, keyed by name
    return None


def _refusal(error: ValidationError, data: Any, again: Any) -> LedgerError | BaseCommand:
    """A validation error as the ledger reports it: the paragraph of a demanded field that is
    missing or blank (exit 3, as the aggregate refuses it), else malformed input (exit 2). Blank
    text where blank means absent is left out and the command validated again (`again`), for the
    aggregate to judge the absence."""
    command = str(data.get("command")) if isinstance(data, dict) else ""
    absent = BLANK_IS_ABSENT.get(command, ())
    drop: set[str] = set()
    legal: list[tuple[str, str, str]] = []
    for item in error.errors(include_url=False):
        loc = [p for p in item["loc"] if not str(p).startswith("function-")]
        if loc and loc[0] == command:
            loc = loc[1:]
        if not _blank(item):
            return InvalidInput(describe_error(error))
        if len(loc) == 1 and loc[0] in absent and isinstance(data, dict) and loc[0] in data:
            drop.add(str(loc[0]))
            continue
        found = _legal_path(command, loc)
        if found is None:
            return InvalidInput(describe_error(error))
        legal.append(found)
    if legal:
        return RuleViolation(legal[0][1], legal[0][2])
    if drop and isinstance(data, dict):
        return again({k: v for k, v in data.items() if k not in drop})  # type: ignore[no-any-return]
    return InvalidInput(describe_error(error))


def json_schema() -> dict[str, Any]:
    schema = _ADAPTER.json_schema()
    schema["title"] = "Supervision ledger command"
    schema["description"] = (
        "One command per line of a JSONL file for `ledger submit`. `command` selects the kind; `date` (the "
        "effective date, YYYY-MM-DD) is always required, with `offer` (the offer's id) or, for a Socialtilsyn's "
        "own records, `region`. The ledger sets the recorded time."
    )
    return schema


def describe_error(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item["loc"] if not str(part).startswith("function-")]
        tag = ""
        if loc and loc[0] in COMMANDS:
            tag, loc = loc[0], loc[1:]  # the discriminator tag: the line already says which command
        key = bool(loc) and loc[-1] == "[key]"
        if key:
            loc = loc[:-2]  # a dict's key: named as "FIELD (a key)", never quoted (it may be what is refused)
        location = ".".join(_unpersonal(part) for part in loc) + (" (a key)" if key else "")
        message = item["msg"]
        legal = _legal_path(tag, loc) if tag and _blank(item) else None
        if legal is not None:
            message = f"{legal[1]}: {legal[2]}"
        elif item["type"] == "union_tag_invalid":
            known = ", ".join(COMMANDS)
            named = item.get("input", {}).get("command") if isinstance(item.get("input"), dict) else None
            message = f"unknown command {_unpersonal(repr(named))}; known commands: {known}"
            location = "command"
        elif item["type"] == "union_tag_not_found":
            message = "each line needs a 'command' field naming what to record"
            location = "command"
        elif item["type"] == "extra_forbidden":
            message = "unknown field"
        elif item["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts)


# A chapter-2 party's significant change may be written as the offer's command with `part` instead of
# `offer`: it is read as the party's own command.
PARTY_ALIASES = {
    "aendring-ansoegt": ArbejdsgiverAendringAnsoegt.NAME,
    "aendring-afgoerelse": ArbejdsgiverAendringAfgoerelse.NAME,
}


def party_alias(data: Any) -> dict[str, Any] | None:
    """The party's command for an offer's command that names a `part` and no `offer`, else None."""
    if isinstance(data, dict) and "part" in data and "offer" not in data:
        name = PARTY_ALIASES.get(data.get("command"))  # type: ignore[arg-type]
        if name is not None:
            return {**data, "command": name}
    return None


def _unpersonal(text: str) -> str:
    """A name from the input, quoted in a message unless it holds a CPR number."""
    return "(a personal number)" if holds_cpr_number(text) else text


def parse_command(data: Any) -> BaseCommand:
    """Validate one command given as a dict (from the CLI or a parsed JSON line)."""
    if not isinstance(data, dict):
        raise InvalidInput("a command is a JSON object, e.g. {\"command\": \"tilsynsbesoeg\", ...}")
    try:
        command: BaseCommand = _ADAPTER.validate_python(data)
    except ValidationError as error:
        aliased = party_alias(data)
        if aliased is not None:
            return parse_command(aliased)
        found = _refusal(error, data, parse_command)
        if isinstance(found, LedgerError):
            raise found from None
        command = found
    require_legal_fields(command)
    return command


def command_adapter() -> TypeAdapter[BaseCommand]:
    """The validator of every command (one JSON object, told apart by its `command`)."""
    return _ADAPTER


def parse_json_line(line: str) -> BaseCommand:
    try:
        command: BaseCommand = _ADAPTER.validate_json(line)
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors()):
            raise InvalidInput(f"not valid JSON: {error.errors()[0]['msg']}") from None
        try:
            data = json.loads(line)
        except ValueError:
            data = None
        if '"part"' in line:
            aliased = party_alias(data)
            if aliased is not None:
                command = parse_command(aliased)
                refuse_repeated_keys(line, command)
                return command
        found = _refusal(error, data, parse_command)
        if isinstance(found, LedgerError):
            raise found from None
        command = found
    refuse_repeated_keys(line, command)
    require_legal_fields(command)
    return command


# -- a key given twice ---------------------------------------------------------------------------
# A JSON parser keeps the last of two values of one key, so {"command": "paabud", "command":
# "tilsynsbesoeg", ...} would record a visit. A line with a repeated key is refused. The check costs
# one count on the import's path: every key of a JSON object is followed by one colon, so a line
# holds at least as many colons as the objects it describes hold keys; exactly as many unless a key
# is repeated (the validated command then has one field, or one dict entry, fewer) or a text holds a
# colon (which only makes the count larger). Only when the counts differ is the line read again, by
# `json`, to find the repeated key, if there is one.
_OBJECT_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}


def object_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model that are JSON objects in the input, or lists of them."""
    found = _OBJECT_FIELDS.get(cls)
    if found is None:
        found = _OBJECT_FIELDS[cls] = tuple(
            name for name, info in cls.model_fields.items() if _holds_models(info.annotation) or _holds_dicts(info.annotation)
        )
    return found


def _holds_dicts(annotation: Any) -> bool:
    if getattr(annotation, "__origin__", None) is dict or annotation is dict:
        return True
    return any(_holds_dicts(arg) for arg in get_args(annotation))


def keys_given(model: BaseModel) -> int:
    """How many keys the JSON objects that made this model held, each counted once."""
    count = len(model.__pydantic_fields_set__)
    for name in object_fields(type(model)):
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            count += keys_given(value)
        elif isinstance(value, dict):
            count += len(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, BaseModel):
                    count += keys_given(item)
    return count


def refuse_repeated_keys(line: str | bytes, command: BaseModel) -> None:
    """Refuse a line whose JSON repeats a key in one object (given the command it validated to)."""
    if isinstance(line, bytes):
        if line.count(b":") == keys_given(command):
            return
        line = line.decode("utf-8", "replace")
    elif line.count(":") == keys_given(command):
        return
    refuse_repeated_key(line)


def refuse_repeated_key(text: str) -> None:
    """Refuse JSON text that repeats a key within one object (the careful reading)."""
    repeated = repeated_key(text)
    if repeated is not None:
        raise InvalidInput(
            f"the key {_unpersonal(repr(repeated))} is given twice in one object: a line names each key once "
            "(a JSON reader would keep only the last)"
        )


class _Repeated(Exception):
    pass


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        name = key.strip()  # a text key is stripped when read: " navn" and "navn" are one key
        if name in seen:
            raise _Repeated(key)
        seen.add(name)
    return dict(pairs)


def repeated_key(text: str) -> str | None:
    """The first key the JSON text repeats within one object, or None (also for text that is not JSON)."""
    import json

    try:
        json.loads(text.strip().lstrip("\ufeff"), object_pairs_hook=_once_each)
    except _Repeated as found:
        return str(found.args[0])
    except ValueError:
        return None
    return None


def read_json_document(text: str) -> Any:
    """A whole JSON document given as input (a takst file): refused if an object repeats a key."""
    import json

    try:
        return json.loads(text, object_pairs_hook=_once_each)
    except _Repeated as found:
        raise InvalidInput(
            f"the key {_unpersonal(repr(str(found.args[0])))} is given twice in one object: each key once"
        ) from None


def check_recorder(value: str, source: str) -> str:
    """Who records, from --by, $LEDGER_USER or the login name: the rules of the `by` field (no
    control characters, no personal numbers, 1-300 characters). Returns it stripped."""
    try:
        return _RECORDER.validate_python(value)
    except ValidationError as error:
        raise InvalidInput(f"{source}: {describe_error(error)}") from None


_RECORDER: TypeAdapter[str] = TypeAdapter(Short)
