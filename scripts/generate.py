"""Generate a lawful national supervision ledger, 2018-01-01 to 2025-12-31 (deterministic, seeded).

Every offer (tilbud) and every foster family (plejefamilie) lives its legal life as a Python
generator of commands in the order of their effective dates; `heapq.merge` merges the lives into
one chronological stream, lazily, so memory stays small whatever the scale. Each life plans one
calendar year at a time (visits, quality assessments, budgets, årsrapporter, magtanvendelse, and
the rarer chains: dialog -> påbud, skærpet tilsyn, ophør, lukning, complaints, fravigelser, ...)
into a small local heap, and only plans year Y+1 when its next command falls in Y+1.

Local references (D1, P2, S1, M17, K1, A3, ...) and the event numbers that complaints and
notifications name are assigned when a command is emitted, exactly as the ledger will assign them:
commands hold `Slot`s that are filled in at emission. A command whose precondition disappeared
(for example a påbud follow-up after the offer closed) is dropped before it is emitted, so every
emitted command is lawful.

    python scripts/generate.py --db /tmp/gen1.db                 # scale 1: about a million events
    python scripts/generate.py --jsonl /tmp/small.jsonl --scale 0.01
    ledger init --db /tmp/small.db && ledger submit /tmp/small.jsonl --db /tmp/small.db

Importable (the benchmark adds scripts/ to sys.path): `generate(scale, seed)` yields `Planned`
commands; `build(url, scale, seed, flush_every)` stores them through `BulkImporter`;
`write_jsonl(path, scale, seed)` writes the `ledger submit` format.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from operator import attrgetter
from pathlib import Path
from typing import IO, Any, NamedTuple

try:  # run as a script from anywhere: make the repository importable
    import ledger  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.commands import ALL_COMMANDS
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
from ledger.quality.catalogue import OfferProfile, catalogue_for_types

__all__ = ["Planned", "generate", "build", "write_jsonl", "to_json_line", "START", "END"]

START = dt.date(2018, 1, 1)
END = dt.date(2025, 12, 31)
UTC = dt.timezone.utc
RECORDED_CAP = dt.datetime(2025, 12, 31, 22, 59, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)

COMMAND_NAME: dict[str, str] = {cls.HANDLER: cls.NAME for cls in ALL_COMMANDS}


class Planned(NamedTuple):
    """One command, as the bulk importer takes it (and as a `ledger submit` line, via to_json_line)."""

    date: dt.date
    tiebreak: int
    kind: str  # "offer" or "authority"
    key: str  # offer id, or region name
    handler: str  # the aggregate method
    kwargs: dict[str, Any]
    recorded_at: dt.datetime
    by: str


# -- rates and proportions ------------------------------------------------------------------------
OFFERS_PER_SCALE = 2000
FAMILIES_PER_SCALE = 5500
INITIAL_SHARE_OFFERS = 0.86  # offers already running in 2018 (applied/approved early 2018)
INITIAL_SHARE_FAMILIES = 0.82

REGION_WEIGHTS: tuple[tuple[Region, float], ...] = (
    (Region.HOVEDSTADEN, 0.31),
    (Region.MIDT, 0.23),
    (Region.SYD, 0.21),
    (Region.OEST, 0.14),
    (Region.NORD, 0.11),
)

T = OfferType
TYPE_WEIGHTS: tuple[tuple[OfferType, float], ...] = (
    (T.SEL66_5, 0.22), (T.SEL66_6, 0.08), (T.SEL66_7, 0.03), (T.SEL107, 0.12), (T.SEL108, 0.16),
    (T.SEL109, 0.03), (T.SEL110, 0.03), (T.SEL101, 0.03), (T.SEL101A, 0.02), (T.SUL141, 0.04),
    (T.BOTILBUDSLIGNENDE, 0.24),
)
# (privat, kommunal, regional) by main type
EJERFORM_BY_TYPE: dict[OfferType, tuple[float, float, float]] = {
    T.SEL66_5: (0.92, 0.08, 0.0), T.SEL66_6: (0.20, 0.65, 0.15), T.SEL66_7: (1.0, 0.0, 0.0),
    T.SEL107: (0.45, 0.47, 0.08), T.SEL108: (0.40, 0.47, 0.13), T.SEL109: (0.75, 0.25, 0.0),
    T.SEL110: (0.45, 0.55, 0.0), T.SEL101: (0.45, 0.55, 0.0), T.SEL101A: (0.30, 0.70, 0.0),
    T.SUL141: (0.50, 0.50, 0.0), T.BOTILBUDSLIGNENDE: (0.55, 0.42, 0.03),
}
# pladser: triangular (low, mode, high)
PLADSER_BY_TYPE: dict[OfferType, tuple[int, int, int]] = {
    T.SEL66_5: (3, 6, 14), T.SEL66_6: (6, 14, 45), T.SEL66_7: (5, 12, 40), T.SEL107: (4, 14, 60),
    T.SEL108: (6, 20, 90), T.SEL109: (4, 10, 30), T.SEL110: (8, 25, 90), T.SEL101: (2, 12, 50),
    T.SEL101A: (2, 12, 50), T.SUL141: (2, 15, 60), T.BOTILBUDSLIGNENDE: (3, 12, 60),
}
TREATMENT = frozenset({T.SEL101, T.SEL101A, T.SUL141})
FOSTER = frozenset({T.PLEJEFAMILIE, T.KOMMUNAL_PLEJEFAMILIE})
# offers with budgets and årsrapporter (lov § 4 stk 1 nr 2-4, but not SEL § 66 stk 1 nr 7 alone)
BUDGET_TYPES = frozenset(t for t, _ in TYPE_WEIGHTS) - {T.SEL66_7}
# akut forlængelse concerns offers under lov § 4 stk 1 nr 1-3 only
AKUT_TYPES = frozenset(t for t, _ in TYPE_WEIGHTS) - TREATMENT

# Reported magtanvendelser per plads and year, by type (the offer's highest type counts); each
# offer also has a lognormal multiplier of mean 1 (a few offers report a lot).
MAGT_PER_PLADS: dict[OfferType, float] = {
    T.SEL66_5: 2.0, T.SEL66_6: 3.0, T.SEL107: 1.2, T.SEL108: 1.5, T.BOTILBUDSLIGNENDE: 1.0,
    T.SEL66_7: 0.05, T.SEL109: 0.05, T.SEL110: 0.08, T.SEL101: 0.02, T.SEL101A: 0.02, T.SUL141: 0.02,
}
MAGT_SCALE = 1.0  # tuned so that scale 1 lands near one million events


class Rates:
    """Yearly probabilities (per approved offer or family, prorated by the part of the year approved)."""

    def __init__(self, rich: bool) -> None:
        # offers
        self.paabud = 0.035
        self.skaerpet = 0.005
        self.ophoer = 0.003
        self.lukning = 0.010
        self.fravigelse = 0.005
        self.aendring = 0.015
        # families
        self.f_paabud = 0.008
        self.f_skaerpet = 0.001
        self.f_ophoer = 0.003
        self.f_lukning = 0.025
        self.f_fravigelse = 0.002
        self.f_aendring = 0.005
        # per decision / application
        self.klage = 0.10
        self.afslag = 0.15
        self.reapply = 0.25
        self.akut = 0.02
        self.vilkaar_offer = 0.15
        self.vilkaar_family = 0.20
        self.new_share = 1.0  # multiplies the share of offers that apply during the period
        if rich:
            self.paabud, self.skaerpet, self.ophoer, self.lukning = 0.15, 0.08, 0.04, 0.03
            self.fravigelse, self.aendring = 0.05, 0.05
            self.f_paabud, self.f_skaerpet, self.f_ophoer, self.f_lukning = 0.04, 0.01, 0.01, 0.04
            self.f_fravigelse, self.f_aendring = 0.01, 0.02
            self.klage, self.afslag, self.akut = 0.6, 0.35, 0.2
            self.new_share = 2.0


# -- names, places, texts --------------------------------------------------------------------------
TOWNS: dict[Region, tuple[tuple[str, str, str], ...]] = {
    Region.NORD: (
        ("9000", "Aalborg", "Aalborg"), ("9800", "Hjørring", "Hjørring"), ("9900", "Frederikshavn", "Frederikshavn"),
        ("7700", "Thisted", "Thisted"), ("9500", "Hobro", "Mariagerfjord"), ("9700", "Brønderslev", "Brønderslev"),
        ("9600", "Aars", "Vesthimmerland"), ("9400", "Nørresundby", "Aalborg"),
    ),
    Region.MIDT: (
        ("8000", "Aarhus C", "Aarhus"), ("8900", "Randers C", "Randers"), ("8800", "Viborg", "Viborg"),
        ("8600", "Silkeborg", "Silkeborg"), ("8700", "Horsens", "Horsens"), ("7400", "Herning", "Herning"),
        ("7500", "Holstebro", "Holstebro"), ("7800", "Skive", "Skive"), ("8660", "Skanderborg", "Skanderborg"),
        ("8500", "Grenaa", "Norddjurs"),
    ),
    Region.SYD: (
        ("5000", "Odense C", "Odense"), ("6700", "Esbjerg", "Esbjerg"), ("6000", "Kolding", "Kolding"),
        ("7100", "Vejle", "Vejle"), ("5700", "Svendborg", "Svendborg"), ("6400", "Sønderborg", "Sønderborg"),
        ("6200", "Aabenraa", "Aabenraa"), ("6100", "Haderslev", "Haderslev"), ("7000", "Fredericia", "Fredericia"),
        ("5800", "Nyborg", "Nyborg"),
    ),
    Region.OEST: (
        ("4000", "Roskilde", "Roskilde"), ("4700", "Næstved", "Næstved"), ("4300", "Holbæk", "Holbæk"),
        ("4200", "Slagelse", "Slagelse"), ("4600", "Køge", "Køge"), ("4400", "Kalundborg", "Kalundborg"),
        ("4800", "Nykøbing F", "Guldborgsund"), ("4100", "Ringsted", "Ringsted"), ("4760", "Vordingborg", "Vordingborg"),
    ),
    Region.HOVEDSTADEN: (
        ("2200", "København N", "København"), ("2300", "København S", "København"), ("2500", "Valby", "København"),
        ("2600", "Glostrup", "Glostrup"), ("2750", "Ballerup", "Ballerup"), ("2800", "Kongens Lyngby", "Lyngby-Taarbæk"),
        ("3000", "Helsingør", "Helsingør"), ("3400", "Hillerød", "Hillerød"), ("3600", "Frederikssund", "Frederikssund"),
        ("2630", "Taastrup", "Høje-Taastrup"), ("2650", "Hvidovre", "Hvidovre"), ("3700", "Rønne", "Bornholm"),
        ("2400", "København NV", "København"), ("2900", "Hellerup", "Gentofte"),
    ),
}
STREETS = (
    "Lærkevej", "Skovvej", "Bakkevej", "Engvej", "Kirkevej", "Møllevej", "Søndergade", "Nørregade", "Strandvej",
    "Birkevej", "Egevej", "Vestergade", "Østergade", "Parkvej", "Toftevej", "Fasanvej", "Havnegade", "Stationsvej",
    "Granvej", "Bøgevej", "Ahornvej", "Rosenvej", "Kastanievej", "Hybenvej", "Markvej", "Fjordvej", "Åvej",
)
STEMS = (
    "Lærkely", "Egebo", "Solsikken", "Kastanjehuset", "Birkely", "Fjordbo", "Skovbrynet", "Engly", "Havbakken",
    "Bakkehuset", "Lindely", "Rønnebo", "Mosegården", "Nordlys", "Kildebakken", "Åbo", "Strandly", "Granly",
    "Tusindfryd", "Hyldebo", "Bøgely", "Valmuen", "Kløverhuset", "Søbakken", "Højvang", "Vestervang", "Østerlund",
    "Møllebo", "Ahornhuset", "Pilegården", "Fyrtårnet", "Ankerpladsen", "Bavnehøj", "Elmely", "Rosengården",
    "Skovlyst", "Udsigten", "Horisont", "Trekløveret", "Regnbuen", "Stjernen", "Klitten", "Enghaven", "Tjørnely",
    "Margueritten", "Hvidkilde", "Sølyst", "Hasselbo", "Lysningen", "Fuglsang",
)
PREFIX_BY_TYPE = {
    T.SEL66_5: ("Opholdsstedet", "Opholdsstedet", "Ungehuset"), T.SEL66_6: ("Døgninstitutionen", "Børnehuset"),
    T.SEL66_7: ("Efterskolen", "Friskolen"), T.SEL107: ("Bostedet", "Botilbuddet"),
    T.SEL108: ("Botilbuddet", "Bofællesskabet", "Bocentret"), T.SEL109: ("Krisecenter",),
    T.SEL110: ("Forsorgshjemmet", "Herberget"), T.SEL101: ("Misbrugscenter", "Behandlingscentret"),
    T.SEL101A: ("Misbrugscenter", "Behandlingscentret"), T.SUL141: ("Alkoholbehandlingen", "Behandlingscentret"),
    T.BOTILBUDSLIGNENDE: ("Bofællesskabet", "Boligerne", "Støttecentret"),
}
AFDELING_NAMES = ("Hovedhuset", "Udslusningen", "Annekset", "Skovhuset", "Havehuset", "Vesthuset", "Østhuset", "Gården")
SURNAMES = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
    "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Johansen", "Møller",
    "Mortensen", "Knudsen", "Jakobsen", "Lauridsen", "Holm", "Schmidt", "Kjær", "Dahl", "Lund", "Bach",
)
KONCERN_SUFFIX = ("Gruppen ApS", "Omsorg A/S", "Holding ApS", "Koncernen A/S", "Social ApS")

# (karakter, the concern raised in dialog, the påbud's forhold)
CONCERNS: tuple[tuple[PaabudKarakter, str, str], ...] = (
    (PaabudKarakter.FAGLIG, "Medicinhåndteringen dokumenteres ikke tilstrækkeligt",
     "Medicinhåndteringen skal dokumenteres efter gældende retningslinjer"),
    (PaabudKarakter.FAGLIG, "Borgernes handleplaner følges ikke op",
     "Der skal foreligge opdaterede pædagogiske planer for alle borgere"),
    (PaabudKarakter.FAGLIG, "Den faglige tilgang er ikke beskrevet og anvendes ikke ensartet",
     "Tilbuddets faglige tilgange og metoder skal beskrives og implementeres"),
    (PaabudKarakter.ORGANISATORISK, "Døgnbemandingen er ikke sikret",
     "Døgnbemandingen skal sikres med vågen nattevagt"),
    (PaabudKarakter.ORGANISATORISK, "Ledelsen er ikke tilstrækkeligt til stede i hverdagen",
     "Der skal være en daglig leder med tilstedeværelse i tilbuddet"),
    (PaabudKarakter.ORGANISATORISK, "Høj personalegennemstrømning og mange vikarer",
     "Tilbuddet skal redegøre for og nedbringe brugen af ufaglærte vikarer"),
    (PaabudKarakter.OEKONOMISK, "Budgettet hænger ikke sammen med den faglige indsats",
     "Tilbuddet skal indsende et revideret budget, der afspejler den faglige indsats"),
    (PaabudKarakter.OEKONOMISK, "Revisor har taget forbehold i årsregnskabet",
     "Tilbuddet skal redegøre for revisors forbehold og rette forholdene"),
    (PaabudKarakter.FYSISKE_RAMMER, "Brandsikkerheden er ikke dokumenteret",
     "Der skal foreligge godkendt brandsyn for alle afdelinger"),
    (PaabudKarakter.FYSISKE_RAMMER, "De fysiske rammer er nedslidte",
     "De fysiske rammer skal istandsættes, så de understøtter borgernes trivsel"),
    (PaabudKarakter.SIKKERHED, "Borgernes sikkerhed om natten er ikke sikret",
     "Tilbuddet skal sikre borgernes sikkerhed om natten"),
    (PaabudKarakter.SIKKERHED, "Utilstrækkelig forebyggelse af vold og trusler",
     "Tilbuddet skal udarbejde og implementere en voldspolitik"),
    (PaabudKarakter.MAGTANVENDELSE, "Magtanvendelser indberettes ikke rettidigt",
     "Magtanvendelser skal indberettes rettidigt og følges op"),
    (PaabudKarakter.MAGTANVENDELSE, "Personalet mangler kendskab til reglerne om magtanvendelse",
     "Alle medarbejdere skal undervises i reglerne om magtanvendelse"),
    (PaabudKarakter.ANDET, "Tilbuddets oplysninger på Tilbudsportalen er ikke opdaterede",
     "Oplysningerne på Tilbudsportalen skal opdateres"),
)
FAMILY_CONCERNS: tuple[tuple[PaabudKarakter, str, str], ...] = (
    (PaabudKarakter.FAGLIG, "Plejefamilien deltager ikke i obligatorisk supervision",
     "Plejefamilien skal deltage i supervision som forudsat i godkendelsen"),
    (PaabudKarakter.FAGLIG, "Plejefamilien har ikke gennemført det obligatoriske grundkursus",
     "Plejefamilien skal gennemføre grundkursus"),
    (PaabudKarakter.FYSISKE_RAMMER, "Barnet har ikke eget værelse",
     "Plejefamilien skal sikre barnet et eget værelse"),
    (PaabudKarakter.SIKKERHED, "Bekymring for barnets sikkerhed i hjemmet",
     "Plejefamilien skal sikre, at barnet ikke er alene med personer uden børneattest"),
)
DIALOG_REPLIES = (
    "Tilbuddet anerkender forholdet og har udarbejdet en handleplan.",
    "Tilbuddet er uenigt i vurderingen, men vil rette op på forholdet.",
    "Ledelsen har iværksat undervisning af personalet.",
    "Tilbuddet oplyser, at forholdet er under afklaring med bestyrelsen.",
    "Der er ansat ny faglig leder, som følger op på forholdet.",
)
FAMILY_REPLIES = (
    "Plejefamilien anerkender forholdet og vil rette op på det.",
    "Plejefamilien er uenig i vurderingen, men vil følge Socialtilsynets anvisninger.",
    "Plejefamilien har tilmeldt sig det nødvendige kursus.",
)
PAABUD_BEGRUNDELSER = (
    "Forholdet blev konstateret ved tilsynsbesøget, og dialogen har ikke ført til de nødvendige ændringer.",
    "Socialtilsynet vurderer, at forholdet har betydning for borgernes trivsel og udvikling.",
    "Tilbuddet har ikke inden for svarfristen dokumenteret, at forholdet er bragt i orden.",
    "Forholdet er væsentligt for, at tilbuddet fortsat har den fornødne kvalitet.",
)
SKAERPET_BEGRUNDELSER = (
    "Alvorlige fund ved uanmeldt tilsynsbesøg og bekymring for borgernes trivsel.",
    "Socialtilsynet har behov for tæt opfølgning, mens tilbuddet retter op på ledelsen.",
    "Gentagne bekymringshenvendelser om borgernes sikkerhed.",
)
OPHOER_BEGRUNDELSER: dict[Baggrund, str] = {
    Baggrund.MANGLENDE_OPFYLDELSE_AF_PAABUD:
        "Tilbuddet har ikke efterkommet påbud, og Socialtilsynet vurderer ikke, at tilbuddet kan eller vil rette op.",
    Baggrund.KVALITET: "Tilbuddet har ikke længere den fornødne kvalitet, jf. kvalitetsmodellen.",
    Baggrund.LEDELSE: "Tilbuddets ledelse kan ikke sikre den fornødne kvalitet, og dialogen har ikke ført til forbedring.",
    Baggrund.OEKONOMI: "Tilbuddets økonomi er ikke bæredygtig, og der er ikke udsigt til forbedring.",
    Baggrund.SIKKERHED: "Borgernes sikkerhed kan ikke sikres i tilbuddet.",
}
STRAKS_TEXTS = (
    (StraksGrund.STRAFBARE_FORHOLD, Baggrund.STRAFBARE_FORHOLD,
     "Der er opstået mistanke om strafbare forhold begået af tilbuddets ledelse."),
    (StraksGrund.AKUT_RISIKO, Baggrund.SIKKERHED,
     "Der er akut risiko for borgernes sikkerhed og sundhed efter alvorlige hændelser."),
    (StraksGrund.ANDRE_SAERLIGE_FORHOLD, Baggrund.ANDET,
     "Tilbuddet er uden ledelse og bemanding, og borgerne kan ikke afvente en dialog."),
)
GODKEND_BEGRUNDELSER = (
    "Tilbuddet vurderes samlet at have den fornødne kvalitet, jf. kvalitetsmodellen.",
    "Tilbuddet opfylder betingelserne for godkendelse, og økonomien vurderes bæredygtig.",
    "Socialtilsynet vurderer, at tilbuddet kan levere den indsats, det godkendes til.",
)
FAMILY_GODKEND = (
    "Plejefamilien vurderes generelt egnet, jf. kvalitetsmodellen for plejefamilier.",
    "Familien har de fornødne kompetencer og rammer til at modtage børn i pleje.",
)
OEKONOMISK_BEGRUNDELSE = (
    "Underskuddet dækkes af en bindende kapitaltilførsel fra driftsherren, og tilbuddet indsender kvartalsvise "
    "regnskaber; økonomien vurderes samlet at give mulighed for den fornødne kvalitet."
)
OEKONOMISK_BEGRUNDELSE_FAMILY = (
    "Familiens økonomi er midlertidigt presset, men en aftalt afdragsordning giver grundlag for en stabil anbringelse."
)
AFSLAG_BEGRUNDELSER = (
    "Socialtilsynet vurderer ikke, at tilbuddet har den fornødne kvalitet inden for temaet Organisation og ledelse.",
    "Tilbuddets økonomi er ikke gennemsigtig, og budgettet afspejler ikke målgruppen.",
    "Ledelsen mangler relevante kompetencer, og de faglige metoder er ikke beskrevet.",
    "Familien vurderes ikke at have de fornødne ressourcer til at modtage et barn i pleje.",
)
VILKAAR_OFFER = (
    "Brandsyn skal foreligge for alle afdelinger", "Der skal være vågen nattevagt",
    "Tilbuddet skal ansætte en faglig leder med relevant uddannelse", "Der skal udarbejdes en voldspolitik",
    "Tilbuddet skal indsende revideret budget",
)
VILKAAR_FAMILY = (
    "Plejefamilien skal gennemføre grundkursus for plejefamilier", "Plejefamilien skal deltage i supervision",
    "Godkendelsen gælder børn i alderen 0-12 år", "Plejefamilien skal indrette eget værelse til barnet",
)
FRAVIGELSE_BETINGELSER = (
    "Højst {n} borgere under ombygningen", "Midlertidig anvendelse af {n} ekstra pladser i akutsituation",
    "Afdelingen må benyttes som aflastning for højst {n} borgere",
)
MAGT_KONSEKVENS = (
    "Emnet tages op ved næste tilsynsbesøg.", "Tilbuddet skal udarbejde en handleplan for forebyggelse af magtanvendelse.",
    "Socialtilsynet indleder dialog med tilbuddet om praksis for magtanvendelse.",
)
INCOME_TASKS = (
    "Faglig sparring om magtanvendelse", "Undervisning af kommunale sagsbehandlere", "Konsulentopgave om kvalitetsmodellen",
    "Temadag om tilsyn for plejefamilier", "Analyse af botilbudsområdet for kommunerne",
)
THEME_TEMPLATES: dict[str, tuple[str, ...]] = {
    "hoej": (
        "{S} lever i høj grad op til temaet {t}, og indsatsen er velbeskrevet og følges op.",
        "Tilsynet vurderer, at {s} i høj grad arbejder målrettet inden for temaet {t}.",
        "Borgerne oplever en tryg hverdag, og {s} arbejder systematisk med temaet {t}.",
    ),
    "middel": (
        "{S} lever i middel grad op til temaet {t}; der er enkelte udviklingspunkter.",
        "Tilsynet vurderer, at {s} i middel grad lever op til temaet {t}, og dokumentationen kan styrkes.",
    ),
    "lav": (
        "Tilsynet finder mangler inden for temaet {t}, som {s} skal arbejde med.",
        "{S} lever i lav grad op til temaet {t}; forholdet følges tæt ved næste tilsyn.",
    ),
    "forventes": (
        "Det forventes, at {s} kan opfylde kriterierne inden for temaet {t}.",
        "{S} forventes at have den fornødne kvalitet inden for temaet {t}.",
    ),
    "forventes_ikke": ("Det forventes ikke, at {s} fuldt ud kan opfylde kriterierne inden for temaet {t}.",),
}

WITHDRAWING = frozenset({AnkeUdfald.AENDRET, AnkeUdfald.OPHAEVET, AnkeUdfald.HJEMVIST})

# Order of commands on the same day (the ledger judges them in this order).
PRIO: dict[str, int] = {
    "ansoeg": 0, "tilsynsbesoeg": 10, "oekonomisk_vurdering": 12, "kvalitetsvurdering": 15, "akut_forlaeng": 18,
    "godkend": 20, "afslaa": 20, "indled_dialog": 25, "dialog_svar": 26, "udsted_paabud": 30, "skaerpet_tilsyn": 31,
    "forlaeng_paabudsfrist": 32, "paabud_opfyldt": 34, "ophaev_paabud": 35, "ophaev_skaerpet_tilsyn": 36,
    "fravig": 40, "fravigelse_bortfaldet": 41, "vilkaar_opfyldt": 42, "vilkaar_aendret": 42, "vilkaar_ophaevet": 42,
    "ansoeg_aendring": 44, "afgoer_aendring": 45, "budget_indsendt": 50, "koncernnote_indsendt": 51,
    "budget_afgoer": 52, "aarsrapport": 55, "magtanvendelse": 60, "magtanvendelse_vurderet": 61,
    "kommuner_orienteret": 70, "klage": 72, "klage_genvurderet": 73, "klage_videresendt": 74,
    "ankestyrelsens_afgoerelse": 75, "luk": 90, "ophoer": 90, "indtaegt": 95,
}


# -- small helpers ---------------------------------------------------------------------------------
class Slot:
    """A value known only when a command is emitted: a local reference (P3) or an event number."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: Any = None


