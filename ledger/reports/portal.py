"""The Tilbudsportal view (bek § 1 stk 5, § 10; side: Tilbudsportal): only what the law makes public.

`public_view()` is an allowlist: it copies named public facts out of an offer's state and nothing
else. Never shown: dialog, magtanvendelse, complaints, internal notes, straks grounds, indicator
scores and spindelvæv, names of staff (who recorded what). Offers that are only applied for,
refused or ophørt are not shown.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

from ledger.aggregates.state import STATUS_LABELS, CaseState
from ledger.events.vocab import label
from ledger.quality.catalogue import load_catalogue
from ledger.reports.status import capacity_as_of


PUBLIC = "offentlig"
AUTHORITIES = "myndighed"
AUDIENCES = (PUBLIC, AUTHORITIES)
FOSTER_FAMILY_TYPES = ("PLEJEFAMILIE", "KOMMUNAL_PLEJEFAMILIE")
SMALLEST_COUNT_SHOWN = 5  # a count of foster families below this is shown as "færre end 5"
# The target group an offer type serves (SEL §§ 66, 101, 101 a, 107-110; SUL § 141): the ledger
# records the types, and the law's paragraphs name whom each serves.
TARGET_GROUPS = {
    "PLEJEFAMILIE": "Børn og unge", "KOMMUNAL_PLEJEFAMILIE": "Børn og unge", "SEL66_5": "Børn og unge",
    "SEL66_6": "Børn og unge", "SEL66_7": "Børn og unge",
    "SEL107": "Voksne med nedsat funktionsevne eller særlige sociale problemer",
    "SEL108": "Voksne med nedsat funktionsevne eller særlige sociale problemer",
    "BOTILBUDSLIGNENDE": "Voksne med nedsat funktionsevne eller særlige sociale problemer",
    "SEL109": "Kvinder udsat for vold (krisecenter)", "SEL110": "Hjemløse (forsorgshjem)",
    "SEL101": "Personer med stofmisbrug", "SEL101A": "Personer med stofmisbrug", "SUL141": "Personer med alkoholmisbrug",
}
_TOWN = re.compile(r"(?:^|,)\s*(\d{4})\s+([^,]+?)\s*$")


def postal_town(address: str) -> str | None:
    """'Lærkevej 1, 9000 Aalborg' -> '9000 Aalborg' (the postcode and town that end an address)."""
    match = _TOWN.search(address)
    return f"{match.group(1)} {match.group(2)}" if match else None


def is_foster_family(state: CaseState) -> bool:
    """A plejefamilie is a private home (bek bilag 2): an offer with any foster-family type."""
    return any(t in FOSTER_FAMILY_TYPES for t in state.profile.get("tilbudstyper", []))


def public_view(state: CaseState, on: dt.date, audience: str = PUBLIC) -> dict[str, Any] | None:
    """The offer as the audience sees it, or None. For plejefamilier bek bilag 2 says the assessment
    "indberettes til Tilbudsportalen" (reported), where bilag 1 says an offer's "offentliggøres"
    (published): a foster family is shown to the authorities that place children, never publicly."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    day = on.isoformat()
    approval = state.current_approval(day)
    if approval is None or state.key is None:
        return None
    if "ARBEJDSGIVER" in state.profile.get("tilbudstyper", []):
        return None  # a chapter-2 employer is not an offer: never on Tilbudsportalen
    if audience == PUBLIC and is_foster_family(state):
        return None
    profile = state.profile
    status = state.status_on(day)
    capacity = capacity_as_of(state, day)  # a væsentlig ændring from the day it was approved
    return {
        "tilbud": state.key,
        "navn": profile.get("navn"),
        "socialtilsyn": profile.get("region"),
        "tilbudstyper": [{"kode": t, "navn": label(t)} for t in capacity["tilbudstyper"]],
        "ejerform": label(profile.get("ejerform", "")),
        "pladser": capacity["pladser"],
        "adresser": [{"afdeling": a["navn"], "adresse": a["adresse"]} for a in capacity["afdelinger"].values()],
        "byer": sorted({t for a in capacity["afdelinger"].values() if (t := postal_town(a["adresse"]))}),
        "maalgrupper": sorted({TARGET_GROUPS[t] for t in capacity["tilbudstyper"] if t in TARGET_GROUPS}),
        "status": STATUS_LABELS[status],
        "godkendt": approval["start"],
        "vilkaar": [{"tekst": v["tekst"], "frist": v.get("frist")} for v in state.active_vilkaar_on(day).values()],
        "paabud": [{"forhold": p["forhold"], "frist": p["frist"]} for p in state.active_paabud_on(day).values()],
        "skaerpet_tilsyn": [{"fra": s["fra"], "til": s["til"]} for s in state.active_skaerpet_on(day).values()],
        "kvalitetsvurdering": _quality(state, day),
        "seneste_tilsynsbesoeg": state.last_visit_on(day),
    }


def _quality(state: CaseState, day: str) -> dict[str, Any] | None:
    latest = [q for q in state.quality if q["date"] <= day]
    if not latest:
        return None
    assessment = latest[-1]
    catalogue = load_catalogue(assessment["model"])
    themes = []
    for theme_id, text in sorted(assessment["temaer"].items(), key=lambda item: int(item[0])):
        themes.append({"tema": catalogue.theme(theme_id).name, "vurdering": text})
    return {"dato": assessment["date"], "anledning": assessment["anledning"], "temaer": themes}


