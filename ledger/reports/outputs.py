"""The JSON the ledger prints for programs, one vocabulary for all of it, and its published shape.

Every command's `--format json` / `jsonl` output (and the HTTP service's answers, which are the
same documents) is described here by a pydantic model that forbids unknown keys;
`ledger schema --output NAME` prints its JSON Schema. The keys follow one rule: structural keys as
the command format has them (`offer`, `date`, `by`, `note`, `supersedes`, `correction_reason`,
`as_of`, `known_at`), the law's terms in Danish as the command format writes them (`aar`,
`regelsaet`, `frist`, `seneste_tilsynsbesoeg`, ...). README.md, "JSON for programs", has the table.

The stored events keep their own field names (`tilbud`, `rulebook`, ...): they are the record and
its hashes; only what is printed follows this vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    """An output's object: every key it has is named here, and no other is allowed."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------------
# Shaping: the few outputs whose internal records keep other names are renamed here, at the edge.

_HISTORY_KEYS = {"effective_date": "date", "recorded_by": "by", "rulebook": "regelsaet", "annuls": "annulleret"}
_CORRECTED_KEYS = {"by": "number", "on": "date", "reason": "correction_reason"}


def history_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One entry of `ledger history` for programs (ledger.reports.history keeps its own names)."""
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if key == "corrected" and isinstance(value, Mapping):
            value = {_CORRECTED_KEYS.get(k, k): v for k, v in value.items()}
        out[_HISTORY_KEYS.get(key, key)] = value
    return out


def history_document(offer: str, as_of: str | None, known_at: str | None, entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"offer": offer, "as_of": as_of, "known_at": known_at, "entries": [history_entry(e) for e in entries]}


def complaint_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One complaint of `ledger complaint list` for programs: the offer's id under `offer`."""
    return {("offer" if key == "tilbud" else key): value for key, value in row.items()}


def quality_document(report: Mapping[str, Any]) -> dict[str, Any]:
    """`ledger quality` for programs: the model's terms as the command format has them (`temaer`,
    `kriterier`, `navn`, `tekst`); the report (and its chart) keeps its own names."""

    def criterion(c: Mapping[str, Any]) -> dict[str, Any]:
        return {("tekst" if k == "text" else k): v for k, v in c.items()}

    def theme(t: Mapping[str, Any]) -> dict[str, Any]:
        renamed = {"name": "navn", "criteria": "kriterier"}
        return {renamed.get(k, k): ([criterion(c) for c in v] if k == "criteria" else v) for k, v in t.items()}

    renamed = {"themes": "temaer"}
    return {
        renamed.get(key, key): ([theme(t) for t in value] if key in ("themes", "not_assessed") else value)
        for key, value in report.items()
    }


# ---------------------------------------------------------------------------------------------
# status

class Afdeling(Out):
    navn: str
    adresse: str


class VilkaarNu(Out):
    tekst: str
    frist: str | None
    fra: str = Field(description="the day the vilkår took its current wording")
    kilde: str = Field(description="where it was set: godkendelse, fravigelse, aendring, ...")
    oprettet: str


class FravigelseNu(Out):
    fra: str
    til: str | None
    betingelser: str | None


class PaabudNu(Out):
    forhold: str
    frist: str
    karakter: str
    udstedt: str


class SkaerpetNu(Out):
    fra: str
    til: str
    baggrund: str


class Ophoert(Out):
    virkning_fra: str
    af: str | None = Field(description="socialtilsynet (ophør) or tilbuddet (lukning)")
    baggrund: str | None


class OphoerBesluttet(Out):
    besluttet: str
    virkning_fra: str
    udsat_af_klage: bool


class Status(Out):
    """`ledger status OFFER --format json`; GET /offers/{offer}."""

    offer: str
    as_of: str
    known_at: str | None = None
    position: int = Field(description="the case's version: the number of its last event")
    status: str
    flags: list[str]
    navn: str | None
    region: str | None
    tilbudstyper: list[str]
    ejerform: str | None
    pladser: int | None
    koncern: str | None
    afdelinger: dict[str, Afdeling]
    godkendt_fra: str | None
    ophoert: Ophoert | None
    vilkaar: dict[str, VilkaarNu]
    fravigelser: dict[str, FravigelseNu]
    paabud: dict[str, PaabudNu]
    skaerpet_tilsyn: dict[str, SkaerpetNu]
    ophoer_besluttet: OphoerBesluttet | None
    seneste_tilsynsbesoeg: str | None


