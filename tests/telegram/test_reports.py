"""/groupreport on Telegram: the admin gets the report (chart and figures) in their private chat, the
group one line; a member who is no admin is refused; `weekly on` brings it every Monday by DM.
/digest on: the Sunday digest arrives privately with its "Drill it" button."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.telegram import TelegramFrontend
from bot.core import StudyBot
from bot.domain.models import AnswerRecord
from bot.events import Person
from scheduler.tick import Ticker
from tests.conftest import START
from tests.telegram.fake_api import Call, FakeBotApi, Json

GROUP = -1001


async def seed(core: StudyBot) -> None:
    """Alice, Bob and Carol are members: all three missed d1-0001, Alice got d4-0001 right; Carol's
    exam is in 10 days and she has answered nothing since."""
    async with core.store.transaction() as tx:
        for user, name in (("101", "Alice"), ("102", "Bob"), ("103", "Carol")):
            learner = await tx.learners.learner(Person("telegram", user, name), START, None)
            await tx.groups.join_group("telegram", str(GROUP), learner.id, START)
            if name == "Carol":
                await tx.learners.update_learner(learner, exam_date=START.date() + timedelta(days=10))
                continue
            await tx.answers.record_answer(learner.id, AnswerRecord(
                "d1-0001", 1, False, False, START - timedelta(hours=1)))
        carol = await tx.learners.find_learner("telegram", "103")
        assert carol is not None
        await tx.answers.record_answer(carol.id, AnswerRecord("d1-0001", 1, False, False,
                                                              START - timedelta(days=5)))
        alice = await tx.learners.find_learner("telegram", "101")
        assert alice is not None
        await tx.answers.record_answer(alice.id, AnswerRecord("d4-0001", 4, True, False, START))


def text_of(calls: list[Call]) -> str:
    return "\n".join(call.text for call in calls)


async def test_the_admin_gets_the_report_privately_the_group_one_line(
        telegram: TelegramFrontend, api: FakeBotApi, core: StudyBot, alice: Json, bob: Json) -> None:
    api.group(GROUP, "CMAS evening class", admins=(101,))
    api.say(alice, "/start")
    await api.wait("sendMessage", 2, chat_id=101)
    await seed(core)

    mark = api.mark()
    api.say(bob, "/groupreport", chat_id=GROUP)
    [refused] = await api.wait("sendMessage", since=mark)
    await api.quiet()
    assert refused.chat_id == GROUP and refused.text == "Only the group's admins can see its report."
    assert api.made("sendPhoto", since=mark) == [] and api.made("sendMessage", since=mark, chat_id=102) == []

    mark = api.mark()
    api.say(alice, "/groupreport", chat_id=GROUP)
    [photo] = await api.wait("sendPhoto", since=mark)
    await api.quiet()
    assert photo.chat_id == 101
    [line] = api.made("sendMessage", since=mark, chat_id=GROUP)
    assert line.text == "Alice: the group report is on its way to you privately."
    report = text_of([photo, *api.made("sendMessage", since=mark, chat_id=101)])
    assert report.startswith("Group report: CMAS evening class · last 7 days")
    # By hand: Alice and Bob answered this week (Carol 5 days ago is this week too): 3 of 3;
    # D1: three wrong of three; D4: one right of one; d1-0001 missed by all three members.
    for expected in ("Active: 3 of 3 members answered at least one question: Alice, Bob, Carol",
                     "D1 Foundations: weight 13% · 0% of 3", "D4 Records: weight 17% · 100% of 1",
                     "All domains: 25% of 4",
                     '1. d1-0001 "Question 1 of domain 1: which choice is keyed?": missed 100% of 3 '
                     "answers (3 members)",
                     "Carol: exam in 10 days"):
        assert expected in report, expected
    assert "Carol" not in line.text and "d1-0001" not in line.text


async def test_weekly_report_arrives_by_private_message_on_monday_once(
        telegram: TelegramFrontend, api: FakeBotApi, core: StudyBot, alice: Json) -> None:
    api.group(GROUP, "CMAS evening class", admins=(101,))
    await seed(core)
    mark = api.mark()
    api.say(alice, "/groupreport weekly on", chat_id=GROUP)
    [on] = await api.wait("sendMessage", since=mark, chat_id=GROUP)
    assert "every Monday at 09:00 your time" in on.text
    [[link]] = on.params["reply_markup"]["inline_keyboard"]
    assert link["text"] == "Open a private chat"

    ticker = Ticker(core, {"telegram": telegram.messenger})
    monday = datetime(2026, 3, 9, 9, tzinfo=UTC)  # START's next Monday, 09:00 in the default UTC
    mark = api.mark()
    for at in (monday - timedelta(minutes=1), monday, monday, monday + timedelta(hours=1)):
        await ticker.tick(at)
    await api.quiet()
    [photo] = api.made("sendPhoto", since=mark)
    assert photo.chat_id == 101
    report = text_of([photo, *api.made("sendMessage", since=mark, chat_id=101)])
    assert report.startswith("Group report: CMAS evening class") and "weekly off in the group" in report


async def test_a_weekly_report_reaches_only_someone_who_still_administers_the_group(
        telegram: TelegramFrontend, api: FakeBotApi, core: StudyBot, alice: Json) -> None:
    """The report names members who went quiet: a former admin, or anyone once the bot has been
    removed from the group, gets none (asked each Monday with getChatMember), and a re-promoted
    admin gets theirs again."""
    api.group(GROUP, "CMAS evening class", admins=(101,))
    await seed(core)
    api.say(alice, "/groupreport weekly on", chat_id=GROUP)
    await api.wait("sendMessage", chat_id=GROUP)
    ticker = Ticker(core, {"telegram": telegram.messenger})
    mondays = [datetime(2026, 3, 9, 9, tzinfo=UTC) + timedelta(weeks=n) for n in range(3)]

    api.admins[GROUP] = set()  # Alice is demoted
    mark = api.mark()
    assert "skipped: group_report -> telegram:101" in (await ticker.tick(mondays[0])).lines
    assert api.made("sendPhoto", since=mark) == [] and api.made("sendMessage", since=mark, chat_id=101) == []
    assert [c.params["user_id"] for c in api.made("getChatMember", since=mark)] == ["101"]

    api.fail("getChatMember", 403, "Forbidden: bot was kicked from the supergroup chat")
    mark = api.mark()
    assert "skipped: group_report -> telegram:101" in (await ticker.tick(mondays[1])).lines
    assert api.made("sendPhoto", since=mark) == []

    api.admins[GROUP] = {101}
    mark = api.mark()
    assert "sent: group_report -> telegram:101" in (await ticker.tick(mondays[2])).lines
    [photo] = api.made("sendPhoto", since=mark)
    assert photo.chat_id == 101 and photo.text.startswith("Group report: CMAS evening class")


async def test_the_sunday_digest_arrives_privately_with_a_drill_button(
        telegram: TelegramFrontend, api: FakeBotApi, core: StudyBot, alice: Json) -> None:
    api.say(alice, "/digest on")
    [on] = await api.wait("sendMessage", chat_id=101)
    assert on.text.startswith("Weekly digest on: Sundays at 18:00 your time (UTC)")
    async with core.store.transaction() as tx:
        learner = await tx.learners.find_learner("telegram", "101")
        assert learner is not None
        for n in range(1, 4):  # topic "topic" of the test bank: 5 answers, 1 right
            await tx.answers.record_answer(learner.id, AnswerRecord(f"d2-{n:04d}", 2, n == 1, False, START))
        for n in (1, 2):
            await tx.answers.record_answer(learner.id, AnswerRecord(f"d3-{n:04d}", 3, False, False, START))
    mark = api.mark()
    ticker = Ticker(core, {"telegram": telegram.messenger})
    sunday = datetime(2026, 3, 8, 18, tzinfo=UTC)
    for at in (sunday, sunday, sunday + timedelta(minutes=30)):
        await ticker.tick(at)
    [digest] = await api.wait("sendMessage", since=mark, chat_id=101)
    await api.quiet()
    assert len(api.made("sendMessage", since=mark)) == 1
    assert "Answered: 5 (last week 0)" in digest.text
    assert "Accuracy: 20% (no answers last week)" in digest.text
    assert "Weakest topic: topic (" in digest.text and "): 20% of 5 answers" in digest.text
    assert digest.buttons == [["Drill it: topic"]]
    mark = api.mark()
    api.press(alice, digest, "Drill it: topic")
    [question] = await api.wait("sendMessage", since=mark, chat_id=101)
    assert "which choice is keyed?" in question.text and question.buttons