def weekday(d: dt.date) -> dt.date:
    """The date, or the Monday after it if it falls in a weekend."""
    wd = d.weekday()
    return d + dt.timedelta(days=7 - wd) if wd >= 5 else d


def weekday_back(d: dt.date) -> dt.date:
    """The date, or the Friday before it if it falls in a weekend (for deadlines)."""
    wd = d.weekday()
    return d - dt.timedelta(days=wd - 4) if wd >= 5 else d


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def pick(rng: random.Random, weighted: Iterable[tuple[Any, float]]) -> Any:
    items = list(weighted)
    r = rng.random() * sum(w for _, w in items)
    for value, w in items:
        r -= w
        if r <= 0:
            return value
    return items[-1][0]


def rand_date(rng: random.Random, a: dt.date, b: dt.date) -> dt.date:
    span = (b - a).days
    return a if span <= 0 else a + dt.timedelta(days=rng.randint(0, span))


def plus(d: dt.date, days: int) -> dt.date:
    return d + dt.timedelta(days=days)


_OFFSETS: dict[dt.date, dt.timedelta] = {}


def _cph_offset(d: dt.date) -> dt.timedelta:
    """Europe/Copenhagen's UTC offset at office hours on a date (cached)."""
    found = _OFFSETS.get(d)
    if found is None:
        from zoneinfo import ZoneInfo

        local = dt.datetime(d.year, d.month, d.day, 12, tzinfo=ZoneInfo("Europe/Copenhagen"))
        found = _OFFSETS[d] = local.utcoffset() or dt.timedelta(0)
    return found