# ---------------------------------------------------------------------------------------------
# history

class Corrected(Out):
    how: Literal["annulled", "superseded"]
    number: int = Field(description="the event that corrects this one")
    date: str
    recorded_at: str
    correction_reason: str | None


class HistoryEntry(Out):
    number: int
    date: str = Field(description="the effective date")
    recorded_at: str
    by: str = Field(description="who recorded it")
    on_behalf_of: str | None = None
    event: str
    type: str
    summary: str
    begrundelse: str | None
    paragraph: str
    regelsaet: str = Field(description="the rulebook version that judged it")
    status_after: str
    flags_after: list[str]
    supersedes: int | None = None
    annulleret: int | None = None
    correction_reason: str | None = None
    corrected: Corrected | None = None
    note: str | None = None
    straks: bool | None = Field(None, description="decided straks, without prior dialog (bek § 4 stk 3, § 8 stk 1)")
    straks_grund: str | None = Field(None, description="the special reason's code")
    straks_grund_tekst: str | None = Field(None, description="the special reason, in words")
    straks_begrundelse: str | None = None
    dialog: list[str] | None = Field(None, description="the dialogs (Dn) the decision rests on")
    forventes_rettet: bool | None = Field(None, description="the offer is expected to rectify (bek § 8 stk 2)")


class History(Out):
    """`ledger history OFFER --format json`; GET /offers/{offer}/history."""

    offer: str
    as_of: str | None
    known_at: str | None
    entries: list[HistoryEntry]


# ---------------------------------------------------------------------------------------------
# offers

class OfferRecord(Out):
    """One offer: a line of `ledger offers --format jsonl`."""

    offer: str
    navn: str | None
    region: str | None
    tilbudstyper: list[str]
    koncern: str | None
    status: str
    flags: list[str]
    godkendt_fra: str | None
    pladser: int | None


class Offers(Out):
    """`ledger offers --format json`; GET /offers."""

    as_of: str
    count: int
    offers: list[OfferRecord]


# ---------------------------------------------------------------------------------------------
# deadlines

class DeadlineRecord(Out):
    """One deadline: a line of `ledger deadlines --format jsonl`."""

    frist: str
    offer: str = Field(description="the offer's id, or a region for Socialtilsynet's own deadlines")
    navn: str
    region: str
    kind: str
    what: str
    paragraph: str
    ref: str
    overdue: bool


class Deadlines(Out):
    """`ledger deadlines --format json`; GET /deadlines."""

    as_of: str
    count: int
    deadlines: list[DeadlineRecord]


# ---------------------------------------------------------------------------------------------
# stats

class BeregnetFra(Out):
    position: int
    ledger_hash: str | None


class Godkendelser(Out):
    i_alt: int
    efter_tilbudstype: dict[str, int]


class Tilsyn(Out):
    tilsyn_i_alt: int
    tilsynsbesoeg: int
    anmeldte: int
    uanmeldte: int
    tilsyn_uden_besoeg: int
    tilbud_med_tilsyn: int


class EfterBaggrund(Out):
    i_alt: int
    baggrund: dict[str, int]


class EfterKarakter(Out):
    i_alt: int
    karakter: dict[str, int]


class Sagsbehandlingstider(Out):
    antal: int
    gennemsnit_dage: float | None
    median_dage: float | None
    max_dage: int | None
    godkendt: int
    afslaaet: int


class TaksterOgAndele(Out):
    godkendelsestakster_oere: int | None = None
    tilsynstakster_oere: int | None = None
    tillaegstakster_oere: int | None = None
    vaesentlig_aendring_oere: int | None = None
    takster_i_alt_oere: int | None = None
    objektive_finansieringsandele_oere: int | None = None
    i_alt_oere: int | None = None
    takster_fastsat: Literal["ja", "nej"] | None = None
    objektiv_andel_fastsat: Literal["ja", "nej"] | None = None
    tilbud_uden_takster: int | None = None


class Indtaegter(Out):
    i_alt_oere: int
    modparter_oere: dict[str, int]


class StatsRegion(Out):
    godkendelser: Godkendelser = Field(alias="1_godkendelser")
    tilsyn: Tilsyn = Field(alias="2_tilsyn")
    skaerpede_tilsyn: EfterBaggrund = Field(alias="3_skaerpede_tilsyn")
    paabud: EfterKarakter = Field(alias="4_paabud")
    tilbagekaldte: EfterBaggrund = Field(alias="5_tilbagekaldte_godkendelser")
    sagsbehandlingstider: Sagsbehandlingstider = Field(alias="6_sagsbehandlingstider")
    takster: TaksterOgAndele | None = Field(default=None, alias="7_takster_og_objektive_finansieringsandele")
    indtaegter: Indtaegter = Field(alias="8_indtaegter_andre_opgaver")


