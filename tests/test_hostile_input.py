"""Hostile input (issue 17, items 8-11): no CPR number in any spelling in any text field or id of any
command, nor in --by or $LEDGER_USER; no characters that make text read as other text; no JSON line
with a repeated key; every list and text bounded.

The CPR tests walk the command models' fields generically (every text position of every command,
nested ones, list items, dict keys and values), so a field added later is covered without a line
here.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from support import ansoegning, close_cached_apps, cmd, run_cli

from ledger.application import Ledger
from ledger.bulk import command_of_line, import_lines
from ledger.commands import ALL_COMMANDS, COMMANDS, keys_given, parse_command, parse_json_line, repeated_key
from ledger.errors import InvalidInput, LedgerError
from ledger.readers import holds_cpr_number, text_refusal

CPR_MESSAGE = "the ledger holds no personal numbers"


# -- the text positions of every command, found by walking its model ---------------------------------
def _is_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    if get_origin(annotation) is typing.Annotated:
        return _is_text(get_args(annotation)[0])
    return False


def _options(annotation: Any) -> tuple[Any, ...]:
    if get_origin(annotation) in (Union, types.UnionType):
        return get_args(annotation)
    return (annotation,)


def _positions(annotation: Any) -> Iterator[tuple[str, Any]]:
    """(the location pydantic reports, a function placing a text there) for each text position."""
    for option in _options(annotation):
        if get_origin(option) is typing.Annotated:
            option = get_args(option)[0] if not _is_text(option) else option
        if _is_text(option):
            yield "", lambda text: text
        elif isinstance(option, type) and issubclass(option, BaseModel):
            for name, info in option.model_fields.items():
                for where, place in _positions(info.annotation):
                    yield f".{name}{where}", (lambda text, name=name, place=place: {name: place(text)})
        elif get_origin(option) is list:
            for where, place in _positions(get_args(option)[0]):
                yield f".0{where}", (lambda text, place=place: [place(text)])
        elif get_origin(option) is dict:
            key, value = get_args(option)
            if _is_text(key):
                yield " (a key)", lambda text: {text: True}
            for where, place in _positions(value):
                yield f".k{where}", (lambda text, place=place: {"k": place(text)})
        elif get_origin(option) is Literal or (isinstance(option, type) and issubclass(option, (enum.Enum, int, float, bool))):
            continue  # a fixed word or a number: no text can be put there


def text_positions() -> list[tuple[str, str, Any]]:
    """(command, location, function making a command dict with the text at that location)."""
    found = []
    for cls in ALL_COMMANDS:
        for name, info in cls.model_fields.items():
            if name == "command":
                continue
            for where, place in _positions(info.annotation):
                found.append((cls.NAME, f"{name}{where}", (lambda text, cls=cls, name=name, place=place: {"command": cls.NAME, name: place(text)})))
    return found


POSITIONS = text_positions()


def test_the_walk_finds_the_text_fields_the_issue_names() -> None:
    where = {(command, location) for command, location, _ in POSITIONS}
    for expected in [
        ("ansoegning", "offer"), ("ansoegning", "navn"), ("ansoegning", "afdelinger.0.navn"),
        ("ansoegning", "afdelinger.0.adresse"), ("ansoegning", "koncern"), ("tilsynsbesoeg", "note"),
        ("tilsynsbesoeg", "by"), ("afslag", "begrundelse"), ("dialog", "forhold.0"), ("paabud", "forhold"),
        ("paabud", "kommuner_orienteret.0"), ("indtaegt-andre-opgaver", "modpart"),
        ("indtaegt-andre-opgaver", "beskrivelse"), ("aendring-ansoegt", "beskrivelse"),
        ("skaerpet-tilsyn", "paabud.0.forhold"), ("godkendelse", "vilkaar.0.tekst"), ("magtanvendelse", "reference"),
        ("kvalitetsvurdering", "temaer (a key)"), ("kvalitetsvurdering", "temaer.k"), ("aarsrapport", "noegletal.k"),
        ("budget-afgoerelse", "kriterier (a key)"), ("objektiv-finansiering", "kommuner (a key)"),
        ("arbejdsgiver-ansoegning", "part"), ("koncern", "koncern"), ("annullering", "correction_reason"),
    ]:
        assert expected in where, expected
    assert len({command for command, _, _ in POSITIONS}) == len(COMMANDS)


# -- CPR numbers, spelled every way ------------------------------------------------------------------
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
SEPARATORS = [" ", "-", ".", "/", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\u00a0", "\u3000",
              "\uff0d", "_", " - ", "\u200b-", "\u00ad", "\u2060"]
DIGITS = {
    "ascii": "0123456789",
    "fullwidth": "０１２３４５６７８９",
    "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
    "mathematical": "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",
    "devanagari": "०१२३४५६७८९",
}
INVISIBLE = ["", "\u200b", "\u200c", "\u2060", "\ufeff", "\u202e", "\u2066", "\u00ad"]


@st.composite
def cpr_numbers(draw: st.DrawFn) -> str:
    """A real date DDMMYY and four digits, in one of many spellings, maybe inside other text."""
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, DAYS_IN_MONTH[month - 1]))
    year = draw(st.integers(0, 99))
    tail = draw(st.integers(0, 9999))
    groups = [f"{day:02d}", f"{month:02d}", f"{year:02d}", f"{tail:04d}"]
    script = DIGITS[draw(st.sampled_from(sorted(DIGITS)))]
    groups = ["".join(script[int(d)] for d in group) for group in groups]
    invisible = draw(st.sampled_from(INVISIBLE))
    if invisible:  # an invisible character slipped between two digits
        at = draw(st.integers(0, 3))
        groups[at] = groups[at][0] + invisible + groups[at][1:]
    style = draw(st.sampled_from(["run", "one", "all"]))
    sep = draw(st.sampled_from(SEPARATORS))
    if style == "run":
        number = "".join(groups)
    elif style == "one":
        number = "".join(groups[:3]) + sep + groups[3]
    else:
        number = sep.join(groups)
    before = draw(st.sampled_from(["", "borger ", "T-", "CPR: ", "Ærø ", "x"]))
    after = draw(st.sampled_from(["", " er anbragt", ".", " (fortroligt)"]))
    return before + number + after


def _no_digits_of(number: str, message: str) -> None:
    digits = "".join(ch for ch in number if ch.isdecimal())
    assert digits[:6] not in message, message


@pytest.mark.parametrize("command", sorted(COMMANDS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=cpr_numbers())
def test_a_cpr_number_in_any_spelling_is_refused_in_every_text_field(command: str, number: str) -> None:
    positions = [(location, make) for name, location, make in POSITIONS if name == command]
    assert positions
    for location, make in positions:
        for parse in (parse_command, lambda data: parse_json_line(json.dumps(data, ensure_ascii=False))):
            with pytest.raises(InvalidInput) as refused:
                parse(make(number))
            message = str(refused.value)
            assert f"{location}: {CPR_MESSAGE}" in message or (
                # a dict's value of a union (aarsrapport's noegletal): pydantic names the union's member
                location.endswith(".k") and f"{location}." in message and CPR_MESSAGE in message
            ), (location, number, message)
            _no_digits_of(number, message)


@pytest.mark.parametrize(
    "number",
    ["010190-1234", "0101901234", "010190\u20101234", "010190\u200b-1234", "010190.1234", "010190/1234",
     "01-01-90-1234", "01.01.90 1234", "010190 - 1234", "borger 010190-1234", "０１０１９０１２３４", "٠١٠١٩٠١٢٣٤",
     "0\ufe0f\u20e3101901234", "𝟎𝟏𝟎𝟏𝟗𝟎𝟏𝟐𝟑𝟒", "T-0101901234", "290200-1234"],
)
def test_the_spellings_the_campaign_used_are_each_a_cpr_number(number: str) -> None:
    assert holds_cpr_number(number)
    assert text_refusal(number) is not None and CPR_MESSAGE in str(text_refusal(number))


@pytest.mark.parametrize(
    "text",
    ["2024-01-08", "Besøg 2024-01-08 kl. 10:30", "2024-01-08T12:34:56", "beløb 12.500,00 kr", "#12", "Tlf. +45 12 34 56 78",
     "CVR 12345678", "Lærkevej 1, 9000 Aalborg", "3201901234", "0113901234", "300290-1234", "01019012345", "4512345678",
     "MA-2024-017", "T-3003", "P1 og P2, frist 2024-11-01", "1234567890"],
)
def test_dates_amounts_references_and_numbers_that_are_not_cpr_numbers_are_kept(text: str) -> None:
    assert text_refusal(text) is None
    parse_command(cmd("tilsynsbesoeg", "2024-04-15", form="anmeldt", note=text))


@settings(max_examples=300, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_a_ten_digit_run_is_refused_exactly_when_its_first_six_digits_are_a_real_date(digits: str) -> None:
    day, month = int(digits[:2]), int(digits[2:4])
    real = 1 <= month <= 12 and 1 <= day <= DAYS_IN_MONTH[month - 1]
    assert holds_cpr_number(f"nr. {digits}") is real


def test_a_cpr_number_in_an_offer_id_is_refused_on_the_command_line_and_nothing_is_stored(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    try:
        assert run_cli(["init", "--db", db]).exit_code == 0
        for offer in ("010190-1234", "0101901234"):
            result = run_cli(["submit", "-", "--db", db], json.dumps(ansoegning(offer=offer)) + "\n")
            assert result.exit_code == 2, result.output
            assert result.stderr.startswith(f"Error: line 1: offer: {CPR_MESSAGE}"), result.output
        result = run_cli(["ansoegning", "T-1", "--db", db, "--date", "2024-01-10", "--navn", "Bostedet 010190‐1234",
                          "--tilbudstype", "SEL107", "--pladser", "3", "--ejerform", "privat", "--region", "Nord",
                          "--afdeling", "Huset|Vej 1, 9000 Aalborg"])
        assert result.exit_code == 2 and f"navn: {CPR_MESSAGE}" in result.stderr, result.output
        assert "not in the ledger" in run_cli(["status", "T-1", "--db", db]).output
        assert json.loads(run_cli(["digest", "--db", db, "--format", "json"]).output)["position"] == 0
    finally:
        close_cached_apps()


def test_a_message_never_quotes_a_cpr_number_it_refuses() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_command({**ansoegning(), "0101901234": 1})
    assert "0101901234" not in str(refused.value) and "unknown field" in str(refused.value)
    with pytest.raises(InvalidInput) as refused:
        parse_command(cmd("budget-afgoerelse", "2024-12-01", budgetaar=2025, godkendt=True, kriterier={"010190-1234": True}))
    assert "kriterier (a key): " + CPR_MESSAGE in str(refused.value) and "010190" not in str(refused.value)


# -- characters that make text read as other text ----------------------------------------------------
HOSTILE = [
    *[chr(c) for c in range(0x202A, 0x202F)],  # bidi embeddings and overrides
    *[chr(c) for c in range(0x2066, 0x206A)],  # bidi isolates
    *[chr(c) for c in range(0x200B, 0x2010)],  # zero-width characters and bidi marks
    "\u2060", "\ufeff", "\u00ad", "\u061c", "\U000e0041",  # word joiner, BOM, soft hyphen, Arabic letter mark, a tag
    "\u2028", "\u2029",  # line and paragraph separators
    "\ufffe", "\uffff", "\ufdd0", "\U0001ffff", "\U0010fffe",  # noncharacters
    "\ue000", "\uf8ff", "\U000f0000",  # private use
    "\x00", "\x1b", "\x7f", "\x85", "\r",  # control characters, and a bare CR
]


@pytest.mark.parametrize("character", HOSTILE, ids=[f"U+{ord(c):04X}" for c in HOSTILE])
@pytest.mark.parametrize("field", ["navn", "afdelinger.0.adresse", "note"])
def test_a_hostile_character_is_refused_naming_the_field_and_the_character(character: str, field: str) -> None:
    text = f"Bostedet{character}Lærkely"
    data = ansoegning()
    if field == "afdelinger.0.adresse":
        data["afdelinger"] = [{"navn": "Huset", "adresse": text}]
    else:
        data[field] = text
    for parse in (parse_command, lambda d: parse_json_line(json.dumps(d))):
        with pytest.raises(InvalidInput) as refused:
            parse(data)
        assert f"{field}: text must not hold" in str(refused.value)
        assert f"U+{ord(character):04X}" in str(refused.value)


def test_a_surrogate_from_a_command_line_argument_is_refused() -> None:
    # What Python makes of a byte that is not UTF-8 in argv (surrogateescape).
    with pytest.raises(InvalidInput, match=r"navn: text must not hold a surrogate .*U\+DCFF"):
        parse_command(ansoegning(navn="Bostedet \udcff"))


@pytest.mark.parametrize(
    "text",
    ["To linjer\nog en til", "Kolonne\tkolonne", "Windows\r\nlinjer", "Familien 👨\u200d👩\u200d👧 og 🏳️\u200d🌈",
     "Ærø – “citat” § 7 stk 3 ½ €", "Zoë Ñandú «citat»", "Søndergade\u00a0123"],
)
def test_line_breaks_tabs_and_ordinary_unicode_are_kept(text: str) -> None:
    assert parse_command(ansoegning(navn="Bostedet", note=text)).note == text


# -- a key given twice -------------------------------------------------------------------------------
VISIT = '{"command":"tilsynsbesoeg","offer":"T-1","date":"2024-04-15","form":"anmeldt"}'
REPEATED = [
    ('{"command":"paabud","command":"tilsynsbesoeg","offer":"T-1","date":"2024-04-15","form":"anmeldt"}', "command"),
    ('{"command": "tilsynsbesoeg", "offer": "T-1", "date": "2024-04-15", "form": "anmeldt", "form": "uanmeldt"}', "form"),
    ('{"command":"tilsynsbesoeg","offer":"T-9","offer":"T-1","date":"2024-04-15","form":"anmeldt"}', "offer"),
    # spelled differently, the same key once read
    ('{"command":"paabud","comm\\u0061nd":"tilsynsbesoeg","offer":"T-1","date":"2024-04-15","form":"anmeldt"}', "command"),
    # white space before a colon, which the quick count does not see
    ('{"command" :"tilsynsbesoeg","offer":"T-1","date":"2024-04-15","form":"anmeldt","note" : "a","note":"b"}', "note"),
    # in a nested object, and in a dict
    (json.dumps(ansoegning(offer="T-1")).replace('"adresse"', '"navn": "X", "adresse"'), "navn"),
    ('{"command":"budget-afgoerelse","offer":"T-1","date":"2024-12-01","budgetaar":2025,"godkendt":true,'
     '"kriterier":{"sammenhaeng":true,"sammenhaeng":false}}', "sammenhaeng"),
    ('{"command":"budget-afgoerelse","offer":"T-1","date":"2024-12-01","budgetaar":2025,"godkendt":true,'
     '"kriterier":{" sammenhaeng":true,"sammenhaeng":false}}', "sammenhaeng"),
    # a string that begins with a colon adds one '":' (the count must not balance the repeated key)
    ('{"command":"tilsynsbesoeg","offer":"T-1","date":"2024-04-15","form":"anmeldt","form":"anmeldt","note":": ja"}', "form"),
]


@pytest.mark.parametrize("line, key", REPEATED)
def test_a_line_with_a_repeated_key_is_refused_by_every_reader(line: str, key: str) -> None:
    for read in (parse_json_line, lambda text: command_of_line(text.encode())):
        with pytest.raises(InvalidInput, match=f"the key '\\s?{key}' is given twice"):
            read(line)


def test_a_line_that_names_each_key_once_is_read_as_before() -> None:
    for line in [VISIT, VISIT.replace(":", ": "), VISIT.replace('"anmeldt"', '"anmeldt","note":"kl. 10:30 \\": ok"'),
                 json.dumps(ansoegning(afdelinger=[{"navn": "A", "adresse": "V 1"}, {"navn": "B", "adresse": "V 2"}]))]:
        assert parse_json_line(line) == command_of_line(line.encode())


def test_the_quick_count_of_keys_is_exact_for_every_kind_of_command(national: list[bytes]) -> None:
    """The quick check trusts that a line holds as many colons as its command has keys (when no text
    holds a colon): on the generator's national file (every kind of command), it does, line for line."""
    kinds = set()
    for raw in national:
        command = command_of_line(raw)
        assert command is not None
        assert raw.count(b":") == keys_given(command), raw
        kinds.add(command.NAME)
    assert len(kinds) >= 30
    assert repeated_key(VISIT) is None and repeated_key("not json") is None