# -- the quality model, precomputed per offer profile ----------------------------------------------
class QualityPlan(NamedTuple):
    indicators: tuple[tuple[str, str], ...]  # (indicator id, theme id)
    themes: tuple[str, ...]  # theme ids with at least one live indicator
    texts: dict[tuple[str, str], tuple[str, ...]]  # (theme id, level) -> sentences


_QUALITY: dict[tuple[Any, ...], QualityPlan] = {}


def quality_plan(types: tuple[OfferType, ...], ejerform: Ejerform, ambulant: bool, sikret: bool,
                 kun_aflastning: bool, bestyrelse: bool) -> QualityPlan:
    key = (types, ejerform, ambulant, sikret, kun_aflastning, bestyrelse)
    found = _QUALITY.get(key)
    if found is not None:
        return found
    profile = OfferProfile(types=tuple(t.value for t in types), ejerform=ejerform.value, ambulant=ambulant,
                           sikret=sikret, kun_aflastning=kun_aflastning, bestyrelse=bestyrelse)
    catalogue = catalogue_for_types(profile.types)
    live_themes = {theme.id: theme for theme in catalogue.live_themes(profile)}
    indicators = []
    for indicator in catalogue.live_indicators(profile):
        theme = catalogue.theme_of(indicator.id)
        if theme.id in live_themes:
            indicators.append((indicator.id, theme.id))
    themes = tuple(dict.fromkeys(theme for _, theme in indicators))
    subject = "plejefamilien" if catalogue.model == "bilag2" else "tilbuddet"
    texts = {}
    for theme_id in themes:
        name = live_themes[theme_id].name
        name = name[0].lower() + name[1:] if not name[:2].isupper() else name
        for level, templates in THEME_TEMPLATES.items():
            texts[(theme_id, level)] = tuple(
                t.format(s=subject, S=subject.capitalize(), t=name) for t in templates
            )
    found = _QUALITY[key] = QualityPlan(tuple(indicators), themes, texts)
    return found


# -- the population ----------------------------------------------------------------------------------
class Unit:
    """One offer or foster family: what its application says, and when it applies."""

    __slots__ = (
        "key", "family", "navn", "types", "pladser", "forventede_borgere", "ejerform", "region", "afdelinger",
        "koncern", "ambulant", "sikret", "kun_aflastning", "bestyrelse", "apply", "initial", "kommuner",
        "magt_rate",
    )

    def __init__(self) -> None:
        self.koncern: str | None = None
        self.forventede_borgere: int | None = None
        self.ambulant = self.sikret = self.kun_aflastning = self.bestyrelse = False
        self.magt_rate = 0.0


def _address(rng: random.Random, region: Region) -> tuple[str, str, str]:
    """An address, its town and its kommune."""
    postnr, town, kommune = rng.choice(TOWNS[region])
    return f"{rng.choice(STREETS)} {rng.randint(1, 140)}, {postnr} {town}", town, kommune


def _kommuner(rng: random.Random, region: Region, home: str) -> list[str]:
    names = [home]
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        other = region if rng.random() < 0.8 else pick(rng, REGION_WEIGHTS)
        kommune = rng.choice(TOWNS[other])[2]
        if kommune not in names:
            names.append(kommune)
    return names


def _triangular_int(rng: random.Random, spec: tuple[int, int, int]) -> int:
    low, mode, high = spec
    return max(1, round(rng.triangular(low, high, mode)))


