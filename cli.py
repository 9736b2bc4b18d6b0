"""`ledger`: the supervision ledger's command line.

Only click is imported here, so `ledger --help` starts fast; each command's module is imported
when that command runs. Every command has help with an example (`ledger COMMAND --help`).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

def N_(message: str) -> str:
    """A message for people, translated where it is shown (scripts/i18n.py finds it here)."""
    return message


# Decisions and records: one subcommand per command of `ledger.commands` (same names and fields as
# the JSON lines of `ledger submit`). A test keeps this list equal to ledger.commands.COMMANDS.
DECISIONS: dict[str, str] = {
    "ansoegning": N_("Ansøgning modtaget: a written application opens (or reopens) a case"),
    "godkendelse": N_("Godkendt (med vilkår): approve a pending application"),
    "afslag": N_("Afslag: refuse a pending application"),
    "vilkaar-opfyldt": N_("Vilkår opfyldt: one vilkår is met"),
    "vilkaar-aendret": N_("Vilkår ændret: change one vilkår"),
    "vilkaar-ophaevet": N_("Vilkår ophævet: lift one vilkår"),
    "fravigelse": N_("Fravigelse: a bounded departure from the approval, at the offer's request"),
    "fravigelse-bortfaldet": N_("Fravigelse bortfaldet: its conditions no longer hold"),
    "akut-forlaengelse": N_("Akut forlængelse: allow (or refuse) 3 more weeks of acute use"),
    "dialog": N_("Dialog indledt: open a dialog about named concerns"),
    "dialog-svar": N_("Tilbuddets bemærkninger: the offer's reply in a dialog or hearing"),
    "paabud": N_("Påbud: order the offer to rectify a forhold by a frist"),
    "paabudsfrist-forlaenget": N_("Påbudsfrist forlænget: a later frist at the offer's request"),
    "paabud-opfyldt": N_("Påbud opfyldt: the offer complied"),
    "paabud-ophaevet": N_("Påbud ophævet: lift a påbud"),
    "skaerpet-tilsyn": N_("Skærpet tilsyn: intensified supervision for a period, with a påbud"),
    "skaerpet-tilsyn-ophaevet": N_("Skærpet tilsyn ophævet: end it before its period"),
    "ophoer": N_("Ophør af godkendelse: revoke the approval"),
    "lukning": N_("Tilbuddet lukker: the offer closes on its own"),
    "tilsynsbesoeg": N_("Tilsynsbesøg: a supervision visit"),
    "kvalitetsvurdering": N_("Kvalitetsvurdering: indicators and written theme assessments"),
    "budget-indsendt": N_("Budget indsendt: the annual budget is submitted"),
    "koncernnote": N_("Koncernnote indsendt with a koncern's budget"),
    "budget-afgoerelse": N_("Budget godkendt / ikke godkendt"),
    "aarsrapport": N_("Årsrapport indsendt by the offer"),
    "oekonomisk-vurdering": N_("Økonomisk vurdering (bek §§ 12-13)"),
    "magtanvendelse": N_("Magtanvendelse indberettet (a reference, no personal data)"),
    "magtanvendelse-vurderet": N_("Magtanvendelse vurderet by Socialtilsynet"),
    "klage": N_("Klage modtaget over a decision"),
    "klage-genvurderet": N_("Klage genvurderet: upheld or changed"),
    "klage-videresendt": N_("Klage videresendt til Ankestyrelsen"),
    "ankestyrelsens-afgoerelse": N_("Ankestyrelsens afgørelse of a complaint"),
    "kommuner-orienteret": N_("Kommuner orienteret om a decision"),
    "aendring-ansoegt": N_("Ansøgning om væsentlig ændring"),
    "aendring-afgoerelse": N_("Væsentlig ændring godkendt / afslået"),
    "annullering": N_("Annullering: annul a wrong record (a correction; both stay)"),
    "arbejdsgiver-ansoegning": N_("Kapitel 2: ansøgning fra en forening eller privat virksomhed (SEL §§ 95-96)"),
    "arbejdsgiver-dialog": N_("Kapitel 2: dialog med ansøgeren eller foreningen/virksomheden"),
    "arbejdsgiver-godkendelse": N_("Kapitel 2: godkendt (betingelserne i bek § 20)"),
    "arbejdsgiver-afslag": N_("Kapitel 2: afslag"),
    "arbejdsgiver-vilkaar-opfyldt": N_("Kapitel 2: vilkår opfyldt"),
    "arbejdsgiver-tilsyn": N_("Kapitel 2: risikobaseret tilsyn (bek § 22)"),
    "arbejdsgiver-budget-indsendt": N_("Kapitel 2: budget indsendt (bek § 23)"),
    "arbejdsgiver-budget-afgoerelse": N_("Kapitel 2: budget godkendt / ikke godkendt (bek § 24)"),
    "arbejdsgiver-regnskab": N_("Kapitel 2: revideret årsregnskab indsendt (bek § 25)"),
    "arbejdsgiver-aendring-ansoegt": N_("Kapitel 2: ansøgning om væsentlig ændring (bek § 30 stk 3)"),
    "arbejdsgiver-aendring-afgoerelse": N_("Kapitel 2: væsentlig ændring godkendt / afslået"),
    "arbejdsgiver-ophoer": N_("Kapitel 2: ophør af godkendelse (bek § 21; aldrig straks)"),
    "arbejdsgiver-lukning": N_("Kapitel 2: foreningen/virksomheden ophører selv"),
    "indtaegt-andre-opgaver": N_("Indtægt fra andre opgaver (bek § 31), for § 18 stk 2 nr 8"),
    "takster": N_("Takster fastsat for a year (bek §§ 28-30), in øre per size category"),
    "objektiv-finansiering": N_("Objektiv finansieringsandel fastsat for a year (bek § 27)"),
    "tilsynsrapport-tekst": N_("Årsrapportens tekster: generelle overvejelser og fokuspunkter (bek § 18 stk 3-4)"),
    "tilsynsrapport-afgivet": N_("Årsrapporten afgivet og offentliggjort (bek § 18 stk 5)"),
    "koncern": N_("Koncern registreret with its head address (bek § 3)"),
}

# Everything else: name -> (module, attribute, one-line help).
TOOLS: dict[str, tuple[str, str, str]] = {
    "init": ("ledger.console.tools", "init", N_("Create a new, empty ledger.")),
    "submit": ("ledger.console.tools", "submit", N_("Record a JSONL file of commands, atomically.")),
    "import": ("ledger.console.tools", "import_", N_("Bulk-load a large JSONL file of commands, in batches.")),
    "schema": ("ledger.console.tools", "schema", N_("Print the JSON Schema of the command format, or of a command's JSON output.")),
    "status": ("ledger.console.reading", "status", N_("An offer's legal state on a date.")),
    "history": ("ledger.console.reading", "history", N_("An offer's legal history, bitemporal.")),
    "offers": ("ledger.console.views", "offers", N_("List offers with their status on a date.")),
    "deadlines": ("ledger.console.views", "deadlines", N_("The deadline radar: what falls due, what is overdue.")),
    "portal": ("ledger.console.views", "portal", N_("The public Tilbudsportal view: show one offer, export the site.")),
    "stats": ("ledger.console.views", "stats", N_("The statistics of bek § 18 stk 2 for a year.")),
    "projections": ("ledger.console.views", "projections", N_("Show, check, rebuild and follow the read models.")),
    "fees": ("ledger.console.economy", "fees", N_("Takster and fees of a year per offer and region (bek §§ 27-29).")),
    "takster": ("ledger.console.economy", "takster", N_("Takster: record a year's table, or load a file of them.")),
    "quality": ("ledger.console.economy", "quality", N_("The spindelvæv: theme values of the last two tilsyn (never public).")),
    "annual-report": ("ledger.console.annual", "annual_report", N_("Socialtilsynets whole annual report for a year (bek § 18): MD, HTML, PDF.")),
    "complaint": ("ledger.console.complaints", "complaint", N_("Complaints: list them, build the case file for Ankestyrelsen.")),
    "verify": ("ledger.console.audit", "verify", N_("Recompute the hash chain; report the first broken link; check a (signed) digest.")),
    "digest": ("ledger.console.audit", "digest", N_("Print (or --sign) the ledger's head to publish; `digest keygen` makes the key pair.")),
    "serve": ("ledger.console.serve", "serve", N_("Serve the ledger over HTTP, with identities (JWT) and roles.")),
    "roles": ("ledger.console.roles", "roles", N_("PostgreSQL: create the database roles of the four roles.")),
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
            module_name, attribute, _help = TOOLS[cmd_name]
            module = __import__(module_name, fromlist=[attribute])
            command: click.Command = getattr(module, attribute)
            return command
        if cmd_name in DECISIONS:
            from ledger.console.decisions import decision_command

            return decision_command(cmd_name)
        return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _ = _help_text
        with formatter.section(_("Reading, reports and tools")):
            formatter.write_dl([(name, _(help_)) for name, (_module, _attribute, help_) in TOOLS.items()])
        with formatter.section(_("Decisions and records (same fields as the JSON lines of `ledger submit`)")):
            formatter.write_dl([(name, _(help_)) for name, help_ in DECISIONS.items() if name not in TOOLS])


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="supervision-ledger", prog_name="ledger")  # the version is pyproject.toml's
@click.option(
    "--lang",
    default=None,
    expose_value=False,
    is_eager=True,
    metavar="da|en",
    callback=lambda ctx, param, value: _set_language(value),
    help="Language of what is printed for people: da (default) or en [env LEDGER_LANG].",
)
@click.option(
    "--db",
    default=None,
    expose_value=False,
    is_eager=True,
    metavar="URL",
    callback=lambda ctx, param, value: _set_database(ctx, value),
    help="Database for the command that follows (as its own --db).",
)
def ledger() -> None:
    """The supervision ledger: every social offer's legal life as immutable, law-checked events.

    The database is ./ledger.db unless --db URL or LEDGER_DATABASE_URL names another (a SQLite
    path or URL, or postgresql+psycopg://user@host/db).

    Example:

        ledger init && ledger submit cases.jsonl && ledger status T-1001 --as-of 2024-06-01
    """


_LANGUAGE: list[str] = []  # as --lang gave it, for this invocation


def _set_language(value: str | None) -> None:
    """--lang (else LEDGER_LANG) for what follows. `ledger --help` reads its translations without
    importing the ledger (it starts in a few milliseconds); a command sets ledger.i18n's language."""
    _LANGUAGE[:] = [value] if value is not None else []
    wanted = os.environ.get("LEDGER_LANG")
    if value is None and wanted and wanted.strip().lower().replace("-", "_").split("_")[0].split(".")[0] not in ("da", "en"):
        raise click.UsageError(f"unknown language {wanted!r} in LEDGER_LANG; one of: da, en")
    if value is not None or "ledger.i18n" in sys.modules:
        from ledger import i18n

        i18n.choose(value if value is not None else os.environ.get("LEDGER_LANG") or None)


def _help_text(message: str) -> str:
    """A message of the command list in the language asked for (ledger/locale/<lang>.json)."""
    import json
    from pathlib import Path

    lang = (_LANGUAGE[0] if _LANGUAGE else os.environ.get("LEDGER_LANG") or "da").strip().lower()[:2]
    path = Path(__file__).resolve().parent / "ledger" / "locale" / f"{lang}.json"
    if lang not in _CATALOGUE:
        try:
            _CATALOGUE[lang] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _CATALOGUE[lang] = {}
    return _CATALOGUE[lang].get(message, message)


_CATALOGUE: dict[str, dict[str, str]] = {}


def _set_database(ctx: click.Context, value: str | None) -> None:
    """`ledger --db URL COMMAND`: the command's own --db takes it unless given after the command."""
    if value is not None:
        ctx.meta["ledger.db"] = value


def main(argv: list[str] | None = None, prog_name: str = "ledger") -> Any:
    """Console entry point: a LedgerError becomes `Error: ...` on stderr and its exit code."""
    try:
        return ledger.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Abort:
        from ledger.i18n import _

        click.echo(_("Aborted."), err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        from ledger.i18n import _

        click.echo(_("Interrupted; nothing partial was written."), err=True)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence prints a clean message
        from ledger.console.common import report_error

        sys.exit(report_error(error))


if __name__ == "__main__":
    main()
    sys.exit(os.EX_OK)
