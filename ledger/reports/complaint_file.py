"""The case file (klagesag) Socialtilsynet sends to Ankestyrelsen with an upheld complaint.

DOMAIN.md, "Complaints: deadlines and effect": the file holds the complaint, the decision with its
reasons and legal basis, the dialog and hearing that preceded it, and the case's full chronology.
Everything here is built from one offer's events only (`build_case_file`), as plain data; the
Markdown, JSON and PDF renderings are made from that data, so they hold the same content.

Regenerating the file from the same ledger gives the same bytes: there is no generation time.
The file states instead which ledger state it was computed from (the case's last event, and its
position and chain hash when the caller knows them).

The deadlines are judged by the rulebook in force on the complaint's date (bek-2017: 4 weeks to
complain from receiving the decision; 4 weeks to reconsider and forward from receiving the
complaint).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ledger.aggregates.state import CaseState, fold_order
from ledger.errors import InvalidInput, NotFound
from ledger.events import offer as ev
from ledger.events.base import LedgerEvent
from ledger.events.vocab import label
from ledger.reports import markdown as md
from ledger.reports.filenames import file_key
from ledger.reports.history import history_entries, local_time
from ledger.rulebook import Rulebook, Rulebooks

FORMAT = "klagesag/v1"
_COMPLAINT_REF = re.compile(r"^[Kk](\d{1,6})$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")

FORMS = {"moede": "Dialogmøde", "skriftlig": "Skriftlig dialog", "partshoering": "Partshøring"}
REVIEW = {"fastholdt": "Afgørelsen fastholdes", "aendret": "Afgørelsen ændres"}
# Outcomes of Ankestyrelsen that end the decision's effect (as CaseState folds them).
_WITHDRAWING = {"aendret", "ophaevet", "hjemvist"}
_NOTIFY_KINDS = {"PaabudUdstedt", "PaabudOphaevet", "SkaerpetTilsynIvaerksat", "GodkendelseOphoert"}

# The decision's own fields, in Danish, for the section on the decision.
FIELD_LABELS: dict[str, str] = {
    "virkning_fra": "Virkning fra",
    "baggrund": "Baggrund",
    "paabud": "Påbud",
    "forhold": "Forhold, der skal rettes",
    "frist": "Frist",
    "karakter": "Karakter",
    "forventes_rettet": "Forventes at kunne og ville rette op (bek § 8 stk 2)",
    "skaerpet_tilsyn": "Skærpet tilsyn",
    "periode_fra": "Periode fra",
    "periode_til": "Periode til",
    "vilkaar": "Vilkår",
    "tekst": "Vilkårets tekst",
    "pladser": "Pladser",
    "budgetaar": "Budgetår",
    "kriterier": "Kriterier (bek § 16 stk 2)",
    "kontroller": "Kontroller (bek § 16 stk 3)",
    "kommune": "Kommune",
    "akut_fra": "Akut anvendelse fra",
    "aendring": "Ændring",
    "fravigelse": "Fravigelse",
    "betingelser": "Betingelser",
    "anmodning_modtaget": "Anmodning modtaget",
}
_LABELLED = {"baggrund", "karakter", "straks_grund", "emne", "udfald"}
_NOT_DETAILS = {
    "begrundelse", "note", "dialog", "straks", "straks_grund", "straks_begrundelse",
    "kommuner_orienteret", "kommuner_underrettet",
}


# -- names ------------------------------------------------------------------------------------
def parse_complaint_ref(text: str, offer: str | None = None) -> tuple[str, str]:
    """'T-1004/K1' -> ('T-1004', 'K1'); with offer='T-1004', 'K1' alone is enough.

    An offer id may itself hold '/', so the complaint is what follows the last '/'."""
    text = (text or "").strip()
    head, sep, tail = text.rpartition("/")
    match = _COMPLAINT_REF.match(tail)
    if offer is not None:
        if sep and head != offer:
            raise InvalidInput(f"{text!r} names offer {head!r}, but --offer is {offer!r}")
        if match is None:
            raise InvalidInput(f"{text!r} is not a complaint reference: write K1 (with --offer) or {offer}/K1")
        return offer, f"K{int(match.group(1))}"
    if not sep or not head or match is None:
        raise InvalidInput(f"{text!r} is not a complaint reference: write OFFER/Kn, for example T-1004/K1")
    return head, f"K{int(match.group(1))}"


def slug(text: str) -> str:
    """A file-name-safe form of an id: every character outside [A-Za-z0-9._-] becomes '_'."""
    safe = _UNSAFE.sub("_", text)
    return safe if safe.strip(".") else safe.replace(".", "_")


def file_stem(offer: str, klage: str) -> str:
    return f"klagesag-{file_key(offer)}-{file_key(klage)}"


# -- deadlines --------------------------------------------------------------------------------
def _plus_weeks(day: str, weeks: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(weeks=weeks)).isoformat()


def _days_between(first: str, last: str) -> int:
    return (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days


def _verdict(done: str | None, due: str) -> dict[str, Any]:
    """Whether a step taken on `done` kept its deadline `due` (None: not taken yet)."""
    if done is None:
        return {"dato": None, "frist": due, "overholdt": None, "vurdering": f"afventer; skal ske senest {due}"}
    if done <= due:
        return {"dato": done, "frist": due, "overholdt": True, "vurdering": f"overholdt (frist {due})"}
    late = _days_between(due, done)
    return {
        "dato": done, "frist": due, "overholdt": False,
        "vurdering": f"ikke overholdt: {done} er {late} dag{'e' if late != 1 else ''} efter fristen {due}",
    }


def complaint_progress(ref: str, c: Mapping[str, Any], rulebooks: Rulebooks) -> dict[str, Any]:
    """One complaint's dates, deadlines and what is still pending, from the case state alone.

    `c` is `CaseState.complaints[ref]`. The rules are those in force on the complaint's date."""
    received: str = c["received"]
    rules = rulebooks.in_force(dt.date.fromisoformat(received))
    due_complaint = _plus_weeks(c["decision_received"], rules.complaint_deadline_weeks)
    in_time = received <= due_complaint
    klage = {
        "afgoerelse_modtaget": c["decision_received"],
        "dato": received,
        "frist": due_complaint,
        "overholdt": in_time,
        "uger": rules.complaint_deadline_weeks,
        "registreret_for_sent": bool(c["late"]),
        "vurdering": (
            f"rettidig (frist {due_complaint}: {rules.complaint_deadline_weeks} uger efter at afgørelsen "
            f"blev modtaget {c['decision_received']})"
            if in_time
            else f"for sent: modtaget {_days_between(due_complaint, received)} dage efter fristen {due_complaint} "
            f"({rules.complaint_deadline_weeks} uger efter at afgørelsen blev modtaget {c['decision_received']})"
        ),
    }
    review = {
        **_verdict(c["genvurderet"], _plus_weeks(received, rules.reconsideration_weeks)),
        "uger": rules.reconsideration_weeks,
        "udfald": c["udfald"],
        "udfald_tekst": REVIEW.get(c["udfald"] or "", None),
    }
    due_forward = _plus_weeks(received, rules.forward_deadline_weeks)
    forward: dict[str, Any] = {**_verdict(c["videresendt"], due_forward), "uger": rules.forward_deadline_weeks}
    if c["videresendt"] is None:
        if c["udfald"] == "aendret":
            forward.update(frist=None, vurdering="ikke relevant: afgørelsen blev ændret ved genvurderingen")
        elif c["genvurderet"] is None:
            forward["vurdering"] = f"afventer genvurderingen; fastholdes afgørelsen, skal klagen videresendes senest {due_forward}"
    anke: dict[str, Any] = {"dato": c["anke"], "udfald": c["anke_udfald"],
                            "udfald_tekst": label(c["anke_udfald"]) if c["anke_udfald"] else None}
    pending: list[str] = []
    if c["anke"] is not None:
        status = "afgjort_af_ankestyrelsen"
        text = f"Afsluttet: Ankestyrelsen har truffet afgørelse {c['anke']} ({label(c['anke_udfald']).lower()})"
        anke["vurdering"] = f"{label(c['anke_udfald'])} ({c['anke']})"
    elif c["udfald"] == "aendret":
        status = "aendret_ved_genvurdering"
        new = f" (ny afgørelse #{c['ny_afgoerelse']})" if c.get("ny_afgoerelse") else ""
        text = f"Afsluttet: Socialtilsynet ændrede afgørelsen ved genvurderingen {c['genvurderet']}{new}"
        anke["vurdering"] = "ikke relevant: klagen er ikke videresendt"
    elif c["genvurderet"] is None:
        status = "afventer_genvurdering"
        text = f"Verserer: afventer Socialtilsynets genvurdering (senest {review['frist']})"
        pending.append(f"Socialtilsynets genvurdering af afgørelsen (skal ske senest {review['frist']})")
        pending.append(f"Videresendelse til Ankestyrelsen, hvis afgørelsen fastholdes (senest {due_forward})")
        pending.append("Ankestyrelsens afgørelse, hvis klagen videresendes")
        anke["vurdering"] = "afventer"
    elif c["videresendt"] is None:
        status = "afventer_videresendelse"
        text = f"Verserer: afgørelsen er fastholdt og skal videresendes til Ankestyrelsen senest {due_forward}"
        pending.append(f"Videresendelse af klagen og sagens akter til Ankestyrelsen (skal ske senest {due_forward})")
        pending.append("Ankestyrelsens afgørelse")
        anke["vurdering"] = "afventer"
    else:
        status = "hos_ankestyrelsen"
        text = f"Verserer: videresendt til Ankestyrelsen {c['videresendt']}; afventer Ankestyrelsens afgørelse"
        pending.append("Ankestyrelsens afgørelse")
        anke["vurdering"] = "afventer"
    return {
        "klage": ref,
        "afgoerelse": c["decision"],
        "klager": c["klager"],
        "emne": c["emne"],
        "regelsaet": rules.id,
        "klagefrist": klage,
        "genvurdering": review,
        "videresendelse": forward,
        "ankestyrelsen": anke,
        "status": status,
        "status_tekst": text,
        "afventer": pending,
    }


