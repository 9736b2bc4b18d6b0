"""`ledger offers`: every offer's status on a date, filtered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ledger.aggregates.state import FLAGS, STATUS_LABELS, STATUSES, CaseState
from ledger.errors import InvalidInput
from ledger.events.vocab import fold
from ledger.i18n import N_, _, number
from ledger.i18n import day as day_text

STATUS_CHOICES = STATUSES[1:] + FLAGS + ("aktiv",)

# The list's columns in JSON Lines, CSV and Markdown: (JSON key, header for people).
OFFER_COLUMNS = [
    ("offer", N_("Offer")), ("navn", N_("Name")), ("region", N_("Region")), ("tilbudstyper", N_("Types")),
    ("status", N_("Status")), ("flags", N_("Also")), ("godkendt_fra", N_("Approved")), ("pladser", N_("Places")),
    ("koncern", N_("Koncern")),
]


def status_choice(value: str) -> str:
    """A status or flag as typed: its code or Danish label, with æ/ø/å or their ASCII spellings, in
    any letter case (`påbud`, `Paabud`, `Godkendt med vilkår`)."""
    wanted = fold(value)
    for code in STATUS_CHOICES:
        if wanted in (fold(code), fold(STATUS_LABELS.get(code, ""))):
            return code
    raise InvalidInput(_("unknown status {value!r}; one of: {choices}").format(value=value, choices=", ".join(STATUS_CHOICES)))


def offer_rows(states: Sequence[CaseState], on: dt.date, status: str | None = None) -> list[dict[str, Any]]:
    if status is not None:
        status = status_choice(status)
    day = on.isoformat()
    rows = []
    for state in states:
        current = state.status_on(day)
        if current == "ikke_ansoegt":
            continue
        flags = state.flags_on(day)
        if status is not None:
            if status == "aktiv":
                if current not in ("godkendt", "godkendt_med_vilkaar"):
                    continue
            elif status in FLAGS:
                if status not in flags:
                    continue
            elif current != status:
                continue
        approval = state.current_approval(day)
        rows.append(
            {
                "offer": state.key,
                "navn": state.profile.get("navn"),
                "region": state.profile.get("region"),
                "tilbudstyper": state.profile.get("tilbudstyper", []),
                "koncern": state.profile.get("koncern"),
                "status": current,
                "flags": flags,
                "godkendt_fra": approval["start"] if approval else None,
                "pladser": state.profile.get("pladser"),
            }
        )
    return rows


def render_offers_text(rows: Sequence[dict[str, Any]], on: dt.date) -> str:
    if not rows:
        return _("No offers match (as of {day}).").format(day=day_text(on))
    header = (_("Offer"), _("Name"), _("Region"), _("Types"), _("Status"), _("Also"))
    table = [
        (
            r["offer"],
            r["navn"] if len(r["navn"]) <= 40 else r["navn"][:39] + "…",
            r["region"],
            ",".join(r["tilbudstyper"]),
            STATUS_LABELS.get(r["status"], r["status"]),
            ",".join(r["flags"]),
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
    lines = [_("Offers as of {day}: {count}").format(day=day_text(on), count=number(len(rows))), ""]
    lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for row in table:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)
