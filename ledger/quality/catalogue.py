"""The quality models of bek om socialtilsyn (2017), bilag 1 (tilbud) and bilag 2 (plejefamilier), as data.

The themes, criteria and indicators live in `bilag1.json` and `bilag2.json` next to this module, transcribed
from the text of the bekendtgørelse (tests/test_quality_catalogue.py checks them against that text).

Applicability: an indicator (or a whole theme) may "not apply to" (``except``) or "apply only to" (``only``)
some offers. A `Condition` names offer types (codes of `ledger.events.vocab.OfferType`) and optionally
attributes an offer must have (ambulant treatment, sikret døgninstitution, approved only for aflastning,
private with a board, ejerform). For an offer with several types an item applies when it applies for at
least one of the offer's types.

This module is pure: it reads only its own JSON files and imports nothing of `ledger` but the vocabulary.
"""

from __future__ import annotations

from functools import cached_property

import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from statistics import fmean
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from ledger.events.vocab import FOSTER_FAMILY_TYPES, Ejerform, OfferType

__all__ = [
    "MODELS",
    "UDGAAET",
    "Applicability",
    "Catalogue",
    "Condition",
    "Criterion",
    "Indicator",
    "OfferProfile",
    "Theme",
    "catalogue_for_types",
    "load_catalogue",
    "normalise_indicator_id",
]

MODELS: tuple[str, ...] = ("bilag1", "bilag2")
UDGAAET = "Udgået"
"""The text of a withdrawn (udgået) theme, criterion or indicator."""

_ATTRIBUTES: tuple[str, ...] = ("ejerform", "ambulant", "sikret", "kun_aflastning", "bestyrelse")
_INDICATOR_ID = re.compile(r"^\s*(?:indikator\s+)?(\d{1,2})\s*[.\s]?\s*([a-z])\s*[.:]?\s*$", re.IGNORECASE)


def normalise_indicator_id(raw: str) -> str:
    """'5 a', '13a', '1.B', 'Indikator 1.b:' -> 'N.x'; raise KeyError for anything else."""
    match = _INDICATOR_ID.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise KeyError(f"{raw!r} is not an indicator id (expected 'N.x', e.g. '1.a')")
    return f"{int(match.group(1))}.{match.group(2).lower()}"


def _offer_type_code(value: Any) -> str:
    try:
        return OfferType(value).value
    except ValueError:
        raise ValueError(f"unknown offer type {value!r}") from None


