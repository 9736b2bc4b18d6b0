"""One click command per decision, generated from the same pydantic models `ledger submit` uses,
so a terminal user and a system are judged by exactly the same rules.

Options follow the model's fields (underscores become dashes; lists are repeated options with a
singular name). Structured values use a short syntax: --afdeling "NAVN|ADRESSE",
--vilkaar "TEKST|FRIST", --paabud "FORHOLD|FRIST|KARAKTER", --indikator 1.a=4, --kriterium K=ja.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

import click
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ledger.commands import COMMANDS, LEGAL_FIELDS, BaseCommand, parse_command
from ledger.console.common import by_option, db_option, emit_json, format_option, open_ledger
from ledger.i18n import _

# Singular option names for list and mapping fields.
SINGULAR = {
    "tilbudstyper": "tilbudstype",
    "afdelinger": "afdeling",
    "nye_afdelinger": "ny-afdeling",
    "vilkaar": "vilkaar",
    "forhold": "forhold",
    "dialog": "dialog",
    "paabud": "paabud",
    "paabud_refs": "paabud-ref",
    "kommuner_orienteret": "kommune",
    "kommuner_underrettet": "kommune",
    "kommuner": "kommune",
    "indikatorer": "indikator",
    "temaer": "tema",
    "kriterier": "kriterium",
    "kontroller": "kontrol",
    "konklusioner": "konklusion",
    "noegletal": "noegletal",
    "betingelser": "betingelse",
}
# Help for the fields whose models carry no description (by field name; the same field means the
# same thing in every command).
FIELD_HELP = {
    "aar": "The calendar year (YYYY).",
    "adresse": "The address (street and number, postcode and town).",
    "aendring": "The væsentlig ændring decided on (Æn, as `ledger history` shows it).",
    "afdeling": "The afdeling: its id (A1) or its name.",
    "afgoerelse": "The decision, by its event number (#n, as `ledger history` shows it).",
    "ambulant": "The offer is ambulant (no residents).",
    "annulleret": "The event to annul, by its number (#n).",
    "begrundelse": "The decision's reasons (a written decision is reasoned: bek § 1 stk 2; chapter 2: § 19 stk 2).",
    "beskrivelse": "What it is, in a sentence or two.",
    "bestyrelse": "The offer has a board (bestyrelse).",
    "betingelser": "The conditions it is bound by.",
    "bevilget": "Whether the extension is granted.",
    "budgetaar": "The budget year (YYYY).",
    "cvr": "The CVR number (8 digits).",
    "dialog": "The dialog it follows (Dn, as `ledger history` shows it).",
    "digest": "The published digest of the report (as `ledger digest` prints it).",
    "forhold": "The matter (forhold) concerned, in words.",
    "forventede_borgere": "The citizens the offer expects (SEL §§ 101/101a, SUL § 141).",
    "forventes_rettet": "Whether the offer is expected to rectify (otherwise the decision is ophør: bek § 8 stk 2).",
    "fravigelse": "The fravigelse concerned (Fn).",
    "godkendt": "Whether it is approved.",
    "hovedadresse": "The koncern's head address (it decides the Socialtilsyn: bek § 3).",
    "klage": "The complaint concerned (Kn).",
    "klager": "Who complains (never a personal number).",
    "kommune": "A municipality. Repeatable.",
    "koncern": "The koncern the offer belongs to (bek § 3).",
    "konsekvens": "The supervisory consequence drawn.",
    "kun_aflastning": "The offer gives relief stays only (aflastning).",
    "magtanvendelse": "The report of use of force concerned (Mn).",
    "modpart": "Who paid (the counterparty).",
    "navn": "The name, as it is to be shown.",
    "ny_afgoerelse": "The new decision that replaces the one complained of (#n).",
    "overskrift": "The section's heading.",
    "paabud": "The påbud concerned (Pn).",
    "pladser": "The number of places.",
    "reference": "The offer's own reference for the report (never personal data).",
    "regnskabsaar": "The financial year of the accounts (YYYY).",
    "resume": "A summary of the offer's remarks.",
    "saerlige_omstaendigheder": "The special circumstances that justify a later frist (bek § 7 stk 3).",
    "sikret": "The offer is a secure institution (sikret).",
    "skaerpet_tilsyn": "The skærpet tilsyn concerned (Sn).",
    "skriftlig": "Whether it was made in writing.",
    "tekst": "The text.",
    "vilkaar": "The vilkår concerned (Vn).",
}
# ... and where a field holds whole items rather than naming one (`--vilkaar TEKST|FRIST`).
ITEM_HELP = {
    "vilkaar": "A vilkår set with the decision, with its frist if it has one (bek § 1 stk 3).",
}
_TRUE = {"ja", "j", "yes", "y", "true", "1", "sand", "opfyldt"}
_FALSE = {"nej", "n", "no", "false", "0", "falsk", "ikke_opfyldt"}


def _unwrap(annotation: Any) -> Any:
    """Strip Optional[...] and Annotated[...] to the core type."""
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
            else:
                return annotation
        else:
            return annotation


def _kind(field: FieldInfo) -> tuple[str, Any]:
    core = _unwrap(field.annotation)
    origin = get_origin(core)
    if origin in (list, tuple):
        item = _unwrap(get_args(core)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            return "model_list", item
        return "list", item
    if origin is dict:
        return "dict", _unwrap(get_args(core)[1])
    if core is bool:
        return "bool", core
    return "scalar", core


def _parse_bool(text: str) -> bool | str:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return text


def _number(text: str) -> Any:
    """A number typed at the terminal, as the number it is (the models do not read "4" as 4)."""
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+[.,]\d+", text):
        return float(text.replace(",", "."))
    return text


def _split_pairs(values: tuple[str, ...], value_kind: Any, option: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for raw in values:
        key, sep, value = raw.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{raw!r} is not KEY=VALUE", param_hint=f"--{option}")
        result[key.strip()] = _parse_bool(value) if value_kind is bool else _number(value)
    return result


def _split_model(raw: str, model: type[BaseModel]) -> dict[str, Any]:
    names = list(model.model_fields)
    parts = [p.strip() for p in raw.split("|")]
    if len(parts) > len(names):
        raise click.BadParameter(f"{raw!r} has more than {len(names)} parts ({'|'.join(names).upper()})")
    return {name: part for name, part in zip(names, parts, strict=False) if part != ""}


def _choices(core: Any) -> list[str] | None:
    if get_origin(core) is Literal:
        return [str(a) for a in get_args(core)]
    if isinstance(core, type) and hasattr(core, "__members__"):
        return [m.value for m in core]  # type: ignore[attr-defined]
    return None


# Values a model accepts only to refuse them with the rule (a complaint about case-processing time
# or staff conduct is not for Ankestyrelsen): not offered in help.
NOT_OFFERED = {"sagsbehandlingstid", "personalets_optraeden"}


class FoldedChoice(click.ParamType[Any]):
    """One of a field's values, typed with æ/ø/å or their ASCII spellings and in any letter case
    (`--karakter Økonomisk` is `oekonomisk`). Anything else goes to the model as typed, which
    refuses it with the message `ledger submit` gives."""

    name = "choice"

    def __init__(self, choices: list[str]) -> None:
        from ledger.events.vocab import fold

        self.by_fold = {fold(choice): choice for choice in choices}
        self.fold = fold

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        return self.by_fold.get(self.fold(value), value)


def _help(name: str, field: FieldInfo, kind: str, core: Any) -> str:
    described = field.description or (ITEM_HELP.get(name) if kind == "model_list" else None) or FIELD_HELP.get(name)
    parts = [described] if described else []
    choices = [choice for choice in _choices(core) or [] if choice not in NOT_OFFERED]
    if choices:
        parts.append("One of: " + ", ".join(choices) + " (æ/ø/å or ae/oe/aa, any case).")
    if kind == "model_list":
        parts.append("Repeatable: " + "|".join(core.model_fields).upper() + ".")
    elif kind == "list":
        parts.append("Repeatable.")
    elif kind == "dict":
        parts.append("Repeatable KEY=VALUE.")
    if core is not None and getattr(core, "__name__", "") == "date":
        parts.append("YYYY-MM-DD.")
    return " ".join(parts)


def decision_command(name: str) -> click.Command:
    model = COMMANDS[name]
    subject = {"offer": "offer", "authority": "region", "koncern": "koncern", "employer": "part"}[model.CASE]
    params: list[click.Parameter] = [click.Argument([subject], metavar=subject.upper())]
    specs: dict[str, tuple[str, Any]] = {}
    for field_name, field in model.model_fields.items():
        if field_name in ("command", subject, "by"):
            continue
        kind, core = _kind(field)
        specs[field_name] = (kind, core)
        option = SINGULAR.get(field_name, field_name).replace("_", "-") if kind in ("list", "model_list", "dict") else field_name.replace("_", "-")
        # A field the law demands is left to the command's own refusal, which names the paragraph.
        legal = LEGAL_FIELDS.get(name, {}).get(field_name)
        required = field.is_required() and legal is None
        help_text = _help(field_name, field, kind, core) + (f" Required ({legal[0]})." if legal else "")
        if kind == "bool":
            decls = [f"--{option}/--ikke-{option}", field_name]
            default = None if required else field.default
            params.append(click.Option(decls, default=default, help=help_text, required=required, show_default=not required))
        elif kind in ("list", "model_list", "dict"):
            item_type = click.INT if kind == "list" and core is int else None
            params.append(click.Option([f"--{option}", field_name], multiple=True, type=item_type, help=help_text,
                                       required=required and kind != "dict"))
        else:
            choices = _choices(core)
            value_type: click.ParamType[Any] | None = click.INT if core is int else FoldedChoice(choices) if choices else None
            params.append(click.Option([f"--{option}", field_name], help=help_text, required=required,
                                       metavar=_metavar(core), type=value_type))

    def callback(db: str, by: str | None, fmt: str, **values: Any) -> None:
        data: dict[str, Any] = {"command": name, subject: values.pop(subject)}
        for field_name, (kind, core) in specs.items():
            value = values.get(field_name)
            if value is None or value == ():
                continue
            if kind == "model_list":
                data[field_name] = [_split_model(v, core) for v in value]
            elif kind == "dict":
                data[field_name] = _split_pairs(value, core, SINGULAR.get(field_name, field_name))
            elif kind == "list":
                data[field_name] = list(value)
            else:
                data[field_name] = value
        command = parse_command(data)
        app = open_ledger(db, by=by)
        receipts = app.execute([command], by=by)
        _report(receipts, fmt)

    command = click.Command(
        name=name,
        callback=callback,
        params=params,
        help=_docstring(model),
        short_help=model.SUMMARY,
    )
    for decorate in (format_option("text", "json"), by_option, db_option):
        command = decorate(command)
    return command


def _metavar(core: Any) -> str:
    choices = [choice for choice in _choices(core) or [] if choice not in NOT_OFFERED]
    if choices:
        return "[" + "|".join(choices) + "]"
    if getattr(core, "__name__", "") == "date":
        return "DATE"
    if core is int:
        return "N"
    return "TEXT"


def _docstring(model: type[BaseCommand]) -> str:
    text = inspect.cleandoc(model.__doc__ or model.SUMMARY)
    # click rewraps paragraphs; keep the example on its own, unwrapped.
    head, sep, example = text.partition("Example:")
    if not sep:
        return text
    example = " ".join(line.strip() for line in example.strip().splitlines())
    return f"{head.strip()}\n\nExample:\n\n\b\n    {example}"


def _report(receipts: list[Any], fmt: str) -> None:
    if fmt == "json":
        emit_json([r.as_dict() for r in receipts])
        return
    for receipt in receipts:
        for item in receipt.as_dict()["events"]:
            refs = {k: v for k, v in item.items() if k not in ("event", "type", "number")}
            made = ", ".join(f"{k} {', '.join(v) if isinstance(v, list) else v}" for k, v in refs.items())
            click.echo(
                _("Recorded #{number} {event} for {offer}").format(number=item["number"], event=item["event"], offer=receipt.offer)
                + (f" ({made})" if made else "")
            )
