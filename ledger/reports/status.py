"""An offer's legal state on a date, for people."""

from __future__ import annotations

from typing import Any

from ledger.aggregates.state import STATUS_LABELS
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
