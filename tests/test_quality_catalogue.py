"""The quality models (bek om socialtilsyn 2017, bilag 1 and 2) as data, checked against the bekendtgørelse's text."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from ledger.events.vocab import OfferType
from ledger.quality.catalogue import (
    Catalogue,
    Condition,
    OfferProfile,
    catalogue_for_types,
    load_catalogue,
)

# The executive order's text (public law; a copy of ../shared/seeds/001_333c882127a82b51.txt), kept in
# the repository so that the catalogue is checked against it on every machine.
SEED = Path(__file__).resolve().parent / "sources" / "bek-socialtilsyn-2017.txt"
MODELS = ("bilag1", "bilag2")
ATTRIBUTES = ("ejerform", "ambulant", "sikret", "kun_aflastning", "bestyrelse")

# What the source text looks like. Indicator headings: "Indikator 1.a:", "Indikator 5 a:", "Indikator 13a:"
# and, once, a bare "10.c:" at the start of a line. Clauses: "Indikator 1.b. gælder ikke ...",
# "Indikator 2.c. gælder ikke:" followed by one line per offer type, "Temaet X gælder ikke for ...".
INDICATOR = re.compile(r"(?:\bIndikator\s+|^[ \t]*)(\d{1,2})[ .]?([a-z]):", re.MULTILINE)
CLAUSE = re.compile(r"\bIndikator\s+(\d{1,2})[ .]?([a-z])\.?\s+gælder\s+(ikke|kun)\b")
THEME_CLAUSE = re.compile(r"\bTemaet\s+(.+?)\s+gælder\s+(ikke|kun)\b")
CRITERION = re.compile(r"\bKriterium\s+(\d{1,2})\s*:")
THEME = re.compile(r"\bTema:")


def ws(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Source:
    """One bilag of the source text, cut into the pieces the catalogue must reproduce."""

    text: str
    themes: list[str] = field(default_factory=list)  # "name + description" after each "Tema:"
    criteria: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> (text, theme number)
    indicators: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # id -> (text, criterion, theme)
    clauses: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # indicator id -> (ikke|kun, text, raw)
    theme_clauses: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # theme name -> (ikke|kun, text, raw)


def parse(section: str) -> Source:
    markers: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in (
        ("indicator", INDICATOR),
        ("clause", CLAUSE),
        ("theme_clause", THEME_CLAUSE),
        ("criterion", CRITERION),
        ("theme", THEME),
    ):
        markers += [(m.start(), m.end(), kind, m) for m in pattern.finditer(section)]
    markers.sort(key=lambda marker: marker[0])
    source = Source(section)
    criterion = ""
    for (start, end, kind, match), following in itertools.zip_longest(markers, markers[1:]):
        stop = following[0] if following else len(section)
        body = ws(section[end:stop])
        if kind == "theme":
            source.themes.append(body)
        elif kind == "criterion":
            criterion = match.group(1)
            assert criterion not in source.criteria, f"Kriterium {criterion} twice in the source"
            source.criteria[criterion] = (body, len(source.themes))
        elif kind == "indicator":
            key = f"{int(match.group(1))}.{match.group(2)}"
            assert key not in source.indicators, f"indicator {key} twice in the source"
            source.indicators[key] = (body, criterion, len(source.themes))
        elif kind == "clause":  # a clause (with its list lines) runs up to the heading of the indicator it is about
            key = f"{int(match.group(1))}.{match.group(2)}"
            assert following is not None and following[2] == "indicator", f"clause on {key} is not followed by it"
            nxt = following[3]
            assert f"{int(nxt.group(1))}.{nxt.group(2)}" == key, f"the clause on {key} stands before another indicator"
            source.clauses[key] = (match.group(3), ws(section[start:stop]), section[start:stop])
        else:
            assert following is not None and following[2] == "theme", "a Temaet clause must precede its theme"
            source.theme_clauses[match.group(1)] = (match.group(2), ws(section[start:stop]), section[start:stop])
    return source


@pytest.fixture(scope="module")
def sources() -> dict[str, Source]:
    assert SEED.is_file(), f"the source text of bek om socialtilsyn 2017 is missing from the checkout: {SEED}"
    text = SEED.read_text(encoding="utf-8")
    start1 = text.index("Bilag 1 Kvalitetsmodel")
    start2 = text.index("Bilag 2 Kvalitetsmodel")
    end2 = text.find("Bilag 3 ", start2)
    return {"bilag1": parse(text[start1:start2]), "bilag2": parse(text[start2 : end2 if end2 > 0 else len(text)])}


def profile(*types: str, **attributes: Any) -> OfferProfile:
    return OfferProfile(types=types, **attributes)


def live_ids(catalogue: Catalogue, offer: OfferProfile) -> set[str]:
    return {indicator.id for indicator in catalogue.live_indicators(offer)}


def all_profiles(model: str) -> list[OfferProfile]:
    """Every single-type offer of the model with every combination of the attributes."""
    foster = {"PLEJEFAMILIE", "KOMMUNAL_PLEJEFAMILIE"}
    types = [t.value for t in OfferType if (t.value in foster) == (model == "bilag2")]
    return [
        profile(t, ejerform=ejerform, ambulant=a, sikret=s, kun_aflastning=k, bestyrelse=b)
        for t in types
        for ejerform in (None, "privat", "kommunal", "regional")
        for a, s, k, b in itertools.product((False, True), repeat=4)
    ]


# -- the data against the source text ------------------------------------------------------------------


def test_the_source_text_holds_both_quality_models(sources: dict[str, Source]) -> None:
    for model in MODELS:
        assert len(sources[model].themes) == 8, model
        assert len(sources[model].indicators) > 20, model


@pytest.mark.parametrize("model", MODELS)
def test_every_indicator_in_the_source_is_in_the_catalogue_and_vice_versa(
    model: str, sources: dict[str, Source]
) -> None:
    in_data = [indicator.id for indicator in load_catalogue(model).indicators()]
    assert in_data == list(sources[model].indicators)


@pytest.mark.parametrize("model", MODELS)
def test_every_criterion_and_indicator_sits_where_the_source_puts_it(model: str, sources: dict[str, Source]) -> None:
    source = sources[model]
    catalogue = load_catalogue(model)
    assert [c.id for t in catalogue.themes for c in t.criteria] == list(source.criteria)
    for theme in catalogue.themes:
        for criterion in theme.criteria:
            assert source.criteria[criterion.id][1] == int(theme.id), f"criterion {criterion.id}"
            for indicator in criterion.indicators:
                _, source_criterion, source_theme = source.indicators[indicator.id]
                assert (source_criterion, source_theme) == (criterion.id, int(theme.id)), f"indicator {indicator.id}"


@pytest.mark.parametrize("model", MODELS)
def test_every_theme_name_is_the_source_heading_in_order(model: str, sources: dict[str, Source]) -> None:
    headings = sources[model].themes
    themes = load_catalogue(model).themes
    assert [t.id for t in themes] == [str(n) for n in range(1, len(headings) + 1)]
    for theme, heading in zip(themes, headings, strict=True):
        assert heading.startswith(theme.name), (theme.id, heading[:80])
        # the name runs up to the description, whose first sentence starts with a capital letter (or ": Udgået")
        rest = heading[len(theme.name) :]
        assert re.match(r"\s*:|\s+[A-ZÆØÅ]|\s*$", rest), f"theme {theme.id}: the name {theme.name!r} is cut short"
        later_words = re.sub(r"\([^)]*\)", "", theme.name).split()[1:]
        assert not any(w[0].isupper() for w in later_words), (
            f"theme {theme.id}: {theme.name!r} runs into its description"
        )
        assert theme.udgaaet == bool(re.fullmatch(r"\W*Udgået\W*", rest)), f"theme {theme.id} udgået flag"


@pytest.mark.parametrize("model", MODELS)
def test_every_criterion_text_is_the_source_text(model: str, sources: dict[str, Source]) -> None:
    source = sources[model]
    section = ws(source.text)
    for theme in load_catalogue(model).themes:
        for criterion in theme.criteria:
            assert ws(criterion.text) in section, f"criterion {criterion.id}"
            assert criterion.text == source.criteria[criterion.id][0], f"criterion {criterion.id}"


@pytest.mark.parametrize("model", MODELS)
def test_every_live_indicator_text_is_the_source_text(model: str, sources: dict[str, Source]) -> None:
    source = sources[model]
    section = ws(source.text)
    for indicator in load_catalogue(model).indicators():
        if indicator.udgaaet:
            continue
        assert ws(indicator.text) in section, f"indicator {indicator.id}"
        assert indicator.text == source.indicators[indicator.id][0], f"indicator {indicator.id}"


@pytest.mark.parametrize("model", MODELS)
def test_every_udgaaet_flag_matches_the_source(model: str, sources: dict[str, Source]) -> None:
    source = sources[model]
    for theme in load_catalogue(model).themes:
        for criterion in theme.criteria:
            assert criterion.udgaaet == (source.criteria[criterion.id][0] == "Udgået"), f"criterion {criterion.id}"
            for indicator in criterion.indicators:
                withdrawn = source.indicators[indicator.id][0] in ("Udgået", "Udgået.")
                assert indicator.udgaaet == withdrawn, f"indicator {indicator.id}"
                assert (indicator.text == "Udgået") == withdrawn, f"indicator {indicator.id}"


@pytest.mark.parametrize("model", MODELS)
def test_every_applicability_text_occurs_in_the_source(model: str, sources: dict[str, Source]) -> None:
    section = ws(sources[model].text)
    catalogue = load_catalogue(model)
    texts = [t.applicability_text for t in catalogue.themes] + [i.applicability_text for i in catalogue.indicators()]
    for text in filter(None, texts):
        assert ws(text) in section, text


@pytest.mark.parametrize("model", MODELS)
def test_every_applicability_clause_of_the_source_is_attached_to_its_item(
    model: str, sources: dict[str, Source]
) -> None:
    source = sources[model]
    catalogue = load_catalogue(model)
    kinds = {"ikke": "except", "kun": "only"}
    with_rules = {i.id for i in catalogue.indicators() if i.applies.kind != "all" or i.applicability_text}
    assert with_rules == set(source.clauses)
    for key, (word, text, _) in source.clauses.items():
        indicator = catalogue.indicator(key)
        assert indicator.applicability_text == text, key
        assert indicator.applies.kind == kinds[word], key
    themes_with_rules = {t.name for t in catalogue.themes if t.applies.kind != "all" or t.applicability_text}
    assert themes_with_rules == set(source.theme_clauses)
    for name, (word, text, _) in source.theme_clauses.items():
        (theme,) = [t for t in catalogue.themes if t.name == name]
        assert theme.applicability_text == text, name
        assert theme.applies.kind == kinds[word], name


# Reading a clause: which offer types and attributes each of its items names.
def read_clause_item(item: str) -> set[tuple[str, frozenset[tuple[str, object]]]]:
    types: set[str] = set()
    for numbers in re.findall(r"§ 66, stk\. 1, nr\.\s*(\d+(?:\s*(?:,|og)\s*\d+)*)", item):
        types |= {f"SEL66_{n}" for n in re.findall(r"\d+", numbers)}
    if "§ 141" in item:
        types.add("SUL141")
    if re.search(r"§§? 101\b", item):
        types.add("SEL101")
        if re.search(r"101 a\b", item):
            types.add("SEL101A")
    if "§ 109" in item:
        types.add("SEL109")
    if "§ 110" in item:
        types.add("SEL110")
    if re.search(r"kommunale plejefamilier", item, re.IGNORECASE):
        types.add("KOMMUNAL_PLEJEFAMILIE")
    elif re.search(r"plejefamilier", item, re.IGNORECASE):
        types |= {"PLEJEFAMILIE", "KOMMUNAL_PLEJEFAMILIE"}
    attributes: dict[str, object] = {}
    if re.search(r"\bambulant", item, re.IGNORECASE):
        attributes["ambulant"] = True
    if re.search(r"\bsikrede\b", item, re.IGNORECASE):
        attributes["sikret"] = True
    if re.search(r"alene er godkendt til at have .* i aflastning", item):
        attributes["kun_aflastning"] = True
    if "private tilbud med en bestyrelse" in item:
        attributes |= {"ejerform": "privat", "bestyrelse": True}
    assert types or attributes, f"cannot read the clause item {item!r}"
    return {(t, frozenset(attributes.items())) for t in (types or {"*"})}


def encoded(conditions: tuple[Condition, ...]) -> set[tuple[str, frozenset[tuple[str, object]]]]:
    pairs = set()
    for condition in conditions:
        attributes = frozenset(
            (name, getattr(condition, name)) for name in ATTRIBUTES if getattr(condition, name) is not None
        )
        pairs |= {(t, attributes) for t in (condition.type or ("*",))}
    return pairs


def clause_items(raw: str) -> list[str]:
    head, _, rest = raw.partition("\n")
    if head.rstrip().endswith(":"):  # a list: one offer type a line
        return [ws(line) for line in rest.splitlines() if line.strip()]
    return [re.split(r"gælder\s+(?:ikke|kun)\s+", ws(raw), maxsplit=1)[1]]


@pytest.mark.parametrize("model", MODELS)
def test_every_applicability_rule_names_the_offers_its_clause_names(model: str, sources: dict[str, Source]) -> None:
    catalogue = load_catalogue(model)
    source = sources[model]
    for key, (_, _, raw) in source.clauses.items():
        expected = set().union(*(read_clause_item(item) for item in clause_items(raw)))
        assert encoded(catalogue.indicator(key).applies.conditions) == expected, key
    for name, (_, _, raw) in source.theme_clauses.items():
        (theme,) = [t for t in catalogue.themes if t.name == name]
        expected = set().union(*(read_clause_item(item) for item in clause_items(raw)))
        assert encoded(theme.applies.conditions) == expected, name


# -- applicability -------------------------------------------------------------------------------------


def test_1b_does_not_apply_to_an_efterskole_but_applies_to_a_botilbud_under_sel_107() -> None:
    catalogue = load_catalogue("bilag1")
    assert not catalogue.indicator("1.b").applies_to(profile("SEL66_7"))
    assert catalogue.indicator("1.b").applies_to(profile("SEL107"))
    assert "1.b" not in live_ids(catalogue, profile("SEL66_7"))


def test_2c_does_not_apply_to_ambulant_alcohol_treatment_but_applies_to_residential() -> None:
    indicator = load_catalogue("bilag1").indicator("2.c")
    assert not indicator.applies_to(profile("SUL141", ambulant=True))
    assert indicator.applies_to(profile("SUL141"))
    assert not indicator.applies_to(profile("SEL101A", ambulant=True))
    assert not indicator.applies_to(profile("SEL66_5", kun_aflastning=True))
    assert indicator.applies_to(profile("SEL66_5"))


def test_3c_does_not_apply_to_krisecentre_or_forsorgshjem() -> None:
    indicator = load_catalogue("bilag1").indicator("3.c")
    assert not indicator.applies_to(profile("SEL109"))
    assert not indicator.applies_to(profile("SEL110"))
    assert indicator.applies_to(profile("SEL108"))


def test_a_multi_type_offer_gets_3c_when_one_of_its_types_does() -> None:
    catalogue = load_catalogue("bilag1")
    assert "3.c" in live_ids(catalogue, profile("SEL107", "SEL109"))
    assert "3.c" not in live_ids(catalogue, profile("SEL109", "SEL110"))
    assert "1.d" in live_ids(catalogue, profile("SEL107", "SEL66_5"))


def test_the_theme_organisation_og_ledelse_does_not_apply_to_an_efterskole() -> None:
    catalogue = load_catalogue("bilag1")
    (theme,) = [t for t in catalogue.themes if t.name == "Organisation og ledelse"]
    efterskole = profile("SEL66_7", ejerform="privat", bestyrelse=True)
    assert theme not in catalogue.live_themes(efterskole)
    assert not {i.id for i in theme.indicators} & live_ids(catalogue, efterskole)
    assert not catalogue.indicator("8.a").applies_to(efterskole)
    assert theme in catalogue.live_themes(profile("SEL107"))
    assert catalogue.indicator("8.a").applies_to(profile("SEL107"))


def test_8c_applies_only_to_a_private_offer_with_a_board() -> None:
    indicator = load_catalogue("bilag1").indicator("8.c")
    assert indicator.applies_to(profile("SEL107", ejerform="privat", bestyrelse=True))
    assert indicator.applies_to(profile("SEL66_5", ejerform="privat", bestyrelse=True))
    assert not indicator.applies_to(profile("SEL107", ejerform="privat"))
    assert not indicator.applies_to(profile("SEL107", ejerform="kommunal", bestyrelse=True))
    assert not indicator.applies_to(profile("SEL107"))


def test_bilag2_6d_applies_only_to_kommunale_plejefamilier() -> None:
    indicator = load_catalogue("bilag2").indicator("6.d")
    assert indicator.applies_to(profile("KOMMUNAL_PLEJEFAMILIE"))
    assert not indicator.applies_to(profile("PLEJEFAMILIE"))


def test_bilag2_plejefamilier_only_for_aflastning_skip_3a_6b_and_10c() -> None:
    catalogue = load_catalogue("bilag2")
    for offer_type in ("PLEJEFAMILIE", "KOMMUNAL_PLEJEFAMILIE"):
        everything = live_ids(catalogue, profile(offer_type))
        aflastning = live_ids(catalogue, profile(offer_type, kun_aflastning=True))
        assert everything - aflastning == {"3.a", "6.b", "10.c"}


@pytest.mark.parametrize("model", MODELS)
def test_udgaaet_indicators_never_apply(model: str) -> None:
    catalogue = load_catalogue(model)
    withdrawn = [i for i in catalogue.indicators() if i.udgaaet]
    assert withdrawn
    for offer in all_profiles(model):
        assert not any(i.applies_to(offer) for i in withdrawn), offer
        assert all(not i.udgaaet for i in catalogue.live_indicators(offer))
        assert all(not t.udgaaet for t in catalogue.live_themes(offer))


def test_a_plain_botilbud_is_assessed_on_every_live_indicator_but_those_only_for_others() -> None:
    catalogue = load_catalogue("bilag1")
    not_only = {i.id for i in catalogue.indicators() if not i.udgaaet and i.applies.kind != "only"}
    assert live_ids(catalogue, profile("SEL107")) == not_only
    assert not_only | {"1.d", "2.f", "8.c"} == {i.id for i in catalogue.indicators() if not i.udgaaet}
    assert [t.name for t in catalogue.live_themes(profile("SEL107"))] == [
        "Uddannelse og beskæftigelse",
        "Selvstændighed og relationer",
        "Målgruppe, metoder og resultater",
        "Sundhed og trivsel",
        "Organisation og ledelse",
        "Kompetencer",
        "Fysiske rammer",
    ]


# -- scores --------------------------------------------------------------------------------------------


def test_aggregate_takes_criterion_means_of_indicators_and_theme_means_of_criteria() -> None:
    catalogue = load_catalogue("bilag1")
    scores = {
        "1.a": 3,
        "1.b": 4,  # criterion 1: 3.5; theme 1: 3.5
        "3.a": 4,
        "3.b": 3,
        "3.c": 3,  # criterion 3: 10/3; theme 3: 3.33
        "4.a": 1.002,
        "4.b": 1.01,  # criterion 4: 1.006 -> 1.01
        "5.a": 1,
        "5.b": 1.018,
        "5.c": 1,  # criterion 5: 1.006 -> 1.01
        "6.a": 1,
        "6.b": 1,  # criterion 6: 1.0; criterion 7 unscored and left out
    }
    criteria, themes = catalogue.aggregate(scores)
    assert criteria == {"1": 3.5, "3": 3.33, "4": 1.01, "5": 1.01, "6": 1.0}
    # theme 4 is the mean of the unrounded 1.006, 1.006 and 1.0 = 1.004, not of the rounded 1.01, 1.01, 1.0
    assert themes == {"1": 3.5, "3": 3.33, "4": 1.0}


def test_aggregate_of_no_scores_is_empty_and_keys_may_be_spelled_as_in_the_source() -> None:
    catalogue = load_catalogue("bilag1")
    assert catalogue.aggregate({}) == ({}, {})
    assert catalogue.aggregate({"5 a": 2, "5.b": 4}) == ({"5": 3.0}, {"4": 3.0})


def test_aggregate_refuses_unknown_udgaaet_and_non_numeric_scores() -> None:
    catalogue = load_catalogue("bilag1")
    with pytest.raises(KeyError):
        catalogue.aggregate({"99.a": 3})
    with pytest.raises(ValueError, match="udgået"):
        catalogue.aggregate({"11.a": 3})
    with pytest.raises(ValueError):
        catalogue.aggregate({"1.a": float("nan")})
    with pytest.raises(ValueError):
        catalogue.aggregate({"5 a": 3, "5.a": 4})


# -- loading and look-up -------------------------------------------------------------------------------


def test_catalogue_for_types_picks_bilag2_only_when_every_type_is_a_plejefamilie() -> None:
    assert catalogue_for_types(["PLEJEFAMILIE"]).model == "bilag2"
    assert catalogue_for_types(["PLEJEFAMILIE", "KOMMUNAL_PLEJEFAMILIE"]).model == "bilag2"
    assert catalogue_for_types(["SEL107"]).model == "bilag1"
    assert catalogue_for_types(["PLEJEFAMILIE", "SEL66_5"]).model == "bilag1"
    assert catalogue_for_types([OfferType.SEL66_5]) is load_catalogue("bilag1")


def test_the_catalogue_is_loaded_once_and_is_frozen() -> None:
    catalogue = load_catalogue("bilag1")
    assert load_catalogue("bilag1") is catalogue
    with pytest.raises(ValidationError):
        catalogue.indicator("1.a").text = "changed"
    with pytest.raises(ValueError):
        load_catalogue("bilag3")


def test_indicator_lookup_accepts_the_source_spellings_and_names_what_is_missing() -> None:
    catalogue = load_catalogue("bilag1")
    assert catalogue.indicator("5 a").id == "5.a"
    assert catalogue.indicator("13a").id == "13.a"
    assert catalogue.indicator("Indikator 1.B").id == "1.b"
    with pytest.raises(KeyError, match="bilag1 has no indicator '15.a'"):
        catalogue.indicator("15.a")


def test_an_offer_profile_and_a_condition_accept_only_known_codes() -> None:
    with pytest.raises(ValidationError):
        profile("SEL999")
    with pytest.raises(ValidationError):
        OfferProfile(types=())
    with pytest.raises(ValidationError):
        Condition.model_validate({"type": "SEL999"})
    with pytest.raises(ValidationError):
        Condition()
    assert Condition.model_validate({"type": "SUL141", "ambulant": True}).type == ("SUL141",)
