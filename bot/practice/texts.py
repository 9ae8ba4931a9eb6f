"""Pure text rendering of questions and verdicts, shared by every adapter through `Outgoing`."""

from __future__ import annotations

from bot import payloads
from bot.domain.exam import BY_NUMBER
from bot.domain.questions import LETTERS, Question
from bot.outgoing import Choice, Outgoing


def question_text(question: Question, header: str) -> str:
    domain = BY_NUMBER[question.domain]
    lines = [f"{header} · D{domain.number} {domain.short}", "", question.stem, ""]
    lines += [f"{letter}. {choice}" for letter, choice in zip(LETTERS, question.choices, strict=True)]
    return "\n".join(lines)


def answer_buttons(prompt_id: int) -> tuple[Choice, ...]:
    return tuple(Choice(letter, payloads.encode(payloads.Answer(prompt_id, letter)))
                 for letter in LETTERS)


def question_message(question: Question, prompt_id: int, header: str) -> Outgoing:
    return Outgoing(question_text(question, header), answer_buttons(prompt_id))


def verdict_text(question: Question, chosen: str, header: str) -> str:
    right = chosen == question.answer
    verdict = ("Correct!" if right else
               f"Not quite - you chose {chosen}. The answer is {question.answer}.")
    return "\n".join((
        question_text(question, header), "",
        verdict, f"{question.answer}. {question.answer_text}", "",
        question.explanation, f"Source: {question.source}",
    ))