class Stats(Out):
    """`ledger stats AAR --format json`; GET /statistics/{aar}."""

    rapport: str
    aar: int
    region: str
    beregnet_fra: BeregnetFra
    regioner: dict[str, StatsRegion]


class StatsRecord(Out):
    """One figure: a line of `ledger stats AAR --format jsonl`."""

    aar: int
    region: str = Field(description="the region, 'I alt', or '' for the stamp's lines")
    punkt: str
    kategori: str
    vaerdi: int | float | str | None


# ---------------------------------------------------------------------------------------------
# fees

class Charge(Out):
    offer: str
    navn: str
    region: str
    kind: str
    paragraph: str
    fra: str
    til: str
    size_category: int | None
    basis: str
    amount_oere: int
    takst_oere: int
    ref: str | None
    note: str | None


class Kommune(Out):
    antal_0_17: int
    andel_oere: int


class ObjektiveAndele(Out):
    samlet_beloeb_oere: int
    kommuner: dict[str, Kommune]


class FeesRegion(Out):
    takster: dict[str, Any] | None = Field(description="the TaksterFastsat event in force: its number and fields")
    charges: list[Charge]
    foster_families_no_takster: list[str]
    totals: dict[str, int]
    objektive_finansieringsandele: ObjektiveAndele | None
    takster_mangler_for: list[str]


class Fees(Out):
    """`ledger fees AAR --format json`."""

    aar: int
    offer: str | None
    position: int | None
    amounts: str
    regioner: dict[str, FeesRegion]
    totals: dict[str, int]


# ---------------------------------------------------------------------------------------------
# verify, digest, projections

class Verify(Out):
    """`ledger verify --format json`; GET /verify."""

    ok: bool
    checked: int
    position: int
    ledger_hash: str | None
    problem: str | None
    broken_at_position: int | None
    case: str | None
    warnings: list[str]
    seconds: float | None = None


class Digest(Out):
    """`ledger digest --format json`; GET /digest."""

    position: int
    events: int
    ledger_hash: str | None
    digest: str


class ProjectionStatus(Out):
    name: str
    position: int
    head: int
    behind: int
    version: int
    needs_rebuild: bool
    ahead: int = Field(description="events the projection claims past the ledger's head (set by hand; rebuild mends it)")
    rebuilding: bool


class Difference(Out):
    projection: str
    table: str
    case: str
    problem: str


class ProjectionsCheck(Out):
    """`ledger projections check --format json`."""

    ok: bool
    position: int
    events: int
    cases: int
    rows: dict[str, int]
    differences: list[Difference]
    more_differences: int
    seconds: float | None = None
    head: int = Field(description="the ledger's position when checked")
    positions: dict[str, int] = Field(description="each projection's position (check reads, never catches up)")
    behind: dict[str, int] = Field(description="projections behind the head: events not yet applied")
    ahead: dict[str, int] = Field(description="projections whose position lies past the head (rebuild mends them)")


# ---------------------------------------------------------------------------------------------
# complaints, quality

class Klagefrist(Out):
    afgoerelse_modtaget: str | None
    dato: str
    frist: str
    overholdt: bool
    uger: int
    registreret_for_sent: bool
    vurdering: str


class Skridt(Out):
    """A step with a deadline: taken on `dato` (None: not yet), kept or not."""

    dato: str | None
    frist: str | None
    overholdt: bool | None
    vurdering: str
    uger: int
    udfald: str | None = None
    udfald_tekst: str | None = None


class Ankestyrelsen(Out):
    dato: str | None
    udfald: str | None
    udfald_tekst: str | None
    vurdering: str


class ComplaintRecord(Out):
    offer: str
    navn: str | None
    afgoerelse_titel: str | None
    afgoerelse_dato: str | None
    klage: str
    afgoerelse: int
    klager: str
    emne: str
    regelsaet: str
    klagefrist: Klagefrist
    genvurdering: Skridt
    videresendelse: Skridt
    ankestyrelsen: Ankestyrelsen
    status: str
    status_tekst: str
    afventer: list[str]


