"""A chapter-2 party: an association or private company that acts as employer in schemes under
SEL §§ 95-96 (lov § 18 a; bek §§ 19-25, 30), judged by chapter 2 of the order and its own part of
the rulebook (`Rulebook.chapter2`).

It shares the offer's case state and checks where the law is the same, and differs where the law
does: approval needs the three conditions of § 20 and a dialog with the applicant (§ 19 stk 1);
ophør needs dialog and a reasonable frist and can never be decided straks (§ 21, unlike § 4 stk 3);
the municipalities *and* the citizens concerned are told (§ 21 stk 3); supervision is risk-based
with no mandatory visit (§ 22); budgets are due 1 October and approved by 1 January (§§ 23-24)
from budget year 2019, revised accounts are sent after the audit (§ 25) from accounting year 2018
(§ 33 stk 3-4). Never on the Tilbudsportal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ledger.aggregates.base import Recording, case_id, check_key, require_text
from ledger.aggregates.offer import Offer, _Decision, judge_budget
from ledger.aggregates.state import APPROVED
from ledger.errors import InvalidInput, NotFound, RuleViolation
from ledger.events import employer as emp
from ledger.events import offer as ev
from ledger.events.vocab import Baggrund, OfferType, Region, StraksGrund

CONDITIONS: dict[str, str] = {
    "solvent": "foreningen eller virksomheden er solvent (bek § 20 nr 1)",
    "kompetent_ledelse_og_supervision": "kompetent ledelse, der benytter ekstern faglig supervision eller sparring (bek § 20 nr 2)",
    "kendskab_til_ansaettelsesret": "ledelsen kan påvise kendskab til ansættelsesret (bek § 20 nr 3)",
}
BUDGET_CRITERIA: dict[str, str] = {
    "ingen_uvedkommende_poster": "ingen poster uvedkommende for arbejdsgiverfunktionen (bek § 24 stk 2 nr 1)",
    "ansvarlig_forvaltning": "mulighed for ansvarlig forvaltning af de overførte tilskud (bek § 24 stk 2 nr 2)",
}
BUDGET_CHECKS: dict[str, str] = {
    "bestyrelsesvederlag": "bestyrelsesvederlag er sædvanlige (bek § 24 stk 3 nr 1)",
    "ingen_goodwill": "goodwill er ikke medregnet (bek § 24 stk 3 nr 2)",
}

# A chapter-2 party's significant change: a partial new approval (lov § 18 b stk 1), with its own
# takst (bek § 30 stk 3).
_CHANGE_PARAGRAPH = "bek § 30 stk 3; lov § 18 b stk 1"


def _chapter2_text(begrundelse: str | None) -> str:
    """A chapter-2 decision is written and reasoned (bek § 19 stk 2)."""
    return require_text(begrundelse, "bek § 19 stk 2", "a decision must be written with its begrundelse (reasons)")


class Arbejdsgiver(Offer):
    """One chapter-2 party's case."""

    KIND: ClassVar[str] = "arbejdsgiver"
    NOUN: ClassVar[str] = "party"
    ENDING: ClassVar[str] = "lov § 18 b stk 4"
    MISSING: ClassVar[str] = (
        "the party has no case in the ledger: a decision needs a written application first (bek § 19 stk 1); "
        "record its application (arbejdsgiver-ansoegning)"
    )

    @staticmethod
    def id_for(key: str) -> Any:
        return case_id(Arbejdsgiver.KIND, check_key(key, "party"))

    def _not_approved_here(self, d: _Decision, paragraph: str, what: str) -> None:
        if d.state.current_approval(d.day) is None:
            raise RuleViolation(paragraph, f"{what} requires an approved party; {self._status_text(d)}")

    # -- application and approval (bek §§ 19-20) ------------------------------------------
    def ansoeg_arbejdsgiver(
        self, rec: Recording, *, date: dt.date, part: str, navn: str, virksomhedsform: str, region: Region,
        adresse: str, cvr: str | None = None, skriftlig: bool = True, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Ansøgning om godkendelse (bek § 19 stk 1): written."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason,
                        event_class=emp.ArbejdsgiverAnsoegt, creating=True)
        if not skriftlig:
            raise RuleViolation("bek § 19 stk 1", "an application for approval must be written (skriftlig)")
        if self.version and d.state.phases:
            if d.status == "ansoegt":
                raise RuleViolation("bek § 19 stk 1", f"the party already has an application pending on {d.day}")
            if d.status in APPROVED:
                raise RuleViolation("lov § 18 b stk 1", "the party is approved")
        self._trigger(
            emp.ArbejdsgiverAnsoegt, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, part=check_key(part, "party"),
                navn=require_text(navn, "bek § 19 stk 1", "the party has a name"), virksomhedsform=virksomhedsform,
                region=region, adresse=require_text(adresse, "bek § 19 stk 1", "the party has an address"),
                cvr=cvr, note=note,
            ),
        )

    def godkend_arbejdsgiver(
        self, rec: Recording, *, date: dt.date, begrundelse: str | None, betingelser: Mapping[str, bool],
        dokumentation: str | None, vilkaar: Sequence[Mapping[str, Any]] = (), dialog: Sequence[str] | None = None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Godkendt (bek § 19; lov § 18 b): after the written application and dialog with the
        applicant, only if the three conditions of bek § 20 are met."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=emp.ArbejdsgiverGodkendt)
        if d.status != "ansoegt":
            raise RuleViolation("bek § 19 stk 1", f"an approval needs a pending application; {self._status_text(d)}")
        unknown = set(betingelser) - set(CONDITIONS)
        if unknown:
            raise InvalidInput(f"unknown conditions {sorted(unknown)}; the conditions of bek § 20 are {sorted(CONDITIONS)}")
        unmet = [text for key, text in CONDITIONS.items() if betingelser.get(key) is not True]
        if unmet:
            raise RuleViolation("bek § 20", "a party is approved only if every condition is met; not met or not stated: " + "; ".join(unmet))
        proof = require_text(
            dokumentation, "bek § 20 nr 3",
            "the knowledge of employment law is shown by documentation the management sent (dokumentation)",
        )
        self._require_dialog_or_straks(d, "bek § 19 stk 1", "an approval", dialog, False, None, None)
        text = _chapter2_text(begrundelse)
        made = self._vilkaar(d, vilkaar)
        self._trigger(
            emp.ArbejdsgiverGodkendt, rec, d.rules, date,
            **self._envelope(d, correction_reason, betingelser=dict(betingelser), dokumentation=proof, vilkaar=made,
                             begrundelse=text, note=note),
        )

    def afslaa_arbejdsgiver(
        self, rec: Recording, *, date: dt.date, begrundelse: str | None, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Afslag (bek §§ 19-20)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=emp.ArbejdsgiverAfslaaet)
        if d.status != "ansoegt":
            raise RuleViolation("bek § 19 stk 1", f"a refusal needs a pending application; {self._status_text(d)}")
        text = _chapter2_text(begrundelse)
        self._trigger(emp.ArbejdsgiverAfslaaet, rec, d.rules, date, **self._envelope(d, correction_reason, begrundelse=text, note=note))

    def indled_dialog_arbejdsgiver(
        self, rec: Recording, *, date: dt.date, forhold: Sequence[str], form: str = "moede",
        svarfrist: dt.date | None = None, note: str | None = None, supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """Dialog with the applicant or the party (bek § 19 stk 1, § 21 stk 1)."""
        self.indled_dialog(rec, date=date, forhold=forhold, form=form, svarfrist=svarfrist, note=note,
                           supersedes=supersedes, correction_reason=correction_reason)
        self._chapter2_paragraph("bek § 19 stk 1, § 21 stk 1")

    def _chapter2_paragraph(self, paragraph: str) -> None:
        """The shared event was judged by chapter 2: say so in its paragraph."""
        event = self._pending[-1]
        replaced = event.model_copy(update={"paragraph": paragraph})
        self._pending[-1] = replaced
        self.events[-1] = replaced

    def vilkaar_opfyldt_arbejdsgiver(
        self, rec: Recording, *, date: dt.date, vilkaar: str, begrundelse: str | None = None, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """A vilkår of the approval met (bek § 19 stk 3)."""
        self.vilkaar_opfyldt(rec, date=date, vilkaar=vilkaar, begrundelse=begrundelse, note=note,
                             supersedes=supersedes, correction_reason=correction_reason)
        self._chapter2_paragraph("bek § 19 stk 3; lov § 18 b stk 3")

    # -- supervision, budgets and accounts (bek §§ 22-25) ---------------------------------
    def tilsyn_arbejdsgiver(
        self, rec: Recording, *, date: dt.date, form: str, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Risk-based supervision, by a visit or otherwise (bek § 22 stk 2)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason,
                        event_class=emp.ArbejdsgiverTilsynGennemfoert)
        self._require_open(d, "supervision")
        self._trigger(emp.ArbejdsgiverTilsynGennemfoert, rec, d.rules, date, **self._envelope(d, correction_reason, form=form, note=note))

    def _budget_year(self, d: _Decision, budgetaar: int) -> None:
        first = d.rules.chapter2.budgets_from_year
        if budgetaar < first:
            raise RuleViolation(
                "bek § 33 stk 3",
                f"the order applies to chapter-2 budgets from budget year {first}; {budgetaar} is not covered",
            )

    def budget_indsendt_arbejdsgiver(
        self, rec: Recording, *, date: dt.date, budgetaar: int, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """The annual budget (bek § 23; lov § 18 g stk 1): due 1 October the year before."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.BudgetIndsendt)
        self._require_open(d, "a budget")
        self._budget_year(d, budgetaar)
        if not date.year <= budgetaar <= date.year + 1:
            raise RuleViolation("bek § 23", f"a budget submitted on {date} is for {date.year} or {date.year + 1}, not {budgetaar}")
        existing = d.state.budgets.get(str(budgetaar))
        if existing and existing["submitted"]:
            raise RuleViolation("bek § 23", f"the budget for {budgetaar} was already submitted on {existing['submitted']}")
        self._trigger(ev.BudgetIndsendt, rec, d.rules, date,
                      **self._envelope(d, correction_reason, budgetaar=budgetaar, note=note, paragraph="bek § 23; lov § 18 g stk 1"))

    def budget_afgoer_arbejdsgiver(
        self, rec: Recording, *, date: dt.date, budgetaar: int, godkendt: bool, begrundelse: str | None,
        kriterier: Mapping[str, bool] | None = None, kontroller: Mapping[str, bool] | None = None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """The budget approved or not (bek § 24): approved only when the two criteria of stk 2 are
        established as met and no check of stk 3 fails; refused only for an unmet criterion or a
        failed check (stk 2: "skal godkende")."""
        event_class = ev.BudgetGodkendt if godkendt else ev.BudgetIkkeGodkendt
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=event_class)
        self._require_open(d, "a budget decision")
        self._budget_year(d, budgetaar)
        budget = d.state.budgets.get(str(budgetaar))
        if not budget or not budget["submitted"] or budget["submitted"] > d.day:
            raise RuleViolation("bek § 24", f"the budget for {budgetaar} has not been submitted by {d.day}")
        if budget["decided"]:
            raise RuleViolation("bek § 24", f"the budget for {budgetaar} was already decided on {budget['decided']}")
        criteria, checks = dict(kriterier or {}), dict(kontroller or {})
        for given, known, what in ((criteria, BUDGET_CRITERIA, "criteria"), (checks, BUDGET_CHECKS, "checks")):
            unknown = set(given) - set(known)
            if unknown:
                raise InvalidInput(f"unknown budget {what} {sorted(unknown)}; known: {sorted(known)}")
        text = judge_budget(
            godkendt, begrundelse, criteria, checks, BUDGET_CRITERIA, BUDGET_CHECKS, {},
            paragraph="bek § 24", decision_text=_chapter2_text,
        )
        self._trigger(
            event_class, rec, d.rules, date,
            **self._envelope(d, correction_reason, budgetaar=budgetaar, kriterier=criteria, kontroller=checks,
                             begrundelse=text, note=note, paragraph="bek § 24; lov § 18 g stk 1"),
        )

    def regnskab(
        self, rec: Recording, *, date: dt.date, regnskabsaar: int, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """The revised annual accounts, sent right after the audit (bek § 25), from accounting year 2018
        (§ 33 stk 4): the duty is the approved party's, whichever year the accounts cover, so a party
        approved in 2019 sends its accounts for 2018."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=emp.RegnskabIndsendt)
        first = d.rules.chapter2.accounts_from_year
        if regnskabsaar < first:
            raise RuleViolation("bek § 33 stk 4", f"the order applies to chapter-2 accounts from {first}; {regnskabsaar} is not covered")
        if regnskabsaar >= date.year:
            raise RuleViolation("bek § 25", f"the accounts for {regnskabsaar} are audited after the year ends, not sent on {date}")
        if str(regnskabsaar) in d.state.regnskaber:
            raise RuleViolation("bek § 25", f"the accounts for {regnskabsaar} were already sent on {d.state.regnskaber[str(regnskabsaar)]}")
        self._trigger(emp.RegnskabIndsendt, rec, d.rules, date, **self._envelope(d, correction_reason, regnskabsaar=regnskabsaar, note=note))

    # -- væsentlig ændring (bek § 30 stk 3) ----------------------------------------------
    def ansoeg_aendring_arbejdsgiver(
        self, rec: Recording, *, date: dt.date, beskrivelse: str, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """An approved party applies for a partial new approval because of significant changes in the
        basis of its approval (bek § 30 stk 3: charged its own takst)."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=ev.AendringAnsoegt)
        self._not_approved_here(d, "bek § 30 stk 3", "a significant change (a partial new approval)")
        self._trigger(
            ev.AendringAnsoegt, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, aendring=self._ref(d, ev.AendringAnsoegt),
                beskrivelse=require_text(beskrivelse, "bek § 30 stk 3", "describe the change (beskrivelse)"),
                note=note, paragraph=_CHANGE_PARAGRAPH,
            ),
        )

    def ansoeg_aendring(
        self, rec: Recording, *, date: dt.date, beskrivelse: str, pladser: int | None = None,
        forventede_borgere: int | None = None, tilbudstyper: Sequence[OfferType] = (),
        nye_afdelinger: Sequence[Mapping[str, str]] = (), note: str | None = None, supersedes: int | None = None,
        correction_reason: str | None = None,
    ) -> None:
        """`aendring-ansoegt` naming a party (by `offer` or `part`): the party's own change (bek § 30 stk 3)."""
        if pladser is not None or forventede_borgere is not None or tilbudstyper or nye_afdelinger:
            raise InvalidInput(
                "a chapter-2 party's significant change has no pladser, forventede_borgere, tilbudstyper or "
                "nye_afdelinger: describe it (beskrivelse)"
            )
        self.ansoeg_aendring_arbejdsgiver(rec, date=date, beskrivelse=beskrivelse, note=note, supersedes=supersedes,
                                          correction_reason=correction_reason)

    def afgoer_aendring(
        self, rec: Recording, *, date: dt.date, aendring: str, godkendt: bool, begrundelse: str | None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """`aendring-afgoerelse` naming a party: the party's own decision (bek § 19 stk 2, § 30 stk 3)."""
        self.afgoer_aendring_arbejdsgiver(rec, date=date, aendring=aendring, godkendt=godkendt, begrundelse=begrundelse,
                                          note=note, supersedes=supersedes, correction_reason=correction_reason)

    def afgoer_aendring_arbejdsgiver(
        self, rec: Recording, *, date: dt.date, aendring: str, godkendt: bool, begrundelse: str | None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Decide a party's application for a significant change: a written, reasoned decision (bek
        § 19 stk 2) while the party is approved."""
        event_class = ev.AendringGodkendt if godkendt else ev.AendringAfslaaet
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason, event_class=event_class)
        item = d.state.aendringer.get(aendring)
        if item is None:
            raise NotFound(f"change {aendring} has not been applied for in this case")
        if item["decided"]:
            raise RuleViolation("bek § 30 stk 3", f"change {aendring} was already decided on {item['decided']}")
        if item["applied"] > d.day:
            raise RuleViolation("bek § 30 stk 3", f"change {aendring} was applied for {item['applied']}, after {d.day}")
        self._not_approved_here(d, "bek § 30 stk 3", "deciding a significant change")
        text = _chapter2_text(begrundelse)
        self._trigger(
            event_class, rec, d.rules, date,
            **self._envelope(d, correction_reason, aendring=aendring, begrundelse=text, note=note,
                             paragraph=_CHANGE_PARAGRAPH),
        )

    # -- ophør (bek § 21) -----------------------------------------------------------------
    def ophoer_arbejdsgiver(
        self, rec: Recording, *, date: dt.date, baggrund: Baggrund, begrundelse: str | None,
        virkning_fra: dt.date | None = None, dialog: Sequence[str] | None = None, straks: bool = False,
        straks_grund: StraksGrund | None = None, straks_begrundelse: str | None = None,
        kommuner_underrettet: Sequence[str] = (), borgere_underrettet: int = 0, note: str | None = None,
        supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """Ophør af godkendelse (bek § 21): after dialog and a chance to rectify, with a reasonable
        frist; never straks; the municipalities that granted the schemes and the citizens are told."""
        d = self._begin(rec, date, supersedes=supersedes, correction_reason=correction_reason,
                        event_class=emp.ArbejdsgiverGodkendelseOphoert)
        self._not_approved_here(d, "bek § 21", "ophør of approval")
        if straks or (straks_begrundelse and straks_begrundelse.strip()):
            raise RuleViolation(
                "bek § 21",
                "the approval of an association or company under SEL §§ 95-96 cannot be ended straks: chapter 2 has no "
                "exception like bek § 4 stk 3; dialog and a chance to rectify come first (§ 21 stk 1) and the ophør "
                "needs a reasonable frist (§ 21 stk 2)",
            )
        pending = d.state.pending_ophoer_on(d.day)
        if pending is not None:
            raise RuleViolation("bek § 21 stk 2", f"ophør was already decided (#{pending['version']}) with effect from {pending['start']}")
        dialogs, _, _, _ = self._require_dialog_or_straks(d, "bek § 21 stk 1", "ophør of approval", dialog, False, None, None)
        if virkning_fra is None:
            raise RuleViolation("bek § 21 stk 2", "ophør needs a reasonable frist: state the date it takes effect (virkning_fra)")
        self._check_future(d, virkning_fra, "bek § 21 stk 2", "the ophør's effective date (a reasonable frist)")
        if borgere_underrettet < 0:
            raise InvalidInput("borgere_underrettet is a number of citizens")
        text = _chapter2_text(begrundelse)
        self._trigger(
            emp.ArbejdsgiverGodkendelseOphoert, rec, d.rules, date,
            **self._envelope(
                d, correction_reason, virkning_fra=virkning_fra, baggrund=baggrund, dialog=dialogs,
                kommuner_underrettet=tuple(kommuner_underrettet), borgere_underrettet=borgere_underrettet,
                begrundelse=text, note=note,
            ),
        )

    def luk_arbejdsgiver(
        self, rec: Recording, *, date: dt.date, virkning_fra: dt.date | None = None, begrundelse: str | None = None,
        note: str | None = None, supersedes: int | None = None, correction_reason: str | None = None,
    ) -> None:
        """The party stops on its own initiative."""
        self.luk(rec, date=date, virkning_fra=virkning_fra, begrundelse=begrundelse, note=note,
                 supersedes=supersedes, correction_reason=correction_reason)
        self._chapter2_paragraph("lov § 18 b stk 1 (godkendelsen bortfalder, når virksomheden ophører)")