def complaint_rows(state: CaseState, rulebooks: Rulebooks, *, open_only: bool = False) -> list[dict[str, Any]]:
    """The complaints of one case with their state and deadlines, for `ledger complaint list`."""
    rows = []
    for ref in sorted(state.complaints, key=lambda r: int(r[1:])):
        c = state.complaints[ref]
        progress = complaint_progress(ref, c, rulebooks)
        if open_only and not progress["afventer"]:
            continue
        decision = state.decisions.get(str(c["decision"]), {})
        rows.append({
            "tilbud": state.key, "navn": state.profile.get("navn"),
            "afgoerelse_titel": decision.get("title"), "afgoerelse_dato": decision.get("date"),
            **progress,
        })
    return rows


def render_list_text(rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return "No complaints."
    lines = []
    for r in rows:
        lines.append(
            f"{r['tilbud']}/{r['klage']}  over afgørelse #{r['afgoerelse']} {r['afgoerelse_titel'] or ''} "
            f"({r['afgoerelse_dato'] or '-'}), klager: {r['klager']}"
        )
        k, g, v, a = r["klagefrist"], r["genvurdering"], r["videresendelse"], r["ankestyrelsen"]
        lines.append(f"    klage modtaget {k['dato']}: {k['vurdering']}")
        review = f"{g['dato']}: {g['udfald_tekst'].lower()}; {g['vurdering']}" if g["dato"] else g["vurdering"]
        lines.append(f"    genvurdering: {review}")
        lines.append(f"    videresendelse: {v['vurdering']}")
        lines.append(f"    Ankestyrelsen: {a['vurdering']}")
        lines.append(f"    status: {r['status_tekst']}")
    return "\n".join(lines)


# -- the case file as data ----------------------------------------------------------------------
def _yes_no(value: bool) -> str:
    return "ja" if value else "nej"


def _format_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return _yes_no(value)
    if name in _LABELLED and isinstance(value, str):
        return label(value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_format_value(k, v)}" for k, v in value.items()) or "-"
    if isinstance(value, (list, tuple)):
        parts = []
        for item in value:
            if isinstance(item, Mapping) and "id" in item:
                text = f"{item['id']}: {item.get('tekst') or item.get('navn') or ''}".rstrip(": ")
                if item.get("frist"):
                    text += f" (frist {item['frist']})"
                if item.get("adresse"):
                    text += f", {item['adresse']}"
                parts.append(text)
            else:
                parts.append(_format_value(name, item))
        return "; ".join(parts) or "-"
    return str(value)


def _details(event: LedgerEvent) -> list[dict[str, Any]]:
    fields = []
    for name, value in event.payload().items():
        if name in _NOT_DETAILS or value in ((), [], {}):
            continue
        fields.append({"felt": name, "navn": FIELD_LABELS.get(name, name), "vaerdi": value,
                       "tekst": _format_value(name, value)})
    return fields


def _recorded(event: LedgerEvent) -> dict[str, Any]:
    """Where an event is in the ledger: its number, dates, who recorded it, and any correction."""
    data: dict[str, Any] = {
        "nummer": event.originator_version,
        "dato": event.effective_date.isoformat(),
        "registreret": local_time(event.timestamp),
        "registreret_af": event.recorded_by,
    }
    if event.supersedes is not None:
        data["erstatter"] = {"nummer": event.supersedes, "begrundelse": event.correction_reason}
    return data


def _rulebook_info(rulebooks: Rulebooks, rulebook_id: str) -> dict[str, Any]:
    try:
        book: Rulebook = rulebooks.by_id(rulebook_id)
    except InvalidInput:
        return {"id": rulebook_id, "titel": None, "gaelder_fra": None}
    return {"id": book.id, "titel": book.title, "gaelder_fra": book.valid_from.isoformat()}


def _corrections(events: Sequence[LedgerEvent]) -> dict[int, LedgerEvent]:
    """Which event annuls or supersedes which."""
    found: dict[int, LedgerEvent] = {}
    for event in events:
        if isinstance(event, ev.RegistreringAnnulleret):
            found[event.annulleret] = event
        elif event.supersedes is not None:
            found[event.supersedes] = event
    return found


def _period_start(state: CaseState, decision: LedgerEvent) -> str:
    """The start of the approval (or, for a decision on an application, of the application) in
    force when the decision was made: the dialogs of that period preceded the decision."""
    day = decision.effective_date.isoformat()
    best: tuple[str, int] | None = None
    for phase in state.phases:
        if phase["kind"] not in ("ansoegt", "godkendt") or phase["version"] == decision.originator_version:
            continue
        if phase["start"] <= day and (best is None or (phase["start"], phase["version"]) > best):
            best = (phase["start"], phase["version"])
    return best[0] if best else (state.first_applied or day)


def _before(event: LedgerEvent, decision: LedgerEvent) -> bool:
    """Effective before the decision (on its day: recorded as an earlier event of the case)."""
    if event.effective_date != decision.effective_date:
        return event.effective_date < decision.effective_date
    return event.originator_version < decision.originator_version


def not_found_message(case_key: str, klage: str, state: CaseState, events: Sequence[LedgerEvent]) -> str:
    """Why there is no such complaint, and which complaints the offer has."""
    received = {e.originator_version: e.klage for e in events if isinstance(e, ev.KlageModtaget)}
    annulled = {received[e.annulleret]: e.originator_version for e in events
                if isinstance(e, ev.RegistreringAnnulleret) and e.annulleret in received}
    if klage in annulled and klage not in state.complaints:
        head = f"complaint {klage} of offer {case_key} was annulled (#{annulled[klage]}), so it has no case file"
    else:
        head = f"offer {case_key} has no complaint {klage}"
    if not state.complaints:
        return f"{head}; the offer has no complaints"
    listed = ", ".join(
        f"{ref} (over afgørelse #{c['decision']}, modtaget {c['received']})"
        for ref, c in sorted(state.complaints.items(), key=lambda item: int(item[0][1:]))
    )
    return f"{head}; its complaints are: {listed}"


def build_case_file(
    case: Any, klage: str, rulebooks: Rulebooks, position: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The case file for complaint `klage` of an offer's case (an `Offer` aggregate with `.events`
    and `.state`), as plain data. `position` may add where the case stands in the whole ledger
    (`position`, `ledger_hash`, `digest`)."""
    events: list[LedgerEvent] = list(case.events)
    state: CaseState = case.state
    key = state.key or ""
    complaint = state.complaints.get(klage)
    if complaint is None:
        raise NotFound(not_found_message(key, klage, state, events))
    live = fold_order(events)
    corrected = _corrections(events)

    def own(kind: type[LedgerEvent]) -> LedgerEvent | None:
        found = [e for e in live if isinstance(e, kind) and getattr(e, "klage", None) == klage]
        return found[-1] if found else None

    received_event = own(ev.KlageModtaget)
    review_event = own(ev.KlageGenvurderet)
    forward_event = own(ev.KlageVideresendt)
    anke_event = own(ev.AnkestyrelsensAfgoerelse)
    assert isinstance(received_event, ev.KlageModtaget)
    decision = case.event(complaint["decision"])
    if decision is None:
        raise NotFound(f"complaint {klage} names decision #{complaint['decision']}, which the case does not hold")

    progress = complaint_progress(klage, complaint, rulebooks)
    remarks: list[str] = []
    last = events[-1]
    region = state.profile.get("region") or ""
    authority = f"Socialtilsyn {region}".strip()

    # 1. Parties, decision, subject, dates ------------------------------------------------------
    parties = {
        "klager": complaint["klager"],
        "tilbud": {
            "id": key,
            "navn": state.profile.get("navn"),
            "tilbudstyper": [{"kode": t, "tekst": label(t)} for t in state.profile.get("tilbudstyper", [])],
            "pladser": state.profile.get("pladser"),
            "ejerform": state.profile.get("ejerform"),
            "ejerform_tekst": label(state.profile.get("ejerform") or ""),
            "region": region,
            "koncern": state.profile.get("koncern"),
            "afdelinger": [
                {"id": ref, "navn": a["navn"], "adresse": a["adresse"]}
                for ref, a in sorted(state.afdelinger.items(), key=lambda item: int(item[0][1:] or 0))
            ],
        },
        "myndighed": {"navn": authority, "rolle": "Socialtilsynet, der har truffet den påklagede afgørelse"},
        "klageinstans": "Ankestyrelsen",
    }
    decision_head = {
        "nummer": decision.originator_version,
        "titel": decision.title,
        "dato": decision.effective_date.isoformat(),
        "paragraf": decision.paragraph,
        "regelsaet": decision.rulebook,
    }
    dates = [
        {"hvad": "Afgørelsen truffet", "nummer": decision.originator_version,
         "dato": decision.effective_date.isoformat(), "frist": None, "overholdt": None,
         "vurdering": decision.title},
        {"hvad": "Afgørelsen modtaget af tilbuddet", "nummer": received_event.originator_version,
         "dato": complaint["decision_received"], "frist": None, "overholdt": None,
         "vurdering": "oplyst ved klagens modtagelse"},
        {"hvad": "Klagen modtaget", "nummer": received_event.originator_version,
         "dato": complaint["received"], "frist": progress["klagefrist"]["frist"],
         "overholdt": progress["klagefrist"]["overholdt"], "vurdering": progress["klagefrist"]["vurdering"]},
    ]
    g = progress["genvurdering"]
    review_text = g["vurdering"] if g["dato"] is None else f"{g['udfald_tekst']}; {g['vurdering']}"
    dates.append({"hvad": "Genvurdering", "nummer": review_event.originator_version if review_event else None,
                  "dato": g["dato"], "frist": g["frist"], "overholdt": g["overholdt"], "vurdering": review_text})
    f = progress["videresendelse"]
    dates.append({"hvad": "Videresendt til Ankestyrelsen",
                  "nummer": forward_event.originator_version if forward_event else None,
                  "dato": f["dato"], "frist": f["frist"], "overholdt": f["overholdt"], "vurdering": f["vurdering"]})
    a = progress["ankestyrelsen"]
    dates.append({"hvad": "Ankestyrelsens afgørelse", "nummer": anke_event.originator_version if anke_event else None,
                  "dato": a["dato"], "frist": None, "overholdt": None, "vurdering": a["vurdering"]})

    k = progress["klagefrist"]
    if k["overholdt"] == k["registreret_for_sent"]:
        remarks.append(
            f"Klagen er ved registreringen markeret som {'for sent' if k['registreret_for_sent'] else 'rettidig'}, "
            f"men efter regelsættet {progress['regelsaet']} er den {'rettidig' if k['overholdt'] else 'for sent'}."
        )
    if not k["overholdt"]:
        remarks.append(f"Klagen er modtaget efter klagefristen ({k['frist']}).")
    if f["overholdt"] is False:
        remarks.append(f"Klagen er videresendt efter fristen: {f['vurdering']}.")
    if g["overholdt"] is False:
        remarks.append(f"Genvurderingen er sket efter fristen: {g['vurdering']}.")
    for number in (decision.originator_version, received_event.originator_version):
        if number in corrected and isinstance(corrected[number], ev.RegistreringAnnulleret):
            remarks.append(f"Hændelse #{number} er annulleret (#{corrected[number].originator_version}).")

    # 2. The decision ---------------------------------------------------------------------------
    straks = bool(getattr(decision, "straks", False))
    decision_data: dict[str, Any] = {
        **_recorded(decision),
        "titel": decision.title,
        "resume": decision.summary(),
        "paragraf": decision.paragraph,
        "regelsaet": _rulebook_info(rulebooks, decision.rulebook),
        "begrundelse": decision.begrundelse,
        "straks": straks,
        "straks_grund": None,
        "straks_begrundelse": None,
        "felter": _details(decision),
        "navngivne_dialoger": list(getattr(decision, "dialog", ()) or ()),
        "tilhoerende_paabud": [],
        "note": decision.note,
        "virkning_af_klagen": _effect(decision, complaint),
    }
    if straks:
        grund = getattr(decision, "straks_grund", None)
        code = grund.value if grund is not None else None
        decision_data["straks_grund"] = {"kode": code, "tekst": label(code) if code else None}
        decision_data["straks_begrundelse"] = getattr(decision, "straks_begrundelse", None)
    if isinstance(decision, ev.SkaerpetTilsynIvaerksat):
        for e in live:
            if isinstance(e, ev.PaabudUdstedt) and e.skaerpet_tilsyn == decision.skaerpet_tilsyn:
                decision_data["tilhoerende_paabud"].append({
                    **_recorded(e), "paabud": e.paabud, "forhold": e.forhold, "frist": e.frist.isoformat(),
                    "karakter": label(e.karakter), "begrundelse": e.begrundelse,
                })
    if decision.originator_version in corrected:
        by = corrected[decision.originator_version]
        how = "annulleret" if isinstance(by, ev.RegistreringAnnulleret) else "erstattet"
        decision_data["rettet"] = {"hvordan": how, "af": by.originator_version, "begrundelse": by.correction_reason}

    # 3. Dialog and hearing that preceded it ----------------------------------------------------
    since = _period_start(state, decision)
    named = set(decision_data["navngivne_dialoger"])
    opened = [
        e for e in live
        if isinstance(e, ev.DialogIndledt)
        and (e.dialog in named or (e.effective_date.isoformat() >= since and _before(e, decision)))
    ]
    refs = {e.dialog for e in opened}
    replies = [e for e in live if isinstance(e, ev.DialogSvarModtaget) and e.dialog in refs and _before(e, decision)]
    records: list[dict[str, Any]] = []
    for e in sorted([*opened, *replies], key=lambda x: (x.effective_date, x.originator_version)):
        if isinstance(e, ev.DialogIndledt):
            answered = [r.effective_date.isoformat() for r in replies if r.dialog == e.dialog]
            records.append({
                **_recorded(e), "type": "dialog", "dialog": e.dialog, "form": e.form, "form_tekst": FORMS.get(e.form, e.form),
                "forhold": list(e.forhold), "svarfrist": e.svarfrist.isoformat() if e.svarfrist else None,
                "svar_modtaget": answered, "navngivet_i_afgoerelsen": e.dialog in named, "note": e.note,
            })
            if e.svarfrist is not None and e.svarfrist >= decision.effective_date:
                remarks.append(
                    f"Afgørelsen (#{decision.originator_version}, {decision.effective_date}) er truffet, før "
                    f"svarfristen {e.svarfrist} i {FORMS.get(e.form, e.form).lower()} {e.dialog} var udløbet."
                )
        else:
            assert isinstance(e, ev.DialogSvarModtaget)
            records.append({**_recorded(e), "type": "svar", "dialog": e.dialog, "resume": e.resume, "note": e.note})
    if not records and not straks and isinstance(decision, (ev.PaabudUdstedt, ev.SkaerpetTilsynIvaerksat, ev.GodkendelseOphoert)):
        remarks.append("Der er ikke registreret dialog forud for afgørelsen.")
    notified: list[dict[str, Any]] = []
    own_kommuner = getattr(decision, "kommuner_underrettet", None) or getattr(decision, "kommuner_orienteret", None)
    if own_kommuner:
        notified.append({"nummer": decision.originator_version, "dato": decision.effective_date.isoformat(),
                         "kommuner": list(own_kommuner), "kilde": "angivet i afgørelsen"})
    for e in live:
        if isinstance(e, ev.KommunerOrienteret) and e.afgoerelse == decision.originator_version:
            notified.append({"nummer": e.originator_version, "dato": e.effective_date.isoformat(),
                             "kommuner": list(e.kommuner), "kilde": "orientering registreret"})
    if not notified and type(decision).__name__ in _NOTIFY_KINDS:
        remarks.append("Der er ikke registreret underretning af kommunerne om afgørelsen (bek § 4 stk 4, § 9).")

    # 4. The complaint and its handling ---------------------------------------------------------
    handling: dict[str, Any] = {
        "klage": {
            **_recorded(received_event), "klage": klage, "klager": received_event.klager,
            "emne": received_event.emne.value, "emne_tekst": label(received_event.emne),
            "afgoerelse": received_event.afgoerelse,
            "afgoerelse_modtaget": received_event.afgoerelse_modtaget.isoformat(),
            "begrundelse": received_event.begrundelse, "vurdering": k["vurdering"], "note": received_event.note,
        },
        "genvurdering": None, "ny_afgoerelse": None, "videresendelse": None, "ankestyrelsen": None,
    }
    if isinstance(review_event, ev.KlageGenvurderet):
        handling["genvurdering"] = {
            **_recorded(review_event), "udfald": review_event.udfald, "udfald_tekst": REVIEW[review_event.udfald],
            "begrundelse": review_event.begrundelse, "ny_afgoerelse": review_event.ny_afgoerelse,
            "vurdering": g["vurdering"], "note": review_event.note,
        }
        if review_event.ny_afgoerelse:
            new = case.event(review_event.ny_afgoerelse)
            if new is not None:
                handling["ny_afgoerelse"] = {
                    **_recorded(new), "titel": new.title, "resume": new.summary(), "paragraf": new.paragraph,
                    "begrundelse": new.begrundelse,
                }
    if isinstance(forward_event, ev.KlageVideresendt):
        handling["videresendelse"] = {**_recorded(forward_event), "vurdering": f["vurdering"], "note": forward_event.note}
    if isinstance(anke_event, ev.AnkestyrelsensAfgoerelse):
        handling["ankestyrelsen"] = {
            **_recorded(anke_event), "udfald": anke_event.udfald.value, "udfald_tekst": label(anke_event.udfald),
            "begrundelse": anke_event.begrundelse, "note": anke_event.note,
        }

    # 5. Chronology and position ----------------------------------------------------------------
    chronology = history_entries(events)
    where: dict[str, Any] = {
        "sagens_version": case.version,
        "sidste_haendelse_registreret": local_time(last.timestamp),
        "position": None, "kaedehash": None, "digest": None,
    }
    if position:
        where.update({k_: position.get(k_) for k_ in ("position", "kaedehash", "digest") if k_ in position})

    # 6. Index of the documents -----------------------------------------------------------------
    index: list[dict[str, Any]] = []

    def akt(title: str, date: str | None, number: int | str | None) -> int:
        index.append({"akt": len(index) + 1, "dokument": title, "dato": date, "haendelse": number})
        return len(index)

    latest = max(e.effective_date for e in events).isoformat()
    akt("Forside: parter, afgørelse, klagens emne, datoer og frister", latest, case.version)
    decision_data["akt"] = akt(f"Den påklagede afgørelse: {decision.title}", decision_data["dato"], decision.originator_version)
    for record in records:
        if record["type"] == "dialog":
            what = f"{record['form_tekst']} {record['dialog']} indledt"
        else:
            what = f"Tilbuddets bemærkninger i {record['dialog']}"
        record["akt"] = akt(what, record["dato"], record["nummer"])
    for item in notified:
        if item["nummer"] != decision.originator_version:
            item["akt"] = akt(f"Orientering af kommuner om afgørelse #{decision.originator_version}", item["dato"], item["nummer"])
    handling["klage"]["akt"] = akt(f"Klagen fra {complaint['klager']}", complaint["received"], received_event.originator_version)
    if handling["genvurdering"]:
        handling["genvurdering"]["akt"] = akt("Socialtilsynets genvurdering", g["dato"], handling["genvurdering"]["nummer"])
    if handling["ny_afgoerelse"]:
        n = handling["ny_afgoerelse"]
        n["akt"] = akt(f"Ny afgørelse efter genvurderingen: {n['titel']}", n["dato"], n["nummer"])
    if handling["videresendelse"]:
        handling["videresendelse"]["akt"] = akt("Videresendelse til Ankestyrelsen", f["dato"], handling["videresendelse"]["nummer"])
    if handling["ankestyrelsen"]:
        handling["ankestyrelsen"]["akt"] = akt("Ankestyrelsens afgørelse", a["dato"], handling["ankestyrelsen"]["nummer"])
    first = min(e.effective_date for e in events).isoformat()
    chronology_akt = akt("Sagens fulde kronologi", f"{first} – {latest}", f"#1-#{case.version}")

    return {
        "format": FORMAT,
        "titel": f"Klagesag til Ankestyrelsen: {key}, klage {klage}",
        "tilbud": key,
        "klage": klage,
        "grundlag": where,
        "aktindeks": index,
        "forside": {
            "akt": 1,
            "parter": parties,
            "afgoerelse": decision_head,
            "emne": {"kode": complaint["emne"], "tekst": label(complaint["emne"])},
            "datoer_og_frister": dates,
            "regelsaet_for_frister": progress["regelsaet"],
            "status": progress["status"],
            "status_tekst": progress["status_tekst"],
            "afventer": progress["afventer"],
            "virkning_af_klagen": decision_data["virkning_af_klagen"],
            "bemaerkninger": remarks,
        },
        "afgoerelse": decision_data,
        "dialog": {
            "periode_fra": since,
            "til": decision.effective_date.isoformat(),
            "forloeb": records,
            "kommuner_underrettet": notified,
        },
        "klagebehandling": handling,
        "kronologi": {"akt": chronology_akt, "haendelser": chronology},
    }


def _effect(decision: LedgerEvent, c: Mapping[str, Any]) -> str | None:
    """What the complaint does to the decision's effect (DOMAIN.md, 'Complaints: deadlines and effect')."""
    if c["udfald"] == "aendret":
        return f"Afgørelsen er ændret ved Socialtilsynets genvurdering {c['genvurderet']} og har ikke længere virkning."
    if isinstance(decision, (ev.PaabudUdstedt, ev.SkaerpetTilsynIvaerksat)):
        return "En klage har ikke opsættende virkning for påbud og skærpet tilsyn: afgørelsen gælder, mens klagen behandles."
    if not isinstance(decision, ev.GodkendelseOphoert):
        return None
    start = decision.virkning_fra.isoformat()
    if decision.straks:
        return f"Ophøret er truffet straks med virkning fra {start}; klagen har ikke opsættende virkning."
    if c["late"]:
        return f"Klagen er modtaget for sent og udsætter ikke ophøret (virkning fra {start})."
    if c["received"] >= start:
        return f"Klagen er modtaget på eller efter ophørets virkningsdato {start} og udsætter det ikke."
    text = (
        f"Efter regional praksis trækkes godkendelsen ikke tilbage, før Ankestyrelsen har truffet afgørelse: "
        f"ophøret (virkning fra {start}) er udsat, mens klagen behandles."
    )
    if c["anke"] is not None:
        if c["anke_udfald"] in _WITHDRAWING:
            text += f" Ankestyrelsen har {c['anke']} truffet afgørelse ({label(c['anke_udfald']).lower()}): ophøret har ikke virkning."
        else:
            text += (
                f" Ankestyrelsen har {c['anke']} truffet afgørelse ({label(c['anke_udfald']).lower()}): "
                f"ophøret har virkning fra {max(start, c['anke'])}."
            )
    return text


# -- renderings ---------------------------------------------------------------------------------
Block = tuple[Any, ...]


def _done(value: bool | None) -> str:
    return {True: "overholdt", False: "IKKE overholdt", None: "-"}[value]


def _blocks(data: Mapping[str, Any]) -> list[Block]:
    """The file as a sequence of blocks, rendered alike to Markdown and PDF."""
    out: list[Block] = []
    cover, decision, dialog, handling = data["forside"], data["afgoerelse"], data["dialog"], data["klagebehandling"]
    where = data["grundlag"]
    out.append(("title", data["titel"]))
    basis = (
        f"Udarbejdet alene på grundlag af ledgeren: sagen {data['tilbud']} til og med hændelse #{where['sagens_version']} "
        f"(registreret {where['sidste_haendelse_registreret']})"
    )
    if where.get("position") is not None:
        basis += f", ledger-position {where['position']}, kædehash {where['kaedehash']}"
    out.append(("meta", basis + ". Samme ledger giver samme fil."))
    out.append(("meta", "Fortroligt: sagens akter til Ankestyrelsen, ikke til offentligheden."))

    out.append(("h2", "Aktindeks"))
    out.append(("table", ["Akt", "Dokument", "Dato", "Hændelse"],
                [[str(i["akt"]), i["dokument"], i["dato"] or "-",
                  f"#{i['haendelse']}" if isinstance(i["haendelse"], int) else str(i["haendelse"] or "-")]
                 for i in data["aktindeks"]],
                [12, 110, 38, 30]))

    # Cover sheet.
    parties, offer = cover["parter"], cover["parter"]["tilbud"]
    out.append(("h2", "Akt 1. Forside"))
    out.append(("h3", "Parter"))
    out.append(("kv", [
        ("Klager", parties["klager"]),
        ("Tilbud", f"{offer['navn']} ({offer['id']})"),
        ("Tilbudstype(r)", "; ".join(t["tekst"] for t in offer["tilbudstyper"]) or "-"),
        ("Pladser", str(offer["pladser"]) if offer["pladser"] is not None else "-"),
        ("Ejerform", offer["ejerform_tekst"] or "-"),
        ("Koncern", offer["koncern"] or "-"),
        ("Region (Socialtilsyn)", f"Socialtilsyn {offer['region']}" if offer["region"] else "-"),
        *[(f"Adresse ({a['id']} {a['navn']})", a["adresse"]) for a in offer["afdelinger"]],
        ("Myndighed", f"{parties['myndighed']['navn']} ({parties['myndighed']['rolle']})"),
        ("Klageinstans", parties["klageinstans"]),
    ]))
    head = cover["afgoerelse"]
    out.append(("h3", "Den påklagede afgørelse"))
    out.append(("kv", [
        ("Afgørelse", f"#{head['nummer']} {head['titel']}"),
        ("Dato", head["dato"]),
        ("Hjemmel", head["paragraf"]),
        ("Regelsæt", head["regelsaet"]),
    ]))
    out.append(("h3", "Klagens emne"))
    out.append(("p", cover["emne"]["tekst"]))
    out.append(("h3", "Datoer og frister"))
    out.append(("table", ["Hvad", "Dato", "Hændelse", "Frist", "Frist overholdt", "Vurdering"],
                [[d["hvad"], d["dato"] or "afventer", f"#{d['nummer']}" if d["nummer"] else "-", d["frist"] or "-",
                  _done(d["overholdt"]), d["vurdering"]] for d in cover["datoer_og_frister"]],
                [34, 20, 16, 20, 22, 78]))
    out.append(("p", f"Fristerne er beregnet efter regelsættet {cover['regelsaet_for_frister']}, "
                     "der gjaldt på datoen for klagens modtagelse."))
    out.append(("h3", "Status"))
    out.append(("p", cover["status_tekst"] + "."))
    if cover["afventer"]:
        out.append(("p", "Udestår:"))
        out.append(("list", cover["afventer"]))
    else:
        out.append(("p", "Intet udestår i klagesagen."))
    if cover["virkning_af_klagen"]:
        out.append(("h3", "Klagens virkning"))
        out.append(("p", cover["virkning_af_klagen"]))
    if cover["bemaerkninger"]:
        out.append(("h3", "Bemærkninger"))
        out.append(("list", cover["bemaerkninger"]))

    # The decision.
    out.append(("h2", f"Akt {decision['akt']}. Den påklagede afgørelse: #{decision['nummer']} {decision['titel']}"))
    pairs = [
        ("Dato", decision["dato"]),
        ("Registreret", f"{decision['registreret']} af {decision['registreret_af']}"),
        ("Hjemmel", decision["paragraf"]),
        ("Regelsæt", " ".join(str(x) for x in (decision["regelsaet"]["id"], decision["regelsaet"]["titel"] or "")
                              if x) + (f" (gældende fra {decision['regelsaet']['gaelder_fra']})"
                                       if decision["regelsaet"]["gaelder_fra"] else "")),
        ("Afgørelsen", decision["resume"]),
    ]
    pairs += [(item["navn"], item["tekst"]) for item in decision["felter"]]
    if decision["navngivne_dialoger"]:
        pairs.append(("Forudgående dialog", ", ".join(decision["navngivne_dialoger"])))
    pairs.append(("Truffet straks", _yes_no(decision["straks"])))
    if decision["straks"]:
        grund = decision["straks_grund"] or {}
        pairs.append(("Særlig grund til at træffe afgørelsen straks", grund.get("tekst") or "-"))
        pairs.append(("Begrundelse for at træffe afgørelsen straks", decision["straks_begrundelse"] or "-"))
    if decision.get("erstatter"):
        pairs.append(("Rettelse", f"erstatter #{decision['erstatter']['nummer']}: {decision['erstatter']['begrundelse']}"))
    if decision.get("rettet"):
        r = decision["rettet"]
        pairs.append(("Rettet", f"{r['hvordan']} ved #{r['af']}: {r['begrundelse']}"))
    if decision["note"]:
        pairs.append(("Intern note", decision["note"]))
    out.append(("kv", pairs))
    out.append(("h3", "Begrundelse"))
    out.append(("p", decision["begrundelse"] or "(ingen begrundelse registreret)"))
    for p in decision["tilhoerende_paabud"]:
        out.append(("h3", f"Påbud {p['paabud']} truffet sammen med afgørelsen (#{p['nummer']})"))
        out.append(("kv", [("Forhold", p["forhold"]), ("Frist", p["frist"]), ("Karakter", p["karakter"]),
                           ("Begrundelse", p["begrundelse"] or "-")]))

    # Dialog and hearing.
    out.append(("h2", "Dialog og partshøring forud for afgørelsen"))
    out.append(("p", f"Dialog i perioden fra {dialog['periode_fra']} (godkendelsen eller ansøgningen, som afgørelsen "
                     f"blev truffet under) til afgørelsen {dialog['til']}, og de dialoger, afgørelsen selv nævner."))
    if not dialog["forloeb"]:
        out.append(("p", "Der er ikke registreret dialog eller partshøring forud for afgørelsen."))
    for r in dialog["forloeb"]:
        if r["type"] == "dialog":
            out.append(("h3", f"Akt {r['akt']}. {r['form_tekst']} {r['dialog']} indledt {r['dato']} (#{r['nummer']})"))
            pairs = [
                ("Forhold", "; ".join(r["forhold"])),
                ("Form", r["form_tekst"]),
                ("Svarfrist", r["svarfrist"] or "-"),
                ("Bemærkninger modtaget", ", ".join(r["svar_modtaget"]) or "ingen før afgørelsen"),
                ("Nævnt i afgørelsen", _yes_no(r["navngivet_i_afgoerelsen"])),
                ("Registreret", f"{r['registreret']} af {r['registreret_af']}"),
            ]
        else:
            out.append(("h3", f"Akt {r['akt']}. Tilbuddets bemærkninger i {r['dialog']} {r['dato']} (#{r['nummer']})"))
            pairs = [("Resumé", r["resume"]), ("Registreret", f"{r['registreret']} af {r['registreret_af']}")]
        if r.get("erstatter"):
            pairs.append(("Rettelse", f"erstatter #{r['erstatter']['nummer']}: {r['erstatter']['begrundelse']}"))
        if r.get("note"):
            pairs.append(("Intern note", r["note"]))
        out.append(("kv", pairs))
    out.append(("h3", "Kommuner underrettet om afgørelsen"))
    if dialog["kommuner_underrettet"]:
        out.append(("list", [
            (f"Akt {n['akt']}: " if n.get("akt") else "")
            + f"{n['dato']} (#{n['nummer']}, {n['kilde']}): {', '.join(n['kommuner'])}"
            for n in dialog["kommuner_underrettet"]
        ]))
    else:
        out.append(("p", "Ingen underretning registreret."))

    # The complaint and its handling.
    out.append(("h2", "Klagen og dens behandling"))
    c = handling["klage"]
    out.append(("h3", f"Akt {c['akt']}. Klagen ({data['klage']}) modtaget {c['dato']} (#{c['nummer']})"))
    pairs = [
        ("Klager", c["klager"]),
        ("Klagens emne", c["emne_tekst"]),
        ("Over afgørelse", f"#{c['afgoerelse']}"),
        ("Afgørelsen modtaget", c["afgoerelse_modtaget"]),
        ("Klagefrist", c["vurdering"]),
        ("Klagens begrundelse", c["begrundelse"] or "-"),
        ("Registreret", f"{c['registreret']} af {c['registreret_af']}"),
    ]
    if c.get("erstatter"):
        pairs.append(("Rettelse", f"erstatter #{c['erstatter']['nummer']}: {c['erstatter']['begrundelse']}"))
    if c.get("note"):
        pairs.append(("Intern note", c["note"]))
    out.append(("kv", pairs))
    for key_, title in (("genvurdering", "Socialtilsynets genvurdering"), ("ny_afgoerelse", "Ny afgørelse efter genvurderingen"),
                        ("videresendelse", "Videresendt til Ankestyrelsen"), ("ankestyrelsen", "Ankestyrelsens afgørelse")):
        item = handling[key_]
        if item is None:
            continue
        out.append(("h3", f"Akt {item['akt']}. {title} {item['dato']} (#{item['nummer']})"))
        pairs = []
        if key_ == "genvurdering":
            pairs += [("Udfald", item["udfald_tekst"]), ("Frist", item["vurdering"]), ("Begrundelse", item["begrundelse"] or "-")]
            if item["ny_afgoerelse"]:
                pairs.append(("Ny afgørelse", f"#{item['ny_afgoerelse']}"))
        elif key_ == "ny_afgoerelse":
            pairs += [("Afgørelsen", f"{item['titel']}: {item['resume']}"), ("Hjemmel", item["paragraf"]),
                      ("Begrundelse", item["begrundelse"] or "-")]
        elif key_ == "videresendelse":
            pairs += [("Frist", item["vurdering"])]
        else:
            pairs += [("Udfald", item["udfald_tekst"]), ("Begrundelse", item["begrundelse"] or "-")]
        pairs.append(("Registreret", f"{item['registreret']} af {item['registreret_af']}"))
        if item.get("erstatter"):
            pairs.append(("Rettelse", f"erstatter #{item['erstatter']['nummer']}: {item['erstatter']['begrundelse']}"))
        if item.get("note"):
            pairs.append(("Intern note", item["note"]))
        out.append(("kv", pairs))
    if cover["afventer"]:
        out.append(("p", "Endnu ikke sket: " + "; ".join(cover["afventer"]) + "."))

    # Chronology.
    chronology = data["kronologi"]
    out.append(("pagebreak",))
    out.append(("h2", f"Akt {chronology['akt']}. Sagens fulde kronologi"))
    out.append(("p", "Alle sagens hændelser efter virkningsdato. Rettelser står ved det, de retter; "
                     "både det rettede og rettelsen bevares."))
    rows = []
    for e in chronology["haendelser"]:
        summary = e["summary"]
        if e.get("begrundelse") and e["begrundelse"] not in summary:
            summary += f" Begrundelse: {e['begrundelse']}"
        if "annuls" in e:
            summary += f" [RETTELSE: annullerer #{e['annuls']}: {e.get('correction_reason')}]"
        elif "supersedes" in e:
            summary += f" [RETTELSE: erstatter #{e['supersedes']}: {e.get('correction_reason')}]"
        if "corrected" in e:
            x = e["corrected"]
            how = "ANNULLERET" if x["how"] == "annulled" else "ERSTATTET"
            summary += f" [{how} ved #{x['by']} (registreret {x['recorded_at']}): {x['reason']}]"
        if e.get("note"):
            summary += f" Intern note: {e['note']}"
        rows.append([str(e["number"]), e["effective_date"], e["recorded_at"], e["recorded_by"], e["event"], summary,
                     f"{e['paragraph']} ({e['rulebook']})"])
    out.append(("table", ["#", "Virkningsdato", "Registreret", "Af", "Hændelse", "Resumé", "Hjemmel"], rows,
                [7, 20, 31, 15, 26, 61, 30]))
    return out


def render_markdown(data: Mapping[str, Any]) -> str:
    """The file as Markdown; every text in it is escaped (`ledger.reports.markdown`): stored text
    shows as written and can add no HTML or structure."""
    lines: list[str] = []
    for block in _blocks(data):
        kind = block[0]
        if kind == "title":
            lines += [f"# {md.inline(block[1])}", ""]
        elif kind == "meta":
            lines += [f"_{md.inline(block[1])}_", ""]
        elif kind == "h2":
            lines += [f"## {md.inline(block[1])}", ""]
        elif kind == "h3":
            lines += [f"### {md.inline(block[1])}", ""]
        elif kind == "p":
            lines += [*md.lines(block[1]), ""]
        elif kind == "kv":
            lines += [f"- **{md.inline(k)}:** {md.inline(v, starts_line=False)}" for k, v in block[1]] + [""]
        elif kind == "list":
            lines += [f"- {md.inline(item)}" for item in block[1]] + [""]
        elif kind == "pagebreak":
            continue
        elif kind == "table":
            headers, rows = block[1], block[2]
            lines.append("| " + " | ".join(md.inline(h, starts_line=False) for h in headers) + " |")
            lines.append("|" + "---|" * len(headers))
            lines += ["| " + " | ".join(md.inline(c, starts_line=False) for c in row) + " |" for row in rows]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def pdf_available() -> bool:
    try:
        import fpdf  # noqa: F401
    except ImportError:
        return False
    return True


def render_pdf(data: Mapping[str, Any], created: dt.datetime) -> bytes | None:
    """The file as PDF (fpdf2, with the Unicode fonts of `pdf_fonts` embedded, so every name is
    shown as written), dated `created` so it is reproducible; None when fpdf2 is not installed.

    Raises `UnrenderableText` (exit 2) if a character of the file has no glyph in any embedded font."""
    try:
        from fpdf import FPDF
        from fpdf.fonts import FontFace
    except ImportError:
        return None
    from ledger.reports import pdf_fonts
    from ledger.reports.pdf_fonts import SANS, visual

    blocks = _blocks(data)
    footer_text = f"Klagesag {data['tilbud']}/{data['klage']} - sagens version {data['grundlag']['sagens_version']}"
    author = str(data["forside"]["parter"]["myndighed"]["navn"])

    class _PDF(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(SANS, "", 7)
            self.cell(0, 5, f"{visual(footer_text)} - side {self.page_no()}/{{nb}}", align="C")

    pdf = _PDF(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(created)
    pdf.set_title(str(data["titel"]))
    pdf.set_author(author)
    pdf.set_subject("Klagesag til Ankestyrelsen")
    pdf.set_lang("da")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(10, 12, 10)
    texts = [*pdf_fonts.block_texts(blocks), footer_text, " - side 0123456789/"]
    with pdf_fonts.embedded(pdf, texts):
        pdf.add_page()
        width = pdf.epw
        for block in blocks:
            kind = block[0]
            if kind == "pagebreak":
                pdf.add_page()
            elif kind == "title":
                pdf.set_font(SANS, "B", 15)
                pdf_fonts.multi_cell(pdf, width, 7, block[1], new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif kind == "meta":
                pdf.set_font(SANS, "I", 8)
                pdf_fonts.multi_cell(pdf, width, 4, block[1], new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            elif kind == "h2":
                pdf.ln(3)
                pdf.set_font(SANS, "B", 12)
                pdf_fonts.multi_cell(pdf, width, 6, block[1], new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            elif kind == "h3":
                pdf.ln(1)
                pdf.set_font(SANS, "B", 10)
                pdf_fonts.multi_cell(pdf, width, 5, block[1], new_x="LMARGIN", new_y="NEXT")
            elif kind == "p":
                pdf.set_font(SANS, "", 9)
                pdf_fonts.multi_cell(pdf, width, 4.5, block[1], new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            elif kind in ("kv", "list"):
                for item in block[1]:
                    pdf.set_x(pdf.l_margin)
                    pdf.set_font(SANS, "", 9)
                    pdf.write(4.5, "- ")
                    if kind == "kv":
                        pdf.set_font(SANS, "B", 9)
                        pdf.write(4.5, visual(f"{item[0]}: "))
                        pdf.set_font(SANS, "", 9)
                        pdf.write(4.5, visual(str(item[1])))
                    else:
                        pdf.write(4.5, visual(str(item)))
                    pdf.ln(4.5)
                pdf.ln(1)
            elif kind == "table":
                headers, rows, widths = block[1], block[2], block[3]
                size = 7 if len(headers) > 5 else 8
                pdf.set_font(SANS, "", size)
                with pdf.table(
                    col_widths=widths, width=width, text_align="LEFT", line_height=size * 0.45,
                    headings_style=FontFace(emphasis="BOLD"), first_row_as_headings=True,
                ) as table:
                    for row in [headers, *rows]:
                        cells = table.row()
                        for cell in row:
                            cells.cell(visual(str(cell)))
                pdf.ln(2)
        return bytes(pdf.output())
