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


def _help(name: str, field: FieldInfo, kind: str, core: Any) -> str:
    parts = [field.description] if field.description else []
    choices = _choices(core)
    if choices:
        parts.append("One of: " + ", ".join(choices) + ".")
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
            params.append(click.Option([f"--{option}", field_name], help=help_text, required=required,
                                       metavar=_metavar(core), type=click.INT if core is int else None))

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
    choices = _choices(core)
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
            click.echo(f"Recorded #{item['number']} {item['event']} for {receipt.offer}" + (f" ({made})" if made else ""))