@pytest.fixture(scope="module")
def national() -> list[bytes]:
    import io
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import generate

    out = io.BytesIO()
    generate.write_jsonl(out, 0.01, 3, rich=True)
    return out.getvalue().splitlines()


@pytest.mark.parametrize("workers", [1, 2])
def test_the_importer_refuses_a_repeated_key_with_its_line_on_one_process_and_on_two(
    national: list[bytes], tmp_path: Path, workers: int
) -> None:
    lines = [line + b"\n" for line in national[:3000]]
    bad = lines[2000].replace(b'{"command":', b'{"command":"paabud","command":', 1)
    lines[2000] = bad
    app = Ledger(f"sqlite:///{tmp_path / 'l.db'}", create=True, user="test")
    try:
        with pytest.raises(LedgerError) as refused:
            import_lines(app, iter(lines), batch=500, workers=workers)
    finally:
        app.close()
        app.engine.dispose()
    assert isinstance(refused.value, InvalidInput)
    assert refused.value.line_number == 2001  # type: ignore[attr-defined]
    assert "the key 'command' is given twice" in str(refused.value)


def test_ledger_submit_and_import_refuse_a_repeated_key_naming_the_key_and_the_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    try:
        assert run_cli(["init", "--db", db]).exit_code == 0
        data = json.dumps(ansoegning(offer="T-1")) + "\n" + REPEATED[0][0] + "\n"
        for verb in ("submit", "import"):
            result = run_cli([verb, "-", "--db", db], data)
            assert result.exit_code == 2, result.output
            assert "Error: line 2: the key 'command' is given twice" in result.stderr, result.output
        assert "not in the ledger" in run_cli(["status", "T-1", "--db", db]).output
    finally:
        close_cached_apps()


