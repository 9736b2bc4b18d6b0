"""The Tilbudsportal view (bek § 1 stk 5, § 10; side: Tilbudsportal): only what the law makes public.

`public_view()` is an allowlist: it copies named public facts out of an offer's state and nothing
else. Never shown: dialog, magtanvendelse, complaints, internal notes, straks grounds, indicator
scores and spindelvæv, names of staff (who recorded what). Offers that are only applied for,
refused or ophørt are not shown.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ledger.aggregates.state import STATUS_LABELS, CaseState
from ledger.events.vocab import label
from ledger.quality.catalogue import load_catalogue
from ledger.reports.status import capacity_as_of


def public_view(state: CaseState, on: dt.date) -> dict[str, Any] | None:
    day = on.isoformat()
    approval = state.current_approval(day)
    if approval is None or state.key is None:
        return None
    if "ARBEJDSGIVER" in state.profile.get("tilbudstyper", []):
        return None  # a chapter-2 employer is not an offer: never on Tilbudsportalen
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


def portal_views(states: Sequence[CaseState], on: dt.date) -> list[dict[str, Any]]:
    views = [public_view(state, on) for state in states]
    return sorted((v for v in views if v is not None), key=lambda v: (v["navn"] or "", v["tilbud"]))


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


def slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", key)


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd}
.filters{display:flex;gap:.5rem;flex-wrap:wrap;margin:1rem 0}.filters input,.filters select{padding:.3rem}
.tag{display:inline-block;background:#fde2e1;color:#8a1c17;border-radius:.3rem;padding:0 .4rem;margin-left:.3rem;font-size:.85em}
.muted{color:#666}dl{display:grid;grid-template-columns:12rem 1fr;gap:.3rem 1rem}dt{font-weight:600}
"""

