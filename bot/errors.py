"""The core's error tree. A handler raises one of these instead of composing a refusal itself; the
core turns it into the one-line reply, rolls the event's transaction back (so a refusal changes
nothing) and logs nothing alarming: these are the learner's mistakes or races, not faults."""

from __future__ import annotations


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
