"""Where the law demands a field, its absence and its emptiness are refused alike, naming the
paragraph, and nothing is stored: every command's demanded fields (`LEGAL_FIELDS`, per command model),
each tried missing and blank, through `ledger submit` on a real ledger."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from support import run_cli

from ledger.commands import ALL_COMMANDS, BLANK_IS_ABSENT, COMMANDS, LEGAL_FIELDS, parse_command

D = "2024-05-01"
# A valid command of each kind with a demanded field (the case need not allow it: the field is refused first).
SAMPLES: dict[str, dict[str, Any]] = {
    "ansoegning": {"offer": "T-9", "navn": "Bostedet", "tilbudstyper": ["SEL107"], "pladser": 8, "ejerform": "privat",
                   "region": "Nord", "afdelinger": [{"navn": "Huset", "adresse": "Vej 1, 9000 Aalborg"}]},
    "godkendelse": {"begrundelse": "Opfylder betingelserne", "vilkaar": [{"tekst": "Brandsyn"}]},
    "afslag": {"begrundelse": "Opfylder ikke betingelserne"},
    "vilkaar-opfyldt": {"vilkaar": "V1"},
    "vilkaar-aendret": {"vilkaar": "V1", "tekst": "Brandsyn", "begrundelse": "Ny afdeling"},
    "vilkaar-ophaevet": {"vilkaar": "V1", "begrundelse": "Ikke relevant"},
    "fravigelse": {"begrundelse": "Ombygning", "anmodning_modtaget": D, "periode_til": "2024-06-01",
                   "vilkaar": [{"tekst": "Højst 10 borgere"}]},
    "fravigelse-bortfaldet": {"fravigelse": "F1"},
    "akut-forlaengelse": {"kommune": "Aalborg", "akut_fra": D, "forlaenget_til": "2024-05-20", "begrundelse": "Akut"},
    "dialog": {"forhold": ["Medicin"]},
    "dialog-svar": {"dialog": "D1", "resume": "Anerkender"},
    "paabud": {"forhold": "Medicin dokumenteres", "frist": "2024-06-01", "karakter": "faglig", "begrundelse": "Fund"},
    "paabudsfrist-forlaenget": {"paabud": "P1", "ny_frist": "2024-07-01", "anmodning_modtaget": D,
                                "saerlige_omstaendigheder": "Sygdom"},
    "paabud-opfyldt": {"paabud": "P1"},
    "paabud-ophaevet": {"paabud": "P1", "begrundelse": "Bortfaldet"},
    "skaerpet-tilsyn": {"periode_til": "2024-07-01", "baggrund": "kvalitet", "begrundelse": "Fund",
                        "paabud": [{"forhold": "Bemanding", "frist": "2024-06-01", "karakter": "organisatorisk"}]},
    "skaerpet-tilsyn-ophaevet": {"skaerpet_tilsyn": "S1", "begrundelse": "Rettet"},
    "ophoer": {"baggrund": "kvalitet", "begrundelse": "Ikke rettet", "virkning_fra": "2024-08-01"},
    "tilsynsbesoeg": {"form": "anmeldt"},
    "kvalitetsvurdering": {"anledning": "godkendelse", "indikatorer": {"1.a": "forventes"}, "temaer": {"1": "God"}},
    "magtanvendelse": {"haendelsesdato": D, "reference": "MA-1"},
    "magtanvendelse-vurderet": {"magtanvendelse": "M1", "vurdering": "ingen_bemaerkning"},
    "klage": {"afgoerelse": 2, "klager": "Bostedet ApS", "afgoerelse_modtaget": D},
    "klage-genvurderet": {"klage": "K1", "udfald": "fastholdt", "begrundelse": "Fastholdes"},
    "klage-videresendt": {"klage": "K1"},
    "ankestyrelsens-afgoerelse": {"klage": "K1", "udfald": "stadfaestet", "begrundelse": "Stadfæstet"},
    "kommuner-orienteret": {"afgoerelse": 2, "kommuner": ["Aalborg"]},
    "aendring-ansoegt": {"beskrivelse": "Udvidelse", "pladser": 12},
    "aendring-afgoerelse": {"aendring": "Æ1", "godkendt": True, "begrundelse": "Forsvarligt"},
    "arbejdsgiver-ansoegning": {"navn": "Foreningen", "virksomhedsform": "forening", "region": "Nord", "adresse": "Vej 2"},
    "arbejdsgiver-dialog": {"forhold": ["Solvens"]},
    "arbejdsgiver-godkendelse": {"begrundelse": "§ 20 opfyldt", "dokumentation": "Kursusbevis",
                                 "vilkaar": [{"tekst": "Supervision"}]},
    "arbejdsgiver-afslag": {"begrundelse": "Ikke solvent"},
    "arbejdsgiver-aendring-ansoegt": {"beskrivelse": "Flere hjælpere"},
    "arbejdsgiver-aendring-afgoerelse": {"aendring": "Æ1", "godkendt": True, "begrundelse": "Godkendt"},
    "arbejdsgiver-vilkaar-opfyldt": {"vilkaar": "V1"},
    "arbejdsgiver-ophoer": {"baggrund": "oekonomi", "begrundelse": "Ikke solvent", "virkning_fra": "2024-08-01"},
}
# Commands with a begrundelse the law does not demand of them (a record, not a written decision), or
# whose absence depends on the decision (a budget approval's criteria are its reasons: BLANK_IS_ABSENT).
NOT_DEMANDED = {
    "vilkaar-opfyldt", "fravigelse-bortfaldet", "paabudsfrist-forlaenget", "paabud-opfyldt", "lukning",
    "oekonomisk-vurdering", "klage", "takster", "objektiv-finansiering", "budget-afgoerelse",
    "arbejdsgiver-vilkaar-opfyldt", "arbejdsgiver-lukning", "arbejdsgiver-budget-afgoerelse",
}


def line(name: str, fields: dict[str, Any]) -> dict[str, Any]:
    cls = COMMANDS[name]
    head: dict[str, Any] = {"command": name, "date": D}
    if "part" in cls.model_fields:
        head["part"] = "AG-9"
    elif "offer" in cls.model_fields:
        head["offer"] = "T-1"
    return {**head, **fields}


def cases() -> list[tuple[str, str, str]]:
    found = []
    for name, fields in sorted(LEGAL_FIELDS.items()):
        for path in sorted(fields):
            for how in ("missing", "blank") if not path.endswith(".*") else ("blank",):  # a text keyed by name is never "missing"
                found.append((name, path, how))
    return found


def without(data: dict[str, Any], path: str, how: str) -> dict[str, Any]:
    """The command with the field at `path` missing or blank (text "  ", an empty list or mapping)."""
    data = copy.deepcopy(data)
    parts = path.split(".")
    holders: list[Any] = [data]
    for part in parts[:-1]:
        inner: list[Any] = []
        for holder in holders:
            if part == "*":
                inner.extend(holder if isinstance(holder, list) else holder.values())
            else:
                inner.append(holder[part])
        holders = inner
    last = parts[-1]
    for holder in holders:
        if last == "*":
            for key in list(holder):
                if how == "missing":
                    del holder[key]
                else:
                    holder[key] = "  "
            continue
        if how == "missing":
            holder.pop(last, None)
        else:
            value = holder[last]
            holder[last] = [] if isinstance(value, list) else {} if isinstance(value, dict) else "  "
    return data


def test_every_sample_is_valid_and_every_demanded_field_is_in_its_sample() -> None:
    for name, fields in LEGAL_FIELDS.items():
        data = line(name, SAMPLES[name])
        parse_command(data)  # valid as given
        for path in fields:
            assert without(data, path, "blank") != data, (name, path)


def test_every_written_decision_demands_its_begrundelse() -> None:
    """A new command with a begrundelse must say whether the law demands it (bek § 1 stk 2 / § 19 stk 2)."""
    with_reasons = {cls.NAME for cls in ALL_COMMANDS if "begrundelse" in cls.model_fields}
    demanded = {name for name, fields in LEGAL_FIELDS.items() if "begrundelse" in fields}
    assert with_reasons - demanded == NOT_DEMANDED - {n for n in NOT_DEMANDED if n not in with_reasons}
    assert not demanded & NOT_DEMANDED
    assert all("begrundelse" in BLANK_IS_ABSENT[n] for n in ("budget-afgoerelse", "arbejdsgiver-budget-afgoerelse"))
    for name in demanded:
        paragraph = LEGAL_FIELDS[name]["begrundelse"][0]
        expected = "bek § 19 stk 2" if name.startswith("arbejdsgiver-") else (
            "side: Klagevejledning" if name == "ankestyrelsens-afgoerelse" else "bek § 1 stk 2")
        assert paragraph == expected, name


@pytest.fixture(scope="module")
def ledger_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("legal") / "ledger.db")
    assert run_cli(["init", "--db", db]).exit_code == 0
    first = tmp_path_factory.mktemp("lines") / "first.jsonl"
    first.write_text(json.dumps(line("ansoegning", {**SAMPLES["ansoegning"], "offer": "T-1"})) + "\n", encoding="utf-8")
    result = run_cli(["submit", str(first), "--db", db])
    assert result.exit_code == 0, result.output
    return db


def history_length(db: str) -> int:
    result = run_cli(["history", "T-1", "--format", "json", "--db", db])
    return len(json.loads(result.stdout)["entries"])


@pytest.mark.parametrize(("name", "path", "how"), cases(), ids=[f"{n}:{p}:{h}" for n, p, h in cases()])
def test_a_demanded_field_missing_or_blank_is_refused_naming_its_paragraph_and_nothing_is_stored(
    name: str, path: str, how: str, ledger_db: str, tmp_path: Path
) -> None:
    paragraph, message = LEGAL_FIELDS[name][path]
    data = without(line(name, SAMPLES[name]), path, how)
    file = tmp_path / "line.jsonl"
    file.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    before = history_length(ledger_db)
    result = run_cli(["submit", str(file), "--db", ledger_db])
    assert result.exit_code == 3, (data, result.output)
    assert f"{paragraph}: {message}" in result.stderr, (data, result.stderr)
    assert history_length(ledger_db) == before


@pytest.mark.parametrize(("argv", "paragraph"), [
    (["paabud", "T-1", "--date", D, "--karakter", "faglig", "--frist", "2024-06-01", "--begrundelse", "Fund"], "bek § 7 stk 2"),
    (["paabud", "T-1", "--date", D, "--karakter", "faglig", "--frist", "2024-06-01", "--begrundelse", "Fund", "--forhold", " "], "bek § 7 stk 2"),
    (["godkendelse", "T-1", "--date", D, "--begrundelse", ""], "bek § 1 stk 2"),
    (["godkendelse", "T-1", "--date", D], "bek § 1 stk 2"),
    (["arbejdsgiver-afslag", "AG-9", "--date", D, "--begrundelse", "  "], "bek § 19 stk 2"),
], ids=["paabud-no-forhold", "paabud-blank-forhold", "godkendelse-blank", "godkendelse-missing", "kapitel2-blank"])
def test_the_decision_subcommands_refuse_a_demanded_field_the_same_way(argv: list[str], paragraph: str, ledger_db: str) -> None:
    before = history_length(ledger_db)
    result = run_cli([*argv, "--db", ledger_db])
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith(f"Error: {paragraph}: "), result.stderr
    assert history_length(ledger_db) == before
