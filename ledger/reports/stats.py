"""The statistics of bek § 18 stk 2 for a calendar year, per region and in total.

Computed from the `statistics` projection only, ordered and formatted deterministically, and
stamped with the ledger position (and its chain hash) they were computed from, so regenerating
them from the same ledger gives the same bytes.
"""

from __future__ import annotations

import json
import statistics as pystats
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ledger.events.authority import kroner
from ledger.events.vocab import Region, label
from ledger.reports import tables
from ledger.projections.statistics import (
    GODKENDELSE,
    INDTAEGT,
    OPHOER,
    PAABUD,
    SAGSBEHANDLING,
    SKAERPET,
    TILSYNSBESOEG,
    stat_facts,
)

REGIONS = [r.value for r in Region]
TOTAL = "I alt"


def _number(value: float) -> float | int:
    rounded = round(value, 1)
    return int(rounded) if rounded == int(rounded) else rounded


def _block(rows: Sequence[Any], values: Sequence[tuple[str, int]], visited: int, approvals: int) -> dict[str, Any]:
    counts: dict[str, dict[str, int]] = {}
    for kind, category, number in rows:
        counts.setdefault(kind, {})
        counts[kind][category] = counts[kind].get(category, 0) + number

    def by(kind: str) -> dict[str, int]:
        return dict(sorted(counts.get(kind, {}).items()))

    processing = [days for outcome, days in values]
    income = by(INDTAEGT)
    visits = by(TILSYNSBESOEG)
    return {
        "1_godkendelser": {"i_alt": approvals, "efter_tilbudstype": by(GODKENDELSE)},
        "2_tilsyn": {
            "tilsyn_i_alt": sum(visits.values()),
            "tilsynsbesoeg": visits.get("anmeldt", 0) + visits.get("uanmeldt", 0),
            "anmeldte": visits.get("anmeldt", 0),
            "uanmeldte": visits.get("uanmeldt", 0),
            "tilsyn_uden_besoeg": visits.get("uden_besoeg", 0),
            "tilbud_med_tilsyn": visited,
        },
        "3_skaerpede_tilsyn": {"i_alt": sum(by(SKAERPET).values()), "baggrund": by(SKAERPET)},
        "4_paabud": {"i_alt": sum(by(PAABUD).values()), "karakter": by(PAABUD)},
        "5_tilbagekaldte_godkendelser": {"i_alt": sum(by(OPHOER).values()), "baggrund": by(OPHOER)},
        "6_sagsbehandlingstider": {
            "antal": len(processing),
            "gennemsnit_dage": _number(pystats.fmean(processing)) if processing else None,
            "median_dage": _number(pystats.median(processing)) if processing else None,
            "max_dage": max(processing) if processing else None,
            "godkendt": sum(1 for outcome, _ in values if outcome == "godkendt"),
            "afslaaet": sum(1 for outcome, _ in values if outcome == "afslaaet"),
        },
        "8_indtaegter_andre_opgaver": {"i_alt_oere": sum(income.values()), "modparter_oere": income},
    }


def compute(connection: sa.Connection, year: int, region: str | None, position: int, ledger_hash: str | None) -> dict[str, Any]:
    f = stat_facts
    where = [f.c.year == year]
    if region:
        where.append(f.c.region == region)
    grouped = connection.execute(
        sa.select(f.c.region, f.c.kind, f.c.category, sa.func.sum(sa.case((f.c.kind == INDTAEGT, f.c.value), else_=1)))
        .where(*where)
        .group_by(f.c.region, f.c.kind, f.c.category)
    ).all()
    values = connection.execute(
        sa.select(f.c.region, f.c.category, f.c.value).where(*where, f.c.kind == SAGSBEHANDLING).order_by(f.c.offer_id, f.c.version)
    ).all()
    visited_rows = connection.execute(
        sa.select(f.c.region, f.c.offer_id).where(*where, f.c.kind == TILSYNSBESOEG).distinct()
    ).all()
    approval_rows = connection.execute(
        sa.select(f.c.region, f.c.offer_id, f.c.version).where(*where, f.c.kind == GODKENDELSE).distinct()
    ).all()
    regions = [region] if region else REGIONS
    blocks: dict[str, Any] = {}
    for name in regions:
        blocks[name] = _block(
            [(k, c, int(n)) for r, k, c, n in grouped if r == name],
            [(c, int(v)) for r, c, v in values if r == name],
            len({o for r, o in visited_rows if r == name}),
            len({(o, v) for r, o, v in approval_rows if r == name}),
        )
    if not region:
        blocks[TOTAL] = _block(
            [(k, c, int(n)) for _, k, c, n in grouped],
            [(c, int(v)) for _, c, v in values],
            len({o for _, o in visited_rows}),
            len({(o, v) for _, o, v in approval_rows}),
        )
    return {
        "rapport": "Socialtilsynets årsrapport: statistik efter bek § 18 stk 2",
        "aar": year,
        "region": region or "alle",
        "beregnet_fra": {"position": position, "ledger_hash": ledger_hash},
        "regioner": blocks,
    }


