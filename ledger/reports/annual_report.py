"""Socialtilsynets årsrapport (bek § 18): the whole annual report of one Socialtilsyn for a year.

The report holds, in this order: a front page (title, legal basis, the due date of stk 5 from the
rulebook in force, whether it has been delivered, and the ledger digest it was computed from);
Socialtilsynet's general considerations on quality (stk 3) and its focus points (stk 4), as the
authority recorded them (`ledger tilsynsrapport-tekst`); the statistics of stk 2, all eight items,
as tables with charts beside them; the rules the year was judged by; and how each number is
counted ("Om tallene"). Without the stk 3 text the report is a draft and says so.

`gather()` reads everything from one ledger position: the `statistics` projection (items 1-6 and
8, exactly as `ledger stats` computes them), the fees (item 7, as `ledger stats` adds them), and
each Socialtilsyn's own case replayed up to that position. `regional_report()` and
`national_summary()` turn that into plain data; `document()` into blocks; `render_markdown()`,
`render_html()` and `render_pdf()` into files. Nothing depends on the time the report is made, so
regenerating it from the same ledger gives the same bytes. Charts need matplotlib (the `charts`
extra), imported only when drawn; without it the report has its tables and says the charts are
left out.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ledger.events.authority import kroner
from ledger.events.vocab import Region, fold, label
from ledger.projections.statistics import SAGSBEHANDLING, TILSYNSBESOEG, stat_facts
from ledger.reports import markdown as md
from ledger.reports.stats import FEES, ITEMS, TOTAL, add_fees, compute
from ledger.rulebook import Rulebook, Rulebooks, month_day

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

REGIONS = [r.value for r in Region]
NATIONAL_SLUG = "landsoversigt"
FORMATS = ("md", "html", "pdf", "json")
DEFAULT_FORMATS = ("md", "html", "pdf")
MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"]
MONTHS_SHORT = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]

LEGAL_BASIS = (
    "Bekendtgørelse om socialtilsyn § 18, jf. § 9, stk. 1, 1. pkt., i lov om socialtilsyn: socialtilsynet "
    "udarbejder en årsrapport om tilbuddenes kvalitet."
)
RECIPIENTS = (
    "Sendes senest 1. juli året efter til Socialstyrelsens auditfunktion og til sekretariatet for udarbejdelse af "
    "rammeaftalerne for regionen, og offentliggøres på socialtilsynets hjemmeside (bek § 18, stk. 5)."
)

# bek § 18 stk 2 nr 1-8, as the order words them, beside each item's table.
LAW_TEXT = {
    "1_godkendelser": "antal godkendelser foretaget i det foregående år fordelt på tilbudstype",
    "2_tilsyn": "antal gennemførte tilsyn, herunder antallet af anmeldte og uanmeldte tilsynsbesøg",
    "3_skaerpede_tilsyn": "antal iværksatte skærpede tilsyn og baggrunden herfor",
    "4_paabud": "antal iværksatte påbud og påbuddenes karakter",
    "5_tilbagekaldte_godkendelser": "antal tilbagekaldte godkendelser og baggrunden herfor",
    "6_sagsbehandlingstider": "socialtilsynets sagsbehandlingstider i forbindelse med behandlingen af ansøgninger om godkendelse",
    FEES: "tilsynstakster og objektive finansieringsandele",
    "8_indtaegter_andre_opgaver": (
        "indtægter i forbindelse med varetagelse af andre opgaver for en kommune, et regionsråd eller et tilbud end "
        "de opgaver, der fremgår af lovens § 2"
    ),
}

TITLES = {
    "1_godkendelser": "1. Godkendelser fordelt på tilbudstype",
    "2_tilsyn": "2. Gennemførte tilsyn og tilsynsbesøg",
    "3_skaerpede_tilsyn": "3. Skærpede tilsyn og baggrunden herfor",
    "4_paabud": "4. Påbud og påbuddenes karakter",
    "5_tilbagekaldte_godkendelser": "5. Tilbagekaldte godkendelser og baggrunden herfor",
    "6_sagsbehandlingstider": "6. Sagsbehandlingstider for ansøgninger om godkendelse",
    FEES: "7. Tilsynstakster og objektive finansieringsandele",
    "8_indtaegter_andre_opgaver": "8. Indtægter fra andre opgaver",
}

# (item, field) -> the Danish text of a row. A field holding categories is shown as its categories.
FIELD_LABELS: dict[tuple[str, str], str] = {
    ("1_godkendelser", "i_alt"): "Godkendelser i alt",
    ("2_tilsyn", "tilsyn_i_alt"): "Gennemførte tilsyn i alt",
    ("2_tilsyn", "tilbud_med_tilsyn"): "Tilbud og arbejdsgivere, der har haft tilsyn",
    ("2_tilsyn", "tilbud_med_tilsynsbesoeg"): "Gennemførte tilsyn (tilbud med tilsynsbesøg)",
    ("2_tilsyn", "tilsyn_uden_besoeg"): "heraf tilsyn uden besøg (kapitel 2)",
    ("2_tilsyn", "tilsynsbesoeg"): "Tilsynsbesøg i alt",
    ("2_tilsyn", "anmeldte"): "heraf anmeldte",
    ("2_tilsyn", "uanmeldte"): "heraf uanmeldte",
    ("3_skaerpede_tilsyn", "i_alt"): "Iværksatte skærpede tilsyn i alt",
    ("4_paabud", "i_alt"): "Iværksatte påbud i alt",
    ("5_tilbagekaldte_godkendelser", "i_alt"): "Tilbagekaldte godkendelser i alt",
    ("6_sagsbehandlingstider", "antal"): "Afgjorte ansøgninger",
    ("6_sagsbehandlingstider", "godkendt"): "heraf godkendt",
    ("6_sagsbehandlingstider", "afslaaet"): "heraf afslået",
    ("6_sagsbehandlingstider", "gennemsnit_dage"): "Gennemsnitlig sagsbehandlingstid (dage)",
    ("6_sagsbehandlingstider", "median_dage"): "Median (dage)",
    ("6_sagsbehandlingstider", "max_dage"): "Længste sagsbehandlingstid (dage)",
    (FEES, "godkendelsestakster_oere"): "Godkendelsestakster",
    (FEES, "vaesentlig_aendring_oere"): "Takster for væsentlige ændringer",
    (FEES, "tilsynstakster_oere"): "Tilsynstakster",
    (FEES, "tillaegstakster_oere"): "Tillægstakster for skærpet tilsyn",
    (FEES, "takster_i_alt_oere"): "Takster i alt",
    (FEES, "objektive_finansieringsandele_oere"): "Objektive finansieringsandele",
    (FEES, "i_alt_oere"): "Takster og objektive finansieringsandele i alt",
    (FEES, "takster_fastsat"): "Takster fastsat for året",
    (FEES, "objektiv_andel_fastsat"): "Objektiv finansieringsandel fastsat for året",
    (FEES, "tilbud_uden_takster"): "Tilbud, der ikke kunne takseres (takster mangler)",
    ("8_indtaegter_andre_opgaver", "i_alt_oere"): "Indtægter fra andre opgaver i alt",
}
# Fields holding categories: the prefix of each category's row.
GROUP_PREFIX: dict[tuple[str, str], str] = {
    ("1_godkendelser", "efter_tilbudstype"): "",
    ("3_skaerpede_tilsyn", "baggrund"): "Baggrund: ",
    ("4_paabud", "karakter"): "Karakter: ",
    ("5_tilbagekaldte_godkendelser", "baggrund"): "Baggrund: ",
    ("8_indtaegter_andre_opgaver", "modparter_oere"): "Fra ",
}
# The order in which an item's fields are shown (others follow in their own order).
FIELD_ORDER: dict[str, list[str]] = {
    "2_tilsyn": [
        "tilsyn_i_alt", "tilbud_med_tilsyn", "tilbud_med_tilsynsbesoeg", "tilsynsbesoeg", "anmeldte", "uanmeldte",
        "tilsyn_uden_besoeg",
    ],
    "6_sagsbehandlingstider": ["antal", "godkendt", "afslaaet", "gennemsnit_dage", "median_dage", "max_dage"],
}

ABOUT: list[tuple[str, str]] = [
    ("1. Godkendelser", (
        "En godkendelse tælles i det år, afgørelsen er truffet (afgørelsens dato), både godkendelser og godkendelser "
        "med vilkår, og også godkendelser af foreninger og private virksomheder efter kapitel 2 (som egen type). "
        "Fordelingen er efter de tilbudstyper, tilbuddet er godkendt som: et tilbud med flere "
        "tilbudstyper tælles én gang under hver type, men kun én gang i »Godkendelser i alt«. Godkendelser, der "
        "senere er annulleret ved en rettelse, tælles ikke."
    )),
    ("2. Tilsyn", (
        "Hvert gennemført tilsyn i året tælles efter sin form: anmeldt eller uanmeldt tilsynsbesøg, eller, for "
        "foreninger og private virksomheder med arbejdsgiverfunktion efter kapitel 2, hvor et besøg ikke er "
        "påkrævet (bek § 22), tilsyn uden besøg. »Tilsynsbesøg« er de anmeldte og uanmeldte besøg. Antallet af "
        "tilbud (og arbejdsgivere), der har haft tilsyn, tæller hvert tilbud én gang, uanset antal besøg: et tilbud "
        "med tre besøg i året har haft tre tilsynsbesøg."
    )),
    ("3. Skærpede tilsyn", (
        "Et skærpet tilsyn tælles i det år, afgørelsen om at iværksætte det er truffet, efter den baggrund, "
        "afgørelsen angiver. Forlængelser og ophævelser tælles ikke som nye skærpede tilsyn."
    )),
    ("4. Påbud", (
        "Hvert udstedt påbud tælles i det år, det er udstedt, efter dets karakter, også påbud udstedt sammen "
        "med en afgørelse om skærpet tilsyn. Fristforlængelser tælles ikke som nye påbud."
    )),
    ("5. Tilbagekaldte godkendelser", (
        "En tilbagekaldt godkendelse er socialtilsynets afgørelse om ophør af godkendelsen (bek § 4), talt i "
        "det år, afgørelsen er truffet, efter dens baggrund, også når ophøret først får virkning senere eller er "
        "påklaget. Tilbud, der selv lukker, tælles ikke."
    )),
    ("6. Sagsbehandlingstider", (
        "Sagsbehandlingstiden er antal kalenderdage fra ansøgningen om godkendelse er modtaget til afgørelsen "
        "(godkendelse eller afslag) er truffet, talt for de ansøgninger, der er afgjort i året. Gennemsnit og "
        "median er afrundet til én decimal."
    )),
    ("7. Takster og objektive finansieringsandele", (
        "Takster efter bek §§ 27-29 opkrævet for året, beregnet af socialtilsynets takster for året "
        "(størrelseskategorier efter antal pladser; for SEL §§ 101, 101 a og SUL § 141 forventede borgere pr. år "
        "delt med regelsættets divisor): godkendelsestakst ved ansøgning, tilsynstakst fra den 1. i måneden efter "
        "godkendelsen, tillægstakst på regelsættets procentdel af den årlige takst pr. påbegyndt måned med skærpet "
        "tilsyn (se »Regelgrundlag«). Den objektive "
        "finansieringsandel er det beløb, socialtilsynet har fastsat for året. Beløb i kroner; tallene bag er øre."
    )),
    ("8. Indtægter fra andre opgaver", (
        "Indtægter fra opgaver for en kommune, et regionsråd eller et tilbud ud over opgaverne efter lov om "
        "socialtilsyn § 2 (bek § 31), registreret for året, fordelt på modpart. Beløb i kroner."
    )),
    ("Grundlag", (
        "Alle tal er beregnet af hændelserne i tilsynsledgeren på den position, forsiden angiver, og er de samme som "
        "`ledger stats` giver for året og socialtilsynet. Et år er kalenderåret, og hver hændelse tælles efter sin "
        "retlige dato (afgørelsens eller besøgets dato), ikke efter hvornår den blev registreret. Rettelser "
        "erstatter det, de retter."
    )),
]


# -- data ------------------------------------------------------------------------------------------


def region_slug(region: str) -> str:
    """The file-name form of a region: 'Øst' -> 'oest'."""
    return fold(region)


def file_stem(year: int, region: str | None) -> str:
    return f"aarsrapport-{year}-{region_slug(region) if region else NATIONAL_SLUG}"


def danish_date(value: dt.date | str | None) -> str:
    if value is None:
        return "–"
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def number(value: Any) -> str:
    """Danish number text: 1234 -> '1.234', 12.5 -> '12,5', None -> '–'."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        whole = f"{value:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
        return whole[:-2] if whole.endswith(",0") else whole
    if value in ("ja", "nej"):
        return str(value).capitalize()
    return str(value)


def is_money(item: str, name: str) -> bool:
    return name.endswith("_oere")


def display(item: str, name: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and is_money(item, name):
        return kroner(value)
    return number(value)


def due_date(rulebooks: Rulebooks, year: int) -> tuple[dt.date, Rulebook]:
    """The report for `year` is due by the rules in force when the year has ended (bek § 18 stk 5)."""
    rules = rulebooks.in_force(max(dt.date(year + 1, 1, 1), rulebooks.earliest))
    return month_day(rules.annual_report_due, year + 1), rules


def rules_during(rulebooks: Rulebooks, year: int) -> list[Rulebook]:
    """The rulebook versions in force at some time during the calendar year, oldest first."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    found = []
    versions = rulebooks.versions
    for index, version in enumerate(versions):
        ends = versions[index + 1].valid_from if index + 1 < len(versions) else None
        if version.valid_from <= last and (ends is None or ends > first):
            found.append(version)
    return found


def _rule_dict(rules: Rulebook) -> dict[str, Any]:
    return {
        "id": rules.id,
        "titel": rules.title,
        "gaelder_fra": rules.valid_from.isoformat(),
        "kilde": rules.source,
        "skaerpet_tilsyn_max_maaneder": rules.skaerpet_tilsyn_max_months,
        "tillaegstakst_pct_pr_maaned": rules.tillaegstakst_pct_per_month,
        "stoerrelseskategorier": [rules.size_label(n) for n in range(1, len(rules.size_categories) + 1)],
        "behandlingspladser_divisor": rules.treatment_places_divisor,
        "aarsrapport_frist": rules.annual_report_due,
    }


@dataclass
class Gathered:
    """What the reports of a year are made from, all read at one ledger position."""

    year: int
    regions: list[str]
    position: int
    ledger_hash: str
    recorded_at: dt.datetime | None
    statistics: dict[str, Any]
    monthly_visits: dict[str, dict[str, dict[str, int]]]
    processing: dict[str, list[tuple[str, int]]]
    authorities: dict[str, Any]
    takster: dict[str, Any] = field(default_factory=dict)
    objektiv: dict[str, Any] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        return f"ledger-digest:v1:{self.position}:{self.ledger_hash}"


def _monthly_visits(connection: sa.Connection, year: int, region: str | None) -> dict[str, dict[str, dict[str, int]]]:
    f = stat_facts
    where = [f.c.year == year, f.c.kind == TILSYNSBESOEG]
    if region:
        where.append(f.c.region == region)
    rows = connection.execute(sa.select(f.c.region, f.c.day, f.c.category).where(*where)).all()
    found: dict[str, dict[str, dict[str, int]]] = {}
    for name, day, form in rows:
        month = str(day)[5:7]
        months = found.setdefault(name, {})
        months.setdefault(month, {})
        months[month][form] = months[month].get(form, 0) + 1
    return found


def _processing(connection: sa.Connection, year: int, region: str | None) -> dict[str, list[tuple[str, int]]]:
    f = stat_facts
    where = [f.c.year == year, f.c.kind == SAGSBEHANDLING]
    if region:
        where.append(f.c.region == region)
    rows = connection.execute(sa.select(f.c.region, f.c.category, f.c.value).where(*where)).all()
    found: dict[str, list[tuple[str, int]]] = {}
    for name, outcome, days in rows:
        found.setdefault(name, []).append((str(outcome), int(days)))
    return {name: sorted(values, key=lambda v: (v[1], v[0])) for name, values in found.items()}


def _recorded_at(app: Any, connection: sa.Connection, position: int) -> dt.datetime | None:
    t = app.events_table
    row = connection.execute(sa.select(t.c.topic, t.c.state).where(t.c.id == position)).first()
    if row is None:
        return None
    event = app.mapper_.decode(row[0], bytes(row[1]))
    return event.timestamp  # type: ignore[no-any-return]


def authority_at(app: Any, region: str, position: int) -> Any:
    """A Socialtilsyn's own case as it stood at a ledger position (empty if nothing was recorded)."""
    from ledger.aggregates.authority import Authority

    aggregate_id = Authority.id_for(region)
    t = app.events_table
    with app.guarded(), app.engine.connect() as connection:
        version = connection.execute(
            sa.select(sa.func.max(t.c.originator_version)).where(t.c.originator_id == aggregate_id, t.c.id <= position)
        ).scalar()
    if not version:
        return Authority(aggregate_id)
    with app.guarded():
        return app.repository.get(aggregate_id, version=int(version), projector_func=Authority.project)


def gather(app: Any, year: int, region: str | None = None, *, attempts: int = 5) -> Gathered:
    """Read everything for the year's report(s) at one ledger position: the `statistics` projection
    brought up to date (its position is the digest), the fees as `ledger stats` adds them, and each
    Socialtilsyn's case replayed up to that position. Should events be recorded meanwhile, it reads
    again, so the numbers and the texts belong to the digest the report states."""
    from ledger.console.economy import fees_summary_for
    from ledger.console.views import chain_hash_at, fresh
    from ledger.store.chain import GENESIS

    regions = [region] if region else list(REGIONS)
    for attempt in range(attempts):
        runner = fresh(app, ["statistics", "cases"])
        position = runner.positions()["statistics"]
        with runner.engine.connect() as connection:
            ledger_hash = chain_hash_at(app, connection, position) or GENESIS.hex()
            report = compute(connection, year, region, position, ledger_hash)
            visits = _monthly_visits(connection, year, region)
            processing = _processing(connection, year, region)
            recorded = _recorded_at(app, connection, position)
        add_fees(report, fees_summary_for(app, year, region))
        authorities = {name: authority_at(app, name, position) for name in regions}
        if app.head()[0] == position or attempt == attempts - 1:
            break
    gathered = Gathered(
        year=year, regions=regions, position=position, ledger_hash=ledger_hash, recorded_at=recorded,
        statistics=report, monthly_visits=visits, processing=processing, authorities=authorities,
    )
    for name in regions:
        authority = authorities[name]
        takster = authority.takster_for(year)
        objektiv = authority.objektiv_for(year)
        gathered.takster[name] = takster
        gathered.objektiv[name] = objektiv
    return gathered


def _texts(authority: Any, year: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    general: list[dict[str, Any]]
    focus: list[dict[str, Any]]
    general, focus = [], []
    for event in authority.report_texts(year):
        item = {
            "overskrift": event.overskrift,
            "tekst": event.tekst,
            "dato": event.effective_date.isoformat(),
            "haendelse": event.originator_version,
        }
        (general if event.afsnit == "generelle_overvejelser" else focus).append(item)
    return general, focus


def _takster_dict(takster: Any, objektiv: Any, rules: Rulebook | None) -> dict[str, Any]:
    from ledger.fees import objektiv_shares

    out: dict[str, Any] = {"takster": None, "objektiv": None}
    if takster is not None:
        labels = [rules.size_label(n) for n in range(1, len(takster.tilsyn) + 1)] if rules else []
        out["takster"] = {
            "fastsat": takster.effective_date.isoformat(),
            "kategorier": [
                {
                    "kategori": labels[index] if index < len(labels) else str(index + 1),
                    "godkendelse_oere": takster.godkendelse[index],
                    "tilsyn_oere": takster.tilsyn[index],
                    "vaesentlig_aendring_oere": takster.vaesentlig_aendring[index],
                }
                for index in range(len(takster.tilsyn))
            ],
            "saerlige": {
                name: getattr(takster, name)
                for name in (
                    "godkendelse_66_7", "tilsyn_66_7", "godkendelse_kapitel2", "tilsyn_kapitel2",
                    "vaesentlig_aendring_kapitel2",
                )
                if getattr(takster, name) is not None
            },
        }
    if objektiv is not None:
        shares = objektiv_shares(objektiv.samlet_beloeb_oere, objektiv.kommuner)
        out["objektiv"] = {
            "fastsat": objektiv.effective_date.isoformat(),
            "samlet_beloeb_oere": objektiv.samlet_beloeb_oere,
            "kommuner": [
                {"kommune": name, "antal_0_17": objektiv.kommuner[name], "andel_oere": shares[name]}
                for name in sorted(objektiv.kommuner)
            ],
        }
    return out


def _source(gathered: Gathered) -> dict[str, Any]:
    return {
        "position": gathered.position,
        "ledger_hash": gathered.ledger_hash,
        "digest": gathered.digest,
        "registreret": gathered.recorded_at.isoformat() if gathered.recorded_at else None,
    }


def regional_report(gathered: Gathered, region: str, rulebooks: Rulebooks) -> dict[str, Any]:
    """One Socialtilsyn's annual report for the year, as plain data."""
    year = gathered.year
    due, due_rules = due_date(rulebooks, year)
    authority = gathered.authorities[region]
    general, focus = _texts(authority, year)
    delivered = authority.report_delivered(year)
    during = rules_during(rulebooks, year)
    year_rules = during[-1] if during else None
    months = gathered.monthly_visits.get(region, {})
    return {
        "rapport": "Socialtilsynets årsrapport (bek § 18)",
        "titel": f"Socialtilsyn {region}: Årsrapport {year}",
        "aar": year,
        "region": region,
        "fil": file_stem(year, region),
        "hjemmel": LEGAL_BASIS,
        "frist": {"dato": due.isoformat(), "regelsaet": due_rules.id, "modtagere": RECIPIENTS},
        "afgivet": (
            {"dato": delivered.effective_date.isoformat(), "digest": delivered.digest, "haendelse": delivered.originator_version}
            if delivered is not None else None
        ),
        "udkast": not general,
        "beregnet_fra": _source(gathered),
        "generelle_overvejelser": general,
        "fokuspunkter": focus,
        "statistik": gathered.statistics["regioner"][region],
        "takster": _takster_dict(gathered.takster.get(region), gathered.objektiv.get(region), year_rules),
        "tilsynsbesoeg_pr_maaned": {
            f"{m:02d}": {"anmeldt": months.get(f"{m:02d}", {}).get("anmeldt", 0), "uanmeldt": months.get(f"{m:02d}", {}).get("uanmeldt", 0)}
            for m in range(1, 13)
        },
        "sagsbehandlingstider": [{"afgoerelse": outcome, "dage": days} for outcome, days in gathered.processing.get(region, [])],
        "regler": [_rule_dict(r) for r in during],
    }


def national_summary(gathered: Gathered, rulebooks: Rulebooks, reports: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The national page: every region's statistics beside each other and in total, and where each
    region's report stands."""
    year = gathered.year
    due, due_rules = due_date(rulebooks, year)
    months: dict[str, dict[str, int]] = {f"{m:02d}": {"anmeldt": 0, "uanmeldt": 0} for m in range(1, 13)}
    for report in reports:
        for month, counts in report["tilsynsbesoeg_pr_maaned"].items():
            for form, count in counts.items():
                months[month][form] = months[month].get(form, 0) + count
    return {
        "rapport": "Socialtilsynenes årsrapporter (bek § 18): landsoversigt",
        "titel": f"Socialtilsynene: Årsrapporter {year} – landsoversigt",
        "aar": year,
        "region": None,
        "fil": file_stem(year, None),
        "hjemmel": LEGAL_BASIS,
        "frist": {"dato": due.isoformat(), "regelsaet": due_rules.id, "modtagere": RECIPIENTS},
        "beregnet_fra": _source(gathered),
        "rapporter": [
            {
                "region": r["region"],
                "titel": r["titel"],
                "fil": r["fil"],
                "udkast": r["udkast"],
                "fokuspunkter": len(r["fokuspunkter"]),
                "afgivet": r["afgivet"],
            }
            for r in reports
        ],
        "statistik": gathered.statistics["regioner"],
        "tilsynsbesoeg_pr_maaned": months,
        "regler": [_rule_dict(r) for r in rules_during(rulebooks, year)],
    }


def build(app: Any, year: int, region: str | None = None) -> list[dict[str, Any]]:
    """The year's report for one region, or every region's report and the national summary (last)."""
    gathered = gather(app, year, region)
    reports = [regional_report(gathered, name, app.rulebooks) for name in gathered.regions]
    if region is None:
        reports.append(national_summary(gathered, app.rulebooks, reports))
    return reports


def first_year(app: Any) -> int | None:
    """The first year the ledger holds a case for: the earliest effective year of a case's first event."""
    t = app.events_table
    query = sa.select(t.c.topic, t.c.state).where(t.c.originator_version == 1)
    years = []
    with app.guarded(), app.engine.connect() as connection:
        for topic, state in connection.execute(query):
            years.append(app.mapper_.decode(topic, bytes(state)).effective_date.year)
    return min(years, default=None)


def annual_report_deadlines(app: Any, on: dt.date, since: int | None = None) -> list[dict[str, Any]]:
    """Each Socialtilsyn's own report for every year before `on` (bek § 18 stk 5): due 1 July the year
    after (by the rulebook in force) and on the radar until it is delivered, whatever the year. The
    years run from `since` (the first year the ledger holds a case for; read from the ledger when not
    given), and always include the year before `on`. Dicts with the fields of
    `ledger.reports.deadlines.Deadline` (so `Deadline(**item)` makes one; `offer` is empty: the
    deadline is the authority's, not an offer's)."""
    rulebooks: Rulebooks = app.rulebooks
    if since is None:
        since = first_year(app)
    start = max(min(since if since is not None else on.year - 1, on.year - 1), rulebooks.earliest.year)
    found = []
    for region in REGIONS:
        authority = app.authority(region)
        for year in range(start, on.year):
            due, _rules = due_date(rulebooks, year)
            delivered = authority.report_delivered(year)
            if delivered is not None and delivered.effective_date <= on:
                continue
            draft = not any(e.afsnit == "generelle_overvejelser" and e.effective_date <= on for e in authority.report_texts(year))
            missing = " (generelle overvejelser, bek § 18 stk 3, mangler)" if draft else ""
            found.append({
                "due": due.isoformat(),
                "offer": "",
                "navn": f"Socialtilsyn {region}",
                "region": region,
                "kind": "socialtilsynets_aarsrapport",
                "what": f"Socialtilsyn {region}: årsrapport for {year} sendes og offentliggøres{missing}",
                "paragraph": "bek § 18 stk 5",
                "ref": str(year),
            })
    return found


# -- the document: blocks that every format renders ------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A number in a statistics table, with the key it comes from (for machines: data-key in HTML)."""

    text: str
    key: str = ""
    raw: Any = None
    region: str = ""


@dataclass
class Chart:
    name: str
    caption: str
    svg: str


Block = tuple[Any, ...]


def _field_label(item: str, name: str) -> str:
    return FIELD_LABELS.get((item, name)) or name.replace("_oere", "").replace("_", " ").capitalize()


def _ordered_fields(item: str, blocks: Sequence[Mapping[str, Any]]) -> list[str]:
    names: list[str] = []
    for block in blocks:
        for name in block.get(item, {}):
            if name not in names:
                names.append(name)
    order = FIELD_ORDER.get(item, [])
    return [n for n in order if n in names] + [n for n in names if n not in order]


def stat_rows(item: str, columns: Sequence[tuple[str, Mapping[str, Any]]]) -> list[list[Any]]:
    """The rows of one item's table: a label, then a Cell per column (region). Every value of the
    statistics becomes a cell; categories missing in one column show 0."""
    rows: list[list[Any]] = []
    blocks = [block for _, block in columns]
    for name in _ordered_fields(item, blocks):
        values = [block.get(item, {}).get(name) for block in blocks]
        if any(isinstance(v, dict) for v in values):
            categories = sorted({c for v in values if isinstance(v, dict) for c in v})
            prefix = GROUP_PREFIX.get((item, name), f"{_field_label(item, name)}: ")
            for category in categories:  # none: the item's total (0) says it all
                cells = []
                for (region, block), value in zip(columns, values, strict=True):
                    raw = value.get(category, 0) if isinstance(value, dict) else 0
                    cells.append(Cell(display(item, name, raw), f"{item}.{name}.{category}", raw, region))
                rows.append([f"{prefix}{label(category)}", *cells])
        else:
            cells = [
                Cell(display(item, name, value), f"{item}.{name}", value, region)
                for (region, _block), value in zip(columns, values, strict=True)
            ]
            rows.append([_field_label(item, name), *cells])
    return rows


def _value_header(item: str) -> str:
    return "Beløb" if item in (FEES, "8_indtaegter_andre_opgaver") else "Antal"


def _front_matter(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    year = data["aar"]
    source = data["beregnet_fra"]
    pairs = [
        ("Periode", f"1. januar – 31. december {year}"),
        ("Hjemmel", "bek § 18 (bekendtgørelse om socialtilsyn), jf. lov om socialtilsyn § 9, stk. 1"),
        ("Frist", f"{danish_date(data['frist']['dato'])} (bek § 18, stk. 5; regelsæt {data['frist']['regelsaet']})"),
    ]
    if data.get("region"):
        delivered = data["afgivet"]
        if delivered:
            pairs.append(("Afgivet", f"Ja, {danish_date(delivered['dato'])}, på grundlag af {delivered['digest']}"))
        else:
            pairs.append(("Afgivet", f"Nej, ikke afgivet pr. ledger-position {source['position']}"))
        pairs.append(("Status", "UDKAST: generelle overvejelser (stk. 3) mangler" if data["udkast"] else "Færdig: alle afsnit efter stk. 2-3 foreligger"))
    pairs.append(("Beregnet fra", f"ledger-position {source['position']}, kædehash {source['ledger_hash']}"))
    pairs.append(("Ledger-digest", source["digest"]))
    if source.get("signeret"):
        signed = source["signeret"]
        pairs.append(("Signatur", f"Ed25519, nøgle {signed['key_id']}, {signed['signed_at']}: {signed['signature']} ({signed['fil']})"))
    return pairs


class Stored(str):
    """A paragraph the authority wrote (stored text): every renderer shows it exactly as written,
    with no `code` markup and nothing stripped."""


def _paragraphs(text: str) -> list[str]:
    return [Stored(part.strip()) for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]


def _texts_blocks(data: Mapping[str, Any]) -> list[Block]:
    blocks: list[Block] = [("h2", "Socialtilsynets generelle overvejelser om kvaliteten i tilbuddene")]
    blocks.append(("law", "bek § 18, stk. 3: socialtilsynets generelle overvejelser om kvaliteten i de tilbud, der er omfattet af "
                          "socialtilsynet, herunder den faglige og organisatoriske udvikling i tilbuddene."))
    if not data["generelle_overvejelser"]:
        blocks.append(("warning", (
            f"Socialtilsynets generelle overvejelser for {data['aar']} er endnu ikke registreret, så rapporten er et "
            "udkast. De registreres med `ledger tilsynsrapport-tekst` (afsnit generelle_overvejelser)."
        )))
    for text in data["generelle_overvejelser"]:
        blocks.append(("h3", text["overskrift"]))
        blocks += [("p", part) for part in _paragraphs(text["tekst"])]
    blocks.append(("h2", "Udvalgte fokuspunkter"))
    blocks.append(("law", "bek § 18, stk. 4: socialtilsynet kan beslutte, at årsrapporten skal indeholde overvejelser om udvalgte fokuspunkter."))
    if not data["fokuspunkter"]:
        blocks.append(("p", f"Socialtilsynet har ikke valgt fokuspunkter for {data['aar']}."))
    for text in data["fokuspunkter"]:
        blocks.append(("h3", text["overskrift"]))
        blocks += [("p", part) for part in _paragraphs(text["tekst"])]
    return blocks


def _fees_detail(data: Mapping[str, Any]) -> list[Block]:
    detail = data["takster"]
    blocks: list[Block] = []
    takster = detail["takster"]
    if takster is None:
        blocks.append(("p", f"Socialtilsynet har ikke fastsat takster for {data['aar']} i ledgeren (ledger takster)."))
    else:
        blocks.append(("h3", f"Årets takster (fastsat {danish_date(takster['fastsat'])})"))
        rows = [
            [c["kategori"], kroner(c["godkendelse_oere"]), kroner(c["tilsyn_oere"]), kroner(c["vaesentlig_aendring_oere"])]
            for c in takster["kategorier"]
        ]
        blocks.append(("stat", ["Størrelse", "Godkendelse", "Tilsyn (årlig)", "Væsentlig ændring"], rows))
        special = {
            "godkendelse_66_7": "Godkendelse, SEL § 66, stk. 1, nr. 7 (bek § 29, stk. 3)",
            "tilsyn_66_7": "Tilsyn, SEL § 66, stk. 1, nr. 7 (bek § 29, stk. 3)",
            "godkendelse_kapitel2": "Godkendelse, kapitel 2 (bek § 30)",
            "tilsyn_kapitel2": "Tilsyn, kapitel 2 (bek § 30)",
            "vaesentlig_aendring_kapitel2": "Væsentlig ændring, kapitel 2 (bek § 30, stk. 3)",
        }
        if takster["saerlige"]:
            blocks.append(("stat", ["Særlige takster", "Beløb"], [[special[k], kroner(v)] for k, v in takster["saerlige"].items()]))
    objektiv = detail["objektiv"]
    if objektiv is None:
        blocks.append(("p", f"Socialtilsynet har ikke fastsat en objektiv finansieringsandel for {data['aar']} i ledgeren."))
    else:
        blocks.append(("h3", f"Objektive finansieringsandele (fastsat {danish_date(objektiv['fastsat'])}, bek § 27)"))
        rows = [[k["kommune"], number(k["antal_0_17"]), kroner(k["andel_oere"])] for k in objektiv["kommuner"]]
        rows.append(["I alt", number(sum(k["antal_0_17"] for k in objektiv["kommuner"])), kroner(objektiv["samlet_beloeb_oere"])])
        blocks.append(("stat", ["Kommune", "0-17-årige", "Andel"], rows))
    return blocks


def _rules_blocks(data: Mapping[str, Any]) -> list[Block]:
    blocks: list[Block] = [("h2", "Regelgrundlag")]
    if not data["regler"]:
        blocks.append(("p", f"Ingen version af reglerne i ledgeren gælder for {data['aar']}."))
        return blocks
    blocks.append(("p", f"Året er bedømt efter de regler, der gjaldt på hver hændelses dato. I {data['aar']} gjaldt:"))
    rows = [
        [
            r["id"], r["titel"], danish_date(r["gaelder_fra"]),
            f"skærpet tilsyn højst {r['skaerpet_tilsyn_max_maaneder']} mdr.; tillægstakst {r['tillaegstakst_pct_pr_maaned']} % pr. mdr.; "
            f"størrelser {', '.join(r['stoerrelseskategorier'])} (behandlingstilbud: forventede borgere / "
            f"{r['behandlingspladser_divisor']}); årsrapport senest {_month_day_text(r['aarsrapport_frist'])} året efter",
        ]
        for r in data["regler"]
    ]
    blocks.append(("table", ["Regelsæt", "Titel", "Gælder fra", "Udvalgte regler"], rows))
    return blocks


def _month_day_text(value: str) -> str:
    month, day = (int(p) for p in value.split("-"))
    return f"{day}. {MONTHS[month - 1]}"


def _about_blocks() -> list[Block]:
    blocks: list[Block] = [("h2", "Om tallene")]
    for title, text in ABOUT:
        blocks.append(("dl", title, text))
    return blocks


def _verify_block(data: Mapping[str, Any]) -> list[Block]:
    digest = data["beregnet_fra"]["digest"]
    return [
        ("p", "Rapporten er beregnet fra ledgeren på den position, digesten angiver. Enhver kan efterprøve, at ledgeren "
              "frem til denne position er uændret siden:"),
        ("code", f"ledger verify --digest {digest}"),
    ] + ([
        ("p", "Digesten er signeret (Ed25519); med Socialtilsynets offentlige nøgle efterprøves også, at den er udstedt af Socialtilsynet:"),
        ("code", f"ledger verify --since {data['beregnet_fra']['signeret']['fil']} --public-key ledger-digest.pub"),
    ] if data["beregnet_fra"].get("signeret") else [])


def document(data: Mapping[str, Any], charts: Mapping[str, Chart] | None = None) -> list[Block]:
    """The report as blocks (title, texts, tables, charts), the same for every format."""
    charts = charts or {}
    if data.get("region") is None:
        return _national_document(data, charts)
    blocks: list[Block] = [("title", data["titel"])]
    if data["udkast"]:
        blocks.append(("warning", "UDKAST: socialtilsynets generelle overvejelser (bek § 18, stk. 3) er endnu ikke registreret."))
    blocks.append(("kv", _front_matter(data)))
    blocks.append(("p", data["hjemmel"] + " " + data["frist"]["modtagere"]))
    blocks += _verify_block(data)
    blocks += _texts_blocks(data)
    blocks.append(("h2", "Statistik efter bek § 18, stk. 2"))
    blocks.append(("p", f"Tallene gælder kalenderåret {data['aar']} for Socialtilsyn {data['region']}. Hvordan hvert tal "
                        "er opgjort, står under »Om tallene« sidst i rapporten."))
    stats = data["statistik"]
    for item, _title in ITEMS:
        if item not in stats:
            continue
        blocks.append(("h3", TITLES.get(item, _title)))
        blocks.append(("law", f"bek § 18, stk. 2, nr. {item.split('_', 1)[0]}: {LAW_TEXT.get(item, '')}"))
        blocks.append(("stat", ["Opgørelse", _value_header(item)], stat_rows(item, [(data["region"], stats)])))
        for name in CHART_AFTER.get(item, ()):
            if name in charts:
                blocks.append(("figure", charts[name]))
        if item == FEES:
            blocks += _fees_detail(data)
    blocks += _rules_blocks(data)
    blocks += _about_blocks()
    return blocks


CHART_AFTER = {
    "1_godkendelser": ("godkendelser",),
    "2_tilsyn": ("tilsynsbesoeg",),
    "4_paabud": ("paabud",),
    "6_sagsbehandlingstider": ("sagsbehandling",),
}


def _national_document(data: Mapping[str, Any], charts: Mapping[str, Chart]) -> list[Block]:
    year = data["aar"]
    blocks: list[Block] = [("title", data["titel"])]
    blocks.append(("kv", _front_matter(data)))
    blocks.append(("p", "Hvert socialtilsyn udarbejder sin egen årsrapport (bek § 18). Denne side stiller de fem "
                        "socialtilsyns tal efter stk. 2 ved siden af hinanden og viser, hvor hver rapport står."))
    blocks += _verify_block(data)
    blocks.append(("h2", "Rapporterne"))
    rows = []
    for r in data["rapporter"]:
        delivered = r["afgivet"]
        rows.append([
            ("link", r["titel"], r["fil"]),
            "Udkast (stk. 3 mangler)" if r["udkast"] else "Færdig",
            number(r["fokuspunkter"]),
            danish_date(delivered["dato"]) if delivered else "Ikke afgivet",
        ])
    blocks.append(("table", ["Årsrapport", "Status", "Fokuspunkter", "Afgivet"], rows))
    blocks.append(("h2", f"Statistik efter bek § 18, stk. 2, for {year}"))
    stats = data["statistik"]
    columns = list(stats.items())
    for item, _title in ITEMS:
        if not any(item in block for _, block in columns):
            continue
        blocks.append(("h3", TITLES.get(item, _title)))
        blocks.append(("law", f"bek § 18, stk. 2, nr. {item.split('_', 1)[0]}: {LAW_TEXT.get(item, '')}"))
        blocks.append(("stat", ["Opgørelse", *[name for name, _ in columns]], stat_rows(item, columns)))
        for name in NATIONAL_CHART_AFTER.get(item, ()):
            if name in charts:
                blocks.append(("figure", charts[name]))
    blocks += _rules_blocks(data)
    blocks += _about_blocks()
    return blocks


NATIONAL_CHART_AFTER = {
    "1_godkendelser": ("afgoerelser",),
    "2_tilsyn": ("tilsynsbesoeg_regioner", "tilsynsbesoeg"),
    "6_sagsbehandlingstider": ("sagsbehandling_regioner",),
}


# -- charts ----------------------------------------------------------------------------------------

BLUE, ORANGE, GREY, GREEN, RED = "#1f5fa8", "#e07b39", "#8c8c8c", "#3a8f5c", "#b03a2e"
_RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "ledger",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "legend.frameon": False,
}


def charts_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _draw(width: float, height: float, paint: Callable[[Any], None]) -> str:
    """Draw one chart with a fixed size and fixed settings, as SVG text (no date, no creator)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(width, height), layout="constrained")
        paint(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue().decode("utf-8")


def _swatches(series: Iterable[tuple[str, str]]) -> list[Any]:
    """Legend entries that show each series' own colour, drawn from the colour itself: a series
    with nothing to draw (all zero) has no bars for the legend to take its colour from."""
    from matplotlib.patches import Patch

    return [Patch(facecolor=colour, edgecolor="none", label=name) for name, colour in series]


def _integer_axis(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _hbar(title: str, items: Sequence[tuple[str, int]], colour: str, xlabel: str) -> str:
    labels = [textwrap.fill(text, 34) for text, _ in items]
    values = [value for _, value in items]
    lines = sum(text.count("\n") + 1 for text in labels)
    height = 1.1 + 0.22 * lines + 0.18 * len(items)

    def paint(figure: Any) -> None:
        ax = figure.subplots()
        bars = ax.barh(range(len(values)), values, color=colour, height=0.6)
        ax.set_yticks(range(len(values)), labels)
        ax.invert_yaxis()
        ax.bar_label(bars, padding=3)
        ax.set_xlim(0, max(max(values), 1) * 1.15)
        _integer_axis(ax.xaxis)
        ax.xaxis.grid(True)
        ax.set_xlabel(xlabel)
        ax.set_title(title)

    return _draw(7.0, round(height, 2), paint)


def _stacked(title: str, groups: Sequence[str], announced: Sequence[int], unannounced: Sequence[int], *, empty: str = "") -> str:
    """Anmeldte and uanmeldte tilsynsbesøg stacked, one bar per group (month or region), the total on top."""

    def paint(figure: Any) -> None:
        ax = figure.subplots()
        totals = [a + u for a, u in zip(announced, unannounced, strict=True)]
        for values, below, colour, name in ((announced, [0] * len(groups), BLUE, "Anmeldt"), (unannounced, announced, ORANGE, "Uanmeldt")):
            shown = [i for i, value in enumerate(values) if value]  # no zero-height slivers
            ax.bar(shown, [values[i] for i in shown], bottom=[below[i] for i in shown], color=colour, label=name, width=0.62)
        for index, total in enumerate(totals):
            if total or empty:
                ax.annotate(
                    str(total) if total else empty, (index, total), xytext=(0, 3), textcoords="offset points", ha="center",
                    color="#1b1b1b" if total else GREY, fontsize=9 if total else 8,
                )
        ax.set_xticks(range(len(groups)), list(groups))
        ax.set_xlim(-0.6, len(groups) - 0.4)
        ax.set_ylim(0, max(max(totals, default=0), 1) * 1.18)
        _integer_axis(ax.yaxis)
        ax.yaxis.grid(True)
        ax.set_ylabel("Tilsynsbesøg")
        figure.legend(handles=_swatches((("Anmeldt", BLUE), ("Uanmeldt", ORANGE))), loc="outside upper right", ncols=2)
        ax.set_title(title)

    return _draw(7.0, 3.2, paint)


def _stacked_months(title: str, months: Mapping[str, Mapping[str, int]]) -> str:
    keys = sorted(months)
    return _stacked(
        title, [MONTHS_SHORT[int(k) - 1] for k in keys],
        [months[k].get("anmeldt", 0) for k in keys], [months[k].get("uanmeldt", 0) for k in keys],
    )


def _stacked_regions(title: str, regions: Sequence[str], announced: Sequence[int], unannounced: Sequence[int]) -> str:
    return _stacked(title, regions, announced, unannounced, empty="ingen")


def _grouped(title: str, groups: Sequence[str], series: Sequence[tuple[str, str, Sequence[float | int | None]]], ylabel: str) -> str:
    def paint(figure: Any) -> None:
        ax = figure.subplots()
        count = len(series)
        width = 0.8 / count
        top = 1.0
        for index, (name, colour, values) in enumerate(series):
            x = [g + (index - (count - 1) / 2) * width for g in range(len(groups))]
            shown = [i for i, v in enumerate(values) if v]  # no zero-height slivers
            bars = ax.bar([x[i] for i in shown], [values[i] for i in shown], width=width * 0.95, color=colour, label=name)
            ax.bar_label(bars, labels=[number(values[i]) for i in shown], padding=2, fontsize=7)
            top = max(top, max((v for v in values if v), default=0))
        for position, group in enumerate(groups):
            if not any(values[position] for _, _, values in series):
                ax.annotate("ingen", (position, 0), xytext=(0, 4), textcoords="offset points", ha="center", color=GREY, fontsize=8)
        ax.set_xticks(range(len(groups)), list(groups))
        ax.set_ylim(0, top * 1.2)
        _integer_axis(ax.yaxis)
        ax.yaxis.grid(True)
        ax.set_ylabel(ylabel)
        figure.legend(
            handles=_swatches([(name, colour) for name, colour, _ in series]), loc="outside upper right",
            ncols=min(count, 4), fontsize=8,
        )
        ax.set_title(title)

    return _draw(7.0, 3.4, paint)


def _histogram(title: str, cases: Sequence[Mapping[str, Any]], mean: float | None, median: float | None) -> str:
    days = [int(c["dage"]) for c in cases]
    longest = max(days)
    step = 7 if longest <= 70 else 14 if longest <= 140 else 30 if longest <= 360 else 60
    edges = list(range(0, (longest // step + 1) * step + 1, step))
    bins = edges[:-1]

    def count(outcome: str) -> list[int]:
        return [sum(1 for c in cases if c["afgoerelse"] == outcome and low <= c["dage"] < low + step) for low in bins]

    approved, refused = count("godkendt"), count("afslaaet")

    def paint(figure: Any) -> None:
        ax = figure.subplots()
        for counts, below, colour, name in ((approved, [0] * len(bins), BLUE, "Godkendt"), (refused, approved, GREY, "Afslået")):
            shown = [i for i, n in enumerate(counts) if n]  # no zero-height slivers
            ax.bar(
                [bins[i] for i in shown], [counts[i] for i in shown], bottom=[below[i] for i in shown],
                width=step * 0.92, align="edge", color=colour, label=name,
            )
        handles = _swatches((("Godkendt", BLUE), ("Afslået", GREY)))
        if median is not None:
            handles.append(ax.axvline(median, color=RED, linestyle="--", linewidth=1.4, label=f"Median {number(median)} dage"))
        if mean is not None:
            handles.append(ax.axvline(mean, color=GREEN, linestyle=":", linewidth=1.6, label=f"Gennemsnit {number(mean)} dage"))
        ax.set_xlim(0, edges[-1])
        ax.set_xticks(edges if len(edges) <= 14 else edges[:: math.ceil(len(edges) / 12)])
        peak = max(a + r for a, r in zip(approved, refused, strict=True))
        ax.set_ylim(0, max(peak, 1) * 1.35)
        _integer_axis(ax.yaxis)
        ax.yaxis.grid(True)
        ax.set_xlabel(f"Dage fra ansøgning modtaget til afgørelse (intervaller à {step} dage)")
        ax.set_ylabel("Ansøgninger")
        figure.legend(handles=handles, loc="outside right upper", fontsize=8)
        ax.set_title(title)

    return _draw(7.0, 3.2, paint)


def _sorted_counts(values: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(((label(k), v) for k, v in values.items() if v), key=lambda kv: (-kv[1], kv[0]))


def make_charts(data: Mapping[str, Any]) -> dict[str, Chart]:
    """The report's charts as SVG (empty without matplotlib); only charts with something to show."""
    if not charts_available():
        return {}
    if data.get("region") is None:
        return _national_charts(data)
    year, stats = data["aar"], data["statistik"]
    charts: dict[str, Chart] = {}
    approvals = _sorted_counts(stats["1_godkendelser"]["efter_tilbudstype"])
    if approvals:
        charts["godkendelser"] = Chart(
            "godkendelser", f"Godkendelser {year} fordelt på tilbudstype",
            _hbar(f"Godkendelser {year} efter tilbudstype", approvals, BLUE, "Godkendelser"),
        )
    if stats["2_tilsyn"]["tilsynsbesoeg"]:
        charts["tilsynsbesoeg"] = Chart(
            "tilsynsbesoeg", f"Tilsynsbesøg {year} pr. måned, anmeldte og uanmeldte",
            _stacked_months(f"Tilsynsbesøg {year} pr. måned", data["tilsynsbesoeg_pr_maaned"]),
        )
    orders = _sorted_counts(stats["4_paabud"]["karakter"])
    if orders:
        charts["paabud"] = Chart(
            "paabud", f"Påbud {year} efter karakter", _hbar(f"Påbud {year} efter karakter", orders, ORANGE, "Påbud"),
        )
    timing = stats["6_sagsbehandlingstider"]
    if data["sagsbehandlingstider"]:
        charts["sagsbehandling"] = Chart(
            "sagsbehandling", f"Sagsbehandlingstider {year}: ansøgninger afgjort i året efter antal dage",
            _histogram(f"Sagsbehandlingstider {year}", data["sagsbehandlingstider"], timing["gennemsnit_dage"], timing["median_dage"]),
        )
    return charts


def _national_charts(data: Mapping[str, Any]) -> dict[str, Chart]:
    year = data["aar"]
    stats = {name: block for name, block in data["statistik"].items() if name != TOTAL}
    regions = list(stats)
    charts: dict[str, Chart] = {}
    series = [
        ("Godkendelser", BLUE, [stats[r]["1_godkendelser"]["i_alt"] for r in regions]),
        ("Påbud", ORANGE, [stats[r]["4_paabud"]["i_alt"] for r in regions]),
        ("Skærpede tilsyn", RED, [stats[r]["3_skaerpede_tilsyn"]["i_alt"] for r in regions]),
        ("Tilbagekaldte godkendelser", GREY, [stats[r]["5_tilbagekaldte_godkendelser"]["i_alt"] for r in regions]),
    ]
    if any(v for _, _, values in series for v in values):
        charts["afgoerelser"] = Chart(
            "afgoerelser", f"Afgørelser {year} pr. socialtilsyn",
            _grouped(f"Afgørelser {year} pr. socialtilsyn", regions, series, "Antal"),
        )
    announced = [stats[r]["2_tilsyn"]["anmeldte"] for r in regions]
    unannounced = [stats[r]["2_tilsyn"]["uanmeldte"] for r in regions]
    if any(announced) or any(unannounced):
        charts["tilsynsbesoeg_regioner"] = Chart(
            "tilsynsbesoeg_regioner", f"Tilsynsbesøg {year} pr. socialtilsyn, anmeldte og uanmeldte",
            _stacked_regions(f"Tilsynsbesøg {year} pr. socialtilsyn", regions, announced, unannounced),
        )
        charts["tilsynsbesoeg"] = Chart(
            "tilsynsbesoeg", f"Tilsynsbesøg {year} pr. måned, hele landet",
            _stacked_months(f"Tilsynsbesøg {year} pr. måned, hele landet", data["tilsynsbesoeg_pr_maaned"]),
        )
    timing = [stats[r]["6_sagsbehandlingstider"] for r in regions]
    if any(t["antal"] for t in timing):
        charts["sagsbehandling_regioner"] = Chart(
            "sagsbehandling_regioner", f"Sagsbehandlingstider {year} pr. socialtilsyn (dage)",
            _grouped(
                f"Sagsbehandlingstider {year} pr. socialtilsyn", regions,
                [
                    ("Gennemsnit", BLUE, [t["gennemsnit_dage"] for t in timing]),
                    ("Median", GREEN, [t["median_dage"] for t in timing]),
                    ("Længste", GREY, [t["max_dage"] for t in timing]),
                ],
                "Dage",
            ),
        )
    return charts


# -- rendering -------------------------------------------------------------------------------------


def chart_file(stem: str, chart: Chart) -> str:
    return f"{stem}-{chart.name}.svg"


def _md_escape(text: str) -> str:
    return md.inline(text, starts_line=False)


def _md_paragraph(text: str) -> str:
    """A paragraph (the ledger's own text, with `code`, or an authority's `Stored` text, all of
    it escaped), escaped line by line (`ledger.reports.markdown`), its line breaks kept as hard breaks."""
    lines = []
    for line in text.splitlines():
        escaped = md.lines(line)[0] if isinstance(text, Stored) else md.with_code(line.strip())
        lines.append(escaped + ("  " if line.strip() else ""))
    return "\n".join(lines).rstrip()


def _cell_text(cell: Any) -> str:
    if isinstance(cell, Cell):
        return cell.text
    if isinstance(cell, tuple) and cell and cell[0] == "link":
        return str(cell[1])
    return str(cell)


def render_markdown(blocks: Sequence[Block], stem: str) -> tuple[str, dict[str, bytes]]:
    """The report as Markdown, and the chart files (SVG) it links to, by file name."""
    lines: list[str] = []
    files: dict[str, bytes] = {}
    figures = 0
    for block in blocks:
        kind = block[0]
        if kind == "title":
            lines += [f"# {md.inline(block[1])}", ""]
        elif kind == "h2":
            lines += [f"## {md.inline(block[1])}", ""]
        elif kind == "h3":
            lines += [f"### {md.inline(block[1])}", ""]
        elif kind == "p":
            lines += [_md_paragraph(block[1]), ""]
        elif kind == "law":
            lines += [f"_{_md_escape(block[1])}_", ""]
        elif kind == "warning":
            lines += [f"> **{md.with_code(' '.join(block[1].split()))}**", ""]
        elif kind == "code":
            lines += ["```", block[1], "```", ""]
        elif kind == "kv":
            lines += [f"- **{md.inline(k)}:** {_md_escape(v) if k != 'Ledger-digest' else '`' + v + '`'}" for k, v in block[1]] + [""]
        elif kind == "dl":
            lines += [f"**{md.inline(block[1])}.** {md.with_code(' '.join(block[2].split()))}", ""]
        elif kind in ("table", "stat"):
            headers, rows = block[1], block[2]
            lines.append("| " + " | ".join(_md_escape(h) for h in headers) + " |")
            aligns = ["---"] + [("---:" if kind == "stat" else "---") for _ in headers[1:]]
            lines.append("|" + "|".join(aligns) + "|")
            for row in rows:
                cells = []
                for cell in row:
                    if isinstance(cell, tuple) and cell and cell[0] == "link":
                        cells.append(f"[{_md_escape(cell[1])}]({cell[2]}.md)")
                    else:
                        cells.append(_md_escape(_cell_text(cell)))
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
        elif kind == "figure":
            chart: Chart = block[1]
            figures += 1
            name = chart_file(stem, chart)
            files[name] = chart.svg.encode("utf-8")
            lines += [f"![Figur {figures}: {_md_escape(chart.caption)}]({name})", "", f"_Figur {figures}: {_md_escape(chart.caption)}_", ""]
    return "\n".join(lines).rstrip("\n") + "\n", files


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:54rem;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.8rem;margin-bottom:.3rem}h2{font-size:1.35rem;margin-top:2.2rem;border-bottom:2px solid #1f5fa8;padding-bottom:.2rem}
h3{font-size:1.1rem;margin-top:1.6rem}table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}th{background:#f3f5f8}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
dl.front{display:grid;grid-template-columns:10rem 1fr;gap:.25rem 1rem;background:#f6f8fb;padding:1rem;border-radius:.4rem}
dl.front dt{font-weight:600}dl.front dd{margin:0;overflow-wrap:anywhere}
.law{color:#555;font-style:italic;font-size:.92em}.warning{background:#fff4e5;border-left:4px solid #e07b39;padding:.6rem .9rem;font-weight:600}
pre{background:#f3f5f8;padding:.6rem .8rem;overflow-x:auto;border-radius:.3rem}code{font-size:.9em}
figure{margin:1rem 0 1.6rem}figure svg{max-width:100%;height:auto;display:block}figcaption{color:#555;font-size:.9em}
dl.about dt{font-weight:600;margin-top:.6rem}dl.about dd{margin:0}
@media print{body{max-width:none}h2{break-after:avoid}figure,table{break-inside:avoid}}
"""

_XML_PROLOGUE = re.compile(r"^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG for inlining in HTML: no prologue or metadata, every id prefixed so that several charts
    on one page never share an id."""
    text = _METADATA.sub("", _XML_PROLOGUE.sub("", svg))
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    if ids:
        def rename(match: re.Match[str]) -> str:
            name = match.group(2)
            return f"{match.group(1)}{prefix}-{name}{match.group(3)}" if name in ids else match.group(0)

        text = re.sub(r'(\bid=")([^"]+)(")', rename, text)
        text = re.sub(r'(href="#)([^"]+)(")', rename, text)
        text = re.sub(r"(url\(#)([^)]+)(\))", rename, text)
    return text.strip()


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _html_text(text: str) -> str:
    return "<br>\n".join(_e(line) for line in text.splitlines())


def _html_inline(text: str) -> str:
    """Escape, and show `code` spans as code."""
    parts = re.split(r"`([^`]+)`", text)
    return "".join(f"<code>{_e(p)}</code>" if i % 2 else _e(p) for i, p in enumerate(parts))


NUMERIC = ' class="n"'


def _front_value(key: str, value: str) -> str:
    return f'<code id="digest">{_e(value)}</code>' if key == "Ledger-digest" else _e(value)


def render_html(blocks: Sequence[Block], title: str) -> str:
    """The report as one self-contained HTML page: styles and charts (SVG) inline, no external files."""
    out: list[str] = []
    figures = 0
    about_open = False
    for block in blocks:
        kind = block[0]
        if about_open and kind != "dl":
            out.append("</dl>")
            about_open = False
        if kind == "title":
            out.append(f"<h1>{_e(block[1])}</h1>")
        elif kind == "h2":
            out.append(f"<h2>{_e(block[1])}</h2>")
        elif kind == "h3":
            out.append(f"<h3>{_e(block[1])}</h3>")
        elif kind == "p":
            content = _html_text(block[1]) if "\n" in block[1] or isinstance(block[1], Stored) else _html_inline(block[1])
            out.append(f"<p>{content}</p>")
        elif kind == "law":
            out.append(f"<p class=\"law\">{_e(block[1])}</p>")
        elif kind == "warning":
            out.append(f"<p class=\"warning\" role=\"note\">{_html_inline(block[1])}</p>")
        elif kind == "code":
            out.append(f"<pre><code>{_e(block[1])}</code></pre>")
        elif kind == "kv":
            items = "".join(
                f"<dt>{_e(k)}</dt><dd>{_front_value(k, v)}</dd>" for k, v in block[1]
            )
            out.append(f"<dl class=\"front\">{items}</dl>")
        elif kind == "dl":
            if not about_open:
                out.append("<dl class=\"about\">")
                about_open = True
            out.append(f"<dt>{_e(block[1])}</dt><dd>{_html_inline(block[2])}</dd>")
        elif kind in ("table", "stat"):
            headers, rows = block[1], block[2]
            numeric = kind == "stat"
            head = "".join(
                f"<th{NUMERIC if numeric and i else ''} scope=\"col\">{_e(h)}</th>" for i, h in enumerate(headers)
            )
            body = []
            for row in rows:
                cells = []
                for i, cell in enumerate(row):
                    if isinstance(cell, Cell):
                        raw = "" if cell.raw is None else cell.raw
                        region = f" data-region=\"{_e(cell.region)}\"" if cell.region else ""
                        cells.append(
                            f"<td class=\"n\" data-key=\"{_e(cell.key)}\"{region} data-value=\"{_e(raw)}\">{_e(cell.text)}</td>"
                        )
                    elif isinstance(cell, tuple) and cell and cell[0] == "link":
                        cells.append(f"<td><a href=\"{_e(cell[2])}.html\">{_e(cell[1])}</a></td>")
                    elif i == 0:
                        cells.append(f"<th scope=\"row\" style=\"font-weight:normal\">{_e(cell)}</th>")
                    else:
                        cells.append(f"<td{NUMERIC if numeric else ''}>{_e(cell)}</td>")
                body.append("<tr>" + "".join(cells) + "</tr>")
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body) + "\n</tbody></table>")
        elif kind == "figure":
            chart: Chart = block[1]
            figures += 1
            svg = inline_svg(chart.svg, f"fig{figures}")
            svg = svg.replace("<svg ", f"<svg role=\"img\" aria-label=\"{_e(chart.caption)}\" ", 1)
            out.append(f"<figure id=\"figur-{_e(chart.name)}\">\n{svg}\n<figcaption>Figur {figures}: {_e(chart.caption)}</figcaption></figure>")
    if about_open:
        out.append("</dl>")
    main = "\n".join(out)
    return (
        "<!doctype html>\n<html lang=\"da\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>\n<main>\n{main}\n</main>\n</body></html>\n"
    )


def render_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# -- PDF -------------------------------------------------------------------------------------------


def pdf_available() -> bool:
    try:
        import fpdf  # noqa: F401
    except ImportError:
        return False
    return True


def _svg_size_pt(svg: str) -> tuple[float, float]:
    match = re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"[^>]*\bheight="([\d.]+)pt"', svg)
    return (float(match.group(1)), float(match.group(2))) if match else (504.0, 230.0)


def render_pdf(blocks: Sequence[Block], title: str, created: dt.datetime | None) -> bytes | None:
    """The report as PDF (fpdf2, with the Unicode fonts of `pdf_fonts` embedded, so every name is
    shown as written; charts drawn from their SVG), dated by the ledger event it was computed from,
    so it is reproducible. None when fpdf2 is not installed.

    Raises `UnrenderableText` (exit 2) if a character of the report has no glyph in any embedded font."""
    try:
        from fpdf import FPDF
        from fpdf.fonts import FontFace
    except ImportError:
        return None
    from ledger.reports import pdf_fonts
    from ledger.reports.pdf_fonts import SANS, visual

    heading = visual(title)

    class _PDF(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(SANS, "", 7)
            self.set_text_color(110)
            self.cell(0, 5, f"{heading} - side {self.page_no()}/{{nb}}", align="C")
            self.set_text_color(0)

    pdf = _PDF(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(created or dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    pdf.set_title(title)
    pdf.set_author(title.split(":", 1)[0])
    pdf.set_subject("Socialtilsynets årsrapport (bek § 18)")
    pdf.set_lang("da")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(16, 14, 16)
    figures = 0
    width = pdf.epw

    def text(size: float, style: str, line: float, value: str, colour: int = 0) -> None:
        pdf.set_x(pdf.l_margin)
        pdf.set_font(SANS, style, size)
        pdf.set_text_color(colour)
        pdf_fonts.multi_cell(pdf, width, line, value, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)

    texts = [*pdf_fonts.block_texts(blocks), title, " - side 0123456789/", "(Figuren kan ikke vises i PDF; se HTML-udgaven.)", "Figur 0123456789: "]
    with pdf_fonts.embedded(pdf, texts):
        pdf.add_page()
        for block in blocks:
            kind = block[0]
            if kind == "title":
                text(18, "B", 8, block[1])
                pdf.ln(3)
            elif kind == "h2":
                if pdf.get_y() > pdf.h - 60:
                    pdf.add_page()
                pdf.ln(4)
                text(13, "B", 6.5, block[1])
                pdf.set_draw_color(31, 95, 168)
                pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
                pdf.set_draw_color(0)
                pdf.ln(2)
            elif kind == "h3":
                if pdf.get_y() > pdf.h - 45:
                    pdf.add_page()
                pdf.ln(2)
                text(10.5, "B", 5.5, block[1])
            elif kind == "p":
                text(9.5, "", 4.8, block[1] if isinstance(block[1], Stored) else block[1].replace("`", ""))
                pdf.ln(1.5)
            elif kind == "law":
                text(8.5, "I", 4.2, block[1], 90)
                pdf.ln(1)
            elif kind == "warning":
                pdf.set_fill_color(255, 244, 229)
                pdf.set_font(SANS, "B", 9.5)
                pdf_fonts.multi_cell(pdf, width, 5, block[1].replace("`", ""), fill=True, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif kind == "code":
                pdf.set_font(mono(block[1]), "", 7.5)
                pdf.set_fill_color(243, 245, 248)
                pdf_fonts.multi_cell(pdf, width, 4, block[1], fill=True, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif kind == "kv":
                pdf.set_fill_color(246, 248, 251)
                for key, value in block[1]:
                    pdf.set_x(pdf.l_margin)
                    pdf.set_font(SANS, "B", 9)
                    pdf.cell(32, 5, visual(key), fill=True)
                    pdf.set_font(mono(value) if key == "Ledger-digest" else SANS, "", 7.5 if key in ("Ledger-digest", "Beregnet fra") else 9)
                    pdf_fonts.multi_cell(pdf, width - 32, 5, value, fill=True, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
            elif kind == "dl":
                text(9.5, "B", 4.8, block[1])
                text(9, "", 4.6, block[2].replace("`", ""))
                pdf.ln(1.5)
            elif kind in ("table", "stat"):
                headers, rows = block[1], block[2]
                columns = len(headers)
                if kind == "stat":
                    first = {2: 0.6, 3: 0.4, 4: 0.31}.get(columns, 0.28)
                    widths = [first] + [(1 - first) / (columns - 1)] * (columns - 1)
                    aligns = ["LEFT"] + ["RIGHT"] * (columns - 1)
                else:
                    widths = [1 / columns] * columns
                    if headers and headers[0] == "Regelsæt":
                        widths = [0.14, 0.3, 0.16, 0.4]
                    elif headers and headers[0] == "Årsrapport":
                        widths = [0.45, 0.25, 0.13, 0.17]
                    aligns = ["LEFT"] * columns
                size = 7 if columns > 5 else 7.5 if columns > 4 else 8.5
                pdf.set_font(SANS, "", size)
                with pdf.table(
                    col_widths=[w * 100 for w in widths], width=width, text_align=tuple(aligns), line_height=size * 0.5,
                    headings_style=FontFace(emphasis="BOLD", fill_color=(243, 245, 248)), first_row_as_headings=True,
                    borders_layout="HORIZONTAL_LINES",
                ) as table:
                    for row in [headers, *rows]:
                        cells = table.row()
                        for cell in row:
                            cells.cell(visual(_cell_text(cell)))
                pdf.ln(3)
            elif kind == "figure":
                chart = block[1]
                figures += 1
                svg = _METADATA.sub("", chart.svg)
                w_pt, h_pt = _svg_size_pt(svg)
                shown_w = min(width, w_pt * 25.4 / 72)
                shown_h = shown_w * h_pt / w_pt
                if pdf.get_y() + shown_h + 10 > pdf.h - pdf.b_margin:
                    pdf.add_page()
                # fpdf2 draws SVG shapes without a fill of their own (matplotlib's glyphs) in the current fill colour.
                pdf.set_fill_color(0)
                pdf.set_draw_color(0)
                try:
                    pdf.image(io.BytesIO(svg.encode("utf-8")), x=pdf.l_margin + (width - shown_w) / 2, w=shown_w)
                except Exception:  # noqa: BLE001 - a chart fpdf2 cannot parse is left out, its caption says so
                    text(8.5, "I", 4.2, "(Figuren kan ikke vises i PDF; se HTML-udgaven.)", 90)
                text(8.5, "I", 4.2, f"Figur {figures}: {chart.caption}", 90)
                pdf.ln(2)
        return bytes(pdf.output())


def mono(text: str) -> str:
    """The PDF core font Courier for ASCII text (the digest, a command line); anything else in the
    document's Unicode font."""
    from ledger.reports.pdf_fonts import SANS

    return "Courier" if text.isascii() else SANS


# -- all formats at once ---------------------------------------------------------------------------


def render_all(data: Mapping[str, Any], formats: Sequence[str], *, charts: bool = True) -> dict[str, bytes]:
    """File name -> content for one report in the chosen formats (Markdown with its chart files)."""
    stem = data["fil"]
    figures = make_charts(data) if charts and any(f in formats for f in ("md", "html", "pdf")) else {}
    blocks = document(data, figures)
    files: dict[str, bytes] = {}
    if "md" in formats:
        text, svgs = render_markdown(blocks, stem)
        files[f"{stem}.md"] = text.encode("utf-8")
        files.update(svgs)
    if "html" in formats:
        files[f"{stem}.html"] = render_html(blocks, data["titel"]).encode("utf-8")
    if "json" in formats:
        files[f"{stem}.json"] = render_json(data).encode("utf-8")
    if "pdf" in formats:
        recorded = data["beregnet_fra"]["registreret"]
        pdf = render_pdf(blocks, data["titel"], dt.datetime.fromisoformat(recorded) if recorded else None)
        if pdf is not None:
            files[f"{stem}.pdf"] = pdf
    return files
