"""`ledger`: the supervision ledger's command line.

Only click is imported here, so `ledger --help` starts fast; each command's module is imported
when that command runs. Every command has help with an example (`ledger COMMAND --help`).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

# Decisions and records: one subcommand per command of `ledger.commands` (same names and fields as
# the JSON lines of `ledger submit`). A test keeps this list equal to ledger.commands.COMMANDS.
DECISIONS: dict[str, str] = {
    "ansoegning": "Ansøgning modtaget: a written application opens (or reopens) a case",
    "godkendelse": "Godkendt (med vilkår): approve a pending application",
    "afslag": "Afslag: refuse a pending application",
    "vilkaar-opfyldt": "Vilkår opfyldt: one vilkår is met",
    "vilkaar-aendret": "Vilkår ændret: change one vilkår",
    "vilkaar-ophaevet": "Vilkår ophævet: lift one vilkår",
    "fravigelse": "Fravigelse: a bounded departure from the approval, at the offer's request",
    "fravigelse-bortfaldet": "Fravigelse bortfaldet: its conditions no longer hold",
    "akut-forlaengelse": "Akut forlængelse: allow (or refuse) 3 more weeks of acute use",
    "dialog": "Dialog indledt: open a dialog about named concerns",
    "dialog-svar": "Tilbuddets bemærkninger: the offer's reply in a dialog or hearing",
    "paabud": "Påbud: order the offer to rectify a forhold by a frist",
    "paabudsfrist-forlaenget": "Påbudsfrist forlænget: a later frist at the offer's request",
    "paabud-opfyldt": "Påbud opfyldt: the offer complied",
    "paabud-ophaevet": "Påbud ophævet: lift a påbud",
    "skaerpet-tilsyn": "Skærpet tilsyn: intensified supervision for a period, with a påbud",
    "skaerpet-tilsyn-ophaevet": "Skærpet tilsyn ophævet: end it before its period",
    "ophoer": "Ophør af godkendelse: revoke the approval",
    "lukning": "Tilbuddet lukker: the offer closes on its own",
    "tilsynsbesoeg": "Tilsynsbesøg: a supervision visit",
    "kvalitetsvurdering": "Kvalitetsvurdering: indicators and written theme assessments",
    "budget-indsendt": "Budget indsendt: the annual budget is submitted",
    "koncernnote": "Koncernnote indsendt with a koncern's budget",
    "budget-afgoerelse": "Budget godkendt / ikke godkendt",
    "aarsrapport": "Årsrapport indsendt by the offer",
    "oekonomisk-vurdering": "Økonomisk vurdering (bek §§ 12-13)",
    "magtanvendelse": "Magtanvendelse indberettet (a reference, no personal data)",
    "magtanvendelse-vurderet": "Magtanvendelse vurderet by Socialtilsynet",
    "klage": "Klage modtaget over a decision",
    "klage-genvurderet": "Klage genvurderet: upheld or changed",
    "klage-videresendt": "Klage videresendt til Ankestyrelsen",
    "ankestyrelsens-afgoerelse": "Ankestyrelsens afgørelse of a complaint",
    "kommuner-orienteret": "Kommuner orienteret om a decision",
    "aendring-ansoegt": "Ansøgning om væsentlig ændring",
    "aendring-afgoerelse": "Væsentlig ændring godkendt / afslået",
    "annullering": "Annullering: annul a wrong record (a correction; both stay)",
    "arbejdsgiver-ansoegning": "Kapitel 2: ansøgning fra en forening eller privat virksomhed (SEL §§ 95-96)",
    "arbejdsgiver-dialog": "Kapitel 2: dialog med ansøgeren eller foreningen/virksomheden",
    "arbejdsgiver-godkendelse": "Kapitel 2: godkendt (betingelserne i bek § 20)",
    "arbejdsgiver-afslag": "Kapitel 2: afslag",
    "arbejdsgiver-vilkaar-opfyldt": "Kapitel 2: vilkår opfyldt",
    "arbejdsgiver-tilsyn": "Kapitel 2: risikobaseret tilsyn (bek § 22)",
    "arbejdsgiver-budget-indsendt": "Kapitel 2: budget indsendt (bek § 23)",
    "arbejdsgiver-budget-afgoerelse": "Kapitel 2: budget godkendt / ikke godkendt (bek § 24)",
    "arbejdsgiver-regnskab": "Kapitel 2: revideret årsregnskab indsendt (bek § 25)",
    "arbejdsgiver-ophoer": "Kapitel 2: ophør af godkendelse (bek § 21; aldrig straks)",
    "arbejdsgiver-lukning": "Kapitel 2: foreningen/virksomheden ophører selv",
    "indtaegt-andre-opgaver": "Indtægt fra andre opgaver (bek § 31), for § 18 stk 2 nr 8",
    "takster": "Takster fastsat for a year (bek §§ 28-30), in øre per size category",
    "objektiv-finansiering": "Objektiv finansieringsandel fastsat for a year (bek § 27)",
    "tilsynsrapport-tekst": "Årsrapportens tekster: generelle overvejelser og fokuspunkter (bek § 18 stk 3-4)",
    "tilsynsrapport-afgivet": "Årsrapporten afgivet og offentliggjort (bek § 18 stk 5)",
    "koncern": "Koncern registreret with its head address (bek § 3)",
}

# Everything else: name -> (module, attribute, one-line help).
TOOLS: dict[str, tuple[str, str, str]] = {
    "init": ("ledger.console.tools", "init", "Create a new, empty ledger."),
    "submit": ("ledger.console.tools", "submit", "Record a JSONL file of commands, atomically."),
    "import": ("ledger.console.tools", "import_", "Bulk-load a large JSONL file of commands, in batches."),
    "schema": ("ledger.console.tools", "schema", "Print the JSON Schema of the command format."),
    "status": ("ledger.console.reading", "status", "An offer's legal state on a date."),
    "history": ("ledger.console.reading", "history", "An offer's legal history, bitemporal."),
    "offers": ("ledger.console.views", "offers", "List offers with their status on a date."),
    "deadlines": ("ledger.console.views", "deadlines", "The deadline radar: what falls due, what is overdue."),
    "portal": ("ledger.console.views", "portal", "The public Tilbudsportal view: show one offer, export the site."),
    "stats": ("ledger.console.views", "stats", "The statistics of bek § 18 stk 2 for a year."),
    "projections": ("ledger.console.views", "projections", "Show, check, rebuild and follow the read models."),
    "fees": ("ledger.console.economy", "fees", "Takster and fees of a year per offer and region (bek §§ 27-29)."),
    "takster": ("ledger.console.economy", "takster", "Takster: record a year's table, or load a file of them."),
    "quality": ("ledger.console.economy", "quality", "The spindelvæv: theme values of the last two tilsyn (never public)."),
    "annual-report": ("ledger.console.annual", "annual_report", "Socialtilsynets whole annual report for a year (bek § 18): MD, HTML, PDF."),
    "complaint": ("ledger.console.complaints", "complaint", "Complaints: list them, build the case file for Ankestyrelsen."),
    "verify": ("ledger.console.audit", "verify", "Recompute the hash chain; report the first broken link; check a (signed) digest."),
    "digest": ("ledger.console.audit", "digest", "Print (or --sign) the ledger's head to publish; `digest keygen` makes the key pair."),
}


class LedgerGroup(click.Group):
    """Lists every command without importing them; imports one only when it runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(DECISIONS) + [name for name in TOOLS if name not in DECISIONS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        # A tool may share a decision's name (`takster` records a table and also `load`s a file
        # of them); the tool then hands plain use on to the decision.
        from ledger.settings import check_environment

        check_environment()  # a malformed numeric variable is refused by name before anything runs
        if cmd_name in TOOLS:
            module_name, attribute, _ = TOOLS[cmd_name]
            module = __import__(module_name, fromlist=[attribute])
            command: click.Command = getattr(module, attribute)
            return command
        if cmd_name in DECISIONS:
            from ledger.console.decisions import decision_command

            return decision_command(cmd_name)
        return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Reading, reports and tools"):
            formatter.write_dl([(name, help_) for name, (_, _, help_) in TOOLS.items()])
        with formatter.section("Decisions and records (same fields as the JSON lines of `ledger submit`)"):
            formatter.write_dl([(name, help_) for name, help_ in DECISIONS.items() if name not in TOOLS])


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option("0.1.0", prog_name="ledger")
def ledger() -> None:
    """The supervision ledger: every social offer's legal life as immutable, law-checked events.

    The database is ./ledger.db unless --db URL or LEDGER_DATABASE_URL names another (a SQLite
    path or URL, or postgresql+psycopg://user@host/db).

    Example:

        ledger init && ledger submit cases.jsonl && ledger status T-1001 --as-of 2024-06-01
    """


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: a LedgerError becomes `Error: ...` on stderr and its exit code."""
    try:
        return ledger.main(args=argv, prog_name="ledger", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted; nothing partial was written.", err=True)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence prints a clean message
        from ledger.console.common import report_error

        sys.exit(report_error(error))


if __name__ == "__main__":
    main()
    sys.exit(os.EX_OK)