def test_a_takst_file_with_a_repeated_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "takster.json"
    path.write_text('{"region": "Nord", "aar": 2024, "aar": 2025, "godkendelse": [1], "tilsyn": [1], "vaesentlig_aendring": [1]}')
    from ledger.console.economy import read_takst_file

    with pytest.raises(InvalidInput, match="the key 'aar' is given twice"):
        read_takst_file(path, "2023-12-15")


# -- --by and $LEDGER_USER, and bounds ---------------------------------------------------------------
@pytest.mark.parametrize(
    "by, env, message",
    [
        ("x\x1b[2J", None, "--by: text must not hold control characters"),
        (None, "x\x1b[2J", "LEDGER_USER: text must not hold control characters"),
        ("x" * 5000, None, "--by: String should have at most 300 characters"),
        (None, "x" * 5000, "LEDGER_USER: String should have at most 300 characters"),
        ("sagsbehandler 010190-1234", None, f"--by: {CPR_MESSAGE}"),
        (None, "borger 0101901234", f"LEDGER_USER: {CPR_MESSAGE}"),
        ("Anna\u202eanitsirK", None, "--by: text must not hold an invisible formatting character"),
    ],
)
@pytest.mark.parametrize("verb", ["submit", "import", "tilsynsbesoeg"])
def test_by_and_ledger_user_obey_the_rules_of_the_by_field(
    tmp_path: Path, by: str | None, env: str | None, message: str, verb: str
) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    try:
        assert run_cli(["init", "--db", db]).exit_code == 0
        if verb == "tilsynsbesoeg":
            argv = ["tilsynsbesoeg", "T-1", "--date", "2024-04-15", "--form", "anmeldt", "--db", db]
            data = None
        else:
            argv = [verb, "-", "--db", db]
            data = json.dumps(ansoegning(offer="T-1")) + "\n"
        result = run_cli(argv + (["--by", by] if by is not None else []), data, env={"LEDGER_USER": env})
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"Error: {message}"), result.output
        assert json.loads(run_cli(["digest", "--db", db, "--format", "json"]).output)["position"] == 0
    finally:
        close_cached_apps()


