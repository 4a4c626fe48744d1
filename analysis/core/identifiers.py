"""Direct identifiers that must never reach the book: found in data and in built files.

Norwegian national identity numbers (fødselsnummer, D- and H-numbers: 11 digits whose two
control digits are valid) are found anywhere in a text: whole or inside free text, written
with spaces, dots or dashes (``030570 49781``), with the leading zero lost by a spreadsheet
(10 digits), or as a float (``16068219489.0``). E-mail addresses and Norwegian phone numbers
(eight digits, mobile 4/9 or with +47/0047) are found in free text. The functions say what
kind of identifier was found and never return the value.
"""

from __future__ import annotations

import re

FNR_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
FNR_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# Six digits (date), an optional separator, five digits; or ten digits with the leading
# zero of the day lost. Not part of a longer run of digits.
_NATIONAL_ID = re.compile(r"(?<![\d.,])(\d{5,6})[ .\-]?(\d{5})(?![\d,]|\.\d*[1-9])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)47[ .\-]?(?:\d[ .\-]?){7}\d|[49]\d{2}[ .\-]?\d{2}[ .\-]?\d{3})(?!\d)"
)
IDENTIFIER_COLUMN = re.compile(
    r"^(f[oø]dsels?n(umme)?r|fnr|f_?nr|personn(umme)?r|pnr|d_?nummer|dnr|ssn)$", re.I
)
KINDS = ("national_id", "email", "phone")


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
    return True


def has_national_id(text: str) -> bool:
    """True if ``text`` contains a national identity number in any of the written forms."""
    for match in _NATIONAL_ID.finditer(text):
        digits = match.group(1) + match.group(2)
        if is_national_id(digits.zfill(11)):
            return True
    return False


def identifier_kinds(text: str, free_text: bool = True) -> list[str]:
    """The kinds of direct identifier in ``text`` (e-mail and phone only in free text)."""
    kinds = ["national_id"] if has_national_id(text) else []
    if free_text and _EMAIL.search(text):
        kinds.append("email")
    if free_text and _PHONE.search(text):
        kinds.append("phone")
    return kinds


def is_identifier_column(name: str) -> bool:
    """True for a column named like a national identity number (``fnr``, ``personnummer``…)."""
    return bool(IDENTIFIER_COLUMN.match(name.strip().replace(" ", "_")))
