"""Logging set-up, with every configured secret masked in every record that reaches a handler.

The mask sits on the root logger's handler, not on the root logger: a logger's filters do not see the
records its children propagate, and the secrets arrive through children such as python-telegram-bot's
(`telegram.ext` logs Bot API URLs, token included, at DEBUG). It rewrites the record
itself, message, arguments, traceback and stack, so any handler after it sees the masked text too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote

MASK = "***"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class SecretMask(logging.Filter):
    """Replaces each secret, raw or percent-encoded as it appears in URLs, by `***`."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        forms = {form for secret in secrets if secret for form in (secret, quote(secret, safe=""))}
        self._secrets = sorted(forms, key=len, reverse=True)  # a longer secret may contain a shorter

    def mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        record.msg, record.args = self.mask(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


class CurrentStderr(logging.StreamHandler[TextIO]):
    """Writes to sys.stderr as it is when a record comes, not as it was when the handler was made, so
    a stderr replaced and closed since (the CLI run in-process by a test) is never written to."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """StreamHandler.setStream would set it; the current stderr always wins."""


def configure_logging(level: str, secrets: Iterable[str], stream: TextIO | None = None) -> SecretMask:
    """One stderr handler on the root logger, replacing any before it, behind the secret mask."""
    mask = SecretMask(secrets)
    handler = logging.StreamHandler(stream) if stream is not None else CurrentStderr()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(mask)
    root = logging.getLogger()
    for old in root.handlers[:]:  # none may bypass the mask
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # warnings too go through the mask, not straight to stderr
    return mask