def _ejerform_code(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return Ejerform(value).value
    except ValueError:
        raise ValueError(f"unknown ejerform {value!r}") from None


def _as_tuple(value: Any) -> Any:
    return (value,) if isinstance(value, (str, OfferType)) else value


class OfferProfile(BaseModel):
    """What applicability depends on: the offer's types and a few attributes of it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    types: tuple[str, ...] = Field(min_length=1)
    ejerform: str | None = None
    ambulant: bool = False
    sikret: bool = False
    kun_aflastning: bool = False
    bestyrelse: bool = False

    @field_validator("types", mode="before")
    @classmethod
    def _types_as_tuple(cls, value: Any) -> Any:
        return _as_tuple(value)

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_offer_type_code(v) for v in value))

    @field_validator("ejerform")
    @classmethod
    def _known_ejerform(cls, value: str | None) -> str | None:
        return _ejerform_code(value)


class Condition(BaseModel):
    """Offers of one of `type` (any type if None) that have every attribute given here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: tuple[str, ...] | None = None
    ejerform: str | None = None
    ambulant: bool | None = None
    sikret: bool | None = None
    kun_aflastning: bool | None = None
    bestyrelse: bool | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _type_as_tuple(cls, value: Any) -> Any:
        return _as_tuple(value)

    @field_validator("type")
    @classmethod
    def _known_types(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("a condition's type list must not be empty (leave 'type' out to mean any type)")
        return tuple(dict.fromkeys(_offer_type_code(v) for v in value))

    @field_validator("ejerform")
    @classmethod
    def _known_ejerform(cls, value: str | None) -> str | None:
        return _ejerform_code(value)

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if self.type is None and all(getattr(self, name) is None for name in _ATTRIBUTES):
            raise ValueError("a condition must name a type or an attribute")
        return self

    def matches(self, profile: OfferProfile, offer_type: str) -> bool:
        """Does this condition describe `profile` in its capacity as an offer of `offer_type`?"""
        if self.type is not None and offer_type not in self.type:
            return False
        for name in _ATTRIBUTES:
            wanted = getattr(self, name)
            if wanted is not None and getattr(profile, name) != wanted:
                return False
        return True


class Applicability(BaseModel):
    """'all', 'except' (does not apply to offers matching a condition) or 'only' (applies only to those)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["all", "except", "only"] = "all"
    conditions: tuple[Condition, ...] = ()

    @model_validator(mode="after")
    def _conditions_fit_kind(self) -> Applicability:
        if self.kind == "all" and self.conditions:
            raise ValueError("applicability 'all' takes no conditions")
        if self.kind != "all" and not self.conditions:
            raise ValueError(f"applicability {self.kind!r} needs at least one condition")
        return self

    def applies_to(self, profile: OfferProfile) -> bool:
        if self.kind == "all":
            return True

        def matched(offer_type: str) -> bool:
            return any(condition.matches(profile, offer_type) for condition in self.conditions)

        if self.kind == "except":
            return any(not matched(t) for t in profile.types)
        return any(matched(t) for t in profile.types)


_ALL = Applicability()


def _check_applicability_text(applies: Applicability, text: str | None, what: str) -> None:
    if (applies.kind == "all") != (text is None):
        raise ValueError(f"{what}: an applicability rule and its applicability_text go together")


class Indicator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^\d+\.[a-z]$")
    text: str = Field(min_length=1)
    udgaaet: bool
    applies: Applicability = _ALL
    applicability_text: str | None = None

    # Set by the enclosing Theme, so that an indicator of a theme that does not apply does not apply either.
    _theme_applies: Applicability | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        if self.udgaaet != (self.text == UDGAAET):
            raise ValueError(f"indicator {self.id}: text must be {UDGAAET!r} exactly when it is udgået")
        if self.udgaaet and self.applies.kind != "all":
            raise ValueError(f"indicator {self.id}: an udgået indicator has no applicability rule")
        _check_applicability_text(self.applies, self.applicability_text, f"indicator {self.id}")
        return self

    def applies_to(self, profile: OfferProfile) -> bool:
        """False when udgået, when its theme does not apply, or when its own rule excludes the offer."""
        if self.udgaaet:
            return False
        if self._theme_applies is not None and not self._theme_applies.applies_to(profile):
            return False
        return self.applies.applies_to(profile)


class Criterion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^\d+$")
    text: str = Field(min_length=1)
    udgaaet: bool
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Criterion:
        if self.udgaaet != (self.text == UDGAAET):
            raise ValueError(f"criterion {self.id}: text must be {UDGAAET!r} exactly when it is udgået")
        for indicator in self.indicators:
            if not indicator.id.startswith(f"{self.id}."):
                raise ValueError(f"indicator {indicator.id} does not belong to criterion {self.id}")
            if self.udgaaet and not indicator.udgaaet:
                raise ValueError(f"criterion {self.id} is udgået but indicator {indicator.id} is not")
        return self


class Theme(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^\d+$")
    name: str = Field(min_length=1)
    udgaaet: bool
    applies: Applicability = _ALL
    applicability_text: str | None = None
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Theme:
        if self.udgaaet and not all(criterion.udgaaet for criterion in self.criteria):
            raise ValueError(f"theme {self.id} ({self.name}) is udgået but has criteria that are not")
        _check_applicability_text(self.applies, self.applicability_text, f"theme {self.id}")
        for indicator in self.indicators:
            indicator._theme_applies = self.applies
        return self

    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(indicator for criterion in self.criteria for indicator in criterion.indicators)

    def applies_to(self, profile: OfferProfile) -> bool:
        return not self.udgaaet and self.applies.applies_to(profile)


class Catalogue(BaseModel):
    """One quality model (bilag 1 or bilag 2): its themes in order, with their criteria and indicators."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: Literal["bilag1", "bilag2"]
    title: str
    source: str
    themes: tuple[Theme, ...] = Field(min_length=1)

    _indicators: dict[str, Indicator] = PrivateAttr(default_factory=dict)
    _criteria: dict[str, Criterion] = PrivateAttr(default_factory=dict)
    _themes_of: dict[str, Theme] = PrivateAttr(default_factory=dict)
    _live: dict[OfferProfile, tuple[dict[str, str], frozenset[str]]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _index(self) -> Catalogue:
        for position, theme in enumerate(self.themes, start=1):
            if theme.id != str(position):
                raise ValueError(f"theme ids must be 1..n in order; theme {position} has id {theme.id!r}")
            for criterion in theme.criteria:
                if criterion.id in self._criteria:
                    raise ValueError(f"criterion {criterion.id} appears twice")
                self._criteria[criterion.id] = criterion
                for indicator in criterion.indicators:
                    if indicator.id in self._indicators:
                        raise ValueError(f"indicator {indicator.id} appears twice")
                    self._indicators[indicator.id] = indicator
                    self._themes_of[indicator.id] = theme
        return self

    # -- look-up ---------------------------------------------------------------------------------------

    def indicators(self) -> list[Indicator]:
        """Every indicator, udgået ones included, in the order of the model."""
        return list(self._indicators.values())

    def indicator(self, indicator_id: str) -> Indicator:
        key = normalise_indicator_id(indicator_id)
        try:
            return self._indicators[key]
        except KeyError:
            raise KeyError(
                f"the quality model {self.model} has no indicator {indicator_id!r} "
                f"(its indicators are {', '.join(self._indicators)})"
            ) from None

    def criterion(self, criterion_id: str) -> Criterion:
        try:
            return self._criteria[str(criterion_id).strip()]
        except KeyError:
            raise KeyError(
                f"the quality model {self.model} has no criterion {criterion_id!r} "
                f"(its criteria are {', '.join(self._criteria)})"
            ) from None

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == str(theme_id).strip():
                return theme
        raise KeyError(
            f"the quality model {self.model} has no theme {theme_id!r} (its themes are 1..{len(self.themes)})"
        )

    def theme_of(self, indicator_id: str) -> Theme:
        """The theme an indicator belongs to."""
        return self._themes_of[self.indicator(indicator_id).id]

    # -- applicability ---------------------------------------------------------------------------------

    def live_indicators(self, profile: OfferProfile) -> list[Indicator]:
        """The indicators the offer is assessed on: not udgået, and neither they nor their theme excluded."""
        return [indicator for indicator in self._indicators.values() if indicator.applies_to(profile)]

    def live_map(self, profile: OfferProfile) -> tuple[dict[str, str], frozenset[str]]:
        """{live indicator id: its theme id} and the live theme ids, for a profile (cached)."""
        found = self._live.get(profile)
        if found is None:
            indicators = {i.id: self._themes_of[i.id].id for i in self.live_indicators(profile)}
            themes = frozenset(t.id for t in self.live_themes(profile))
            found = self._live[profile] = (indicators, themes)
        return found

    def live_themes(self, profile: OfferProfile) -> list[Theme]:
        """The themes that are not udgået and apply to the offer."""
        return [theme for theme in self.themes if theme.applies_to(profile)]

    # -- scores ----------------------------------------------------------------------------------------

    def aggregate(self, scores: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float]]:
        """Criterion values (mean of its scored indicators) and theme values (mean of its valued criteria).

        Keys are criterion ids and theme ids; criteria without scored indicators and themes without valued
        criteria are left out. Means are taken unrounded; only the returned values are rounded to 2 decimals.
        Raises KeyError for an unknown indicator id and ValueError for a score of an udgået indicator, a
        non-numeric or non-finite score, or two keys naming the same indicator.
        """
        by_id: dict[str, float] = {}
        for raw_id, score in scores.items():
            indicator = self.indicator(raw_id)
            if indicator.udgaaet:
                raise ValueError(f"indicator {indicator.id} is udgået and cannot be scored")
            if indicator.id in by_id:
                raise ValueError(f"indicator {indicator.id} is scored twice ({raw_id!r})")
            if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
                raise ValueError(f"the score of indicator {indicator.id} must be a finite number, not {score!r}")
            by_id[indicator.id] = float(score)

        criterion_values: dict[str, float] = {}
        theme_values: dict[str, float] = {}
        for theme in self.themes:
            valued: list[float] = []
            for criterion in theme.criteria:
                scored = [by_id[i.id] for i in criterion.indicators if i.id in by_id]
                if scored:
                    value = fmean(scored)
                    valued.append(value)
                    criterion_values[criterion.id] = round(value, 2)
            if valued:
                theme_values[theme.id] = round(fmean(valued), 2)
        return criterion_values, theme_values


@lru_cache(maxsize=len(MODELS))
def load_catalogue(model: str) -> Catalogue:
    """The quality model 'bilag1' (tilbud) or 'bilag2' (plejefamilier), read from this package's JSON."""
    if model not in MODELS:
        raise ValueError(f"unknown quality model {model!r}; expected one of {', '.join(MODELS)}")
    text = resources.files("ledger.quality").joinpath(f"{model}.json").read_text(encoding="utf-8")
    catalogue = Catalogue.model_validate_json(text)
    if catalogue.model != model:
        raise ValueError(f"{model}.json says it is the model {catalogue.model!r}")
    return catalogue


def catalogue_for_types(types: Iterable[str | OfferType] | str | OfferType) -> Catalogue:
    """Bilag 2 when every type is a plejefamilie type, otherwise bilag 1."""
    if isinstance(types, tuple) and all(type(t) is str for t in types):
        return _catalogue_for_codes(types)
    return _catalogue_for(types)


@lru_cache(maxsize=1024)
def _catalogue_for_codes(types: tuple[str, ...]) -> Catalogue:
    return _catalogue_for(types)


def _catalogue_for(types: Iterable[str | OfferType] | str | OfferType) -> Catalogue:
    codes = [_offer_type_code(t) for t in _as_tuple(types)]
    if not codes:
        raise ValueError("an offer needs at least one type to choose its quality model")
    foster = {t.value for t in FOSTER_FAMILY_TYPES}
    return load_catalogue("bilag2" if all(code in foster for code in codes) else "bilag1")
