"""The law's vocabulary: offer types, regions, ejerformer and the categories the statistics count.

Values are the codes stored in events; `LABELS` gives the Danish text a reader sees.
This module imports nothing else of `ledger`.
"""

from __future__ import annotations

import unicodedata
from enum import Enum
from typing import cast


class _Vocabulary(str, Enum):
    """A closed list of codes that also accepts the Danish spelling and any letter case."""

    @classmethod
    def _missing_(cls, value: object) -> _Vocabulary | None:
        if not isinstance(value, str):
            return None
        wanted = fold(value)
        for member in cls:
            if wanted in (fold(member.value), fold(member.name), fold(LABELS.get(member.value, ""))):
                return member
        return None

    def __str__(self) -> str:
        return cast(str, self.value)


def fold(text: str) -> str:
    """ASCII-fold Danish letters and drop case, spaces, dots and dashes: 'Øst' -> 'oest'."""
    text = text.strip().lower()
    for danish, ascii_ in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("§", "")):
        text = text.replace(danish, ascii_)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum())


class Region(_Vocabulary):
    """The five Socialtilsyn (lov § 2)."""

    NORD = "Nord"
    MIDT = "Midt"
    SYD = "Syd"
    OEST = "Øst"
    HOVEDSTADEN = "Hovedstaden"


class OfferType(_Vocabulary):
    """Offer types under lov § 4 stk 1 (side: 'Sociale tilbud')."""

    PLEJEFAMILIE = "PLEJEFAMILIE"
    KOMMUNAL_PLEJEFAMILIE = "KOMMUNAL_PLEJEFAMILIE"
    SEL66_5 = "SEL66_5"
    SEL66_6 = "SEL66_6"
    SEL66_7 = "SEL66_7"
    SEL107 = "SEL107"
    SEL108 = "SEL108"
    SEL109 = "SEL109"
    SEL110 = "SEL110"
    SEL101 = "SEL101"
    SEL101A = "SEL101A"
    SUL141 = "SUL141"
    BOTILBUDSLIGNENDE = "BOTILBUDSLIGNENDE"
    # Not an offer: an association or private company employing helpers in SEL §§ 95-96 schemes
    # (lov § 18 a; bek kapitel 2).
    ARBEJDSGIVER = "ARBEJDSGIVER"


class Ejerform(_Vocabulary):
    PRIVAT = "privat"
    KOMMUNAL = "kommunal"
    REGIONAL = "regional"


# lov § 4 stk 1: which number of the list each type falls under.
LOV_4_NR: dict[OfferType, int] = {
    OfferType.PLEJEFAMILIE: 1,
    OfferType.KOMMUNAL_PLEJEFAMILIE: 1,
    OfferType.SEL66_5: 2,
    OfferType.SEL66_6: 2,
    OfferType.SEL66_7: 2,
    OfferType.SEL107: 3,
    OfferType.SEL108: 3,
    OfferType.SEL109: 3,
    OfferType.SEL110: 3,
    OfferType.BOTILBUDSLIGNENDE: 3,
    OfferType.SEL101: 4,
    OfferType.SEL101A: 4,
    OfferType.SUL141: 4,
}

# bek § 28 stk 2: for these the pladser of the size categories are expected citizens a year / 10.
TREATMENT_TYPES = frozenset({OfferType.SEL101, OfferType.SEL101A, OfferType.SUL141})
FOSTER_FAMILY_TYPES = frozenset({OfferType.PLEJEFAMILIE, OfferType.KOMMUNAL_PLEJEFAMILIE})
EMPLOYER_TYPES = frozenset({OfferType.ARBEJDSGIVER})


class VisitKind(_Vocabulary):
    ANMELDT = "anmeldt"
    UANMELDT = "uanmeldt"


class PaabudKarakter(_Vocabulary):
    """The karakter of a påbud, counted by bek § 18 stk 2 nr 4."""

    FAGLIG = "faglig"
    ORGANISATORISK = "organisatorisk"
    OEKONOMISK = "oekonomisk"
    FYSISKE_RAMMER = "fysiske_rammer"
    SIKKERHED = "sikkerhed"
    MAGTANVENDELSE = "magtanvendelse"
    ANDET = "andet"


class Baggrund(_Vocabulary):
    """Why a skærpet tilsyn was started or an approval revoked (bek § 18 stk 2 nr 3 and 5)."""

    KVALITET = "kvalitet"
    OEKONOMI = "oekonomi"
    LEDELSE = "ledelse"
    SIKKERHED = "sikkerhed"
    STRAFBARE_FORHOLD = "strafbare_forhold"
    MANGLENDE_OPFYLDELSE_AF_PAABUD = "manglende_opfyldelse_af_paabud"
    ANDET = "andet"


