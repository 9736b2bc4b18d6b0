"""Events of a Socialtilsyn itself (one case per region): what it earns from other tasks, the
texts of its annual report, its takster. These are recorded like any decision, so they are
versioned and auditable."""

from __future__ import annotations

from typing import ClassVar

from ledger.events.base import LedgerEvent
from ledger.events.vocab import Region


class AuthorityEvent(LedgerEvent):
    """An event of one Socialtilsyn's own case."""

    region: Region


class IndtaegtAndreOpgaver(AuthorityEvent):
    TITLE: ClassVar[str] = "Indtægt fra andre opgaver"
    PARAGRAPH: ClassVar[str] = "bek § 31; § 18 stk 2 nr 8"

    aar: int
    beloeb_oere: int
    modpart: str
    beskrivelse: str

    def summary(self) -> str:
        kroner = f"{self.beloeb_oere / 100:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        return f"Indtægt {self.aar} fra {self.modpart}: {kroner} kr. ({self.beskrivelse})"


def kroner(oere: int) -> str:
    """Integer øre as Danish kroner: 1234567 -> '12.345,67 kr'."""
    sign = "-" if oere < 0 else ""
    whole, cents = divmod(abs(oere), 100)
    return f"{sign}{whole:,}".replace(",", ".") + f",{cents:02d} kr"


class TaksterFastsat(AuthorityEvent):
    """The Socialtilsyn's takster for one year (bek § 28 stk 1: fixed a year at a time), in øre.

    `godkendelse`, `tilsyn` (the annual takst) and `vaesentlig_aendring` (the special takst for a
    partial new approval, § 28 stk 4) hold one amount per size category of the rulebook (1-7, 8-24,
    25-49, 50+ pladser under the 2017 order). The optional special takster are for offers only
    partly supervised (§ 29 stk 3: SEL § 66 stk 1 nr 7) and for chapter-2 parties (§ 30: approval,
    annual supervision and, stk 3, a significant change); they have no size categories."""

    TITLE: ClassVar[str] = "Takster fastsat"
    PARAGRAPH: ClassVar[str] = "bek § 28; § 29 stk 3; § 30"

    aar: int
    godkendelse: tuple[int, ...]
    tilsyn: tuple[int, ...]
    vaesentlig_aendring: tuple[int, ...]
    godkendelse_66_7: int | None = None
    tilsyn_66_7: int | None = None
    godkendelse_kapitel2: int | None = None
    tilsyn_kapitel2: int | None = None
    vaesentlig_aendring_kapitel2: int | None = None

    def summary(self) -> str:
        def row(values: tuple[int, ...]) -> str:
            return " / ".join(kroner(v) for v in values)

        text = (
            f"Takster {self.aar}: godkendelse {row(self.godkendelse)}; årlig tilsynstakst {row(self.tilsyn)}; "
            f"væsentlig ændring {row(self.vaesentlig_aendring)} (størrelseskategori 1-{len(self.tilsyn)})"
        )
        special = [
            (label, value)
            for label, value in (
                ("godkendelse SEL § 66 stk 1 nr 7", self.godkendelse_66_7),
                ("tilsyn SEL § 66 stk 1 nr 7", self.tilsyn_66_7),
                ("godkendelse kapitel 2", self.godkendelse_kapitel2),
                ("tilsyn kapitel 2", self.tilsyn_kapitel2),
                ("væsentlig ændring kapitel 2", self.vaesentlig_aendring_kapitel2),
            )
            if value is not None
        ]
        if special:
            text += "; særlige takster: " + ", ".join(f"{label} {kroner(value)}" for label, value in special)
        return text


class ObjektivFinansieringFastsat(AuthorityEvent):
    """The objektive finansieringsandel for one year (bek § 27): the budgeted cost of approving and
    supervising foster families, charged to the municipalities of the Socialtilsyn's area by their
    share of its 0-17-year-olds (§ 27 stk 2). Amounts in øre."""

    TITLE: ClassVar[str] = "Objektiv finansieringsandel fastsat"
    PARAGRAPH: ClassVar[str] = "bek § 27"

    aar: int
    samlet_beloeb_oere: int
    kommuner: dict[str, int]

    def summary(self) -> str:
        born = sum(self.kommuner.values())
        return (
            f"Objektiv finansieringsandel {self.aar}: {kroner(self.samlet_beloeb_oere)} fordelt på "
            f"{len(self.kommuner)} kommuner efter {born:,} 0-17-årige".replace(",", ".")
        )


class TilsynsrapportTekst(AuthorityEvent):
    """A text of Socialtilsynet's own annual report: its general considerations on the quality of
    the offers (bek § 18 stk 3) or its considerations on chosen focus points (stk 4). There is one
    text of general considerations a year (a change supersedes it, naming it); there may be several
    focus points."""

    TITLE: ClassVar[str] = "Årsrapportens tekst vedtaget"
    PARAGRAPH: ClassVar[str] = "bek § 18 stk 3-4"

    aar: int
    afsnit: str
    overskrift: str
    tekst: str

    def summary(self) -> str:
        which = "generelle overvejelser (stk 3)" if self.afsnit == "generelle_overvejelser" else "fokuspunkt (stk 4)"
        return f"Årsrapport {self.aar}, {which}: {self.overskrift}"


class TilsynsrapportAfgivet(AuthorityEvent):
    """The annual report for a year sent to Socialstyrelsen's audit function and the regional
    framework-agreement secretariat, and published (bek § 18 stk 5: by 1 July the year after)."""

    TITLE: ClassVar[str] = "Årsrapport afgivet og offentliggjort"
    PARAGRAPH: ClassVar[str] = "bek § 18 stk 5"

    aar: int
    digest: str

    def summary(self) -> str:
        return f"Årsrapport for {self.aar} sendt til Socialstyrelsens auditfunktion og rammeaftalesekretariatet og offentliggjort"


AUTHORITY_EVENTS: tuple[type[AuthorityEvent], ...] = (
    IndtaegtAndreOpgaver,
    TaksterFastsat,
    ObjektivFinansieringFastsat,
    TilsynsrapportTekst,
    TilsynsrapportAfgivet,
)
