"""The item-quality loop's learner side: "Report a problem" under every explanation, the kind of
problem, an optional note (/report TEXT), and the share of learners who got a question right."""

from __future__ import annotations

from datetime import timedelta

from bot import payloads
from bot.domain.figures import percent
from bot.domain.item_stats import MIN_LEARNERS
from bot.domain.models import ReportKind
from bot.domain.questions import Question
from bot.errors import BadInput, NotFound
from bot.inputs.text import quote
from bot.outgoing import Choice, Outgoing
from bot.turn import Turn

NOTE_WITHIN = timedelta(hours=1)
NOTE_LIMIT = 500


def report_button(question: Question) -> Choice:
    return Choice("Report a problem", payloads.encode(payloads.Report(question.id, question.version)))


async def first_try_line(turn: Turn, question: Question) -> str | None:
    """"62 % of learners got this right the first time", once MIN_LEARNERS have answered it."""
    tries = await turn.tx.items.first_tries(question.id, question.version)
    if tries.answered < MIN_LEARNERS:
        return None
    return f"{percent(tries.correct, tries.answered)}% of learners got this right the first time."


async def press(turn: Turn, report: payloads.Report) -> Outgoing:
    """The button: which problem (first press), then the report stored and thanks."""
    question = turn.bank.get(report.question_id)
    if question is None or question.version < report.version:
        raise NotFound("That question is no longer in the bank. Thank you all the same.")
    if report.kind is None:
        kinds = tuple(Choice(kind.label, payloads.encode(payloads.Report(question.id, report.version, kind)))
                      for kind in ReportKind)
        return Outgoing(f"What is wrong with question {question.id}?", kinds, private=True)
    await turn.tx.items.report(turn.learner.id, question.id, report.version, report.kind, turn.now)
    return Outgoing(f"Thank you: {question.id} is reported as \"{report.kind.label}\" and a reviewer will "
                    "look at it. To add what you noticed, send /report followed by a note within the "
                    "hour.", private=True, replace=True)


async def note(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    """`/report TEXT`: a note on the learner's latest report."""
    text = " ".join(" ".join(args).split())[:NOTE_LIMIT]
    if not text:
        raise BadInput("Press \"Report a problem\" under a question's explanation first, then send "
                       "/report with a note, e.g. /report the key should be C because ...")
    question_id = await turn.tx.items.add_report_text(turn.learner.id, text, turn.now - NOTE_WITHIN)
    if question_id is None:
        raise BadInput("There is no report of yours from the last hour to add that to. Press \"Report a "
                       "problem\" under the question's explanation first.")
    return Outgoing(f"Thanks, your note is attached to the report on {question_id}: \"{quote(text)}\"",
                    private=True)