def population(scale: float, seed: int, rates: Rates) -> list[Unit]:
    """The offers and foster families of the period, in a fixed order."""
    rng = random.Random(f"population:{seed}")
    n_offers = max(1, round(OFFERS_PER_SCALE * scale))
    n_families = max(1, round(FAMILIES_PER_SCALE * scale))
    units: list[Unit] = []
    late_start, late_end = dt.date(2018, 2, 1), dt.date(2025, 11, 30)
    new_share_o = min(0.9, (1 - INITIAL_SHARE_OFFERS) * rates.new_share)
    new_share_f = min(0.9, (1 - INITIAL_SHARE_FAMILIES) * rates.new_share)
    for i in range(n_offers):
        u = Unit()
        u.key = f"T-{10001 + i}"
        u.family = False
        u.region = pick(rng, REGION_WEIGHTS)
        main = pick(rng, TYPE_WEIGHTS)
        types = [main]
        if main in (T.SEL107, T.SEL108) and rng.random() < 0.2:
            types.append(T.SEL108 if main == T.SEL107 else T.SEL107)
        elif main == T.BOTILBUDSLIGNENDE and rng.random() < 0.1:
            types.append(T.SEL107)
        elif main in TREATMENT and rng.random() < 0.35:
            types.append(rng.choice([t for t in (T.SEL101, T.SEL101A, T.SUL141) if t != main]))
        u.types = tuple(types)
        p, k, r = EJERFORM_BY_TYPE[main]
        u.ejerform = pick(rng, ((Ejerform.PRIVAT, p), (Ejerform.KOMMUNAL, k), (Ejerform.REGIONAL, r)))
        u.pladser = _triangular_int(rng, PLADSER_BY_TYPE[main])
        if main in TREATMENT:
            u.ambulant = rng.random() < 0.6
            u.forventede_borgere = max(5, round(u.pladser * 10 * rng.uniform(0.7, 1.6)))
        if main == T.SEL66_6 and u.ejerform != Ejerform.PRIVAT and rng.random() < 0.10:
            u.sikret = True
        if main in (T.SEL66_5, T.SEL66_6) and not u.sikret and rng.random() < 0.08:
            u.kun_aflastning = True
        u.bestyrelse = u.ejerform == Ejerform.PRIVAT and rng.random() < 0.65
        stem = rng.choice(STEMS)
        u.navn = f"{rng.choice(PREFIX_BY_TYPE[main])} {stem}"
        if u.pladser >= 20:
            n_afd = pick(rng, ((1, 0.3), (2, 0.35), (3, 0.2), (4, 0.15)))
        elif u.pladser >= 10:
            n_afd = 2 if rng.random() < 0.2 else 1
        else:
            n_afd = 1
        names = AFDELING_NAMES[:1] + tuple(rng.sample(AFDELING_NAMES[1:], n_afd - 1)) if n_afd > 1 else (stem,)
        home_address, _, home = _address(rng, u.region)
        u.afdelinger = [{"navn": names[0], "adresse": home_address}] + [
            {"navn": name, "adresse": _address(rng, u.region)[0]} for name in names[1:]
        ]
        u.kommuner = _kommuner(rng, u.region, home)
        factor = max(MAGT_PER_PLADS.get(t, 0.0) for t in u.types) * (2.0 if u.sikret else 1.0)
        u.magt_rate = MAGT_SCALE * factor * u.pladser * math.exp(rng.gauss(-0.5, 1.0))
        u.initial = rng.random() >= new_share_o
        u.apply = (weekday(plus(START, 1 + rng.randint(0, 80))) if u.initial
                   else weekday(rand_date(rng, late_start, late_end)))
        units.append(u)
    _assign_koncerner(rng, [u for u in units if u.ejerform == Ejerform.PRIVAT])
    for i in range(n_families):
        u = Unit()
        u.key = f"PF-{20001 + i}"
        u.family = True
        u.region = pick(rng, REGION_WEIGHTS)
        kommunal = rng.random() < 0.10
        u.types = (T.KOMMUNAL_PLEJEFAMILIE if kommunal else T.PLEJEFAMILIE,)
        u.ejerform = Ejerform.KOMMUNAL if kommunal else Ejerform.PRIVAT
        u.pladser = pick(rng, ((1, 0.45), (2, 0.35), (3, 0.15), (4, 0.05)))
        u.kun_aflastning = rng.random() < 0.15
        address, town, home = _address(rng, u.region)
        u.navn = f"Plejefamilien {rng.choice(SURNAMES)}, {town.removesuffix(' C')}"
        u.afdelinger = [{"navn": "Hjemmet", "adresse": address}]
        u.kommuner = [home]
        u.initial = rng.random() >= new_share_f
        u.apply = (weekday(plus(START, 1 + rng.randint(0, 85))) if u.initial
                   else weekday(rand_date(rng, late_start, late_end)))
        units.append(u)
    return units


def _assign_koncerner(rng: random.Random, private: list[Unit]) -> None:
    """About 10 % of the private offers belong to koncerner of 2-6 offers, all in one region."""
    number = 0
    used: set[str] = set()
    for region, _ in REGION_WEIGHTS:
        members = [u for u in private if u.region == region]
        rng.shuffle(members)
        chosen = members[: round(len(members) * 0.10)]
        groups: list[list[Unit]] = []
        while chosen:
            size = rng.randint(2, 6)
            groups.append(chosen[:size])
            chosen = chosen[size:]
        if len(groups) > 1 and len(groups[-1]) == 1:
            groups[-2].extend(groups.pop())
        for group in groups:
            if len(group) < 2:
                continue
            number += 1
            name = f"{rng.choice(STEMS)} {rng.choice(KONCERN_SUFFIX)}"
            if name in used:
                name = f"{name} {number}"
            used.add(name)
            for u in group:
                u.koncern = name


# -- one life --------------------------------------------------------------------------------------
class Afd:
    __slots__ = ("slot", "navn", "available_from")

    def __init__(self, navn: str, available_from: dt.date | None) -> None:
        self.slot = Slot()
        self.navn = navn
        self.available_from = available_from


