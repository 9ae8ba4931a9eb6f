"""Times of day as people type them: `19:00`, `7pm`, `7:30 pm`, `19.30`, `noon`, `midnight`.

A bare hour from 1 to 12 (`7`) could be morning or evening: that is asked, never guessed.
"""

from __future__ import annotations

import re
from datetime import time

from bot.errors import BadInput, NeedsChoice
from bot.inputs.text import quote, with_ascii_digits

WORDS = {"noon": time(12), "midday": time(12), "midnight": time(0)}
_FORM = re.compile(r"(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?\s*(?P<ampm>[ap])?\.?\s*(?:m\.?)?", re.ASCII)


def clock_time(text: str, example: str = "/remind 19:00") -> time:
    """A time of day; raises NeedsChoice (with both readings) for a bare 1-12 hour."""
    raw = " ".join(text.split()).lower()
    if raw in WORDS:
        return WORDS[raw]
    normalised = with_ascii_digits(raw)
    m = _FORM.fullmatch(normalised)
    if m is None:
        raise BadInput(f"{quote(text) or 'That'} is not a time of day. Try 19:00, 7pm or 7:30 pm, "
                       f"for example {example}")
    hour, minute, ampm = int(m["h"]), int(m["m"] or 0), m["ampm"]
    if minute > 59 or hour > 23 or (ampm and not 1 <= hour <= 12):
        raise BadInput(f"{quote(text)} is not a time of day. Try 19:00, 7pm or 7:30 pm, for example "
                       f"{example}")
    if ampm:
        return time(hour % 12 + (12 if ampm == "p" else 0), minute)
    if m["m"] is None and 1 <= hour <= 12:
        morning, evening = time(hour % 12, minute), time(hour % 12 + 12, minute)
        raise NeedsChoice(f"{hour} in the morning or in the evening?", (morning, evening))
    return time(hour, minute)
