"""The Tilbudsportal view as a static site: a register a citizen or a caseworker can use.

Pages: `index.html` (search, filters, sorting and paging over an inline JSON island; a plain list
without JavaScript), one page per offer under `tilbud/`, `kontakt.html` (who publishes, how to reach
them, the complaint guidance), `tilgaengelighed.html` (the accessibility statement), `feed.xml`
(an Atom feed of the changes since a date) and `portal.json`. Every byte follows from the views
and the ledger position given: two exports of the same position are identical.
"""

from __future__ import annotations

import datetime as dt
import html
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from ledger.reports.filenames import file_key
from ledger.reports.portal import AUTHORITIES, PUBLIC, SMALLEST_COUNT_SHOWN, script_json
from ledger.reports.sitewriter import SiteWriter

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")
REGIONS = ("Nord", "Midt", "Syd", "Øst", "Hovedstaden")
PAGE_SIZE = 25
FEED_NAMESPACE = uuid.UUID("6f1d2b1e-4c1a-5b7e-9a43-0d7c3e5a2f10")

# Who publishes: each Socialtilsyn is run by a host municipality (lov om socialtilsyn § 2). The
# address is the host municipality's; `ledger portal export --kontakt FILE` replaces these.
CONTACTS: dict[str, dict[str, str]] = {
    "Nord": {"vaert": "Hjørring Kommune", "adresse": "Springvandspladsen 5, 9800 Hjørring"},
    "Midt": {"vaert": "Silkeborg Kommune", "adresse": "Søvej 1, 8600 Silkeborg"},
    "Syd": {"vaert": "Faaborg-Midtfyn Kommune", "adresse": "Mellemgade 15, 5600 Faaborg"},
    "Øst": {"vaert": "Holbæk Kommune", "adresse": "Kanalstræde 2, 4300 Holbæk"},
    "Hovedstaden": {"vaert": "Frederiksberg Kommune", "adresse": "Smallegade 1, 2000 Frederiksberg"},
}


def danish_date(day: str | dt.date | None) -> str:
    """'2026-12-03' -> '3. december 2026'."""
    if day is None:
        return "-"
    value = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


_STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fff;line-height:1.5;overflow-wrap:anywhere}
a{color:#0b4f9c}a:hover{color:#062c57}
:focus-visible{outline:3px solid #b35c00;outline-offset:2px}
.skip{position:absolute;left:-100vw;top:0;background:#fff;padding:.5rem 1rem;z-index:2}.skip:focus{left:0}
header.site{background:#12355b;color:#fff;padding:1rem}header.site a{color:#fff}
.wrap{max-width:72rem;margin:0 auto;padding:0 1rem}
header.site p{margin:.2rem 0 0}.site-title{font-size:1.4rem;font-weight:700;text-decoration:none}
nav.main ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;margin:.75rem 0 0;padding:0}
.banner{background:#fff4ce;color:#3d2e00;border:2px solid #8a6d00;padding:.75rem 1rem;margin:1rem 0}
main{display:block;padding:1rem 0 2rem}
h1{font-size:1.7rem;line-height:1.25;margin:.5rem 0 1rem}h2{font-size:1.3rem;margin-top:2rem}h3{font-size:1.1rem}
.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));align-items:end;gap:.75rem 1rem;margin:1rem 0;padding:0;border:0}
.field{display:flex;flex-direction:column;gap:.2rem;min-width:0}
.field label{font-weight:600}
input,select,button{font:inherit;max-width:100%;min-width:0}
input,select{padding:.45rem;border:1px solid #595959;border-radius:.25rem;background:#fff;color:#1b1b1b;width:100%}
button{padding:.45rem .9rem;border:1px solid #12355b;border-radius:.25rem;background:#12355b;color:#fff;cursor:pointer}
button:disabled{background:#e8e8e8;color:#4a4a4a;border-color:#767676;cursor:default}
button.reset{background:#fff;color:#12355b}
.count{font-weight:600;margin:.5rem 0}
table{border-collapse:collapse;width:100%}caption{text-align:left;font-weight:600;padding:.5rem 0}
th,td{text-align:left;vertical-align:top;padding:.5rem;border-bottom:1px solid #c9c9c9}
th button{background:none;border:0;color:#0b4f9c;padding:0;font-weight:700;text-decoration:underline}
th button span{display:inline-block;margin-left:.25rem}
.tag{display:inline-block;background:#fde2e1;color:#7a1712;border-radius:.3rem;padding:0 .4rem;margin:.1rem .3rem 0 0;font-size:.9em}
.muted{color:#4a4a4a}
.pager{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:1rem 0}
dl.facts{display:grid;grid-template-columns:minmax(8rem,14rem) 1fr;gap:.4rem 1rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
footer.site{border-top:1px solid #c9c9c9;padding:1rem 0 2rem;font-size:.95rem}
@media (max-width:40rem){
 h1{font-size:1.4rem}
 dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.5rem}
 table.register thead{display:block}table.register thead tr{display:flex;flex-wrap:wrap;gap:.25rem 1rem;border:0;padding:0 0 .5rem}
 table.register thead th{display:block;border:0;padding:.25rem 0}table.register thead th:not([data-sort]){display:none}
 table.register thead th::before{content:none}
 table.register,table.register caption,table.register tbody,table.register tr,table.register td{display:block;width:100%}
 table.register tr{border-bottom:2px solid #c9c9c9;padding:.5rem 0}
 table.register td{border:0;padding:.15rem 0}
 table.register td::before{content:attr(data-label) ": ";font-weight:600}
}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var offers = data.tilbud, PAGE = data.sidestoerrelse;
  function $(id) { return document.getElementById(id); }
  var q = $("q"), fType = $("f-type"), fRegion = $("f-region"), fTown = $("f-by"), fGroup = $("f-maalgruppe"),
      fTilsyn = $("f-tilsyn"), rows = $("rows"), count = $("count"), prev = $("prev"), next = $("next"),
      pageInfo = $("page-info"), reset = $("reset");
  var collator = new Intl.Collator("da", {sensitivity: "base", numeric: true});
  var number = new Intl.NumberFormat("da-DK");
  function norm(s) { return (s || "").toLocaleLowerCase("da"); }
  offers.forEach(function (o) {
    o._text = norm([o.navn, o.tilbud, o.adresser.join(" "), o.byer.join(" ")].join(" "));
  });
  function fill(select, pairs) {
    pairs.forEach(function (p) {
      var option = document.createElement("option"); option.value = p[0]; option.textContent = p[1];
      select.appendChild(option);
    });
  }
  function distinct(values) { return Array.from(new Set(values)).sort(collator.compare); }
  fill(fType, Object.keys(data.typer).map(function (k) { return [k, data.typer[k]]; })
    .sort(function (a, b) { return collator.compare(a[1], b[1]); }));
  fill(fRegion, data.socialtilsyn.map(function (r) { return [r, "Socialtilsyn " + r]; }));
  fill(fTown, distinct([].concat.apply([], offers.map(function (o) { return o.byer; }))).map(function (b) { return [b, b]; }));
  fill(fGroup, distinct([].concat.apply([], offers.map(function (o) { return o.maalgrupper; }))).map(function (g) { return [g, g]; }));
  var sortKey = "navn", sortDir = 1, page = 0, current = offers.slice();
  var sorters = {
    navn: function (o) { return o.navn; }, by: function (o) { return o.byer[0] || ""; },
    socialtilsyn: function (o) { return o.socialtilsyn; }, status: function (o) { return o.status; }
  };
  function compute() {
    var words = norm(q.value.trim()).split(/\s+/).filter(Boolean);
    var type = fType.value, region = fRegion.value, town = fTown.value, group = fGroup.value, tilsyn = fTilsyn.value;
    current = offers.filter(function (o) {
      for (var i = 0; i < words.length; i++) { if (o._text.indexOf(words[i]) < 0) return false; }
      if (type && o.typer.indexOf(type) < 0) return false;
      if (region && o.socialtilsyn !== region) return false;
      if (town && o.byer.indexOf(town) < 0) return false;
      if (group && o.maalgrupper.indexOf(group) < 0) return false;
      if (tilsyn === "paabud" && !o.paabud) return false;
      if (tilsyn === "skaerpet" && !o.skaerpet) return false;
      if (tilsyn === "ingen" && (o.paabud || o.skaerpet)) return false;
      return true;
    });
    var key = sorters[sortKey];
    current.sort(function (a, b) {
      return sortDir * collator.compare(key(a), key(b)) || collator.compare(a.navn, b.navn) || (a.tilbud < b.tilbud ? -1 : 1);
    });
  }
  function cell(labelText, content) {
    var td = document.createElement("td"); td.setAttribute("data-label", labelText);
    if (typeof content === "string") td.textContent = content; else content.forEach(function (c) { td.appendChild(c); });
    return td;
  }
  function tag(text) { var s = document.createElement("span"); s.className = "tag"; s.textContent = text; return s; }
  function row(o) {
    var tr = document.createElement("tr");
    var a = document.createElement("a"); a.href = o.side; a.textContent = o.navn;
    tr.appendChild(cell("Tilbud", [a]));
    tr.appendChild(cell("Adresse", o.adresser[0] || "-"));
    tr.appendChild(cell("Tilbudstype", o.typer.map(function (t) { return data.typer[t]; }).join("; ")));
    tr.appendChild(cell("Socialtilsyn", "Socialtilsyn " + o.socialtilsyn));
    var status = [document.createTextNode(o.status + " ")];
    if (o.paabud) status.push(tag(o.paabud === 1 ? "påbud" : o.paabud + " påbud"));
    if (o.skaerpet) status.push(tag("skærpet tilsyn"));
    tr.appendChild(cell("Status", status));
    return tr;
  }
  function render() {
    var pages = Math.max(1, Math.ceil(current.length / PAGE));
    page = Math.min(Math.max(page, 0), pages - 1);
    rows.replaceChildren.apply(rows, current.slice(page * PAGE, page * PAGE + PAGE).map(row));
    count.textContent = current.length === offers.length
      ? number.format(offers.length) + " tilbud"
      : number.format(current.length) + " af " + number.format(offers.length) + " tilbud matcher";
    pageInfo.textContent = "Side " + (page + 1) + " af " + pages;
    prev.disabled = page === 0; next.disabled = page >= pages - 1;
    document.querySelectorAll("th[data-sort]").forEach(function (th) {
      var active = th.getAttribute("data-sort") === sortKey;
      th.setAttribute("aria-sort", active ? (sortDir > 0 ? "ascending" : "descending") : "none");
      th.querySelector("span").textContent = active ? (sortDir > 0 ? "▲" : "▼") : "";
    });
  }
  function update() { page = 0; compute(); render(); }
  [q, fType, fRegion, fTown, fGroup, fTilsyn].forEach(function (e) { e.addEventListener("input", update); });
  $("filters").addEventListener("submit", function (event) { event.preventDefault(); update(); });
  reset.addEventListener("click", function () {
    q.value = ""; [fType, fRegion, fTown, fGroup, fTilsyn].forEach(function (s) { s.value = ""; }); update(); q.focus();
  });
  prev.addEventListener("click", function () { page -= 1; render(); if (prev.disabled) next.focus(); });
  next.addEventListener("click", function () { page += 1; render(); if (next.disabled) prev.focus(); });
  document.querySelectorAll("th[data-sort] button").forEach(function (button) {
    button.addEventListener("click", function () {
      var key = button.parentNode.getAttribute("data-sort");
      if (key === sortKey) sortDir = -sortDir; else { sortKey = key; sortDir = 1; }
      page = 0; compute(); render();
    });
  });
  document.getElementById("register").hidden = false;
  compute(); render();
})();
"""


class Site:
    """The pages of one export: the same views, date, audience and ledger position give the same bytes."""

    def __init__(self, views: Sequence[dict[str, Any]], on: dt.date, source: Mapping[str, Any], audience: str = PUBLIC,
                 foster_counts: Sequence[dict[str, Any]] = (), contacts: Mapping[str, Mapping[str, str]] | None = None,
                 changes: Sequence[dict[str, Any]] = (), changes_since: dt.date | None = None) -> None:
        self.views, self.on, self.source, self.audience = list(views), on, dict(source), audience
        self.foster_counts, self.changes = list(foster_counts), list(changes)
        self.changes_since = changes_since or on - dt.timedelta(days=90)
        self.contacts = {**CONTACTS, **(contacts or {})}
        regions = sorted({str(v["socialtilsyn"]) for v in self.views}, key=lambda r: REGIONS.index(r) if r in REGIONS else 9)
        self.regions = regions or list(REGIONS)

    # -- the frame ------------------------------------------------------------------------------
    def page(self, title: str, body: str, depth: int = 0, current: str = "") -> str:
        up = "../" * depth
        links = [("index.html", "Alle tilbud"), ("kontakt.html", "Kontakt og klagevejledning"),
                 ("aendringer.html", "Ændringer"), ("tilgaengelighed.html", "Tilgængelighedserklæring")]
        nav = "".join(
            f"<li><a href=\"{up}{href}\"" + (" aria-current=\"page\"" if href == current else "") + f">{_e(text)}</a></li>"
            for href, text in links)
        robots = "<meta name=\"robots\" content=\"noindex,nofollow\">" if self.audience == AUTHORITIES else ""
        banner = ""
        if self.audience == AUTHORITIES:
            banner = ("<div class=\"banner\" role=\"note\"><strong>Til myndigheder, ikke til offentliggørelse.</strong> "
                      "Udgaven til de kommuner, der anbringer borgere, med plejefamilier, hvis oplysninger "
                      "indberettes til Tilbudsportalen (bek bilag 2); de offentliggøres ikke.</div>")
        publisher = ", ".join(f"Socialtilsyn {r}" for r in self.regions)
        return (
            "<!doctype html>\n<html lang=\"da\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">" + robots +
            f"<title>{_e(title)}</title><link rel=\"alternate\" type=\"application/atom+xml\" title=\"Ændringer\" "
            f"href=\"{up}feed.xml\"><style>{_STYLE}</style></head><body>\n"
            "<a class=\"skip\" href=\"#indhold\">Gå til indholdet</a>"
            f"<header class=\"site\"><div class=\"wrap\"><a class=\"site-title\" href=\"{up}index.html\">Tilbudsportalen</a>"
            f"<p>Godkendte sociale tilbud, offentliggjort af {_e(publisher)} (bek § 1, stk. 5, og § 10)</p>"
            f"<nav class=\"main\" aria-label=\"Hovedmenu\"><ul>{nav}</ul></nav></div></header>\n"
            f"<main id=\"indhold\" tabindex=\"-1\"><div class=\"wrap\">{banner}{body}</div></main>\n"
            f"<footer class=\"site\"><div class=\"wrap\"><p>Udgivet af {_e(publisher)}. "
            f"<a href=\"{up}kontakt.html\">Kontakt</a> · <a href=\"{up}kontakt.html#klagevejledning\">Klagevejledning</a> · "
            f"<a href=\"{up}tilgaengelighed.html\">Tilgængelighedserklæring</a> · <a href=\"{up}feed.xml\">Ændringer (Atom)</a></p>"
            f"<p class=\"muted\">Oplysningerne er pr. {_e(danish_date(self.on))}, beregnet fra reskontroens hændelse nr. "
            f"{_e(self.source.get('position'))}.</p></div></footer>\n</body></html>\n"
        )

    # -- the index ------------------------------------------------------------------------------
    def index_data(self) -> dict[str, Any]:
        types: dict[str, str] = {}
        offers = []
        for v in self.views:
            for t in v["tilbudstyper"]:
                types[t["kode"]] = t["navn"]
            offers.append({
                "tilbud": v["tilbud"], "navn": v["navn"] or "", "side": f"tilbud/{file_key(v['tilbud'])}.html",
                "adresser": [a["adresse"] for a in v["adresser"]], "byer": v["byer"], "socialtilsyn": v["socialtilsyn"],
                "typer": [t["kode"] for t in v["tilbudstyper"]], "maalgrupper": v["maalgrupper"], "status": v["status"],
                "paabud": len(v["paabud"]), "skaerpet": bool(v["skaerpet_tilsyn"]),
            })
        return {"tilbud": offers, "typer": dict(sorted(types.items())), "socialtilsyn": self.regions,
                "sidestoerrelse": PAGE_SIZE}

    def index_page(self) -> str:
        what = "Godkendte tilbud og plejefamilier" if self.audience == AUTHORITIES else "Godkendte tilbud"
        select = "<div class=\"field\"><label for=\"{id}\">{label}</label><select id=\"{id}\"><option value=\"\">{all}</option>{extra}</select></div>"
        tilsyn = ("<option value=\"paabud\">Med påbud</option><option value=\"skaerpet\">Under skærpet tilsyn</option>"
                  "<option value=\"ingen\">Uden påbud og skærpet tilsyn</option>")
        filters = (
            "<form id=\"filters\" class=\"filters\" role=\"search\" aria-label=\"Søg og filtrér tilbud\">"
            "<div class=\"field\"><label for=\"q\">Søg på navn, adresse eller by</label>"
            "<input id=\"q\" type=\"search\" autocomplete=\"off\"></div>"
            + select.format(id="f-type", label="Tilbudstype", all="Alle tilbudstyper", extra="")
            + select.format(id="f-region", label="Socialtilsyn", all="Alle socialtilsyn", extra="")
            + select.format(id="f-by", label="Postnummer og by", all="Alle byer", extra="")
            + select.format(id="f-maalgruppe", label="Målgruppe", all="Alle målgrupper", extra="")
            + select.format(id="f-tilsyn", label="Tilsynsstatus", all="Alle", extra=tilsyn)
            + "<div class=\"field\"><button type=\"button\" class=\"reset\" id=\"reset\">"
            "Nulstil søgning</button></div></form>"
        )
        headers = "".join(
            f"<th scope=\"col\" data-sort=\"{key}\" aria-sort=\"none\"><button type=\"button\">{_e(text)}<span aria-hidden=\"true\"></span></button></th>"
            if key else f"<th scope=\"col\">{_e(text)}</th>"
            for key, text in (("navn", "Tilbud"), ("by", "Adresse"), ("", "Tilbudstype"), ("socialtilsyn", "Socialtilsyn"),
                              ("status", "Status")))
        register = (
            f"<section id=\"register\" aria-labelledby=\"resultater\" hidden>{filters}"
            "<h2 id=\"resultater\">Resultater</h2><p id=\"count\" class=\"count\" role=\"status\" aria-live=\"polite\"></p>"
            f"<table class=\"register\"><caption>{_e(what)} pr. {_e(danish_date(self.on))}. Vælg en kolonneoverskrift for at sortere.</caption>"
            f"<thead><tr>{headers}</tr></thead><tbody id=\"rows\"></tbody></table>"
            "<nav class=\"pager\" aria-label=\"Sider\"><button type=\"button\" id=\"prev\">Forrige side</button>"
            "<span id=\"page-info\"></span><button type=\"button\" id=\"next\">Næste side</button></nav></section>"
        )
        # Without JavaScript, a plain list; inside <noscript> a browser running scripts never builds it.
        fallback = ("<noscript><section aria-labelledby=\"alle\"><h2 id=\"alle\">Alle tilbud</h2><ul>" + "".join(
            f"<li><a href=\"tilbud/{_e(file_key(v['tilbud']))}.html\">{_e(v['navn'])}</a>, "
            f"{_e(v['adresser'][0]['adresse'] if v['adresser'] else '')}</li>" for v in self.views) + "</ul></section></noscript>")
        intro = (f"<h1>{_e(what)}</h1><p>Tilbudsportalen viser de sociale tilbud, som socialtilsynet har godkendt, med "
                 "eventuelle vilkår, påbud og skærpet tilsyn og socialtilsynets vurdering af kvaliteten. "
                 f"Oplysningerne er pr. {_e(danish_date(self.on))}.</p>")
        foster = self.foster_section() if self.audience == PUBLIC else ""
        body = (intro + register + fallback + foster
                + f"<script id=\"data\" type=\"application/json\">{script_json(self.index_data())}</script>"
                + f"<script id=\"app\">{_SCRIPT}</script>")
        return self.page("Tilbudsportalen: " + what.lower(), body, current="index.html")

    def foster_section(self) -> str:
        rows = "".join(f"<tr><td>Socialtilsyn {_e(c['socialtilsyn'])}</td><td>{_e(c['tilbudstype'])}</td><td>{_e(c['vist_som'])}</td></tr>"
                       for c in self.foster_counts)
        table = (f"<table><caption>Godkendte plejefamilier pr. {_e(danish_date(self.on))}</caption><thead><tr>"
                 "<th scope=\"col\">Socialtilsyn</th><th scope=\"col\">Type</th><th scope=\"col\">Antal</th></tr></thead>"
                 f"<tbody>{rows}</tbody></table>") if rows else "<p>Ingen godkendte plejefamilier.</p>"
        return ("<section aria-labelledby=\"plejefamilier\"><h2 id=\"plejefamilier\">Plejefamilier</h2>"
                "<p>En plejefamilie er et privat hjem. Oplysninger om plejefamilier indberettes til Tilbudsportalen "
                "(bek bilag 2) og stilles til rådighed for de kommuner, der anbringer børn og unge; de offentliggøres ikke. "
                f"Her vises kun antallet pr. socialtilsyn og type; et antal under {SMALLEST_COUNT_SHOWN} vises som "
                f"\u201dfærre end {SMALLEST_COUNT_SHOWN}\u201d.</p>{table}</section>")

    # -- an offer -------------------------------------------------------------------------------
    def offer_page(self, view: dict[str, Any]) -> str:
        region = str(view["socialtilsyn"])
        quality = view["kvalitetsvurdering"]
        facts: list[tuple[str, str]] = [
            ("Tilbudstype", "<br>".join(_e(t["navn"]) for t in view["tilbudstyper"])),
            ("Målgruppe", "<br>".join(_e(g) for g in view["maalgrupper"]) or "-"),
            ("Ejerform", _e(view["ejerform"])),
            ("Pladser", _e(view["pladser"])),
            ("Adresse" if len(view["adresser"]) == 1 else "Adresser",
             "<br>".join(f"{_e(a['afdeling'])}: {_e(a['adresse'])}" for a in view["adresser"]) or "-"),
            ("Status", f"{_e(view['status'])} siden {_e(danish_date(view['godkendt']))}"),
            ("Seneste tilsynsbesøg", _e(danish_date(view["seneste_tilsynsbesoeg"])) if view["seneste_tilsynsbesoeg"] else "Intet endnu"),
            ("Socialtilsyn", f"<a href=\"../kontakt.html#{_e(file_key(region))}\">Socialtilsyn {_e(region)}</a>"),
        ]
        parts = [
            "<nav aria-label=\"Brødkrumme\"><a href=\"../index.html\">Alle tilbud</a> › <span aria-current=\"page\">"
            f"{_e(view['navn'])}</span></nav><h1>{_e(view['navn'])}</h1>",
            "<dl class=\"facts\">" + "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>",
            "<h2>Vilkår for godkendelsen</h2>" + (
                "<ul>" + "".join(f"<li>{_e(v['tekst'])}" + (f" (frist {_e(danish_date(v['frist']))})" if v["frist"] else "") + "</li>"
                                 for v in view["vilkaar"]) + "</ul>" if view["vilkaar"] else "<p>Ingen vilkår.</p>"),
            "<h2>Påbud</h2>" + (
                "<ul>" + "".join(f"<li>{_e(p['forhold'])} (frist {_e(danish_date(p['frist']))})</li>" for p in view["paabud"]) + "</ul>"
                if view["paabud"] else "<p>Ingen påbud.</p>"),
            "<h2>Skærpet tilsyn</h2>" + (
                "<ul>" + "".join(f"<li>Fra {_e(danish_date(s['fra']))} til og med {_e(danish_date(s['til']))}</li>"
                                 for s in view["skaerpet_tilsyn"]) + "</ul>" if view["skaerpet_tilsyn"] else "<p>Tilbuddet er ikke under skærpet tilsyn.</p>"),
            "<h2>Socialtilsynets kvalitetsvurdering</h2>",
        ]
        if quality:
            occasion = "godkendelsen" if quality["anledning"] == "godkendelse" else "driftsorienteret tilsyn"
            parts.append(f"<p>Vurderet {_e(danish_date(quality['dato']))} ved {_e(occasion)}.</p>")
            parts.append("".join(f"<h3>{_e(t['tema'])}</h3><p>{_e(t['vurdering'])}</p>" for t in quality["temaer"]))
        else:
            parts.append("<p>Der er endnu ikke offentliggjort en kvalitetsvurdering.</p>")
        parts.append(f"<p class=\"muted\">Oplysningerne er pr. {_e(danish_date(self.on))}. Tilbuddets nummer: {_e(view['tilbud'])}.</p>")
        return self.page(f"{view['navn']}: Tilbudsportalen", "\n".join(parts), depth=1)

    # -- who publishes, the statement, the changes -----------------------------------------------
    def contact_page(self) -> str:
        blocks = []
        for region in self.regions:
            contact = self.contacts.get(region, {})
            lines = [f"Socialtilsyn {region}"] + [contact[k] for k in ("vaert", "adresse", "telefon", "email", "web") if contact.get(k)]
            blocks.append(f"<h3 id=\"{_e(file_key(region))}\">Socialtilsyn {_e(region)}</h3><address>"
                          + "<br>".join(_e(line) for line in lines[1:]) + "</address>")
        body = (
            "<h1>Kontakt og klagevejledning</h1>"
            "<p>Tilbudsportalens oplysninger om tilbuddene offentliggøres af det socialtilsyn, der har godkendt "
            "tilbuddet og fører tilsyn med det (bek § 10). Hvert socialtilsyn er en del af en værtskommune.</p>"
            "<h2>Socialtilsynene</h2>" + "".join(blocks) +
            "<h2 id=\"klagevejledning\">Klagevejledning</h2>"
            "<p>Er du som ejer eller leder af et tilbud uenig i en afgørelse fra socialtilsynet, kan du klage til "
            "Ankestyrelsen. Klagen sendes til det socialtilsyn, der har truffet afgørelsen, senest 4 uger efter at du "
            "har modtaget den. Socialtilsynet vurderer sagen igen, og fastholder det afgørelsen, sender det klagen "
            "videre til Ankestyrelsen.</p>"
            "<p>Ankestyrelsen kan behandle klager over afgørelsens indhold og over den måde, sagen er behandlet på. "
            "Ankestyrelsen kan ikke behandle klager over for eksempel sagsbehandlingstiden eller personalets optræden; "
            "dem kan du rette til socialtilsynets ledelse.</p>"
        )
        return self.page("Kontakt og klagevejledning: Tilbudsportalen", body, current="kontakt.html")

    def statement_page(self) -> str:
        publisher = ", ".join(f"Socialtilsyn {r}" for r in self.regions)
        body = (
            "<h1>Tilgængelighedserklæring</h1>"
            f"<p>{_e(publisher)} ønsker, at alle kan bruge Tilbudsportalens sider, i overensstemmelse med lov om "
            "tilgængelighed af offentlige organers websteder og mobilapplikationer. Denne erklæring gælder for de sider, "
            "der er dannet med <code>ledger portal export</code>: forsiden med søgning, siderne om de enkelte tilbud, "
            "kontaktsiden og denne side.</p>"
            "<h2>Overholdelsesstatus</h2><p>Siderne er delvist i overensstemmelse med standarden EN 301 549 "
            "(WCAG 2.1 niveau AA). Siderne er testet automatisk, men ikke af brugere med hjælpemidler.</p>"
            "<h2>Sådan er siderne testet</h2><ul>"
            "<li>Automatisk test med axe-core mod WCAG 2.1 A og AA i Chromium på forsiden, en tilbudsside og denne side, "
            "hver gang siderne ændres; ingen fejl fundet.</li>"
            "<li>Betjening med tastaturet alene: søgning, filtre, sortering og sider.</li>"
            "<li>Visning i 360 pixels bredde uden vandret rulning, og i 1280 pixels bredde.</li></ul>"
            "<h2>Kendte begrænsninger</h2><ul>"
            "<li>Siderne er ikke testet med skærmlæser af brugere.</li>"
            "<li>Tekster, som tilbuddene og socialtilsynet har skrevet (for eksempel kvalitetsvurderinger), vises "
            "som de er skrevet og kan være svære at læse.</li></ul>"
            "<h2>Feedback og kontakt</h2><p>Oplever du problemer med tilgængeligheden, så skriv til det socialtilsyn, "
            "der har godkendt tilbuddet; se <a href=\"kontakt.html\">kontakt</a>.</p>"
            "<h2>Håndhævelse</h2><p>Digitaliseringsstyrelsen fører tilsyn med, at offentlige myndigheders websteder "
            "overholder loven, og kan modtage din klage, hvis du ikke får et tilfredsstillende svar.</p>"
            f"<p class=\"muted\">Erklæringen er dannet {_e(danish_date(self.on))} sammen med siderne.</p>"
        )
        return self.page("Tilgængelighedserklæring: Tilbudsportalen", body, current="tilgaengelighed.html")

    def _change_text(self, change: Mapping[str, Any]) -> str:
        kind = change["art"]
        if kind == "paabud":
            return f"Påbud: {change['forhold']} (frist {danish_date(change['frist'])})."
        if kind == "skaerpet_tilsyn":
            return f"Skærpet tilsyn fra {danish_date(change['fra'])} til og med {danish_date(change['til'])}."
        if kind == "godkendt":
            return "Tilbuddet er godkendt."
        if kind == "ophoert":
            return "Socialtilsynet har truffet afgørelse om ophør af godkendelsen; tilbuddet er taget af Tilbudsportalen."
        return "Tilbuddet er lukket og er taget af Tilbudsportalen."

    def _change_link(self, change: Mapping[str, Any]) -> str | None:
        shown = {str(v["tilbud"]) for v in self.views}
        return f"tilbud/{file_key(str(change['tilbud']))}.html" if str(change["tilbud"]) in shown else None

    def changes_page(self) -> str:
        items = []
        for change in self.changes:
            link = self._change_link(change)
            name = f"<a href=\"{_e(link)}\">{_e(change['navn'])}</a>" if link else _e(change["navn"])
            items.append(f"<li><strong>{_e(danish_date(change['dato']))}</strong>: {name} (Socialtilsyn {_e(change['socialtilsyn'])}). "
                         f"{_e(self._change_text(change))}</li>")
        body = (f"<h1>Ændringer</h1><p>Godkendelser, påbud, skærpet tilsyn og ophør efter {_e(danish_date(self.changes_since))} "
                f"til og med {_e(danish_date(self.on))}, nyeste først. Samme liste som <a href=\"feed.xml\">Atom-feed</a>.</p>"
                + ("<ul>" + "".join(items) + "</ul>" if items else "<p>Ingen ændringer i perioden.</p>"))
        return self.page("Ændringer: Tilbudsportalen", body, current="aendringer.html")

    def feed(self) -> str:
        """An Atom feed (RFC 4287) of the changes; ids and times follow from the ledger alone."""
        position = self.source.get("position")
        feed_id = uuid.uuid5(FEED_NAMESPACE, f"{self.audience}|{','.join(self.regions)}")
        updated = f"{self.on.isoformat()}T00:00:00Z"
        entries = []
        for change in self.changes:
            entry_id = uuid.uuid5(FEED_NAMESPACE, f"{change['tilbud']}|{change['nummer']}|{change['art']}")
            link = self._change_link(change)
            title = f"{change['titel']}: {change['navn']}"
            entries.append(
                "<entry>"
                f"<id>urn:uuid:{entry_id}</id><title>{_e(title)}</title>"
                f"<updated>{change['dato']}T00:00:00Z</updated>"
                + (f"<link rel=\"alternate\" type=\"text/html\" href=\"{_e(link)}\"/>" if link else "")
                + f"<category term=\"{_e(change['art'])}\" label=\"{_e(change['titel'])}\"/>"
                f"<summary>{_e(self._change_text(change))} Socialtilsyn {_e(change['socialtilsyn'])}.</summary>"
                "</entry>\n")
        publisher = ", ".join(f"Socialtilsyn {r}" for r in self.regions)
        return (
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"da\">\n"
            f"<id>urn:uuid:{feed_id}</id><title>Tilbudsportalen: ændringer efter {_e(danish_date(self.changes_since))}</title>"
            f"<subtitle>Beregnet fra reskontroens hændelse nr. {_e(position)}</subtitle>"
            f"<updated>{updated}</updated><author><name>{_e(publisher)}</name></author>"
            "<link rel=\"self\" href=\"feed.xml\"/><link rel=\"alternate\" type=\"text/html\" href=\"aendringer.html\"/>\n"
            + "".join(entries) + "</feed>\n"
        )

    def portal_json(self) -> str:
        portal: dict[str, Any] = {
            "tilbudsportal": "offentlige oplysninger efter bek § 1 stk 5 og § 10" if self.audience == PUBLIC
            else "til myndigheder: tilbud og plejefamilier (bek § 10, bilag 2); ikke til offentliggørelse",
            "publikum": self.audience, "pr_dato": self.on.isoformat(), "beregnet_fra": self.source,
            "tilbud": self.views,
        }
        if self.audience == PUBLIC:
            portal["plejefamilier"] = self.foster_counts
        portal["aendringer"] = {"efter": self.changes_since.isoformat(), "til_og_med": self.on.isoformat(), "aendringer": self.changes}
        return orjson.dumps(portal, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"

    def write(self, out: Path) -> list[Path]:
        """Write the site under `out` (temporary files renamed into place, no link followed out of
        `out`); pages of offers no longer shown are removed."""
        writer = SiteWriter(out)
        writer.write("portal.json", self.portal_json().encode("utf-8"))
        writer.write("index.html", self.index_page().encode("utf-8"))
        writer.write("kontakt.html", self.contact_page().encode("utf-8"))
        writer.write("tilgaengelighed.html", self.statement_page().encode("utf-8"))
        writer.write("aendringer.html", self.changes_page().encode("utf-8"))
        writer.write("feed.xml", self.feed().encode("utf-8"))
        pages = [writer.write(f"tilbud/{file_key(v['tilbud'])}.html", self.offer_page(v).encode("utf-8")) for v in self.views]
        writer.remove_stale("tilbud", [".html", ".tmp"], pages)  # an offer no longer shown must not linger
        return writer.written
