"""Calendar dates as people type them: `2027-02-15`, `2/15/2027`, `Feb 15 2027`, `February 15, 2027`,
`15 February 2027`.

Slashed dates are read month first, the US habit; when both readings are real dates (`3/4/2027`) the
learner is asked which they mean. An impossible date (`2026-02-29`) is called that, not a bad format.
"""

from __future__ import annotations

import re
from datetime import date

from bot.errors import BadInput, NeedsChoice
from bot.inputs.text import quote, with_ascii_digits

_MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_MONTH_FIRST = re.compile(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})", re.ASCII)
_DAY_FIRST = re.compile(r"(\d{1,2})(?:st|nd|rd|th)? ([a-z]+)\.?,? (\d{4})", re.ASCII)
FORMS = "2027-02-15, 2/15/2027, Feb 15 2027 or 15 February 2027"


def calendar_date(text: str, example: str) -> date:
    """A date in one of FORMS; NeedsChoice when a slashed date reads two ways."""
    raw = with_ascii_digits(" ".join(text.replace(",", ", ").split()).lower())
    raw = raw.replace(" ,", ",")
    parts: list[tuple[int, int, int]] = []  # (year, month, day) readings
    if m := _ISO.fullmatch(raw):
        parts.append((int(m[1]), int(m[2]), int(m[3])))
    elif m := _SLASHED.fullmatch(raw):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        parts.append((year, first, second))
        if first != second and first <= 12 and second <= 12:
            parts.append((year, second, first))
    elif (m := _MONTH_FIRST.fullmatch(raw)) and m[1] in _MONTHS:
        parts.append((int(m[3]), _MONTHS[m[1]], int(m[2])))
    elif (m := _DAY_FIRST.fullmatch(raw)) and m[2] in _MONTHS:
        parts.append((int(m[3]), _MONTHS[m[2]], int(m[1])))
    else:
        raise BadInput(f"{quote(text) or 'That'} is not a date I can read. Use {FORMS}. {example}")
    real = []
    for year, month, day in parts:
        try:
            real.append(date(year, month, day))
        except ValueError:
            continue
    if not real:
        raise BadInput(f"{quote(text)} is not a real calendar date. {example}")
    if len(real) > 1:
        raise NeedsChoice(f"Is {quote(text)} {real[0]:%B %-d} or {real[1]:%B %-d}?", tuple(real))
    return real[0]
