"""The one cleaning every platform's text gets at the adapter edge, before the core sees it.

Names, titles, typed text and button payloads come from strangers. PostgreSQL refuses NUL in text
(and in query parameters), and a lone UTF-16 surrogate (which JSON's `\\ud800` escapes can carry into a
Python string) cannot be encoded as UTF-8 for either database: one such name would make every event
from its chat fail. Each is replaced by U+FFFD, so the text still arrives, visibly marked.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean(text: str) -> str:
    """`text` with NUL and lone surrogates replaced by U+FFFD; anything else is left as it is."""
    return _UNSTORABLE.sub(REPLACEMENT, text)
