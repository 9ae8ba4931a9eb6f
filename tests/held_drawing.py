"""A chart renderer held mid-drawing: shows what else can run while a chart is being drawn."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable


class HeldDrawing:
    """Stands in for a `render` function: once called (in the worker thread), waits until released,
    for at most 5 s, then draws as the real one would."""

    def __init__(self, render: Callable[..., bytes]) -> None:
        self._render = render
        self._started, self._release = threading.Event(), threading.Event()

    def __call__(self, *args: object) -> bytes:
        self._started.set()
        self._release.wait(5)
        return self._render(*args)

    async def started(self) -> bool:
        """Whether drawing began within 5 s."""
        return await asyncio.to_thread(self._started.wait, 5)

    def release(self) -> None:
        self._release.set()
