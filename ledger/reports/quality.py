"""The spindelvæv: an offer's theme values at the latest driftsorienteret tilsyn beside the one before.

A criterion's value is the mean of its scored indicators and a theme's the mean of its criteria
(`Catalogue.aggregate`, bek § 11 and Bilag 1/2). Only themes that apply to the offer are shown. The
numbers and the chart are never public (DOMAIN.md, the Tilbudsportal view): only the written theme
assessments are. Pure, except `draw_chart`, which imports matplotlib when it is called.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ledger.aggregates.state import fold_order
from ledger.errors import InvalidInput, NotFound, StoreUnavailable
from ledger.events.base import LedgerEvent
from ledger.events.offer import KvalitetsvurderingForetaget
from ledger.quality.catalogue import Catalogue, OfferProfile, load_catalogue

if TYPE_CHECKING:
    from matplotlib.projections.polar import PolarAxes

NOTICE = (
    "FORTROLIGT: indikatorscorer, tema- og kriterieværdier og spindelvævet er ikke offentlige; kun de skriftlige "
    "temavurderinger vises på Tilbudsportalen (bek § 11, § 1 stk 5)."
)


def tilsyn_assessments(events: Iterable[LedgerEvent]) -> list[dict[str, Any]]:
    """The quality assessments made at tilsyn (not at godkendelse), corrections folded, oldest first,
    in the shape of `CaseState.quality` items."""
    found = [
        {
            "date": e.effective_date.isoformat(),
            "version": e.originator_version,
            "anledning": e.anledning,
            "model": e.model,
            "indikatorer": dict(e.indikatorer),
            "temaer": dict(e.temaer),
        }
        for e in fold_order(list(events))
        if isinstance(e, KvalitetsvurderingForetaget) and e.anledning == "tilsyn"
    ]
    return sorted(found, key=lambda q: (q["date"], q["version"]))


def offer_profile(profile: Mapping[str, Any]) -> OfferProfile:
    return OfferProfile(
        types=tuple(profile.get("tilbudstyper", ())),
        ejerform=profile.get("ejerform"),
        ambulant=bool(profile.get("ambulant")),
        sikret=bool(profile.get("sikret")),
        kun_aflastning=bool(profile.get("kun_aflastning")),
        bestyrelse=bool(profile.get("bestyrelse")),
    )


def _values(catalogue: Catalogue, assessment: Mapping[str, Any] | None) -> tuple[dict[str, float], dict[str, float]]:
    if assessment is None:
        return {}, {}
    scores = {k: v for k, v in assessment["indikatorer"].items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return catalogue.aggregate(scores)


def _stamp(assessment: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if assessment is None:
        return None
    return {"date": assessment["date"], "number": assessment["version"], "model": assessment["model"]}


def quality_report(offer: str, profile: Mapping[str, Any], assessments: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The latest tilsyn assessment beside the one before it (if any): theme and criterion values and
    the written theme texts, for the themes that apply to the offer."""
    scored = [a for a in assessments if a.get("anledning", "tilsyn") == "tilsyn"]
    if not scored:
        raise NotFound(f"offer {offer!r} has no quality assessment at tilsyn yet (ledger kvalitetsvurdering --anledning tilsyn)")
    latest = scored[-1]
    previous = scored[-2] if len(scored) > 1 else None
    notes = []
    if previous is not None and previous["model"] != latest["model"]:
        notes.append(
            f"the assessment of {previous['date']} used {previous['model']}, the latest {latest['model']}: not compared"
        )
        previous = None
    catalogue = load_catalogue(latest["model"])
    criteria_now, themes_now = _values(catalogue, latest)
    criteria_before, themes_before = _values(catalogue, previous)
    themes = []
    not_assessed = []
    for theme in catalogue.live_themes(offer_profile(profile)):
        now, before = themes_now.get(theme.id), themes_before.get(theme.id)
        if now is None and before is None:
            not_assessed.append({"id": theme.id, "name": theme.name})
            continue
        themes.append(
            {
                "id": theme.id,
                "name": theme.name,
                "latest": now,
                "previous": before,
                "change": round(now - before, 2) if now is not None and before is not None else None,
                "latest_text": latest["temaer"].get(theme.id),
                "previous_text": previous["temaer"].get(theme.id) if previous else None,
                "criteria": [
                    {
                        "id": criterion.id,
                        "text": criterion.text,
                        "latest": criteria_now.get(criterion.id),
                        "previous": criteria_before.get(criterion.id),
                    }
                    for criterion in theme.criteria
                    if criterion.id in criteria_now or criterion.id in criteria_before
                ],
            }
        )
    return {
        "offer": offer,
        "navn": profile.get("navn"),
        "model": catalogue.model,
        "model_title": catalogue.title,
        "public": False,
        "notice": NOTICE,
        "latest": _stamp(latest),
        "previous": _stamp(previous),
        "themes": themes,
        "not_assessed": not_assessed,
        "notes": notes,
    }


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


def _change(value: float | None) -> str:
    return "" if value is None else f"{value:+.2f}".replace(".", ",")


