"""The fonts every PDF of the ledger embeds, so that any name is shown exactly as it is written.

A complaint file or an annual report names parties as they are written: Danish, Greenlandic,
Faroese, Polish, Turkish, Vietnamese, Arabic, Chinese, Japanese, Korean. The PDF core fonts know
Latin-1 only, so every PDF embeds Noto Sans (SIL Open Font License 1.1), installed with the ledger
from two packages of the Python registry (pyproject.toml):

- `manimgx-fonts`: Noto Sans and Noto Sans Italic (Latin, Greek, Cyrillic, Vietnamese), and Noto Sans
  Arabic, Hebrew, Armenian, Georgian, Ethiopic, the Indic and South-East Asian scripts, Symbols
  and Emoji (monochrome), each a variable font with a weight axis;
- `justmytype-intl-cjk`: Noto Sans SC, JP, TC and KR (Chinese, Japanese kana, Hangul).

Noto Sans is the document's font; the others are fpdf2's fallback fonts, used character by
character where Noto Sans has no glyph. Only the fonts a document needs are loaded, and fpdf2 embeds
only the glyphs it uses, so a Danish report stays small and quick to make. A weight that is not a
font's default instance (bold; every weight of the CJK fonts, whose default is Thin) is made with
fontTools from the font cut down to the document's characters first (instancing a whole CJK font
would take seconds).

Right-to-left text is put in visual order (the Unicode bidirectional algorithm, python-bidi) line
by line where the ledger wraps the lines itself; it is not shaped, so Arabic letters show in their
isolated forms, in the right order. A character that no embedded font can show is refused before
anything is written (`UnrenderableText`, exit 2): the ledger never writes a document that alters
a name.
"""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ledger.errors import InvalidInput

SANS = "notosans"


@dataclass(frozen=True)
class Font:
    family: str  # the fpdf2 family name
    package: str
    path: str  # inside the package
    italic: str | None = None  # the italic file, if the family has one


# The document's font first, then the fallbacks in the order fpdf2 tries them.
CHAIN: tuple[Font, ...] = (
    Font(SANS, "manimgx_fonts", "NotoSans[wght].ttf", italic="NotoSans-Italic[wght].ttf"),
    Font("notoarabic", "manimgx_fonts", "NotoSansArabic[wght].ttf"),
    Font("notohebrew", "manimgx_fonts", "NotoSansHebrew[wght].ttf"),
    Font("notoarmenian", "manimgx_fonts", "NotoSansArmenian[wght].ttf"),
    Font("notogeorgian", "manimgx_fonts", "NotoSansGeorgian[wght].ttf"),
    Font("notoethiopic", "manimgx_fonts", "NotoSansEthiopic[wght].ttf"),
    Font("notodevanagari", "manimgx_fonts", "NotoSansDevanagari[wght].ttf"),
    Font("notobengali", "manimgx_fonts", "NotoSansBengali[wght].ttf"),
    Font("notogurmukhi", "manimgx_fonts", "NotoSansGurmukhi[wght].ttf"),
    Font("notogujarati", "manimgx_fonts", "NotoSansGujarati[wght].ttf"),
    Font("notooriya", "manimgx_fonts", "NotoSansOriya[wght].ttf"),
    Font("nototamil", "manimgx_fonts", "NotoSansTamil[wght].ttf"),
    Font("nototelugu", "manimgx_fonts", "NotoSansTelugu[wght].ttf"),
    Font("notokannada", "manimgx_fonts", "NotoSansKannada[wght].ttf"),
    Font("notomalayalam", "manimgx_fonts", "NotoSansMalayalam[wght].ttf"),
    Font("notosinhala", "manimgx_fonts", "NotoSansSinhala[wght].ttf"),
    Font("notothai", "manimgx_fonts", "NotoSansThai[wght].ttf"),
    Font("notolao", "manimgx_fonts", "NotoSansLao[wght].ttf"),
    Font("notokhmer", "manimgx_fonts", "NotoSansKhmer[wght].ttf"),
    Font("notomyanmar", "manimgx_fonts", "NotoSansMyanmar[wght].ttf"),
    Font("notosymbols", "manimgx_fonts", "NotoSansSymbols[wght].ttf"),
    Font("notosc", "justmytype_intl_cjk", "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"),
    Font("notojp", "justmytype_intl_cjk", "fonts/ofl/notosansjp/NotoSansJP[wght].ttf"),
    Font("nototc", "justmytype_intl_cjk", "fonts/ofl/notosanstc/NotoSansTC[wght].ttf"),
    Font("notokr", "justmytype_intl_cjk", "fonts/ofl/notosanskr/NotoSansKR[wght].ttf"),
    Font("notoemoji", "manimgx_fonts", "NotoEmoji[wght].ttf"),
)