_SCRIPT = """
const offers = JSON.parse(document.getElementById('data').textContent);
const q = document.getElementById('q'), type = document.getElementById('type'),
      status = document.getElementById('status'), region = document.getElementById('region'),
      body = document.getElementById('rows'), count = document.getElementById('count');
function fill(select, values){ [...new Set(values)].sort().forEach(v => { const o = document.createElement('option'); o.value = v; o.textContent = v; select.appendChild(o); }); }
fill(type, offers.flatMap(o => o.tilbudstyper.map(t => t.navn)));
fill(status, offers.map(o => o.status)); fill(region, offers.map(o => o.socialtilsyn));
function show(){
  const text = q.value.trim().toLowerCase();
  const rows = offers.filter(o => (!text || o.navn.toLowerCase().includes(text) || o.tilbud.toLowerCase().includes(text))
    && (!type.value || o.tilbudstyper.some(t => t.navn === type.value))
    && (!status.value || o.status === status.value) && (!region.value || o.socialtilsyn === region.value));
  body.replaceChildren(...rows.map(o => { const tr = document.createElement('tr');
    const a = document.createElement('a'); a.href = o.side; a.textContent = o.navn;
    const cells = [a, o.tilbudstyper.map(t => t.navn).join(', '), o.socialtilsyn, o.status];
    cells.forEach(c => { const td = document.createElement('td'); if (typeof c === 'string') td.textContent = c; else td.appendChild(c); tr.appendChild(td); });
    if (o.paabud.length) { const s = document.createElement('span'); s.className = 'tag'; s.textContent = 'påbud'; tr.cells[3].appendChild(s); }
    if (o.skaerpet_tilsyn.length) { const s = document.createElement('span'); s.className = 'tag'; s.textContent = 'skærpet tilsyn'; tr.cells[3].appendChild(s); }
    return tr; }));
  count.textContent = rows.length + ' af ' + offers.length + ' tilbud';
}
[q, type, status, region].forEach(e => e.addEventListener('input', show)); show();
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=\"da\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def offer_page(view: dict[str, Any], on: dt.date) -> str:
    rows = [
        ("Tilbudstyper", ", ".join(t["navn"] for t in view["tilbudstyper"])),
        ("Ejerform", view["ejerform"]),
        ("Pladser", view["pladser"]),
        ("Socialtilsyn", view["socialtilsyn"]),
        ("Status", f"{view['status']} (godkendt {view['godkendt']})"),
        ("Seneste tilsynsbesøg", view["seneste_tilsynsbesoeg"] or "-"),
    ]
    parts = [f"<p><a href=\"../index.html\">← Alle tilbud</a></p><h1>{_e(view['navn'])}</h1>"]
    parts.append("<dl>" + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows) + "</dl>")
    parts.append("<h2>Adresser</h2><ul>" + "".join(f"<li>{_e(a['afdeling'])}: {_e(a['adresse'])}</li>" for a in view["adresser"]) + "</ul>")
    if view["vilkaar"]:
        parts.append("<h2>Vilkår</h2><ul>" + "".join(
            f"<li>{_e(v['tekst'])}" + (f" (frist {_e(v['frist'])})" if v["frist"] else "") + "</li>" for v in view["vilkaar"]) + "</ul>")
    if view["paabud"]:
        parts.append("<h2>Påbud</h2><ul>" + "".join(f"<li>{_e(p['forhold'])} (frist {_e(p['frist'])})</li>" for p in view["paabud"]) + "</ul>")
    if view["skaerpet_tilsyn"]:
        parts.append("<h2>Skærpet tilsyn</h2><ul>" + "".join(f"<li>{_e(s['fra'])} til {_e(s['til'])}</li>" for s in view["skaerpet_tilsyn"]) + "</ul>")
    quality = view["kvalitetsvurdering"]
    if quality:
        parts.append(f"<h2>Socialtilsynets kvalitetsvurdering</h2><p class=\"muted\">{_e(quality['dato'])}, ved {_e(quality['anledning'])}</p>")
        parts.append("".join(f"<h3>{_e(t['tema'])}</h3><p>{_e(t['vurdering'])}</p>" for t in quality["temaer"]))
    parts.append(f"<p class=\"muted\">Oplysninger pr. {_e(on.isoformat())}.</p>")
    return _page(f"{view['navn']} — Tilbudsportalen", "\n".join(parts))


def index_page(views: Sequence[dict[str, Any]], on: dt.date) -> str:
    data = [
        {**{k: v[k] for k in ("tilbud", "navn", "socialtilsyn", "tilbudstyper", "status", "paabud", "skaerpet_tilsyn")},
         "side": f"tilbud/{slug(v['tilbud'])}.html"}
        for v in views
    ]
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    body = (
        f"<h1>Tilbudsportalen</h1><p class=\"muted\">Godkendte tilbud pr. {_e(on.isoformat())}.</p>"
        "<div class=\"filters\"><input id=\"q\" type=\"search\" placeholder=\"Søg navn\" aria-label=\"Søg navn\">"
        "<select id=\"type\" aria-label=\"Tilbudstype\"><option value=\"\">Alle tilbudstyper</option></select>"
        "<select id=\"status\" aria-label=\"Status\"><option value=\"\">Alle statusser</option></select>"
        "<select id=\"region\" aria-label=\"Socialtilsyn\"><option value=\"\">Alle socialtilsyn</option></select></div>"
        "<p id=\"count\" class=\"muted\"></p>"
        "<table><thead><tr><th>Tilbud</th><th>Tilbudstyper</th><th>Socialtilsyn</th><th>Status</th></tr></thead>"
        "<tbody id=\"rows\"></tbody></table>"
        f"<script id=\"data\" type=\"application/json\">{payload}</script><script>{_SCRIPT}</script>"
        "<noscript><ul>" + "".join(
            f"<li><a href=\"tilbud/{_e(slug(v['tilbud']))}.html\">{_e(v['navn'])}</a></li>" for v in views) + "</ul></noscript>"
    )
    return _page("Tilbudsportalen", body)


def export(views: Sequence[dict[str, Any]], on: dt.date, out: Path, source: dict[str, Any]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "tilbud").mkdir(exist_ok=True)
    for stale in (out / "tilbud").glob("*.html"):
        stale.unlink()  # an offer no longer shown must not linger from an earlier export
    written = []
    portal = {"tilbudsportal": "offentlige oplysninger efter bek § 1 stk 5 og § 10", "pr_dato": on.isoformat(),
              "beregnet_fra": source, "tilbud": list(views)}
    path = out / "portal.json"
    path.write_text(json.dumps(portal, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    written.append(path)
    path = out / "index.html"
    path.write_text(index_page(views, on), encoding="utf-8")
    written.append(path)
    for view in views:
        path = out / "tilbud" / f"{slug(view['tilbud'])}.html"
        path.write_text(offer_page(view, on), encoding="utf-8")
        written.append(path)
    return written