def test_the_library_holds_who_records_to_the_same_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = Ledger(f"sqlite:///{tmp_path / 'l.db'}", create=True)
    try:
        monkeypatch.setenv("LEDGER_USER", "x\x07")
        with pytest.raises(InvalidInput, match="LEDGER_USER: text must not hold control characters"):
            app.execute([parse_command(ansoegning())])
        with pytest.raises(InvalidInput, match="--by: String should have at most 300"):
            app.execute([parse_command(ansoegning())], by="x" * 301)
        monkeypatch.setenv("LEDGER_USER", "  Anna Sagsbehandler ")
        receipt = app.execute([parse_command(ansoegning())])[0]
        assert receipt.events[0].recorded_by == "Anna Sagsbehandler"
    finally:
        app.close()
        app.engine.dispose()


def _collections(annotation: Any) -> Iterator[Any]:
    for option in _options(annotation):
        if get_origin(option) in (list, dict):
            yield option
            for arg in get_args(option):
                yield from _collections(arg)
        elif isinstance(option, type) and issubclass(option, BaseModel):
            for info in option.model_fields.values():
                yield from _collections(info.annotation)


def _max_length(metadata: list[Any]) -> int | None:
    for item in metadata:
        found = getattr(item, "max_length", None)
        if found is not None:
            return int(found)
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str) and pattern.startswith("^") and pattern.endswith("$") and "*" not in pattern and "+" not in pattern:
            return len(pattern)  # a pattern of bounded repeats bounds the text (ids: 64 characters)
    return None


