"""An offer's legal state on a date, for people."""

from __future__ import annotations

from typing import Any

from ledger.aggregates.state import STATUS_LABELS, CaseState
from ledger.events.vocab import label
from ledger.i18n import _, day

FLAG_LABELS = {
    "fravigelse": "fravigelse i kraft",
    "paabud": "påbud i kraft",
    "skaerpet_tilsyn": "skærpet tilsyn",
    "ophoer_besluttet": "ophør besluttet, ikke trådt i kraft",
    "ophoer_udsat_af_klage": "ophør besluttet, udsat af klage til Ankestyrelsen",
    "lukning_varslet": "tilbuddet lukker, ikke trådt i kraft",
}


def _day(iso: str) -> str:
    import datetime as dt

    return day(dt.date.fromisoformat(iso))


def capacity_as_of(state: CaseState, day: str) -> dict[str, Any]:
    """The offer's pladser, tilbudstyper and afdelinger on a day. The folded profile holds the latest;
    a væsentlig ændring counts from the day it was approved (aendring-afgoerelse), not from its
    application: the same timeline the takster are charged by (`ledger.fees.capacity_from_state`)."""
    from ledger.fees import capacity_from_state, capacity_on

    profile = state.profile
    found: dict[str, Any] = {"pladser": profile.get("pladser"), "tilbudstyper": list(profile.get("tilbudstyper", []))}
    if state.capacity_changes:
        capacity = capacity_on(capacity_from_state(state), day)
        found["pladser"], found["tilbudstyper"] = capacity.pladser, list(capacity.tilbudstyper)
    later = {
        a["id"] for item in state.aendringer.values() if item["approved"] and item["decided"] > day for a in item["nye_afdelinger"]
    }
    found["afdelinger"] = {ref: a for ref, a in state.afdelinger.items() if ref not in later}
    return found


def render_status_text(state: dict[str, Any], known_at: str | None = None) -> str:
    lines = [
        f"{state['offer']}: {state['navn']}",
        "  " + _("Status {day}: {status}").format(day=_day(state["as_of"]), status=STATUS_LABELS.get(state["status"], state["status"])),
    ]
    if known_at:
        lines.append("  " + _("(as the ledger knew it at {moment})").format(moment=known_at))
    if state["flags"]:
        lines.append("  " + _("Also: ") + "; ".join(FLAG_LABELS.get(f, f) for f in state["flags"]))
    places = f"{state['pladser']} pladser; " if state.get("pladser") is not None else ""
    lines.append(
        f"  Socialtilsyn {state['region']}; {', '.join(label(t) for t in state['tilbudstyper'])}; "
        f"{places}{label(state['ejerform'])}"
        + (f"; koncern {state['koncern']}" if state.get("koncern") else "")
    )
    for ref, afdeling in state["afdelinger"].items():
        lines.append(f"  Afdeling {ref}: {afdeling['navn']}, {afdeling['adresse']}")
    if state["godkendt_fra"]:
        lines.append(f"  Godkendt: {state['godkendt_fra']}")
    if state.get("ophoert"):
        o = state["ophoert"]
        how = "tilbagekaldt af Socialtilsynet" if o["af"] == "socialtilsynet" else "lukket af tilbuddet"
        lines.append(f"  Ophørt fra {o['virkning_fra']} ({how})")
    for ref, v in state["vilkaar"].items():
        frist = f" (frist {v['frist']})" if v.get("frist") else ""
        lines.append(f"  Vilkår {ref}: {v['tekst']}{frist}")
    for ref, f in state["fravigelser"].items():
        period = f" {f['fra']} til {f['til']}" if f.get("til") else f" fra {f['fra']}"
        cond = f"; betingelser: {f['betingelser']}" if f.get("betingelser") else ""
        lines.append(f"  Fravigelse {ref}:{period}{cond}")
    for ref, p in state["paabud"].items():
        lines.append(f"  Påbud {ref} ({label(p['karakter'])}): {p['forhold']}; frist {p['frist']}")
    for ref, s in state["skaerpet_tilsyn"].items():
        lines.append(f"  Skærpet tilsyn {ref}: {s['fra']} til {s['til']} ({label(s['baggrund'])})")
    if state.get("ophoer_besluttet"):
        o = state["ophoer_besluttet"]
        suspended = " — udsat, klage behandles af Ankestyrelsen" if o["udsat_af_klage"] else ""
        lines.append(f"  Ophør besluttet {o['besluttet']} med virkning fra {o['virkning_fra']}{suspended}")
    lines.append(f"  Seneste tilsynsbesøg: {state['seneste_tilsynsbesoeg'] or '-'}")
    return "\n".join(lines)