def portal_views(states: Sequence[CaseState], on: dt.date, audience: str = PUBLIC) -> list[dict[str, Any]]:
    views = [public_view(state, on, audience) for state in states]
    return sorted((v for v in views if v is not None), key=lambda v: (v["navn"] or "", v["tilbud"]))


def foster_family_counts(states: Sequence[CaseState], on: dt.date) -> list[dict[str, Any]]:
    """What the public learns of plejefamilier: how many are approved per Socialtilsyn and type, a
    count below SMALLEST_COUNT_SHOWN given only as "færre end 5" (no name, address or other fact
    of a family; no totals that would let a suppressed count be worked out)."""
    day = on.isoformat()
    counts: dict[tuple[str, str], int] = {}
    for state in states:
        if state.key is None or not is_foster_family(state) or state.current_approval(day) is None:
            continue
        kind = next(t for t in FOSTER_FAMILY_TYPES if t in state.profile.get("tilbudstyper", []))
        key = (str(state.profile.get("region")), kind)
        counts[key] = counts.get(key, 0) + 1
    return [
        {"socialtilsyn": region, "tilbudstype": label(kind),
         "antal": count if count >= SMALLEST_COUNT_SHOWN else None,
         "vist_som": str(count) if count >= SMALLEST_COUNT_SHOWN else f"færre end {SMALLEST_COUNT_SHOWN}"}
        for (region, kind), count in sorted(counts.items())
    ]


def render_text(view: dict[str, Any]) -> str:
    lines = [
        f"{view['navn']} ({view['tilbud']}) — Tilbudsportalen",
        f"  {', '.join(t['navn'] for t in view['tilbudstyper'])}; {view['pladser']} pladser; {view['ejerform']}",
        f"  Socialtilsyn {view['socialtilsyn']}; {view['status']} siden {view['godkendt']}",
    ]
    lines += [f"  Adresse: {a['afdeling']}, {a['adresse']}" for a in view["adresser"]]
    lines += [f"  Vilkår: {v['tekst']}" + (f" (frist {v['frist']})" if v["frist"] else "") for v in view["vilkaar"]]
    lines += [f"  Påbud: {p['forhold']} (frist {p['frist']})" for p in view["paabud"]]
    lines += [f"  Skærpet tilsyn: {s['fra']} til {s['til']}" for s in view["skaerpet_tilsyn"]]
    quality = view["kvalitetsvurdering"]
    if quality:
        lines.append(f"  Kvalitetsvurdering ({quality['anledning']}, {quality['dato']}):")
        lines += [f"    {t['tema']}: {t['vurdering']}" for t in quality["temaer"]]
    lines.append(f"  Seneste tilsynsbesøg: {view['seneste_tilsynsbesoeg'] or '-'}")
    return "\n".join(lines)


_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(data: Any) -> str:
    """JSON to embed in a <script> element: no stored text can end the element, open a comment or
    an entity, or break a line for a JavaScript parser (the five characters only occur in strings)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)


CHANGE_KINDS = {
    "godkendt": "Godkendt",
    "paabud": "Påbud udstedt",
    "skaerpet_tilsyn": "Skærpet tilsyn",
    "ophoert": "Godkendelsen er ophørt",
    "lukket": "Tilbuddet er lukket",
}


def changes(states: Sequence[CaseState], since: dt.date, on: dt.date, audience: str = PUBLIC) -> list[dict[str, Any]]:
    """What changed on the register after `since` up to and including `on`: approvals, påbud, skærpet
    tilsyn and ophør (by effective date), for offers the audience may see. Only public facts: the
    påbud's forhold and frist, the period of a skærpet tilsyn; never reasons, grounds or notes."""
    first, last = since.isoformat(), on.isoformat()
    found: list[dict[str, Any]] = []
    for state in states:
        if state.key is None or "ARBEJDSGIVER" in state.profile.get("tilbudstyper", []):
            continue
        if audience == PUBLIC and is_foster_family(state):
            continue

        def live(version: int, state: CaseState = state) -> bool:
            withdrawn = state.withdrawn.get(str(version))
            return withdrawn is None or withdrawn > last

        def add(day: str, kind: str, version: int, detail: dict[str, Any], state: CaseState = state) -> None:
            if first < day <= last and live(version, state):
                found.append({"dato": day, "tilbud": state.key, "navn": state.profile.get("navn"),
                              "socialtilsyn": state.profile.get("region"), "art": kind, "titel": CHANGE_KINDS[kind],
                              "nummer": version, **detail})

        for phase in state.phases:
            if phase["kind"] == "godkendt":
                add(phase["start"], "godkendt", phase["version"], {})
            elif phase["kind"] == "ophoert" and state.status_on(phase["start"]) == "ophoert":
                add(phase["start"], "ophoert" if phase.get("by") == "socialtilsynet" else "lukket", phase["version"], {})
        for item in state.paabud.values():
            add(item["issued"], "paabud", item["version"],
                {"forhold": item["forhold"], "frist": item["frister"][0]["frist"]})
        for item in state.skaerpet.values():
            add(item["decided"], "skaerpet_tilsyn", item["version"], {"fra": item["fra"], "til": item["til"]})
    return sorted(found, key=lambda c: (c["dato"], str(c["tilbud"]), c["nummer"]), reverse=True)