def test_every_list_dict_and_text_field_of_every_command_is_bounded() -> None:
    unbounded = []
    models: list[type[BaseModel]] = list(ALL_COMMANDS)
    seen: set[type[BaseModel]] = set()
    while models:
        model = models.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            if name == "command":
                continue  # a Literal
            for option in _options(info.annotation):
                if isinstance(option, type) and issubclass(option, BaseModel):
                    models.append(option)
                for inner in _collections(option):
                    for arg in get_args(inner):
                        for sub in _options(arg):
                            if isinstance(sub, type) and issubclass(sub, BaseModel):
                                models.append(sub)
                            if _is_text(sub) and _max_length(list(get_args(sub)[1:])) is None:
                                unbounded.append(f"{model.__name__}.{name} (text in a list or dict)")
            if get_origin(info.annotation) in (list, dict) or any(get_origin(o) in (list, dict) for o in _options(info.annotation)):
                if _max_length(info.metadata) is None:
                    unbounded.append(f"{model.__name__}.{name}")
            for option in _options(info.annotation):
                if _is_text(option) and _max_length(list(get_args(option)[1:]) + list(info.metadata)) is None:
                    unbounded.append(f"{model.__name__}.{name} (text)")
    assert unbounded == []


@pytest.mark.parametrize(
    "data, field",
    [
        (cmd("paabud", "2024-09-20", forhold="F", frist="2024-11-01", karakter="faglig", begrundelse="B"), "kommuner_orienteret"),
        (cmd("paabud-ophaevet", "2024-10-01", paabud="P1", begrundelse="B"), "kommuner_orienteret"),
        (cmd("skaerpet-tilsyn", "2024-10-01", periode_til="2024-12-31", baggrund="kvalitet", begrundelse="B"), "kommuner_orienteret"),
        (cmd("ophoer", "2025-01-10", baggrund="kvalitet", begrundelse="B"), "kommuner_underrettet"),
        (cmd("kommuner-orienteret", "2024-09-21", afgoerelse=7), "kommuner"),
        (
            {"command": "arbejdsgiver-ophoer", "part": "AG-1", "date": "2025-05-01", "baggrund": "oekonomi", "begrundelse": "B"},
            "kommuner_underrettet",
        ),
    ],
)
def test_a_list_of_municipalities_holds_at_most_the_98_of_denmark(data: dict[str, Any], field: str) -> None:
    names = [f"Kommune {n}" for n in range(99)]
    assert len(getattr(parse_command({**data, field: names[:98]}), field)) == 98
    with pytest.raises(InvalidInput, match=f"{field}: List should have at most 98 items"):
        parse_command({**data, field: names})
