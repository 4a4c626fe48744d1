"""Bilingual labels and number formatting (bokmål ``nb`` and English ``en``).

Every string a reader sees comes from the label catalog (:mod:`analysis.core.catalog`, whose
``t`` and ``catalog`` are available here too). Numbers are formatted explicitly with Babel,
never through the process locale, and plural forms follow Babel's (CLDR's) plural rules: both
come from the locale data of each language, with the few departures of the house style in
``HOUSE_STYLE``. Norwegian style: decimal comma, narrow no-break (thin) space as thousands
separator, "95 % KI", "p = 0,03".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol

from analysis.core.catalog import MissingTranslationError as MissingTranslationError
from analysis.core.catalog import catalog as catalog
from analysis.core.catalog import check_lang, t
from analysis.core.settings import LANGS as LANGS

THIN_SPACE = "\u202f"  # narrow no-break space: a thin space that never breaks a number
EN_DASH = "\u2013"
MINUS = "\u2212"
_DIGIT = re.compile(r"\d")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class HouseStyle:
    """A language's Babel locale and where the house style departs from its CLDR data.

    Everything else (decimal sign, digit grouping, the percent pattern with or without a space
    before "%", plural rules) comes from the locale. Two departures cannot come from CLDR:

    - ``group``: CLDR separates thousands in bokmål with a no-break space (U+00A0); the house
      style, following Norwegian typesetting, uses the narrow no-break space (U+202F), so digit
      groups stay close together and never break across lines. ``None`` keeps CLDR's separator.
    - the minus sign is U+2212 in every language (:data:`MINUS`): English CLDR uses the hyphen.
    """

    locale: str
    group: str | None = None


HOUSE_STYLE: dict[str, HouseStyle] = {
    "nb": HouseStyle("nb_NO", group=THIN_SPACE),
    "en": HouseStyle("en_GB"),
}


@cache
def babel_locale(lang: str) -> Locale:
    """The Babel locale of ``lang`` (its CLDR number symbols, patterns and plural rules)."""
    return Locale.parse(HOUSE_STYLE[check_lang(lang)].locale)


# House style: counts below ten in words in running text ("three studies"), and any count the
# number words reach at the start of a sentence ("Twenty trials were included").
WORDS_BELOW = 10


def number(n: int, lang: str, start: bool = False) -> str:
    """``n`` in words where the house style asks for them (``WORDS_BELOW``; at the start of a
    sentence, capitalised, as far as ``common.number_words`` goes), else in digits."""
    words = t("common.number_words", lang).split()
    if not 0 <= n < len(words) or not (start or n < WORDS_BELOW):
        return fmt_int(n, lang)
    return _capitalised(words[n]) if start else words[n]


def decimals_of(x: float, most: int = 2) -> int:
    """How many decimals ``x`` has, at most ``most``: 0 for 6.0, 1 for 6.5, 2 for 6.25."""
    return next((d for d in range(most) if round(x, d) == x), most)


def tn(
    key: str,
    n: float,
    lang: str,
    *,
    words: bool = False,
    start: bool = False,
    **values: object,
) -> str:
    """The label ``key.<form>`` for the count ``n``, with ``{n}`` in digits, or in words
    (:func:`number`) when ``words`` or at the ``start`` of a sentence, which also capitalises
    the text. The form is the language's CLDR plural category of ``n`` (``one``, ``other``; in
    other languages also ``two``, ``few``, ``many``), except that a count of zero takes
    ``key.zero`` where the catalog has one (house style: "none of them", "no studies"). An
    ``n`` with decimals (6.5 months) keeps them (up to two) and takes their plural form."""
    decimals = decimals_of(n)
    if decimals:
        shown = fmt_num(n, lang, decimals)
        form = babel_locale(lang).plural_form(Decimal(repr(round(n, decimals))))
    else:
        has_zero = n == 0 and f"{key}.zero" in catalog()
        form = "zero" if has_zero else babel_locale(lang).plural_form(int(n))
        shown = number(int(n), lang, start) if words or start else fmt_int(int(n), lang)
    text = t(f"{key}.{form}", lang, n=shown, **values)
    return _capitalised(text) if start else text


LEADING_COUNT = re.compile(r"^\d[\d\s.,]*\s+(?=\D)")


def without_count(phrase: str) -> str:
    """A noun phrase of a study description without the count it may start with ("20
    return-to-work programmes" -> "return-to-work programmes"), for a sentence that puts the
    data's own count before it."""
    return LEADING_COUNT.sub("", phrase, count=1)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def fmt_num(x: float | None, lang: str, decimals: int = 2) -> str:
    """A number with a fixed number of decimals in the language's style (``–`` if missing)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return EN_DASH
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    # Round half up (as SPSS and the source papers do), not half-even.
    # With the precision a huge number needs (28 digits cannot hold 1e30 to two decimals).
    exact = Decimal(repr(float(x)))
    with localcontext(prec=max(28, exact.adjusted() + decimals + 2)):
        rounded = exact.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    # Thousands in groups of three, then the language's signs: what Babel's pattern #,##0.00
    # writes, at a third of its cost (the tests format some 27,000 numbers).
    return f"{rounded:,f}".translate(_signs(lang))


@cache
def _signs(lang: str) -> dict[int, str]:
    """Python's group, decimal and minus signs as ``lang`` writes them: CLDR's decimal sign,
    its group sign unless the house style has its own, and :data:`MINUS`."""
    locale = babel_locale(lang)
    group = HOUSE_STYLE[lang].group or get_group_symbol(locale)
    return str.maketrans({",": group, ".": get_decimal_symbol(locale), "-": MINUS})


def fmt_int(n: int, lang: str) -> str:
    """A whole number with the language's thousands separator."""
    return fmt_num(n, lang, decimals=0)


def fmt_pct(share: float | None, lang: str, decimals: int = 0) -> str:
    """A share (0–1) as a percentage: ``48 %`` in bokmål, ``48%`` in English."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return EN_DASH
    return with_percent(fmt_num(100 * share, lang, decimals), lang)


def is_number(text: str) -> bool:
    """A text that holds a number and no words (``16 (100 %)``, ``0,45–1,01``, ``37/64``):
    shown right-aligned in a table."""
    return bool(_DIGIT.search(text)) and not _LETTERS.search(text)


def with_percent(number: str, lang: str) -> str:
    """A formatted number of percent with the sign placed and spaced as the language's CLDR
    percent pattern does it (``48 %`` with a no-break space in bokmål, ``48%`` in English)."""
    pattern = babel_locale(lang).percent_formats[None]
    return f"{pattern.prefix[0]}{number}{pattern.suffix[0]}"


def fmt_p(p: float | None, lang: str, with_symbol: bool = True) -> str:
    """A p-value: three decimals, ``< 0.001`` below that; ``p = 0,03`` style in bokmål."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return EN_DASH
    body = f"< {fmt_num(0.001, lang, 3)}" if p < 0.001 else f"= {fmt_num(p, lang, 3)}"
    return f"p {body}" if with_symbol else body.removeprefix("= ")


def fmt_ci(low: float | None, high: float | None, lang: str, decimals: int = 2) -> str:
    """A confidence interval as ``low–high``."""
    return f"{fmt_num(low, lang, decimals)}{EN_DASH}{fmt_num(high, lang, decimals)}"


def fmt_estimate(
    estimate: float | None,
    low: float | None,
    high: float | None,
    lang: str,
    decimals: int = 2,
    labelled: bool = True,
) -> str:
    """An estimate with its interval: ``2,22 (95 % KI 1,06–4,63)``; ``2,22 (1,06–4,63)`` not
    ``labelled`` (in a table column whose header says "95 % KI")."""
    label = f"{t('common.ci95', lang)} " if labelled else ""
    return f"{fmt_num(estimate, lang, decimals)} ({label}{fmt_ci(low, high, lang, decimals)})"


def fmt_count_share(count: int, total: int, lang: str, decimals: int = 0) -> str:
    """``count (percent)`` with the share of ``total``; ``count`` alone when total is 0."""
    if total == 0:
        return fmt_int(count, lang)
    return f"{fmt_int(count, lang)} ({fmt_pct(count / total, lang, decimals)})"


def axis_formatter(lang: str, decimals: int = 0, percent: bool = False):
    """A matplotlib tick formatter in the language's number style."""
    from matplotlib.ticker import FuncFormatter

    if percent:
        return FuncFormatter(lambda x, _pos: fmt_pct(x, lang, decimals))
    return FuncFormatter(lambda x, _pos: fmt_num(x, lang, decimals))


class Text(str):
    """A string whose repr is itself, so myst-nb ``glue`` shows it without quotes."""

    def __repr__(self) -> str:
        return str(self)


_PLACEHOLDER = re.compile(r"{(\w+)[^}]*}")


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders used in a label text."""
    return set(_PLACEHOLDER.findall(text))
