"""The core's error tree. A handler raises one of these instead of composing a refusal itself; the
core turns it into the one-line reply, rolls the event's transaction back (so a refusal changes
nothing) and logs nothing alarming: these are the learner's mistakes or races, not faults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.outgoing import Choice


class BotError(Exception):
    """A refusal the learner reads as is: what went wrong and what to do instead."""


class BadInput(BotError):
    """Arguments or text that cannot be read: the message says the accepted form, with an example."""


class NotFound(BotError):
    """What the event refers to does not exist (any more): a stale button, a retired question."""


class Closed(BotError):
    """A conflict with what already happened: answered before, time up, asked of someone else."""


class PlatformRefused(Exception):
    """A platform would not deliver a message; adapters translate their SDK's errors into these."""


class NeedsChoice(BotError):
    """Input with more than one sensible reading: the reply asks which, never guesses.

    A parser raises it with the readings (`options`); the handler, which knows what each reading
    would do, turns them into buttons with `offer`, and the core sends the question with them.
    """

    def __init__(self, question: str, options: tuple[Any, ...], choices: tuple[Choice, ...] = ()) -> None:
        super().__init__(question)
        self.options = options
        self.choices = choices

    def offer(self, button: Callable[[Any], Choice]) -> NeedsChoice:
        """The same question with a button per reading."""
        return NeedsChoice(str(self), self.options, tuple(button(option) for option in self.options))
