"""The versioned rulebook: the law's numbers as data, keyed by the date from which each version applies.

A case is judged by the version in force on its effective date (DOMAIN.md, "The rules change").
The package ships the 2017 order (`versions/bek-2017.json`, in force from 1 January 2018). Adding a
version is a data change: drop a JSON file with a later `valid_from` into `versions/`, or into a
directory named by `LEDGER_RULEBOOK_DIR`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from ledger.errors import InvalidInput, RuleViolation


class Chapter2Rules(BaseModel):
    """Rules for associations and companies that employ under SEL §§ 95-96 (bek kapitel 2)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    budget_due: str
    budget_approval_due: str
    budgets_from_year: int
    accounts_from_year: int
    visit_required: bool
    straks_ophoer_allowed: bool


class Rulebook(BaseModel):
    """One version of the rules."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    valid_from: dt.date
    source: str = ""
    skaerpet_tilsyn_max_months: int
    akut_initial_weeks: int
    akut_extension_weeks: int
    tillaegstakst_pct_per_month: int
    size_categories: tuple[tuple[int, int | None], ...]
    treatment_places_divisor: int
    budget_due_private: str
    budget_due_public: str
    budget_approval_due_early: str
    budget_approval_due_late: str
    aarsrapport_due: str
    annual_report_due: str
    complaint_deadline_weeks: int
    forward_deadline_weeks: int
    reconsideration_weeks: int
    annual_visit_required: bool
    chapter2: Chapter2Rules

    @field_validator(
        "budget_due_private",
        "budget_due_public",
        "budget_approval_due_early",
        "budget_approval_due_late",
        "aarsrapport_due",
        "annual_report_due",
    )
    @classmethod
    def _month_day(cls, value: str) -> str:
        month_day(value, 2000)
        return value

    def size_category(self, pladser: int) -> int:
        """The size category (1-based) of bek § 28 stk 1 for a number of pladser."""
        for number, (low, high) in enumerate(self.size_categories, start=1):
            if pladser >= low and (high is None or pladser <= high):
                return number
        return 1

    def size_label(self, category: int) -> str:
        low, high = self.size_categories[category - 1]
        return f"{low}-{high} pladser" if high is not None else f"{low}+ pladser"


def month_day(value: str, year: int) -> dt.date:
    """'10-01' in a year -> that date."""
    month, day = (int(part) for part in value.split("-"))
    return dt.date(year, month, day)


class Rulebooks:
    """All known versions, oldest first. `in_force(date)` picks the one that judges a case."""

    def __init__(self, versions: Iterable[Rulebook]) -> None:
        self.versions = sorted(versions, key=lambda r: r.valid_from)
        ids = [r.id for r in self.versions]
        if len(set(ids)) != len(ids):
            raise InvalidInput(f"rulebook versions have duplicate ids: {ids}")
        dates = [r.valid_from for r in self.versions]
        if len(set(dates)) != len(dates):
            raise InvalidInput(f"two rulebook versions apply from the same date: {dates}")
        self._by_id = {r.id: r for r in self.versions}
        self._in_force: dict[dt.date, Rulebook] = {}  # by day: an import asks for the same days again and again

    def in_force(self, on: dt.date) -> Rulebook:
        found = self._in_force.get(on)
        if found is not None:
            return found
        chosen = self._choose(on)
        if len(self._in_force) < 100_000:
            self._in_force[on] = chosen
        return chosen

    def _choose(self, on: dt.date) -> Rulebook:
        chosen: Rulebook | None = None
        for version in self.versions:
            if version.valid_from <= on:
                chosen = version
        if chosen is None:
            first = self.versions[0].valid_from if self.versions else None
            raise RuleViolation(
                "bek § 33 stk 1",
                f"no version of the rules is in force on {on}; the earliest applies from {first}",
            )
        return chosen

    def by_id(self, rulebook_id: str) -> Rulebook:
        try:
            return self._by_id[rulebook_id]
        except KeyError:
            raise InvalidInput(f"unknown rulebook version {rulebook_id!r}") from None

    @property
    def earliest(self) -> dt.date:
        return self.versions[0].valid_from


def read_version(path: Path) -> Rulebook:
    try:
        return Rulebook.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, OSError) as error:
        raise InvalidInput(f"rulebook file {path} is not valid: {error}") from None


def load_rulebooks(extra_dir: str | os.PathLike[str] | None = None) -> Rulebooks:
    """The shipped versions plus any in `extra_dir` (default: $LEDGER_RULEBOOK_DIR)."""
    versions = list(_shipped_versions())
    extra = extra_dir if extra_dir is not None else os.environ.get("LEDGER_RULEBOOK_DIR")
    if extra:
        for path in sorted(Path(extra).glob("*.json")):
            versions.append(read_version(path))
    return Rulebooks(versions)


@lru_cache(maxsize=1)
def _shipped_versions() -> tuple[Rulebook, ...]:
    folder = resources.files("ledger.rulebook").joinpath("versions")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            found.append(Rulebook.model_validate(json.loads(entry.read_text(encoding="utf-8"))))
    return tuple(found)
