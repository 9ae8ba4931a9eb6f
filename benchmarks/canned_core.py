"""A core that answers from memory, for the throughput benchmarks: what is left of an update's cost
with it is the adapter's own."""

from __future__ import annotations

import dataclasses

from bot.core import StudyBot
from bot.events import Address, ButtonPressed, Event
from bot.handled import Handled, Outcome
from bot.outgoing import Outgoing
from bot.practice.texts import question_message


class CannedCore(StudyBot):
    """Every message gets the same question; every press edits the pressed message into it, as a
    graded answer does."""

    async def process(self, event: Event) -> Handled:
        question = question_message(self.bank.questions[0], 1, "Question")
        pressed = isinstance(event, ButtonPressed)
        return Handled([dataclasses.replace(question, replace=pressed)], Outcome.APPLIED)

    async def close_due_rounds(self, platform: str | None = None) -> list[tuple[Address, Outgoing]]:
        return []
