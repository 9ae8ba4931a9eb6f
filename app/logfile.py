"""The log in a file while the console chat owns the terminal, so log lines never cut into the chat."""

from __future__ import annotations

import logging
from pathlib import Path


def log_to_file(path: Path, *, echo: bool) -> None:
    """Sends the root logger's records to `path` as well, formatted and filtered like its handlers
    already are (whatever they mask stays masked); without `echo` those handlers are removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    file = logging.FileHandler(path, encoding="utf-8")
    root = logging.getLogger()
    for handler in list(root.handlers):
        file.setFormatter(handler.formatter)
        for log_filter in handler.filters:
            file.addFilter(log_filter)
        if not echo:
            root.removeHandler(handler)
    root.addHandler(file)