class Complaints(Out):
    """`ledger complaint list --format json`; each complaint's progress as the complaint file
    computes it (klagefrist, genvurdering, videresendelse, Ankestyrelsen)."""

    count: int
    complaints: list[ComplaintRecord]


class QualityStamp(Out):
    date: str
    number: int
    model: str


class Criterion(Out):
    id: str
    tekst: str
    latest: float | None
    previous: float | None


class Theme(Out):
    id: str
    navn: str
    latest: float | None
    previous: float | None
    change: float | None
    latest_text: str | None
    previous_text: str | None
    kriterier: list[Criterion]


class ThemeNotAssessed(Out):
    id: str
    navn: str


class Quality(Out):
    """`ledger quality OFFER --format json` (never public)."""

    offer: str
    navn: str | None
    model: str
    model_title: str
    public: bool
    notice: str
    latest: QualityStamp | None
    previous: QualityStamp | None
    temaer: list[Theme]
    not_assessed: list[ThemeNotAssessed]
    notes: list[str]
    chart: str | None = None


# ---------------------------------------------------------------------------------------------
# receipts: what a recorded command answers

class ReceiptEvent(Out):
    event: str
    type: str
    number: int
    dialog: str | None = None
    paabud: str | None = None
    skaerpet_tilsyn: str | None = None
    fravigelse: str | None = None
    magtanvendelse: str | None = None
    klage: str | None = None
    aendring: str | None = None
    vilkaar: list[str] | None = None


class FollowUp(Out):
    """An event another case records because of this one (a koncern's record of its approvals, bek § 3)."""

    event: str
    type: str
    number: int


class Receipt(Out):
    """What one command recorded: a decision command's `--format json` prints a list of these."""

    offer: str = Field(description="the case: an offer's id, a region, a koncern or a chapter-2 party")
    events: list[ReceiptEvent]
    follow_ups: list[FollowUp] = Field(default_factory=list)


class SubmitReceipt(Out):
    """`ledger submit FILE --format json`; POST /commands and /batches (which name `by`, the
    recorder, and `on_behalf_of`, and count `commands` rather than `lines`)."""

    dry_run: bool
    lines: int | None = None
    by: str | None = None
    on_behalf_of: str | None = None
    commands: int | None = None
    events: int
    follow_ups: int | None = Field(None, description="of the events, those recorded in koncerner's cases")
    receipts: list[Receipt]


class TaksterLoad(Out):
    """`ledger takster load FILE --format json`."""

    recorded: int
    dry_run: bool
    skipped_unchanged: Any
    receipts: list[Receipt]


OUTPUTS: dict[str, type[BaseModel]] = {
    "status": Status,
    "history": History,
    "history-entry": HistoryEntry,
    "offers": Offers,
    "offer": OfferRecord,
    "deadlines": Deadlines,
    "deadline": DeadlineRecord,
    "stats": Stats,
    "stats-record": StatsRecord,
    "fees": Fees,
    "verify": Verify,
    "digest": Digest,
    "projection-status": ProjectionStatus,
    "projections-check": ProjectionsCheck,
    "complaints": Complaints,
    "quality": Quality,
    "receipt": Receipt,
    "submit": SubmitReceipt,
    "takster-load": TaksterLoad,
}

# Outputs that are a JSON array of another output's objects.
ARRAYS: dict[str, str] = {"receipts": "receipt", "projections-status": "projection-status"}

# The record schema of each command's `--format jsonl` lines.
RECORDS: dict[str, str] = {"offers": "offer", "deadlines": "deadline", "stats": "stats-record"}


def output_names() -> list[str]:
    return sorted([*OUTPUTS, *ARRAYS])


def output_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one output; unknown keys are refused (`additionalProperties: false`)."""
    if name in ARRAYS:
        item = OUTPUTS[ARRAYS[name]].model_json_schema(by_alias=True)
        defs = item.pop("$defs", {})
        schema: dict[str, Any] = {"title": name, "type": "array", "items": item}
        if defs:
            schema["$defs"] = defs
        return schema
    return OUTPUTS[name].model_json_schema(by_alias=True)


def validate(name: str, data: Any) -> None:
    """Raise pydantic's ValidationError unless `data` is the output `name` exactly."""
    if name in ARRAYS:
        if not isinstance(data, list):
            raise TypeError(f"{name}: a JSON array expected")
        for item in data:
            OUTPUTS[ARRAYS[name]].model_validate(item)
        return
    OUTPUTS[name].model_validate(data)