REGULAR, BOLD = 400, 700
# Characters that are layout, not glyphs: fpdf2 breaks lines at them or draws nothing.
_LAYOUT = {"\n", "\r", "\t", "\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


class UnrenderableText(InvalidInput):
    """A character of a document that no embedded font can show: the document is not written."""


def fonts_available() -> bool:
    """Whether the font packages are installed (they are dependencies of the ledger)."""
    try:
        return all(_file(font.package, font.path).is_file() for font in CHAIN)
    except ModuleNotFoundError:
        return False


def _file(package: str, path: str) -> Path:
    return Path(str(files(package).joinpath(path)))


@cache
def _cmap(package: str, path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(_file(package, path)), lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def describe(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')} ({char!r})"


def plan(texts: Iterable[str]) -> tuple[list[Font], set[str]]:
    """The fonts of the chain a document of these texts needs, and its characters.

    Raises `UnrenderableText` naming every character (and the first text it is in) that no font
    of the chain has."""
    seen: dict[str, str] = {}
    for text in texts:
        for char in text:
            if char not in seen and char not in _LAYOUT:
                seen[char] = text
    remaining = set(seen)  # spaces too: an ideographic space (U+3000) needs the CJK font
    needed: list[Font] = []
    for index, font in enumerate(CHAIN):
        if not remaining and index:
            break
        cmap = _cmap(font.package, font.path)
        covered = {c for c in remaining if ord(c) in cmap}
        if covered or index == 0:
            needed.append(font)
        remaining -= covered
    if remaining:
        missing = sorted(remaining)
        first = seen[missing[0]]
        shown = first if len(first) <= 80 else first[:77] + "..."
        raise UnrenderableText(
            f"the PDF cannot show {', '.join(describe(c) for c in missing[:5])}"
            f"{f' and {len(missing) - 5} more' if len(missing) > 5 else ''}: no embedded font has "
            f"{'it' if len(missing) == 1 else 'them'} (first in {shown!r}); nothing was written "
            "(--no-pdf or --format without pdf writes the other formats)"
        )
    return needed, set(seen)


def _instance(font: Font, path: str, weight: int, chars: set[str], folder: Path) -> Path:
    """The font cut down to `chars`, at `weight`, as a static TrueType file in `folder`. The cut
    (the slow part for a CJK font) is made once per font file and document, then instanced."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    stem = f"{font.family}-{Path(path).stem.split('[')[0]}"
    target = folder / f"{stem}-{weight}.ttf"
    if target.exists():
        return target
    cut = folder / f"{stem}-subset.ttf"
    if not cut.exists():
        _cut(font, path, chars, cut)
    ttfont = TTFont(str(cut), recalcTimestamp=False)
    if "fvar" in ttfont:
        instancer.instantiateVariableFont(ttfont, {"wght": weight}, inplace=True, static=True)
    elif weight != REGULAR:
        raise ValueError(f"{path} has no weight axis for weight {weight}")
    ttfont.save(str(target))
    ttfont.close()
    return target


def _cut(font: Font, path: str, chars: set[str], target: Path) -> None:
    """The font file with only the glyphs of `chars` (and no layout tables: the text is not shaped)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    ttfont = TTFont(str(_file(font.package, path)), lazy=True, recalcTimestamp=False)
    for tag in ("GSUB", "GPOS", "GDEF", "BASE", "STAT", "JSTF", "MATH", "vhea", "vmtx", "VORG", "VVAR"):
        if tag in ttfont:
            del ttfont[tag]
    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.hinting = False
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(c) for c in chars} & _cmap(font.package, path)))
    subsetter.subset(ttfont)
    ttfont.save(str(target))
    ttfont.close()


def _face(font: Font, path: str, weight: int, chars: set[str], folder: Path) -> Path:
    """Always the font cut down to the document's characters: fpdf2 then parses and subsets a
    few hundred glyphs instead of thousands (a tenth of the time)."""
    return _instance(font, path, weight, chars, folder)


@contextmanager
def embedded(pdf: Any, texts: Iterable[str]) -> Iterator[None]:
    """Add to `pdf` the fonts that the texts need (regular, bold and, for the document's font,
    italic; no bold italic) and set the fallbacks; the instanced weights live in a temporary folder until the
    PDF has been output inside the `with` block."""
    needed, chars = plan(texts)
    with tempfile.TemporaryDirectory(prefix="ledger-fonts-") as temporary:
        folder = Path(temporary)
        for font in needed:
            pdf.add_font(font.family, "", str(_face(font, font.path, REGULAR, chars, folder)))
            pdf.add_font(font.family, "B", str(_face(font, font.path, BOLD, chars, folder)))
            if font.italic:  # the documents use no bold italic
                pdf.add_font(font.family, "I", str(_face(font, font.italic, REGULAR, chars, folder)))
        if len(needed) > 1:
            pdf.set_fallback_fonts([font.family for font in needed[1:]], exact_match=False)
        yield


# -- right-to-left text -----------------------------------------------------------------------------
_RTL = {"R", "AL", "AN", "RLE", "RLO", "RLI"}


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in _RTL for c in text)


def visual(text: str) -> str:
    """Text in the order it is drawn, left to right, line by line (paragraphs stay left-to-right
    unless they start with a right-to-left letter); unchanged when it has no right-to-left text."""
    if not has_rtl(text):
        return text
    from bidi import get_display

    return "\n".join(str(get_display(line)) for line in text.split("\n"))


def multi_cell(pdf: Any, width: float, height: float, text: str, **options: Any) -> None:
    """`pdf.multi_cell`, with right-to-left runs put in visual order after the lines are broken
    (so a wrapped right-to-left run reads in the right order on every line)."""
    if has_rtl(text):
        lines = pdf.multi_cell(width, height, text, dry_run=True, output="LINES")
        text = "\n".join(visual(line) for line in lines)
    pdf.multi_cell(width, height, text, **options)


def block_texts(blocks: Iterable[Any]) -> Iterator[str]:
    """Every string in a document's blocks (tuples of strings, lists, rows and cells), for `plan`."""
    for block in blocks:
        yield from _strings(block)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif isinstance(getattr(value, "text", None), str):  # a table cell: its shown text
        yield value.text
    elif isinstance(getattr(value, "caption", None), str):  # a chart: its caption (its SVG draws its own text)
        yield value.caption