FEES = "7_takster_og_objektive_finansieringsandele"


def add_fees(report: dict[str, Any], summary: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Item 7 from `ledger.fees.fees_summary` (øre per region, and in total)."""
    blocks = report["regioner"]
    totals: dict[str, Any] = {}
    for name, block in blocks.items():
        if name == TOTAL:
            continue
        fees = summary.get(name, {})
        item: dict[str, int | str] = {
            key: value for key, value in fees.items() if isinstance(value, int) and not isinstance(value, bool)
        }
        item["takster_fastsat"] = "ja" if fees.get("takster_fastsat") else "nej"
        item["objektiv_andel_fastsat"] = "ja" if fees.get("objektiv_fastsat") else "nej"
        item["tilbud_uden_takster"] = len(fees.get("takster_mangler_for", []))
        block[FEES] = item
        for key, value in item.items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
    if TOTAL in blocks:
        blocks[TOTAL][FEES] = totals
    # Keep the items in the order of bek § 18 stk 2.
    for name, block in blocks.items():
        blocks[name] = {key: block[key] for key, _ in ITEMS if key in block}
    return report


ITEMS = [
    ("1_godkendelser", "1. Godkendelser"),
    ("2_tilsyn", "2. Tilsyn"),
    ("3_skaerpede_tilsyn", "3. Skærpede tilsyn"),
    ("4_paabud", "4. Påbud"),
    ("5_tilbagekaldte_godkendelser", "5. Tilbagekaldte godkendelser"),
    ("6_sagsbehandlingstider", "6. Sagsbehandlingstider (ansøgning → afgørelse, dage)"),
    ("7_takster_og_objektive_finansieringsandele", "7. Tilsynstakster og objektive finansieringsandele"),
    ("8_indtaegter_andre_opgaver", "8. Indtægter fra andre opgaver"),
]

# What a reader sees for each figure's key (the keys stay as they are in JSON and CSV).
NAME_LABELS = {
    "i_alt": "I alt",
    "efter_tilbudstype": "Efter tilbudstype",
    "tilsyn_i_alt": "Tilsyn i alt",
    "tilsynsbesoeg": "Tilsynsbesøg",
    "anmeldte": "Anmeldte besøg",
    "uanmeldte": "Uanmeldte besøg",
    "tilsyn_uden_besoeg": "Tilsyn uden besøg",
    "tilbud_med_tilsyn": "Tilbud med tilsyn",
    "baggrund": "Efter baggrund",
    "karakter": "Efter karakter",
    "antal": "Afgjorte ansøgninger",
    "gennemsnit_dage": "Gennemsnit (dage)",
    "median_dage": "Median (dage)",
    "max_dage": "Længste (dage)",
    "godkendt": "Godkendt",
    "afslaaet": "Afslået",
    "godkendelsestakster_oere": "Godkendelsestakster",
    "tilsynstakster_oere": "Tilsynstakster",
    "tillaegstakster_oere": "Tillægstakster",
    "vaesentlig_aendring_oere": "Takster for væsentlige ændringer",
    "takster_i_alt_oere": "Takster i alt",
    "objektive_finansieringsandele_oere": "Objektive finansieringsandele",
    "takster_fastsat": "Takster fastsat",
    "objektiv_andel_fastsat": "Objektiv andel fastsat",
    "tilbud_uden_takster": "Tilbud uden takster",
    "i_alt_oere": "I alt",
    "modparter_oere": "Efter modpart",
}


def _shown(name: str) -> str:
    return NAME_LABELS.get(name, name.replace("_", " ").capitalize())


def _amount(name: str, value: Any) -> str:
    """A figure as a reader sees it: money (øre in the data) as Danish kroner."""
    if isinstance(value, int) and not isinstance(value, bool) and name.endswith("_oere"):
        return kroner(value)
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return _fmt(value)


def flatten(report: dict[str, Any], *, raw: bool = False) -> list[tuple[str, str, str, Any]]:
    """(region, item, category, value) rows in a fixed order; the values as text, or as they are."""
    shown = (lambda value: value) if raw else _fmt
    rows = []
    for region, block in report["regioner"].items():
        for key, _title in ITEMS:
            for name, value in block.get(key, {}).items():
                if isinstance(value, dict):
                    for category, number in value.items():
                        rows.append((region, key, f"{name}:{category}", shown(number)))
                else:
                    rows.append((region, key, name, shown(value)))
    return rows


def _fmt(value: Any) -> str:
    return "" if value is None else str(value)


def render(report: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "jsonl"):
        columns = ["aar", "region", "punkt", "kategori", "vaerdi"]
        rows = [[report["aar"], *row] for row in flatten(report, raw=fmt == "jsonl")]
        rows.append([report["aar"], "", "beregnet_fra", "position", report["beregnet_fra"]["position"]])
        rows.append([report["aar"], "", "beregnet_fra", "ledger_hash", report["beregnet_fra"]["ledger_hash"] or ""])
        if fmt == "jsonl":
            return tables.jsonl(dict(zip(columns, row, strict=True)) for row in rows)
        return tables.csv_text(columns, rows)
    source = report["beregnet_fra"]
    stamp = f"ledger position {source['position']}, hash {source['ledger_hash'] or '-'}"
    if fmt == "md":
        return _markdown(report, stamp)
    return _text(report, stamp)


def _category(name: str) -> str:
    return label(name)


def _text(report: dict[str, Any], stamp: str) -> str:
    lines = [f"Statistik efter bek § 18 stk 2 for {report['aar']} ({report['region']})", f"Beregnet fra {stamp}", ""]
    for region, block in report["regioner"].items():
        lines.append(f"== {region} ==")
        for key, title in ITEMS:
            if key not in block:
                continue
            lines.append(f"  {title}")
            for name, value in block[key].items():
                if isinstance(value, dict):
                    lines.append(f"    {_shown(name)}" + ("" if value else f"{'(ingen)':>{66 - len(_shown(name))}}"))
                    for category, number in value.items():
                        lines.append(f"      {_category(category):<45} {_amount(name, number):>20}")
                else:
                    lines.append(f"    {_shown(name):<47} {_amount(name, value) or '-':>20}")
        lines.append("")
    return "\n".join(lines) + "\n"


def _markdown(report: dict[str, Any], stamp: str) -> str:
    regions = list(report["regioner"])
    lines = [f"# Statistik efter bek § 18 stk 2 for {report['aar']}", "", f"_Beregnet fra {stamp}._", ""]
    for key, title in ITEMS:
        if not any(key in report["regioner"][region] for region in regions):
            continue
        lines += [f"## {title}", "", "| | " + " | ".join(regions) + " |", "|---|" + "---:|" * len(regions)]
        names: list[str] = []
        for region in regions:
            for name, value in report["regioner"][region].get(key, {}).items():
                if isinstance(value, dict):
                    names += [f"{name}:{c}" for c in value if f"{name}:{c}" not in names]
                elif name not in names:
                    names.append(name)
        for name in names:
            cells = []
            for region in regions:
                block = report["regioner"][region].get(key, {})
                if ":" in name:
                    group, category = name.split(":", 1)
                    cells.append(_amount(group, block.get(group, {}).get(category, 0)))
                else:
                    cells.append(_amount(name, block.get(name)) or "-")
            shown = _category(name.split(":", 1)[1]) if ":" in name else _shown(name)
            lines.append(f"| {shown} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines) + "\n"
