"""Work that arrives in bursts, done in batches: whatever is handed in while a batch runs waits for
the next one, so a burst costs a few transactions instead of one per item.

A live round in a big group brings hundreds of answer presses within seconds, all for the same
question (bot.rounds.presses grades each batch as a set); a busy adapter marks hundreds of updates'
replies delivered a second (StudyBot.delivered). One per transaction, they would queue behind one
another (SQLite has one writer; PostgreSQL pays a commit each).

`drain()` lets whoever closes a question wait until every press handed in before it has been
recorded: a press made before the deadline is never beaten by the reveal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

BATCH = 200  # items per transaction: large enough for a burst, short enough to answer within 1 s


class BatchQueue(Generic[Item, Result]):
    """`workers` batches may run at once: 1 where the database takes one writer at a time (SQLite),
    more where transactions run side by side and each statement is a network round trip.
    `run_batch` returns one result per item, in order."""

    def __init__(self, run_batch: Callable[[Sequence[Item]], Awaitable[list[Result]]], workers: int = 1,
                 batch: int = BATCH) -> None:
        self._run_batch, self._batch, self._most = run_batch, batch, workers
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._workers: set[asyncio.Task[None]] = set()  # kept so a running batch is not collected
        self._busy = 0  # workers started and not yet finished
        self._idle = asyncio.Event()
        self._idle.set()

    async def submit(self, item: Item) -> Result:
        """The item's result, once the batch it joined has committed."""
        outcome: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, outcome))
        self._idle.clear()
        if self._busy < self._most:
            self._busy += 1
            worker = asyncio.create_task(self._work(), name="batch")
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)
        return await asyncio.shield(outcome)  # a cancelled caller does not cancel its batch

    async def drain(self) -> None:
        """Returns once every item submitted so far has been handled."""
        await self._idle.wait()

    async def _work(self) -> None:
        try:
            while self._waiting:
                taken, self._waiting = self._waiting[:self._batch], self._waiting[self._batch:]
                try:
                    results = await self._run_batch([item for item, _ in taken])
                except BaseException as exc:  # run_batch never raises; a cancellation ends the batch
                    for _, outcome in taken:
                        if not outcome.done():
                            outcome.set_exception(exc)
                    raise
                for (_, outcome), result in zip(taken, results, strict=True):
                    if not outcome.done():
                        outcome.set_result(result)
        finally:
            self._busy -= 1
            if not self._waiting and not self._busy:
                self._idle.set()
