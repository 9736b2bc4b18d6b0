"""An offer's legal history as an auditor reads it: bitemporal, with corrections beside what they
correct, and the status after each entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ledger.aggregates.base import COPENHAGEN
from ledger.aggregates.state import STATUS_LABELS, CaseState, fold, is_correction
from ledger.events import offer as ev
from ledger.events.base import LedgerEvent
from ledger.events.vocab import label


def local_time(moment: dt.datetime) -> str:
    return moment.astimezone(COPENHAGEN).isoformat(timespec="seconds")


def parse_known_at(text: str) -> dt.datetime:
    """An ISO timestamp; without a zone it is Danish time; a bare date means the end of that day."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time.max, tzinfo=COPENHAGEN)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a timestamp (YYYY-MM-DDTHH:MM[:SS][+zone]) or a date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=COPENHAGEN)


def history_entries(
    events: Sequence[LedgerEvent], *, as_of: dt.date | None = None, known_at: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """The entries of a case's history, oldest effective date first."""
    known = [e for e in events if known_at is None or e.timestamp <= known_at]
    corrected_by: dict[int, LedgerEvent] = {}
    for event in known:
        if isinstance(event, ev.RegistreringAnnulleret):
            corrected_by[event.annulleret] = event
        elif event.supersedes is not None:
            corrected_by[event.supersedes] = event
    state = CaseState()
    seen: list[LedgerEvent] = []
    entries = []
    for event in known:
        seen.append(event)
        if is_correction(event):
            state = fold(seen)
        else:
            state.apply(event)
        status = state.status_on(event.effective_date)
        entries.append(_entry(event, status, state.flags_on(event.effective_date), corrected_by.get(event.originator_version)))
    if as_of is not None:
        day = as_of.isoformat()
        entries = [e for e in entries if e["effective_date"] <= day]
    entries.sort(key=lambda e: (e["effective_date"], e["number"]))
    return entries


def recorder(entry: dict[str, Any]) -> str:
    """Who recorded an entry, and on whose behalf if someone else."""
    behalf = entry.get("on_behalf_of")
    return f"{entry['recorded_by']} (on behalf of {behalf})" if behalf else str(entry["recorded_by"])


def _entry(event: LedgerEvent, status: str, flags: list[str], corrected: LedgerEvent | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "number": event.originator_version,
        "effective_date": event.effective_date.isoformat(),
        "recorded_at": local_time(event.timestamp),
        "recorded_by": event.recorded_by,
        "event": event.title,
        "type": type(event).__name__,
        "summary": event.summary(),
        "begrundelse": event.begrundelse,
        "paragraph": event.paragraph,
        "rulebook": event.rulebook,
        "status_after": status,
        "flags_after": flags,
    }
    if event.on_behalf_of is not None:
        entry["on_behalf_of"] = event.on_behalf_of
    entry.update(grounds(event))
    if event.supersedes is not None:
        entry["supersedes"] = event.supersedes
        entry["correction_reason"] = event.correction_reason
    if isinstance(event, ev.RegistreringAnnulleret):
        entry["annuls"] = event.annulleret
        entry["correction_reason"] = event.correction_reason
    if corrected is not None:
        how = "annulled" if isinstance(corrected, ev.RegistreringAnnulleret) else "superseded"
        entry["corrected"] = {
            "how": how,
            "by": corrected.originator_version,
            "on": corrected.effective_date.isoformat(),
            "recorded_at": local_time(corrected.timestamp),
            "reason": corrected.correction_reason,
        }
    if event.note:
        entry["note"] = event.note
    return entry


def grounds(event: LedgerEvent) -> dict[str, Any]:
    """The grounds a decision was written with besides its begrundelse: whether it was decided
    *straks* and the special reason and its begrundelse (bek § 4 stk 3, § 8 stk 1), the dialog it
    rests on, and the expectation that the offer will rectify (bek § 8 stk 2). Empty for an event
    without such grounds."""
    found: dict[str, Any] = {}
    if isinstance(event, (ev.PaabudUdstedt, ev.SkaerpetTilsynIvaerksat, ev.GodkendelseOphoert)):
        code = event.straks_grund.value if event.straks_grund is not None else None
        found["straks"] = event.straks
        found["straks_grund"] = code
        found["straks_grund_tekst"] = label(code) if code else None
        found["straks_begrundelse"] = event.straks_begrundelse
        found["dialog"] = list(event.dialog)
    if isinstance(event, (ev.PaabudUdstedt, ev.SkaerpetTilsynIvaerksat)):
        found["forventes_rettet"] = event.forventes_rettet
    return found


def grounds_lines(entry: dict[str, Any]) -> list[str]:
    """The grounds of `grounds`, as the history's lines (in the law's Danish)."""
    lines = []
    if entry.get("straks"):
        reason = entry.get("straks_grund_tekst") or "ingen angivet"
        lines.append(f"Truffet straks: særlig grund: {reason}; begrundelse: {entry.get('straks_begrundelse') or '-'}")
    elif entry.get("straks_grund") or entry.get("straks_begrundelse"):
        lines.append(
            f"Straks-grund registreret (afgørelsen er ikke truffet straks): {entry.get('straks_grund_tekst') or '-'}; "
            f"begrundelse: {entry.get('straks_begrundelse') or '-'}"
        )
    if entry.get("dialog"):
        lines.append(f"Forudgående dialog: {', '.join(entry['dialog'])}")
    if entry.get("forventes_rettet") is False:
        lines.append("Forventes ikke at kunne og ville rette op (bek § 8 stk 2)")
    return lines


def render_text(offer: str, entries: list[dict[str, Any]], header: str = "") -> str:
    lines = [f"History of {offer}" + (f" ({header})" if header else ""), ""]
    for e in entries:
        status = STATUS_LABELS.get(e["status_after"], e["status_after"])
        flags = f" + {', '.join(e['flags_after'])}" if e["flags_after"] else ""
        lines.append(f"#{e['number']:<4} {e['effective_date']}  {e['event']}  [{e['paragraph']}]")
        lines.append(f"      {e['summary']}")
        if e.get("begrundelse") and e["begrundelse"] not in e["summary"]:
            lines.append(f"      Begrundelse: {e['begrundelse']}")
        lines += [f"      {line}" for line in grounds_lines(e)]
        if "annuls" in e or "supersedes" in e:
            target = e.get("annuls") or e.get("supersedes")
            verb = "annuls" if "annuls" in e else "supersedes"
            lines.append(f"      Correction: {verb} #{target} because {e.get('correction_reason')}")
        if "corrected" in e:
            c = e["corrected"]
            lines.append(f"      !! {c['how']} by #{c['by']} (recorded {c['recorded_at']}): {c['reason']}")
        lines.append(
            f"      recorded {e['recorded_at']} by {recorder(e)}; rulebook {e['rulebook']}; "
            f"status after: {status}{flags}"
        )
    if not entries:
        lines.append("(no entries)")
    return "\n".join(lines)


def render_markdown(offer: str, entries: list[dict[str, Any]], header: str = "") -> str:
    """The history as a Markdown table; every text in it is escaped (`ledger.reports.markdown`):
    stored text shows as written and can add no HTML or structure."""
    from ledger.reports import markdown as md

    lines = [f"# History of {md.inline(offer)}", ""]
    if header:
        lines += [f"_{md.inline(header)}_", ""]
    lines.append("| # | Effective | Recorded | By | Event | Summary | Paragraph | Rulebook | Status after |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for e in entries:
        summary = e["summary"]
        if e.get("begrundelse") and e["begrundelse"] not in summary:
            summary += f" — Begrundelse: {e['begrundelse']}"
        for line in grounds_lines(e):
            summary += f" — {line}"
        summary = md.inline(summary, starts_line=False)
        if "corrected" in e:
            c = e["corrected"]
            summary = f"~~{summary}~~ ({c['how']} by #{c['by']}: {md.inline(str(c['reason']), starts_line=False)})"
        status = STATUS_LABELS.get(e["status_after"], e["status_after"])
        if e["flags_after"]:
            status += " + " + ", ".join(e["flags_after"])
        cells = [
            str(e["number"]), e["effective_date"], e["recorded_at"], md.inline(recorder(e), starts_line=False),
            md.inline(e["event"], starts_line=False), summary, md.inline(e["paragraph"], starts_line=False),
            md.inline(e["rulebook"], starts_line=False), md.inline(status, starts_line=False),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
