"""Direct identifiers that must never reach the book: found in data and in built files.

Every text is first read the way a person reads it (:func:`normalise`): HTML entities decoded
(``&#64;`` is an ``@``), full-width and other compatibility digits made ASCII, every Unicode
dash a ``-``, every space a space, invisible characters removed. Then:

- Norwegian national identity numbers (fødselsnummer, D- and H-numbers): a plausible birth
  date (day + 40 for D-numbers, month + 40 for H-numbers) and five digits whose two control
  digits are valid (mod 11), written whole (``15058313790``), with the date and the rest apart
  (``150583 13790``, ``150583–13790``, ``15.05.83 13790``), grouped (``150583 137 90``), grouped
  in thousands (``15 058 313 790``), with the leading zero lost by a spreadsheet (ten digits),
  as a float (``15058313790.0``) or in scientific notation (``1.50583E+10``: the digits a
  spreadsheet shows; a plausible date is enough when the control digits are cut off);
- e-mail addresses;
- Norwegian phone numbers: eight digits starting 2–9 as people write them (``91234567``,
  ``912 34 567``, ``91 23 45 67``, ``22 12 34 56``) or after ``+47``/``0047``, never a run of
  digits that is part of a longer number, a decimal, a thousands-grouped figure or a range.

The functions say what kind of identifier was found and never return the value, except
:func:`identifier_values`, which gives the normalised values so that a finding in a built file
can be traced back to the input that holds it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from functools import cache

FNR_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
FNR_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
KINDS = ("national_id", "email", "phone")

# Not part of a longer number: no digit, decimal mark or digit group just before or after.
_BEFORE = r"(?<![\d\w])(?<!\d[.,])(?<!\d )"
_AFTER = r"(?![\d\w])(?!,\d|\.0*[1-9]| \d)"
_SEP = r"[ .\-/]"
_NATIONAL_ID = re.compile(
    _BEFORE
    + r"(?:"
    # day, month and year apart or together, the rest (five digits, maybe grouped) after
    + rf"(?P<d>\d{{1,2}}){_SEP}?(?P<m>\d{{2}}){_SEP}?(?P<y>\d{{2}})"
    + rf"(?:{_SEP}{{0,3}})(?P<i>\d{{5}}|\d{{3}}{_SEP}\d{{2}}|\d{{2}}{_SEP}\d{{3}})"
    # grouped in thousands: 15 058 313 790 or 15,058,313,790
    + r"|(?P<t1>\d{1,2})(?P<ts>[ ,.])(?P<t2>\d{3})(?P=ts)(?P<t3>\d{3})(?P=ts)(?P<t4>\d{3})"
    + r")(?:\.0+)?"
    + _AFTER
)
# What a spreadsheet shows of an 11-digit number: 1.50583E+10 (10- or 11-digit values).
_SCIENTIFIC = re.compile(
    r"(?<![\d.])(?P<lead>[1-9])[.,](?P<rest>\d{4,10})[eE]\+?0*(?P<exponent>9|10)(?![\d.])"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(
    r"(?<![\w.,/+\-])(?<!\d )(?:"
    + r"(?:\+|00)47[ .\-]?(?P<p1>\d(?:[ .\-]?\d){7})"
    + r"|(?P<p2>[2-9]\d{7})"
    + r"|(?P<p3>[2-9]\d{2}(?P<s3>[ .\-])\d{2}(?P=s3)\d{3})"
    + r"|(?P<p4>[2-9]\d(?P<s4>[ .\-])\d{2}(?P=s4)\d{2}(?P=s4)\d{2})"
    + r")(?![\d\w])(?![.,]\d| \d)"
)
# An 8-digit calendar date (20231107) is a date, not a phone number.
_BASIC_DATE = re.compile(r"20\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
# Read as "-" besides the dashes (Unicode category Pd): minus signs and the hyphen bullet.
_DASHES = frozenset("\u2212\u2043\ufe63")
IDENTIFIER_COLUMN = re.compile(
    r"^(f[oø]dsels?n(umme)?r|fnr|f_?nr|personn(umme)?r|pnr|d_?nummer|dnr|ssn)$", re.I
)


@cache
def _reader_char(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Pd" or char in _DASHES:
        return "-"
    if category in ("Zs", "Zl", "Zp") or char == "\t":
        return " "
    if category == "Cf":  # zero-width spaces and joiners, soft hyphens
        return ""
    return char


def normalise(text: str) -> str:
    """``text`` as a reader reads it: entities decoded, compatibility digits ASCII, every dash
    ``-``, every space `` `` and invisible characters dropped."""
    text = unicodedata.normalize("NFKC", html.unescape(text))
    return text if text.isascii() else _NOT_ASCII.sub(lambda m: _reader_char(m.group()), text)


def is_national_id(value: str) -> bool:
    """True if ``value`` is 11 digits with valid fødselsnummer/D-number control digits."""
    if len(value) != 11 or not value.isdigit():
        return False
    digits = [int(c) for c in value]
    for weights, position in ((FNR_WEIGHTS_1, 9), (FNR_WEIGHTS_2, 10)):
        control = 11 - sum(w * d for w, d in zip(weights, digits, strict=False)) % 11
        control = 0 if control == 11 else control
        if control == 10 or control != digits[position]:
            return False
    return plausible_birth_date(value[:6])


def plausible_birth_date(date: str) -> bool:
    """True if six digits ``DDMMYY`` can start a fødselsnummer, D-number or H-number."""
    if len(date) != 6 or not date.isdigit():
        return False
    day, month = int(date[:2]), int(date[2:4])
    return (1 <= day <= 31 or 41 <= day <= 71) and (1 <= month <= 12 or 41 <= month <= 52)


def _national_ids(text: str) -> Iterator[str]:
    for match in _NATIONAL_ID.finditer(text):
        if match["d"] is not None:
            digits = match["d"].zfill(2) + match["m"] + match["y"] + re.sub(r"\D", "", match["i"])
        else:
            digits = match["t1"] + match["t2"] + match["t3"] + match["t4"]
        if is_national_id(digits.zfill(11)):
            yield digits.zfill(11)
    for match in _SCIENTIFIC.finditer(text) if "e" in text or "E" in text else ():
        digits = match["lead"] + match["rest"]
        length = int(match["exponent"]) + 1
        if len(digits) > length:
            continue
        whole = digits.ljust(length, "0").zfill(11)
        if len(digits) + 11 - length >= 11:
            if is_national_id(whole):
                yield whole
        elif len(digits) + 11 - length >= 6 and plausible_birth_date(whole[:6]):
            yield whole[:6]  # the control digits were cut off: the date is what is left


def _phones(text: str) -> Iterator[str]:
    for match in _PHONE.finditer(text):
        number = next(match[group] for group in ("p1", "p2", "p3", "p4") if match[group])
        digits = re.sub(r"\D", "", number)
        if match["p2"] and _BASIC_DATE.fullmatch(digits):
            continue
        yield digits


def identifier_values(text: str, free_text: bool = True) -> dict[str, set[str]]:
    """The identifiers in ``text`` by kind, each as its digits (or lower-case address)."""
    text = normalise(text)
    found = {"national_id": set(_national_ids(text))}
    if free_text and "@" in text:
        found["email"] = {match.group().lower() for match in _EMAIL.finditer(text)}
    if free_text:
        found["phone"] = set(_phones(text))
    return {kind: values for kind, values in found.items() if values}


def identifier_kinds(text: str, free_text: bool = True) -> list[str]:
    """The kinds of direct identifier in ``text`` (e-mail and phone only in free text)."""
    found = identifier_values(text, free_text)
    return [kind for kind in KINDS if kind in found]


def is_identifier_column(name: str) -> bool:
    """True for a column named like a national identity number (``fnr``, ``personnummer``…)."""
    return bool(IDENTIFIER_COLUMN.match(name.strip().replace(" ", "_")))


def split_national_ids(dates: list[str], rests: list[str]) -> list[int]:
    """Rows where a birth-date cell and a five-digit cell together make a national id.

    ``dates`` are cells such as ``150583``, ``15.05.83`` or ``1983-05-15``; ``rests`` the cells
    of another column in the same rows (``13790``, or ``1379`` with a lost zero).
    """
    rows = []
    for row, (date, rest) in enumerate(zip(dates, rests, strict=True)):
        ddmmyy = birth_date_digits(date)
        rest = normalise(rest).strip().removesuffix(".0")
        if ddmmyy and rest.isdigit() and len(rest) <= 5 and is_national_id(ddmmyy + rest.zfill(5)):
            rows.append(row)
    return rows


_DATE_FORMS = (
    re.compile(r"(?P<d>\d{1,2})(?P<m>\d{2})(?P<y>\d{2})"),
    re.compile(r"(?P<d>\d{1,2})[.\-/ ](?P<m>\d{1,2})[.\-/ ](?:\d\d)?(?P<y>\d\d)"),
    re.compile(r"(?:\d\d)?(?P<y>\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T][\d:.]+)?"),
)


def birth_date_digits(cell: str) -> str | None:
    """``DDMMYY`` of a cell that holds a date (``150583``, ``15.05.1983``, ``1983-05-15``)."""
    cell = normalise(cell).strip().removesuffix(".0")
    for form in _DATE_FORMS:
        match = form.fullmatch(cell)
        if match:
            digits = match["d"].zfill(2) + match["m"].zfill(2) + match["y"]
            return digits if plausible_birth_date(digits) else None
    return None
