"""What a reply may quote back of a learner's text, and numbers as people type them.

Digits are read the way Unicode defines them (a fullwidth five, U+FF15, is 5, as is an Arabic-Indic
five); other
characters that only look numeric (superscripts, circled digits) are not digits, and a number longer
than any setting could need is refused before it is converted.
"""

from __future__ import annotations

import unicodedata

from bot.errors import BadInput

QUOTE_LIMIT = 60
MAX_DIGITS = 6


def quote(text: str) -> str:
    """`text` as a reply may echo it: one line, at most about QUOTE_LIMIT characters."""
    line = " ".join(text.split())
    return line if len(line) <= QUOTE_LIMIT else line[:QUOTE_LIMIT - 1].rstrip() + "…"


def ascii_digits(text: str) -> str | None:
    """The decimal digits of `text` as ASCII, or None if any character is not a decimal digit."""
    out = []
    for char in text:
        value = unicodedata.decimal(char, None)
        if value is None:
            return None
        out.append(str(value))
    return "".join(out)


def with_ascii_digits(text: str) -> str:
    """`text` with each decimal digit (any script) as its ASCII digit; everything else as it was."""
    return "".join(ascii_digits(char) or char for char in text)


def whole_number(text: str, low: int, high: int, refusal: str) -> int:
    """A whole number in [low, high]; anything else gets `refusal`, which names the range."""
    digits = ascii_digits(text.strip())
    if not digits or len(digits) > MAX_DIGITS or not low <= int(digits) <= high:
        raise BadInput(refusal)
    return int(digits)