def render_text(report: Mapping[str, Any]) -> str:
    latest, previous = report["latest"], report["previous"]
    out = [
        f"Kvalitetsvurdering ved tilsyn: {report['offer']} {report.get('navn') or ''}".rstrip() + f" ({report['model']})",
        report["notice"],
        f"Seneste: {latest['date']} (#{latest['number']})"
        + (f"; forrige: {previous['date']} (#{previous['number']})" if previous else "; ingen tidligere vurdering ved tilsyn"),
        "",
        f"{'Tema':<46}{'Seneste':>9}{'Forrige':>9}{'Ændring':>9}",
    ]
    for theme in report["themes"]:
        title = f"{theme['id']}. {theme['name']}"
        out.append(f"{title:<46}{_num(theme['latest']):>9}{_num(theme['previous']):>9}{_change(theme['change']):>9}")
        for criterion in theme["criteria"]:
            out.append(f"{'   kriterium ' + criterion['id']:<46}{_num(criterion['latest']):>9}{_num(criterion['previous']):>9}")
        for label, key in (("Seneste", "latest_text"), ("Forrige", "previous_text")):
            if theme.get(key):
                wrapped = textwrap.wrap(theme[key], 96) or [""]
                out.append(f"   {label}: {wrapped[0]}")
                out.extend(f"            {line}" for line in wrapped[1:])
    if report["not_assessed"]:
        out.append("")
        out.append("Ikke vurderet: " + ", ".join(f"{t['id']}. {t['name']}" for t in report["not_assessed"]))
    for note in report.get("notes", []):
        out.append(f"NB: {note}")
    return "\n".join(out) + "\n"


# The formats `--chart` writes, by the file name's suffix.
CHART_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
# No date, software or creator in the file: the same report gives the same chart.
_NO_STAMPS: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}


def chart_format(path: str | Path) -> str:
    """The format a chart file's suffix names (png, svg or pdf); any other suffix is refused."""
    suffix = Path(path).suffix.lower()
    if suffix not in CHART_FORMATS:
        raise InvalidInput(
            f"--chart {str(path)!r}: the file name's suffix names the format, and "
            f"{suffix or 'no suffix'!r} is none of {', '.join(CHART_FORMATS)}"
        )
    return CHART_FORMATS[suffix]


def draw_chart(report: Mapping[str, Any], path: str | Path) -> Path:
    """Draw the spindelvæv into `path`, in the format its suffix names (`chart_format`); written
    whole or not at all, with the mode the umask gives a new file."""
    from ledger.console.files import write_atomically

    target = Path(path)
    content = render_chart(report, chart_format(target))
    try:
        write_atomically(target, content)
    except OSError as error:
        raise StoreUnavailable(f"cannot write the chart {target}: {error.strerror or error}") from None
    return target


def render_chart(report: Mapping[str, Any], fmt: str) -> bytes:
    """The spindelvæv (radar chart) as PNG, SVG or PDF: one axis per theme (1-5), the latest
    assessment over the one before, labelled, with the dates in the legend."""
    themes = list(report["themes"])
    if fmt not in _NO_STAMPS:
        raise InvalidInput(f"unknown chart format {fmt!r}; choose from png, svg, pdf")
    if not themes:
        raise InvalidInput("no theme has a value to draw")
    try:
        import matplotlib
    except ImportError:
        raise InvalidInput("--chart needs matplotlib: install the 'charts' extra (pip install 'supervision-ledger[charts]')") from None

    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot as plt

    count = len(themes)
    angles = [2 * math.pi * i / count for i in range(count)]
    labels = [textwrap.fill(f"{t['id']}. {t['name']}", 20) for t in themes]

    def closed(values: list[float]) -> list[float]:
        return values + values[:1]

    fig = plt.figure(figsize=(9, 8.5), dpi=110)
    try:
        ax = cast("PolarAxes", fig.add_subplot(projection="polar"))  # the stubs type every subplot as plain Axes
        ax.set_theta_offset(math.pi / 2)  # the first theme at the top, the others clockwise
        ax.set_theta_direction(-1)
        ax.set_thetalim(0, 2 * math.pi)
        ax.set_ylim(0, 5.5)  # room for the labels of a 5 outside the outermost ring (5)
        ax.set_yticks([1, 2, 3, 4, 5])
        ax.set_yticklabels(["1", "2", "3", "4", "5"], color="#777777", fontsize=8)
        ax.set_rlabel_position(180 / count)  # the scale between the first two axes
        ax.set_xticks(angles)
        ax.set_xticklabels(labels, fontsize=10)
        ax.tick_params(axis="x", pad=22)
        ax.grid(color="#bbbbbb", linewidth=0.8)
        ax.spines["polar"].set_visible(False)
        series = []
        if report.get("previous"):
            series.append(("previous", f"Forrige tilsyn {report['previous']['date']}", "#8c8c8c", "--", 0.10))
        series.append(("latest", f"Seneste tilsyn {report['latest']['date']}", "#1f5fa8", "-", 0.25))
        for key, label, colour, style, alpha in series:
            values = [t[key] if t[key] is not None else math.nan for t in themes]
            ax.plot(closed(angles), closed(values), color=colour, linestyle=style, linewidth=2.2, marker="o", label=label)
            if not any(math.isnan(v) for v in values):
                ax.fill(closed(angles), closed(values), color=colour, alpha=alpha)
        for angle, theme in zip(angles, themes, strict=True):
            if theme["latest"] is not None:
                ax.annotate(
                    _num(theme["latest"]), (angle, theme["latest"]), textcoords="offset points", xytext=(9, 7),
                    ha="center", fontsize=9, fontweight="bold", color="#1f5fa8",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                )
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=10, frameon=False)
        name = f" {report['navn']}" if report.get("navn") else ""
        ax.set_title(f"Spindelvæv: {report['offer']}{name}", fontsize=13, fontweight="bold", pad=40)
        fig.text(
            0.5, -0.02, "Fortroligt: temaværdier (gennemsnit af kriteriernes indikatorscorer, 1-5) offentliggøres ikke.",
            ha="center", fontsize=8, color="#a00000",
        )
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, bbox_inches="tight", metadata=_NO_STAMPS[fmt])
    finally:
        plt.close(fig)
    return buffer.getvalue()