class Life:
    """One offer's or family's legal life, as a generator of commands in effective-date order."""

    def __init__(self, unit: Unit, seed: int, rates: Rates, stats: Counter[str] | None = None) -> None:
        self.u = unit
        self.stats = stats
        self.rng = random.Random(f"{seed}:{unit.key}")
        self.r = rates
        self.by = f"Socialtilsyn {unit.region.value}"
        self.duty = not unit.family and bool(set(unit.types) & BUDGET_TYPES)
        self.heap: list[tuple[dt.date, int, int, Any]] = []
        self.seq = 0
        # the plan (what the planner has decided)
        self.approved_from: dt.date | None = None
        self.end: dt.date | None = None  # first day not approved, when known
        self.ending = False  # an end (ophør, lukning) is decided or pending
        self.afd: list[Afd] = []
        self.skaerpet_free = START
        self.quality_next = 0  # year of the next quality assessment (families)
        self.q = min(4.8, max(2.3, self.rng.gauss(3.9, 0.45)))
        self.magt_counter: Counter[int] = Counter()
        self.budget_years: set[int] = set()
        self.economy_negative = False
        self.had_paabud = False  # for the narrative: only then is "påbud ikke efterkommet" a baggrund
        # what has been emitted (mirrors the case in the ledger)
        self.version = 0
        self.counters: Counter[str] = Counter()
        self.afdeling_refs: dict[str, str] = {}  # the current afdelinger's ids, by name
        self.e_status = "none"  # none, ansoegt, approved, refused
        self.last_rec = dt.datetime(2018, 1, 1, tzinfo=UTC)
        self.dropped = 0

    # -- the local heap ------------------------------------------------------------------------
    def push(self, date: dt.date, handler: str, kwargs: dict[str, Any], need: str = "approved",
             creates: tuple[tuple[Any, ...], ...] = (), number: Slot | None = None, effect: str | None = None,
             n_events: int = 1) -> bool:
        if date > END:
            return False
        assert date >= START
        self.seq += 1
        heapq.heappush(self.heap, (date, PRIO[handler], self.seq,
                                   (handler, kwargs, need, creates, number, effect, n_events)))
        return True

    def push_lazy(self, date: dt.date, expand: Any) -> None:
        """Plan later: on `date`, before anything else that day, call `expand()` (which pushes commands
        dated on or after it). Keeps the frequent commands out of memory until their month comes."""
        if date <= END:
            self.seq += 1
            heapq.heappush(self.heap, (date, -1, self.seq, (None, expand)))

    def ok(self, need: str, date: dt.date) -> bool:
        if need == "any":
            return True
        if self.end is not None and date >= self.end:
            return False
        if need == "approved":
            return self.e_status == "approved"
        return self.e_status in ("ansoegt", "approved")  # open

    def commands(self) -> Iterator[Planned]:
        u = self.u
        self.plan_application(u.apply, initial=u.initial)
        planned_year = u.apply.year - 1  # the application's year is planned before its first command
        heap = self.heap
        key, by = u.key, self.by
        while True:
            if not heap or heap[0][0].year > planned_year:
                if planned_year >= END.year:
                    if not heap:
                        if self.stats is not None:
                            self.stats["dropped"] += self.dropped
                        return
                else:
                    planned_year += 1
                    self.plan_year(planned_year)
                    continue
            date, prio, _, item = heapq.heappop(heap)
            if item[0] is None:
                item[1]()
                continue
            handler, kwargs, need, creates, number, effect, n_events = item
            if not self.ok(need, date):
                self.dropped += 1
                continue
            if any(type(v) is Slot for v in kwargs.values()):
                resolved = {k: (v.value if type(v) is Slot else v) for k, v in kwargs.items()}
                if any(v is None for k, v in resolved.items() if type(kwargs[k]) is Slot):
                    self.dropped += 1
                    continue
                kwargs = resolved
            self.version += n_events
            previous: dict[str, str] = {}
            if handler == "ansoeg":
                # The ledger keeps the ids of the afdelinger an application names again (by name).
                previous, self.afdeling_refs = self.afdeling_refs, {}
            for prefix, slot, *named in creates:
                reused = previous.get(named[0].casefold()) if named else None
                if reused is not None:
                    slot.value = reused
                else:
                    self.counters[prefix] += 1
                    slot.value = f"{prefix}{self.counters[prefix]}"
                if named:
                    self.afdeling_refs[named[0].casefold()] = slot.value
            if number is not None:
                number.value = self.version
            if effect is not None:
                self.e_status = effect
            yield Planned(date, prio, "offer", key, handler, kwargs, self.recorded(date), by)

    def recorded(self, date: dt.date) -> dt.datetime:
        rng = self.rng
        r = rng.random()
        lag = 0 if r < 0.5 else (rng.randint(1, 3) if r < 0.8 else rng.randint(4, 10))
        day = weekday(date + dt.timedelta(days=lag))
        minute = rng.randint(8 * 60, 16 * 60 - 1)
        at = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, rng.randint(0, 59),
                         tzinfo=UTC) - _cph_offset(day)
        if at > RECORDED_CAP:
            at = RECORDED_CAP
        if at < self.last_rec:
            at = self.last_rec
        self.last_rec = at
        return at

    # -- the application ------------------------------------------------------------------------
    def plan_application(self, applied: dt.date, initial: bool, reapply: bool = False) -> None:
        u, rng, r = self.u, self.rng, self.r
        afd = [Afd(a["navn"], None) for a in u.afdelinger]
        creates = tuple(("A", a.slot, a.navn) for a in afd)
        fields: dict[str, Any] = {
            "date": applied, "tilbud": u.key, "navn": u.navn, "tilbudstyper": list(u.types), "pladser": u.pladser,
            "ejerform": u.ejerform, "region": u.region, "afdelinger": [dict(a) for a in u.afdelinger],
        }
        if u.koncern:
            fields["koncern"] = u.koncern
        if u.forventede_borgere:
            fields["forventede_borgere"] = u.forventede_borgere
        for flag in ("ambulant", "sikret", "kun_aflastning", "bestyrelse"):
            if getattr(u, flag):
                fields[flag] = True
        self.push(applied, "ansoeg", fields, need="any", creates=creates, effect="ansoegt")
        self.economy_negative = False
        if initial:
            decided = weekday(plus(applied, rng.randint(14, 75)))
            refused = False
        else:
            decided = weekday(plus(applied, rng.randint(30, 180)))
            refused = rng.random() < (r.afslag * (0.6 if reapply else 1.0))
        if self.duty and not initial:  # a new offer sends its first budget with the application
            b_date = weekday(plus(applied, rng.randint(0, 10)))
            if b_date < decided and b_date.year not in self.budget_years:
                self.budget_years.add(b_date.year)
                self.push(b_date, "budget_indsendt", {"date": b_date, "budgetaar": b_date.year}, need="open")
                self.koncernnote(b_date, b_date.year)
                if not refused:
                    self.budget_decision(max(decided, weekday(plus(b_date, rng.randint(20, 60)))), b_date.year)
        if not initial and (decided - applied).days > 20:
            visit = weekday(plus(applied, rng.randint(10, (decided - applied).days - 5)))
            if visit < decided:
                self.push(visit, "tilsynsbesoeg", {"date": visit, "form": VisitKind.ANMELDT,
                                                   **({"afdeling": afd[0].slot} if not u.family else {})}, need="open")
        if not initial and not u.family and set(u.types) <= AKUT_TYPES and rng.random() < r.akut:
            self.plan_akut(applied, decided)
        economy = weekday(plus(decided, -rng.randint(0, 10)))
        if economy >= applied:
            self.economy(economy, need="open", refused=refused)
        self.quality(decided, "godkendelse", need="open", refused=refused)
        if decided > END:
            return  # still pending when the period ends
        if not refused:
            self.approve(decided, afd)
            return
        number = Slot()
        pool = AFSLAG_BEGRUNDELSER[3:] if u.family else AFSLAG_BEGRUNDELSER[:3]
        self.push(decided, "afslaa", {"date": decided, "begrundelse": self.text(pool)}, need="open",
                  number=number, effect="refused")
        revived: dt.date | None = None
        finished = decided
        if rng.random() < r.klage:
            withdrawn, anke, _ = self.complaint(decided, number, "afslag")
            finished = anke or decided
            if withdrawn is not None and withdrawn <= END:
                revived = weekday(plus(withdrawn, rng.randint(1, 14) if anke is None else rng.randint(7, 45)))
        if revived is not None and revived <= END:
            self.approve(revived, afd, revived=True)
        elif not reapply and rng.random() < r.reapply:
            again = weekday(plus(finished, rng.randint(120, 365)))
            if again <= dt.date(2025, 10, 31):
                self.plan_application(again, initial=False, reapply=True)

    def approve(self, decided: dt.date, afd: list[Afd], revived: bool = False) -> None:
        u, rng, r = self.u, self.rng, self.r
        vilkaar: list[dict[str, Any]] = []
        vslots: list[Slot] = []
        if rng.random() < (r.vilkaar_family if u.family else r.vilkaar_offer):
            pool = VILKAAR_FAMILY if u.family else VILKAAR_OFFER
            for tekst in rng.sample(pool, rng.choice((1, 1, 2))):
                spec: dict[str, Any] = {"tekst": tekst}
                if rng.random() < 0.75:
                    spec["frist"] = weekday(plus(decided, rng.randint(60, 200)))
                vilkaar.append(spec)
                vslots.append(Slot())
        fields: dict[str, Any] = {"date": decided, "begrundelse": self.text(FAMILY_GODKEND if u.family else GODKEND_BEGRUNDELSER)}
        if vilkaar:
            fields["vilkaar"] = vilkaar
        if self.economy_negative:
            fields["oekonomisk_begrundelse"] = OEKONOMISK_BEGRUNDELSE_FAMILY if u.family else OEKONOMISK_BEGRUNDELSE
        self.push(decided, "godkend", fields, need="open" if not revived else "any",
                  creates=tuple(("V", s) for s in vslots), effect="approved")
        self.approved_from = decided
        self.afd = afd
        self.quality_next = decided.year + rng.choice((1, 2))
        for spec, slot in zip(vilkaar, vslots, strict=True):
            frist = spec.get("frist")
            x = rng.random()
            if x < 0.75:
                when = weekday(plus(frist, rng.randint(-20, 10))) if frist else weekday(plus(decided, rng.randint(60, 330)))
                when = max(when, plus(decided, 7))
                self.push(when, "vilkaar_opfyldt", {"date": when, "vilkaar": slot, "begrundelse": "Dokumentation modtaget og gennemgået."})
            elif x < 0.85:
                when = weekday(plus(decided, rng.randint(30, 200)))
                self.push(when, "vilkaar_ophaevet", {"date": when, "vilkaar": slot, "begrundelse": "Vilkåret er ikke længere relevant."})
            elif x < 0.90 and frist:
                when = weekday(plus(frist, -rng.randint(1, 20)))
                if when > decided:
                    new_frist = weekday(plus(frist, rng.randint(30, 90)))
                    self.push(when, "vilkaar_aendret", {"date": when, "vilkaar": slot, "tekst": spec["tekst"] + " (udvidet frist)",
                                                        "frist": new_frist, "begrundelse": self.text("Tilbuddet har dokumenteret særlige forhold.")})
                    later = weekday(plus(new_frist, -rng.randint(0, 14)))
                    self.push(max(later, plus(when, 1)), "vilkaar_opfyldt", {"date": max(later, plus(when, 1)), "vilkaar": slot})

    def plan_akut(self, applied: dt.date, decided: dt.date) -> None:
        rng, u = self.rng, self.u
        akut_fra = plus(applied, rng.randint(0, 10))
        when = weekday(plus(akut_fra, rng.randint(8, 18)))
        if when > plus(akut_fra, 21) or when >= decided:
            return
        fields: dict[str, Any] = {"date": when, "kommune": rng.choice(u.kommuner), "akut_fra": akut_fra,
                                  "begrundelse": "Borgeren kan ikke flyttes uden risiko for sin trivsel."}
        if rng.random() < 0.85:
            til = plus(akut_fra, 21 + rng.randint(7, 21))
            if til <= when:
                return
            fields["forlaenget_til"] = til
        else:
            fields["bevilget"] = False
            fields["begrundelse"] = "Der er andre egnede, godkendte tilbud til borgeren."
        self.push(when, "akut_forlaeng", fields, need="open")

    # -- one year of an approved life -------------------------------------------------------------
    def window(self, year: int) -> tuple[dt.date, dt.date] | None:
        if self.approved_from is None or self.approved_from.year > year:
            return None
        ws = max(self.approved_from, dt.date(year, 1, 1))
        we = dt.date(year, 12, 31)
        if self.end is not None:
            we = min(we, self.end - DAY)
        return (ws, we) if ws <= we else None

    def approved_on(self, day: dt.date) -> bool:
        return (self.approved_from is not None and self.approved_from <= day
                and (self.end is None or day < self.end))

    def plan_year(self, year: int) -> None:
        u, rng, r = self.u, self.rng, self.r
        if self.duty and year - 1 >= START.year:
            self.plan_aarsrapport(year)
        span = self.window(year)
        if span is None:
            return
        ws, we = span
        frac = ((we - ws).days + 1) / 365.0
        fam = u.family
        if not self.ending:
            if rng.random() < (r.f_lukning if fam else r.lukning) * frac:
                self.plan_lukning(ws, we)
            elif rng.random() < (r.f_ophoer if fam else r.ophoer) * frac:
                self.plan_ophoer(ws, we)
            span = self.window(year)
            if span is None:
                return
            ws, we = span
            frac = ((we - ws).days + 1) / 365.0
        if not self.ending:
            if rng.random() < (r.f_paabud if fam else r.paabud) * frac:
                self.plan_paabud(ws, we)
            if rng.random() < (r.f_skaerpet if fam else r.skaerpet) * frac:
                self.plan_skaerpet(ws, we)
            if rng.random() < (r.f_fravigelse if fam else r.fravigelse) * frac:
                self.plan_fravigelse(ws, we)
            if rng.random() < (r.f_aendring if fam else r.aendring) * frac:
                self.plan_aendring(ws, we)
        visits = self.plan_visits(ws, we, frac)
        if fam:
            if year >= self.quality_next and visits:
                when = self.after_visit(visits, we)
                self.quality(when, "tilsyn")
                if rng.random() < 0.4:
                    self.economy(when)
                self.quality_next = year + rng.choice((2, 3, 3))
        else:
            if visits and rng.random() < 0.92:
                self.quality(self.after_visit(visits, we), "tilsyn")
            if rng.random() < 0.85 and (we - ws).days > 30:
                when = weekday(rand_date(rng, ws, we - DAY * 2))
                if self.approved_from is not None and when <= self.approved_from:
                    # The year's assessment comes after the approval, never on its day, where it would
                    # be the assessment the approval rests on (and a negative one would need a reason).
                    when = weekday(plus(self.approved_from, 1))
                self.economy(when)
            if self.duty and not self.ending:
                self.plan_budget(year, ws, we)
            if u.magt_rate > 0:
                self.plan_magt(ws, we)

    def after_visit(self, visits: list[dt.date], we: dt.date) -> dt.date:
        """A quality assessment follows a visit by up to three weeks."""
        v = self.rng.choice(visits)
        when = weekday(plus(v, self.rng.randint(0, 21)))
        return when if when <= we else v

    def plan_visits(self, ws: dt.date, we: dt.date, frac: float) -> list[dt.date]:
        u, rng = self.u, self.rng
        if (we - ws).days < 14:
            return []
        dates = []
        live = [a for a in self.afd if a.available_from is None or a.available_from <= we - DAY * 14]
        extra = poisson(rng, (0.45 if u.family else 1.9) * frac)
        for n in range(len(live) + extra):
            a = live[n] if n < len(live) else rng.choice(live)
            lo = ws if a.available_from is None else max(ws, a.available_from)
            when = weekday_back(rand_date(rng, lo, we))
            if when < lo:
                continue
            form = VisitKind.UANMELDT if rng.random() < 0.4 else VisitKind.ANMELDT
            fields: dict[str, Any] = {"date": when, "form": form}
            if not u.family:
                fields["afdeling"] = a.slot
            self.push(when, "tilsynsbesoeg", fields)
            dates.append(when)
        return dates

    def visit(self, when: dt.date, form: VisitKind = VisitKind.UANMELDT) -> None:
        fields: dict[str, Any] = {"date": when, "form": form}
        if not self.u.family and self.afd:
            fields["afdeling"] = self.afd[0].slot
        self.push(when, "tilsynsbesoeg", fields)

    # -- quality and economy ----------------------------------------------------------------------
    def quality(self, when: dt.date, anledning: str, need: str = "approved", refused: bool = False) -> None:
        u, rng = self.u, self.rng
        plan = quality_plan(u.types, u.ejerform, u.ambulant, u.sikret, u.kun_aflastning, u.bestyrelse)
        indikatorer: dict[str, Any] = {}
        by_theme: dict[str, list[Any]] = {}
        if anledning == "godkendelse":
            share_no = rng.uniform(0.2, 0.45) if refused else (0.03 if rng.random() < 0.3 else 0.0)
            for ind, theme in plan.indicators:
                value = "forventes_ikke" if rng.random() < share_no else "forventes"
                indikatorer[ind] = value
                by_theme.setdefault(theme, []).append(value)
            temaer = {
                theme: rng.choice(plan.texts[(theme, "forventes_ikke" if "forventes_ikke" in values else "forventes")])
                for theme, values in by_theme.items()
            }
        else:
            level = self.q + rng.gauss(0, 0.25)
            for ind, theme in plan.indicators:
                score = round(level + rng.gauss(0, 0.6))
                score = 1 if score < 1 else (5 if score > 5 else score)
                indikatorer[ind] = score
                by_theme.setdefault(theme, []).append(score)
            temaer = {}
            for theme, values in by_theme.items():
                mean = sum(values) / len(values)
                band = "hoej" if mean >= 3.75 else ("middel" if mean >= 2.75 else "lav")
                temaer[theme] = rng.choice(plan.texts[(theme, band)])
        self.push(when, "kvalitetsvurdering",
                  {"date": when, "anledning": anledning, "indikatorer": indikatorer, "temaer": temaer}, need=need)

    def economy(self, when: dt.date, need: str = "open", refused: bool = False) -> None:
        rng = self.rng
        if self.u.family:
            fields: dict[str, Any] = {"date": when, "konklusioner": {"stabil_anbringelse": not (refused and rng.random() < 0.3)}}
        else:
            ok = not (refused and rng.random() < 0.5) and rng.random() > 0.03
            konklusioner = {"baeredygtig": ok, "kvalitet_for_prisen": True, "gennemsigtig": ok or rng.random() < 0.5}
            kontroller = {"ingen_revisorforbehold": ok, "rimeligt_budget": True, "rimelig_soliditet": True,
                          "budget_afspejler_maalgruppe": True}
            if self.u.ejerform != Ejerform.PRIVAT:
                del kontroller["rimelig_soliditet"]  # bek § 13 stk 2 nr 3: the private offer's soliditetsgrad
            fields = {"date": when, "konklusioner": konklusioner, "kontroller": kontroller}
        # An approval after a negative conclusion states why it stands (bek § 1 stk 1; lov § 6 stk 2 nr 7-8).
        self.economy_negative = not all(fields["konklusioner"].values())
        self.push(when, "oekonomisk_vurdering", fields, need=need)

    # -- budgets and årsrapporter -----------------------------------------------------------------
    def koncernnote(self, when: dt.date, budgetaar: int) -> None:
        if self.u.koncern:
            self.push(when, "koncernnote_indsendt", {"date": when, "budgetaar": budgetaar}, need="open")

    def budget_decision(self, when: dt.date, budgetaar: int) -> None:
        u, rng = self.u, self.rng
        kontroller = {"markedsleje": True}
        if u.bestyrelse:
            kontroller["bestyrelsesvederlag"] = True
        if u.ejerform == Ejerform.PRIVAT:
            kontroller["ingen_goodwill"] = True
        if u.koncern:
            kontroller["koncernafregning_markedsvilkaar"] = True
        criteria = {"sammenhaeng": True, "ingen_uvedkommende_poster": True, "ansvarlig_forvaltning": True}
        fields: dict[str, Any] = {"date": when, "budgetaar": budgetaar, "godkendt": True, "kriterier": criteria,
                                  "kontroller": kontroller,
                                  "begrundelse": "Budgettet opfylder betingelserne i bek § 16, stk. 2."}
        if rng.random() < 0.006:
            fields.update(godkendt=False, kriterier={**criteria, "sammenhaeng": False},
                          begrundelse="Der er ikke sammenhæng mellem den faglige indsats og de afsatte ressourcer.")
        self.push(when, "budget_afgoer", fields, need="open")

    def plan_budget(self, year: int, ws: dt.date, we: dt.date) -> None:
        rng = self.rng
        private = self.u.ejerform == Ejerform.PRIVAT
        if private:
            submitted = weekday_back(rand_date(rng, dt.date(year, 8, 15), dt.date(year, 9, 30)))
        else:
            submitted = weekday_back(rand_date(rng, dt.date(year, 9, 10), dt.date(year, 11, 14)))
        if submitted < ws:  # approved after the deadline: send it soon after approval
            submitted = weekday(plus(ws, rng.randint(3, 20)))
        if submitted > we or year + 1 in self.budget_years:
            return
        self.budget_years.add(year + 1)
        self.push(submitted, "budget_indsendt", {"date": submitted, "budgetaar": year + 1}, need="open")
        self.koncernnote(submitted, year + 1)
        if submitted < dt.date(year, 10, 1):
            decided = weekday_back(rand_date(rng, max(plus(submitted, 14), dt.date(year, 10, 10)), dt.date(year, 12, 22)))
        else:
            decided = weekday(rand_date(rng, max(plus(submitted, 20), dt.date(year + 1, 1, 5)), dt.date(year + 1, 3, 27)))
        self.budget_decision(max(decided, plus(submitted, 1)), year + 1)

    def plan_aarsrapport(self, year: int) -> None:
        aar = year - 1
        approved = any(self.approved_on(dt.date(aar, m, 1)) for m in range(1, 13)) or self.approved_on(dt.date(aar, 12, 31))
        if not approved:
            return
        rng = self.rng
        when = weekday_back(rand_date(rng, dt.date(year, 2, 20), dt.date(year, 4, 30)))
        if rng.random() < 0.03:
            when = weekday(rand_date(rng, dt.date(year, 5, 2), dt.date(year, 6, 30)))
        u = self.u
        pladser = u.pladser
        omsaetning = round(pladser * rng.uniform(450_000, 1_200_000), -3)
        noegletal = {
            "omsaetning_kr": int(omsaetning),
            "resultat_kr": int(round(omsaetning * rng.uniform(-0.04, 0.06), -3)),
            "belaegningsprocent": round(rng.uniform(70, 100), 1),
            "aarsvaerk": round(pladser * rng.uniform(0.6, 1.6), 1),
        }
        self.push(when, "aarsrapport", {"date": when, "aar": aar, "noegletal": noegletal}, need="open")

    # -- magtanvendelse -----------------------------------------------------------------------------
    def plan_magt(self, ws: dt.date, we: dt.date) -> None:
        """Reports of magtanvendelse (a Poisson process over the approved days), planned a month at a time."""
        month_start = ws
        while month_start <= we:
            following = dt.date(month_start.year + month_start.month // 12, month_start.month % 12 + 1, 1)
            month_end = min(we, following - DAY)
            self.push_lazy(month_start, lambda a=month_start, b=month_end: self.magt_month(a, b))
            month_start = following

    def magt_month(self, ws: dt.date, we: dt.date) -> None:
        rng = self.rng
        span = (we - ws).days
        count = poisson(rng, self.u.magt_rate * (span + 1) / 365.0)
        if not count:
            return
        for offset in sorted(rng.randint(0, span) for _ in range(count)):
            happened = ws + dt.timedelta(days=offset)
            reported = plus(happened, pick(rng, ((0, 0.4), (1, 0.35), (2, 0.15), (3, 0.1))))
            if self.end is not None and reported >= self.end:
                continue  # reported after the approval ended: not reported to the ledger
            self.magt_counter[happened.year] += 1
            ref = f"MA-{happened.year}-{self.magt_counter[happened.year]:05d}"
            slot = Slot()
            self.push(reported, "magtanvendelse", {"date": reported, "haendelsesdato": happened, "reference": ref},
                      creates=(("M", slot),))
            assessed = weekday(plus(reported, rng.randint(3, 40)))
            x = rng.random()
            fields: dict[str, Any] = {"date": assessed, "magtanvendelse": slot}
            if x < 0.82:
                fields["vurdering"] = MagtVurdering.INGEN_BEMAERKNING
            elif x < 0.97:
                fields["vurdering"] = MagtVurdering.BEMAERKNING
            else:
                fields["vurdering"] = MagtVurdering.TILSYNSMAESSIG_KONSEKVENS
                fields["konsekvens"] = rng.choice(MAGT_KONSEKVENS)
            self.push(assessed, "magtanvendelse_vurderet", fields, need="any")

    # -- the rarer chains ---------------------------------------------------------------------------
    def text(self, pool: tuple[str, ...] | str) -> str:
        """A text from a pool (or the text itself), worded for a plejefamilie when the case is one."""
        chosen = pool if isinstance(pool, str) else self.rng.choice(pool)
        if self.u.family:
            for offer_word, family_word in (("Tilbuddets", "Plejefamiliens"), ("tilbuddets", "plejefamiliens"),
                                            ("Tilbuddet", "Plejefamilien"), ("tilbuddet", "plejefamilien")):
                chosen = chosen.replace(offer_word, family_word)
        return chosen

    def concerns(self) -> tuple[tuple[PaabudKarakter, str, str], ...]:
        return FAMILY_CONCERNS if self.u.family else CONCERNS

    def dialog(self, when: dt.date, forhold: list[str], form: str = "moede") -> None:
        rng = self.rng
        slot = Slot()
        fields: dict[str, Any] = {"date": when, "forhold": forhold, "form": form}
        if rng.random() < 0.7:
            fields["svarfrist"] = plus(when, rng.randint(10, 21))
        self.push(when, "indled_dialog", fields, need="open", creates=(("D", slot),))
        if rng.random() < 0.6:
            reply = weekday(plus(when, rng.randint(4, 20)))
            replies = FAMILY_REPLIES if self.u.family else DIALOG_REPLIES
            self.push(reply, "dialog_svar", {"date": reply, "dialog": slot, "resume": self.text(replies)}, need="open")

    def notify(self, fields: dict[str, Any], name: str, decided: dt.date, number: Slot) -> None:
        """Municipalities told: in the decision itself (most), by a later record (some), or not recorded."""
        rng = self.rng
        x = rng.random()
        kommuner = list(self.u.kommuner)
        if x < 0.6:
            fields[name] = kommuner
        elif x < 0.9:
            when = weekday(plus(decided, rng.randint(1, 10)))
            self.push(when, "kommuner_orienteret", {"date": when, "afgoerelse": number, "kommuner": kommuner}, need="any")

    def plan_paabud(self, ws: dt.date, we: dt.date) -> None:
        rng, r = self.rng, self.r
        concerns = rng.sample(self.concerns(), 2 if rng.random() < 0.15 else 1)
        d0 = weekday_back(rand_date(rng, ws, we))
        if d0 < ws:
            return
        straks = rng.random() < 0.05
        if straks:
            issued = d0
        else:
            self.dialog(d0, [c[1] for c in concerns])
            issued = weekday(plus(d0, rng.randint(10, 45)))
        for karakter, _, forhold in concerns:
            frist = weekday(plus(issued, rng.randint(30, 120)))
            number, pslot = Slot(), Slot()
            fields: dict[str, Any] = {"date": issued, "forhold": forhold, "frist": frist, "karakter": karakter,
                                      "begrundelse": self.text(PAABUD_BEGRUNDELSER)}
            if straks:
                grund, _, why = STRAKS_TEXTS[1]
                fields.update(straks=True, straks_grund=grund, straks_begrundelse=why)
            self.notify(fields, "kommuner_orienteret", issued, number)
            if not self.push(issued, "udsted_paabud", fields, creates=(("P", pslot),), number=number):
                return
            self.had_paabud = True
            withdrawn = None
            if rng.random() < r.klage:
                withdrawn, _, _ = self.complaint(issued, number, "paabud")
            self.paabud_followups(pslot, issued, frist, withdrawn)

    def paabud_followups(self, pslot: Slot, issued: dt.date, frist: dt.date, withdrawn: dt.date | None) -> None:
        rng = self.rng

        def push(when: dt.date, handler: str, fields: dict[str, Any]) -> None:
            if withdrawn is None or when < withdrawn:
                self.push(when, handler, fields)

        after = issued  # follow-ups come after the last decision about the påbud
        if rng.random() < 0.2:
            asked = max(plus(issued, 1), plus(frist, -rng.randint(3, 20)))
            decided = weekday(plus(asked, rng.randint(0, 5)))
            new_frist = weekday(plus(max(frist, decided), rng.randint(14, 60)))
            push(decided, "forlaeng_paabudsfrist", {
                "date": decided, "paabud": pslot, "ny_frist": new_frist, "anmodning_modtaget": asked,
                "saerlige_omstaendigheder": rng.choice(("Lederen er sygemeldt.", "Leverandøren er forsinket.",
                                                        "Ombygningen kræver byggetilladelse.")),
            })
            frist, after = new_frist, decided
        x = rng.random()
        if x < 0.86:
            when = max(weekday(plus(frist, rng.randint(-20, 7))), plus(issued, 7), plus(after, 1))
            push(when, "paabud_opfyldt", {"date": when, "paabud": pslot,
                                          "begrundelse": "Forholdet er bragt i orden og dokumenteret."})
        elif x < 0.92:
            lo = max(plus(issued, 14), plus(after, 1))
            when = weekday(rand_date(rng, lo, max(lo, frist)))
            push(when, "ophaev_paabud", {"date": when, "paabud": pslot, "kommuner_orienteret": list(self.u.kommuner),
                                         "begrundelse": self.text("Forholdet er ikke længere aktuelt efter ændring af tilbuddets målgruppe.")})

    def plan_skaerpet(self, ws: dt.date, we: dt.date) -> None:
        rng = self.rng
        lo = max(ws, self.skaerpet_free)
        if lo > we:
            return
        d0 = weekday_back(rand_date(rng, lo, we))
        if d0 < lo:
            return
        straks = rng.random() < 0.10
        concerns = rng.sample(self.concerns(), 2 if rng.random() < 0.3 else 1)
        if straks:
            start = d0
        else:
            self.dialog(d0, [c[1] for c in concerns])
            start = weekday(plus(d0, rng.randint(10, 40)))
        if start > END:
            return
        til = plus(add_months(start, rng.choice((1, 2, 3, 3, 3))), -rng.randint(0, 10))
        if til <= start:
            til = plus(start, 20)
        self.skaerpet_free = plus(til, 1)
        self.skaerpet_decision(start, til, concerns, straks, renewal=False)
        self.had_paabud = True

    def skaerpet_decision(self, start: dt.date, til: dt.date, concerns: list[Any], straks: bool, renewal: bool,
                          decided: dt.date | None = None) -> None:
        rng, r = self.rng, self.r
        decided = decided or start
        specs, pslots = [], []
        for karakter, _, forhold in concerns:
            frist = plus(decided, rng.randint(14, max(15, (til - decided).days)))
            specs.append({"forhold": forhold, "frist": frist, "karakter": karakter})
            pslots.append(Slot())
        number, sslot = Slot(), Slot()
        baggrund = pick(rng, ((Baggrund.KVALITET, 0.35), (Baggrund.LEDELSE, 0.25), (Baggrund.SIKKERHED, 0.2),
                              (Baggrund.OEKONOMI, 0.1),
                              (Baggrund.MANGLENDE_OPFYLDELSE_AF_PAABUD, 0.1 if self.had_paabud else 0.0)))
        if self.u.family and baggrund in (Baggrund.LEDELSE, Baggrund.OEKONOMI):
            baggrund = Baggrund.KVALITET
        pool = SKAERPET_BEGRUNDELSER[::2] if self.u.family else SKAERPET_BEGRUNDELSER
        fields: dict[str, Any] = {"date": decided, "periode_til": til, "baggrund": baggrund,
                                  "begrundelse": self.text(pool), "paabud": specs}
        if start != decided:
            fields["periode_fra"] = start
        if straks:
            grund, baggrund, why = STRAKS_TEXTS[1 if self.u.family else rng.randint(0, 1)]
            fields.update(straks=True, straks_grund=grund, straks_begrundelse=self.text(why), baggrund=baggrund)
        self.notify(fields, "kommuner_orienteret", decided, number)
        creates = tuple(("P", s) for s in pslots) + (("S", sslot),)
        if not self.push(decided, "skaerpet_tilsyn", fields, creates=creates, number=number, n_events=len(specs) + 1):
            return
        for _ in range(rng.randint(1, 2)):
            when = weekday_back(rand_date(rng, plus(start, 1), til))
            if when > start:
                self.visit(when)
        withdrawn = None
        if rng.random() < r.klage:
            withdrawn, _, _ = self.complaint(decided, number, "skaerpet")
        for spec, pslot in zip(specs, pslots, strict=True):
            if rng.random() < 0.85:
                when = weekday(plus(spec["frist"], rng.randint(-10, 10)))
                when = max(when, plus(decided, 3))
                self.push(when, "paabud_opfyldt", {"date": when, "paabud": pslot})
        lifted = False
        if rng.random() < 0.3 and (til - start).days > 25:
            when = weekday_back(rand_date(rng, plus(start, 14), plus(til, -7)))
            if when > start and (withdrawn is None or when < withdrawn):
                self.push(when, "ophaev_skaerpet_tilsyn", {"date": when, "skaerpet_tilsyn": sslot,
                                                            "begrundelse": self.text("Tilbuddet har rettet op på forholdene før periodens udløb.")})
                lifted = True
        if not lifted and not straks and not renewal and withdrawn is None and rng.random() < 0.15:
            new_start = plus(til, 1)
            new_til = plus(add_months(new_start, rng.choice((2, 3))), -rng.randint(0, 5))
            decided2 = weekday_back(plus(til, -rng.randint(3, 14)))
            if decided2 > start and new_start <= END:
                self.skaerpet_free = plus(new_til, 1)
                self.skaerpet_decision(new_start, new_til, concerns[:1], False, renewal=True, decided=decided2)

    def plan_ophoer(self, ws: dt.date, we: dt.date) -> None:
        rng, r = self.rng, self.r
        d0 = weekday_back(rand_date(rng, ws, we))
        if d0 < ws:
            return
        number = Slot()
        family = self.u.family
        baggrund = pick(rng, ((Baggrund.KVALITET, 0.35), (Baggrund.MANGLENDE_OPFYLDELSE_AF_PAABUD, 0.4 if self.had_paabud else 0.0),
                              (Baggrund.LEDELSE, 0.0 if family else 0.15), (Baggrund.OEKONOMI, 0.05 if family else 0.15),
                              (Baggrund.SIKKERHED, 0.1)))
        fields: dict[str, Any] = {"baggrund": baggrund, "begrundelse": self.text(OPHOER_BEGRUNDELSER[baggrund])}
        if rng.random() < 0.10:
            grund, baggrund, why = STRAKS_TEXTS[1 if family else rng.randint(0, 2)]
            decided = d0
            fields.update(date=decided, straks=True, straks_grund=grund, straks_begrundelse=self.text(why), baggrund=baggrund)
            virkning = decided
        else:
            self.dialog(d0, [c[1] for c in rng.sample(self.concerns(), 2)], form="partshoering")
            decided = weekday(plus(d0, rng.randint(14, 60)))
            virkning = plus(decided, rng.randint(30, 92))
            fields.update(date=decided, virkning_fra=virkning)
        self.notify(fields, "kommuner_underrettet", decided, number)
        if not self.push(decided, "ophoer", fields, need="any", number=number):
            return
        self.ending = True
        end: dt.date | None = virkning
        if rng.random() < r.klage:
            _, anke, received = self.complaint(decided, number, "ophoer")
            if received is not None and received < virkning and received <= END:
                # the complaint suspends the ophør until Ankestyrelsen has decided
                end = max(virkning, anke) if anke is not None and anke <= END else None
        self.end = end

    def plan_lukning(self, ws: dt.date, we: dt.date) -> None:
        rng = self.rng
        decided = weekday_back(rand_date(rng, ws, we))
        if decided < ws:
            return
        virkning = decided if rng.random() < 0.3 else plus(decided, rng.randint(14, 90))
        if self.u.family:
            why = rng.choice(("Plejefamilien ønsker ikke længere at være godkendt.", "Plejefamilien er flyttet ud af landet.",
                              "Plejefamilien har ikke haft børn i pleje i en længere periode."))
        elif self.u.ejerform == Ejerform.PRIVAT:
            why = rng.choice(("Tilbuddet lukker på grund af manglende efterspørgsel.", "Tilbuddet lukker, da ejeren går på pension.",
                              "Bestyrelsen har besluttet at lukke tilbuddet."))
        else:
            owner = "Kommunen" if self.u.ejerform == Ejerform.KOMMUNAL else "Regionen"
            why = f"{owner} har besluttet at nedlægge tilbuddet som led i en omlægning af området."
        fields: dict[str, Any] = {"date": decided, "begrundelse": why}
        if virkning != decided:
            fields["virkning_fra"] = virkning
        if self.push(decided, "luk", fields, need="any"):
            self.ending = True
            self.end = virkning

    def plan_fravigelse(self, ws: dt.date, we: dt.date) -> None:
        rng = self.rng
        decided = weekday_back(rand_date(rng, ws, we))
        if decided < ws:
            return
        asked = max(self.approved_from or ws, plus(decided, -rng.randint(5, 30)))
        fra = plus(decided, rng.randint(0, 14))
        til = plus(fra, rng.randint(30, 180))
        fslot = Slot()
        fields: dict[str, Any] = {"date": decided, "anmodning_modtaget": asked, "periode_til": til,
                                  "betingelser": rng.choice(FRAVIGELSE_BETINGELSER).format(n=max(1, self.u.pladser - 2)),
                                  "begrundelse": self.text("Tilbuddet har anmodet om fravigelse i en afgrænset periode.")}
        if fra != decided:
            fields["periode_fra"] = fra
        creates: tuple[tuple[Any, ...], ...] = (("F", fslot),)
        if rng.random() < 0.3:
            fields["vilkaar"] = [{"tekst": "Ugentlig status til Socialtilsynet", "frist": til}]
            creates += (("V", Slot()),)
        self.push(decided, "fravig", fields, creates=creates)
        if rng.random() < 0.15:
            when = weekday_back(rand_date(rng, max(fra, plus(decided, 1)), til))
            if when >= fra and when > decided:
                self.push(when, "fravigelse_bortfaldet", {"date": when, "fravigelse": fslot,
                                                           "begrundelse": "Betingelserne for fravigelsen er ikke længere opfyldt."})

    def plan_aendring(self, ws: dt.date, we: dt.date) -> None:
        rng, u = self.rng, self.u
        applied = weekday_back(rand_date(rng, ws, we))
        if applied < ws:
            return
        aslot = Slot()
        fields: dict[str, Any] = {"date": applied}
        creates: tuple[tuple[Any, ...], ...] = (("Æ", aslot),)
        new_afd = None
        if not u.family and rng.random() < 0.4:
            used = {a.navn for a in self.afd}
            free = [n for n in AFDELING_NAMES if n not in used]
            if free:
                new_afd = Afd(free[0], None)
                fields["nye_afdelinger"] = [{"navn": new_afd.navn, "adresse": _address(rng, u.region)[0]}]
                creates += (("A", new_afd.slot, new_afd.navn),)
        if new_afd is None or rng.random() < 0.5:
            if u.forventede_borgere:
                fields["forventede_borgere"] = u.forventede_borgere + rng.randint(10, 60)
            else:
                fields["pladser"] = u.pladser + (1 if u.family else rng.randint(2, 8))
        fields["beskrivelse"] = ("Udvidelse med en ny afdeling" if new_afd else "Udvidelse af antallet af pladser")
        self.push(applied, "ansoeg_aendring", fields, creates=creates)
        decided = weekday(plus(applied, rng.randint(20, 90)))
        godkendt = rng.random() < 0.9
        self.push(decided, "afgoer_aendring", {
            "date": decided, "aendring": aslot, "godkendt": godkendt,
            "begrundelse": self.text("Ændringen er forenelig med tilbuddets kvalitet.") if godkendt else
            self.text("Tilbuddet har ikke dokumenteret, at kvaliteten kan fastholdes ved udvidelsen.")})
        if godkendt and new_afd is not None and decided <= END:
            new_afd.available_from = plus(decided, 1)
            self.afd.append(new_afd)

    # -- complaints ---------------------------------------------------------------------------------
    def complaint(self, decided: dt.date, number: Slot, kind: str) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
        """Klage -> genvurderet -> (videresendt -> Ankestyrelsen). Returns (withdrawn on, anke on, received on)."""
        rng, u = self.rng, self.u
        received_decision = plus(decided, rng.randint(1, 5))
        late = kind != "ophoer" and rng.random() < 0.03
        received = weekday(plus(received_decision, rng.randint(29, 45) if late else rng.randint(3, 24)))
        kslot = Slot()
        fields: dict[str, Any] = {"date": received, "afgoerelse": number, "klager": u.navn,
                                  "afgoerelse_modtaget": received_decision,
                                  "emne": KlageEmne.SAGENS_BEHANDLING if rng.random() < 0.15 else KlageEmne.AFGOERELSENS_INDHOLD,
                                  "begrundelse": self.text("Tilbuddet er uenigt i Socialtilsynets vurdering.")}
        if not self.push(received, "klage", fields, need="any", creates=(("K", kslot),)):
            return None, None, None
        reconsidered = weekday_back(plus(received, rng.randint(5, 24)))
        reconsidered = max(reconsidered, plus(received, 1))
        changed = kind in ("paabud", "skaerpet", "afslag") and rng.random() < 0.10
        if changed:
            self.push(reconsidered, "klage_genvurderet", {
                "date": reconsidered, "klage": kslot, "udfald": "aendret",
                "begrundelse": "Klagen har givet anledning til at ændre afgørelsen."},
                need="any", effect="ansoegt" if kind == "afslag" else None)
            return reconsidered, None, received
        self.push(reconsidered, "klage_genvurderet", {
            "date": reconsidered, "klage": kslot, "udfald": "fastholdt",
            "begrundelse": "Socialtilsynet fastholder afgørelsen efter en fornyet vurdering."}, need="any")
        forwarded = min(weekday(plus(reconsidered, rng.randint(0, 3))), plus(received, 28))
        forwarded = max(forwarded, reconsidered)
        self.push(forwarded, "klage_videresendt", {"date": forwarded, "klage": kslot}, need="any")
        anke = weekday(plus(forwarded, rng.randint(50, 220)))
        if kind == "ophoer":
            udfald = pick(rng, ((AnkeUdfald.STADFAESTET, 0.9), (AnkeUdfald.AFVIST, 0.1)))
        else:
            udfald = pick(rng, ((AnkeUdfald.STADFAESTET, 0.72), (AnkeUdfald.AENDRET, 0.08), (AnkeUdfald.OPHAEVET, 0.08),
                                (AnkeUdfald.HJEMVIST, 0.07), (AnkeUdfald.AFVIST, 0.05)))
        withdrawing = udfald in WITHDRAWING
        self.push(anke, "ankestyrelsens_afgoerelse", {
            "date": anke, "klage": kslot, "udfald": udfald,
            "begrundelse": "Ankestyrelsen har gennemgået sagens akter."},
            need="any", effect="ansoegt" if kind == "afslag" and withdrawing else None)
        return (anke if withdrawing else None), anke, received


def authority_commands(region: Region, scale: float, seed: int) -> Iterator[Planned]:
    """A Socialtilsyn's income from other tasks (bek § 31): a few records a year."""
    rng = random.Random(f"{seed}:authority:{region.value}")
    planned = []
    for year in range(START.year, END.year + 1):
        count = max(1, round(rng.randint(2, 5) * min(1.0, scale * 2)))
        for _ in range(count):
            when = weekday_back(rand_date(rng, dt.date(year, 1, 15), dt.date(year, 12, 20)))
            aar = year - 1 if when.month <= 2 and year > START.year else year
            planned.append((when, {
                "date": when, "region": region, "aar": aar, "beloeb_oere": rng.randint(25_000, 1_500_000) * 100,
                "modpart": f"{rng.choice(TOWNS[region])[2]} Kommune", "beskrivelse": rng.choice(INCOME_TASKS),
            }))
    planned.sort(key=lambda p: p[0])
    by = f"Socialtilsyn {region.value}"
    for when, kwargs in planned:
        minute = rng.randint(8 * 60, 16 * 60 - 1)
        at = dt.datetime(when.year, when.month, when.day, minute // 60, minute % 60, tzinfo=UTC) - _cph_offset(when)
        yield Planned(when, PRIO["indtaegt"], "authority", region.value, "indtaegt", kwargs, at, by)


# -- the stream ----------------------------------------------------------------------------------------
def generate(scale: float = 1.0, seed: int = 1, *, rich: bool = False, until: dt.date | None = None,
             stats: Counter[str] | None = None) -> Iterator[Planned]:
    """Every command of the national ledger in effective-date order (deterministic for a seed and scale).

    `stats`, if given, counts the planned commands that were dropped because their precondition
    disappeared (for example a påbud follow-up after the offer closed); they are never emitted."""
    rates = Rates(rich)
    units = population(scale, seed, rates)
    streams: list[Iterator[Planned]] = [Life(u, seed, rates, stats).commands() for u in units]
    streams += [authority_commands(region, scale, seed) for region, _ in REGION_WEIGHTS]
    last = until or END
    for planned in heapq.merge(*streams, key=attrgetter("date", "tiebreak")):
        if planned.date > last:
            return
        yield planned


def to_json_line(p: Planned) -> bytes:
    """One command in the `ledger submit` format."""
    import orjson

    name = COMMAND_NAME[p.handler]
    data: dict[str, Any] = {"command": name}
    if p.kind == "offer":
        data["offer"] = p.key
    data["date"] = p.kwargs["date"]
    for field, value in p.kwargs.items():
        if field == "date" or (field == "tilbud" and p.handler == "ansoeg"):
            continue
        data[field] = value
    data["by"] = p.by
    return orjson.dumps(data) + b"\n"


def write_jsonl(out: IO[bytes], scale: float = 1.0, seed: int = 1, *, rich: bool = False,
                until: dt.date | None = None) -> int:
    """Write the commands as JSON lines; returns the number of lines."""
    lines = 0
    buffer: list[bytes] = []
    for planned in generate(scale, seed, rich=rich, until=until):
        buffer.append(to_json_line(planned))
        lines += 1
        if len(buffer) >= 10_000:
            out.write(b"".join(buffer))
            buffer.clear()
    out.write(b"".join(buffer))
    return lines


class GenerationRefused(RuntimeError):
    """The ledger refused a generated command: a bug in the generator (or the ledger)."""


def build(url: str, scale: float = 1.0, seed: int = 1, flush_every: int = 20_000, *, rich: bool = False,
          until: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """Generate and store the ledger through `BulkImporter`. Returns a summary."""
    from ledger.application import Ledger
    from ledger.bulk import BulkImporter
    from ledger.errors import LedgerError

    app = Ledger(url, create=True, user="generator")
    position, _ = app.head()
    if position:
        raise GenerationRefused(f"the ledger at {url} is not empty (position {position}): generate into a new database")
    by_type: Counter[str] = Counter()
    keys: set[str] = set()
    commands = 0
    started = time.perf_counter()
    last_report = started
    importer = BulkImporter(app, flush_every=flush_every)
    record = importer.record
    try:
        for planned in generate(scale, seed, rich=rich, until=until):
            try:
                made = record(planned.kind, planned.key, planned.handler, planned.kwargs,
                              recorded_at=planned.recorded_at, by=planned.by)
            except (LedgerError, TypeError, ValueError) as error:
                raise GenerationRefused(
                    f"the ledger refused generated command #{commands + 1} ({planned.handler} on {planned.key}, "
                    f"{planned.date}): {error}\n{to_json_line(planned).decode()}"
                ) from error
            commands += 1
            for event in made:
                by_type[type(event).__name__] += 1
            if planned.handler == "ansoeg":
                keys.add(planned.key)
            if progress and commands % 5000 == 0:
                now = time.perf_counter()
                if now - last_report >= 5:
                    last_report = now
                    total = sum(by_type.values())
                    print(f"  {planned.date}  {total:>10,} events  {total / (now - started):>8,.0f} events/s",
                          file=sys.stderr, flush=True)
        importer.flush()
    finally:
        app.close()
        app.engine.dispose()
    elapsed = time.perf_counter() - started
    total = sum(by_type.values())
    return {
        "scale": scale,
        "seed": seed,
        "commands": commands,
        "events": total,
        "offers": sum(1 for k in keys if k.startswith("T-")),
        "families": sum(1 for k in keys if k.startswith("PF-")),
        "elapsed_s": round(elapsed, 1),
        "events_per_s": round(total / elapsed) if elapsed else 0,
        "by_type": dict(sorted(by_type.items(), key=lambda kv: -kv[1])),
    }


def _print_summary(summary: dict[str, Any], out: IO[str]) -> None:
    print(f"Generated {summary['events']:,} events from {summary['commands']:,} commands "
          f"({summary['offers']:,} offers, {summary['families']:,} plejefamilier; scale {summary['scale']}, "
          f"seed {summary['seed']}) in {summary['elapsed_s']} s: {summary['events_per_s']:,} events/s.", file=out)
    for name, count in summary["by_type"].items():
        print(f"  {name:<32} {count:>10,}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--db", help="Database URL or SQLite path to create and fill.")
    target.add_argument("--jsonl", help="Write the commands as JSON lines (`ledger submit` format) to FILE (- for stdout).")
    parser.add_argument("--scale", type=float, default=1.0, help="Multiplies the number of offers and families (default 1).")
    parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1): same seed and scale, same ledger.")
    parser.add_argument("--flush-every", type=int, default=20_000, help="Events per stored batch (default 20000).")
    parser.add_argument("--until", type=dt.date.fromisoformat, default=None, help="Stop after this effective date (YYYY-MM-DD).")
    parser.add_argument("--rich", action="store_true", help="Raise the rates of rare events (for tests and demos).")
    parser.add_argument("--quiet", action="store_true", help="No progress on stderr.")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    if args.until is not None and args.until > END:
        parser.error(f"--until cannot be after {END}")
    if args.jsonl:
        started = time.perf_counter()
        if args.jsonl == "-":
            lines = write_jsonl(sys.stdout.buffer, args.scale, args.seed, rich=args.rich, until=args.until)
        else:
            with open(args.jsonl, "wb") as out:
                lines = write_jsonl(out, args.scale, args.seed, rich=args.rich, until=args.until)
        print(f"Wrote {lines:,} commands in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
        return 0
    try:
        summary = build(args.db, args.scale, args.seed, args.flush_every, rich=args.rich, until=args.until,
                        progress=not args.quiet)
    except GenerationRefused as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    _print_summary(summary, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