class StraksGrund(_Vocabulary):
    """The special reasons that allow a decision straks (bek § 4 stk 3, § 8 stk 1)."""

    STRAFBARE_FORHOLD = "strafbare_forhold"
    AKUT_RISIKO = "akut_risiko"
    ANDRE_SAERLIGE_FORHOLD = "andre_saerlige_forhold"


class KlageEmne(_Vocabulary):
    """What a complaint is about (side: 'Klagevejledning')."""

    AFGOERELSENS_INDHOLD = "afgoerelsens_indhold"
    SAGENS_BEHANDLING = "sagens_behandling"
    SAGSBEHANDLINGSTID = "sagsbehandlingstid"
    PERSONALETS_OPTRAEDEN = "personalets_optraeden"


class AnkeUdfald(_Vocabulary):
    """Ankestyrelsen's outcome of a complaint."""

    STADFAESTET = "stadfaestet"
    AENDRET = "aendret"
    OPHAEVET = "ophaevet"
    HJEMVIST = "hjemvist"
    AFVIST = "afvist"


class MagtVurdering(_Vocabulary):
    INGEN_BEMAERKNING = "ingen_bemaerkning"
    BEMAERKNING = "bemaerkning"
    TILSYNSMAESSIG_KONSEKVENS = "tilsynsmaessig_konsekvens"


LABELS: dict[str, str] = {
    "PLEJEFAMILIE": "Plejefamilie (generelt godkendt)",
    "KOMMUNAL_PLEJEFAMILIE": "Kommunal plejefamilie",
    "SEL66_5": "Opholdssted for børn og unge (SEL § 66, stk. 1, nr. 5)",
    "SEL66_6": "Døgninstitution for børn og unge (SEL § 66, stk. 1, nr. 6)",
    "SEL66_7": "Efterskole m.fl. som anbringelsessted (SEL § 66, stk. 1, nr. 7)",
    "SEL107": "Midlertidigt botilbud (SEL § 107)",
    "SEL108": "Længerevarende botilbud (SEL § 108)",
    "SEL109": "Krisecenter (SEL § 109)",
    "SEL110": "Forsorgshjem (SEL § 110)",
    "SEL101": "Stofmisbrugsbehandling (SEL § 101)",
    "SEL101A": "Stofmisbrugsbehandling (SEL § 101 a)",
    "SUL141": "Alkoholbehandling (SUL § 141)",
    "BOTILBUDSLIGNENDE": "Botilbudslignende tilbud (SEL §§ 83-87, 97, 98)",
    "ARBEJDSGIVER": "Forening/privat virksomhed med arbejdsgiverfunktion (SEL §§ 95-96)",
    "forening": "Forening",
    "privat_virksomhed": "Privat virksomhed",
    "anmeldt_besoeg": "Anmeldt tilsynsbesøg",
    "uanmeldt_besoeg": "Uanmeldt tilsynsbesøg",
    "uden_besoeg": "Tilsyn uden besøg",
    "privat": "Privat",
    "kommunal": "Kommunal",
    "regional": "Regional",
    "anmeldt": "Anmeldt",
    "uanmeldt": "Uanmeldt",
    "faglig": "Faglig indsats",
    "organisatorisk": "Organisation og ledelse",
    "oekonomisk": "Økonomi",
    "fysiske_rammer": "Fysiske rammer",
    "sikkerhed": "Borgernes sikkerhed",
    "magtanvendelse": "Magtanvendelse",
    "andet": "Andet",
    "kvalitet": "Manglende kvalitet",
    "oekonomi": "Økonomi",
    "ledelse": "Ledelse",
    "strafbare_forhold": "Mistanke om strafbare forhold",
    "akut_risiko": "Akut risiko for borgernes sikkerhed og sundhed",
    "andre_saerlige_forhold": "Andre særlige forhold",
    "manglende_opfyldelse_af_paabud": "Påbud ikke efterkommet",
    "afgoerelsens_indhold": "Afgørelsens indhold",
    "sagens_behandling": "Sagens behandling",
    "sagsbehandlingstid": "Sagsbehandlingstid",
    "personalets_optraeden": "Personalets optræden",
    "stadfaestet": "Stadfæstet",
    "aendret": "Ændret",
    "ophaevet": "Ophævet",
    "hjemvist": "Hjemvist",
    "afvist": "Afvist",
    "ingen_bemaerkning": "Ingen bemærkning",
    "bemaerkning": "Bemærkning",
    "tilsynsmaessig_konsekvens": "Bemærkning med tilsynsmæssig konsekvens",
}


def label(code: object) -> str:
    """The Danish text for a code, or the code itself."""
    value = code.value if isinstance(code, Enum) else str(code)
    return LABELS.get(value, value)
