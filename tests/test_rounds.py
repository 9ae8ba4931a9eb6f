"""Live group rounds: bonus arithmetic, the running top 5 and final board, members answering at once
and racing the reveal, a restart mid-round, two instances, several groups, downtime."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot import payloads
from bot.core import StudyBot
from bot.domain.cards import make_scheduler
from bot.domain.models import Prompt
from bot.domain.points import points_for, speed_bonus, streak_bonus
from bot.domain.questions import Bank, Question
from bot.events import Address, ButtonPressed, Command, Person
from bot.handled import Handled, Outcome
from bot.outgoing import Outgoing
from bot.ports.clock import FixedClock
from bot.ports.storage import UnitOfWork
from bot.rounds import presses
from bot.storage.engine import make_engine
from bot.storage.store import Store
from bot.turn import Turn
from tests.chat import Chatter


async def start_round(bot: StudyBot, questions: int, seconds: int = 10, chat_id: str = "-100") -> Chatter:
    """A round started by "host" in a group whose round time an admin set to `seconds`."""
    host = Chatter(bot, "host", chat_id=chat_id, group=True)
    await bot.handle(Command(host.person, host.chat, "groupsettings", ("round", str(seconds)), is_admin=True))
    await host.send(f"/round {questions}")
    return host


def texts(posts: list[tuple[Address, Outgoing]]) -> list[str]:
    return [post.text for _, post in posts]


def fresh_bot(store: Store, bank: Bank, clock: FixedClock) -> StudyBot:
    return StudyBot(store, bank, clock, scheduler=make_scheduler(fuzz=False),
                    shuffle_choices=False)


@pytest.mark.parametrize(("elapsed", "bonus"), [(0, 10), (3, 9), (5, 8), (6, 7), (9, 6), (10, 5), (40, 5)])
def test_speed_bonus_is_full_at_once_and_half_at_the_limit(elapsed: int, bonus: int) -> None:
    # 10 x (1 - elapsed / limit / 2), rounded half up: 3 s of 10 is 8.5 -> 9, 5 s is 7.5 -> 8.
    assert speed_bonus(timedelta(seconds=elapsed), timedelta(seconds=10)) == bonus


def test_streak_bonus_and_how_bonuses_meet_the_points_rules() -> None:
    assert [streak_bonus(run) for run in range(8)] == [0, 0, 2, 4, 6, 8, 10, 10]

    def points(correct: bool = True, review: bool = False, repeated: bool = False, earned: int = 0) -> int:
        return points_for(correct=correct, is_review=review, repeated_today=repeated, earned_today=earned,
                          bonus=14 if correct else 0)

    assert points() == 24 and points(review=True) == 19 and points(correct=False) == 1
    assert points(repeated=True) == 0  # bonuses included: no farming a question twice a day
    assert points(earned=190) == 10  # the daily cap counts bonuses too


async def test_a_round_with_bonuses_a_running_top_5_and_a_final_board(study_bot: StudyBot,
                                                                       clock: FixedClock) -> None:
    host = await start_round(study_bot, 3)
    assert "Round · question 1/3 · everyone answers once · 10 s · 0 answered" in host.text
    a, b, c = (host.as_user(u) for u in "abc")
    start = clock.now()

    async def answer(who: Chatter, letter: str, at: float) -> str:
        clock.set(start + timedelta(seconds=at))
        return (await who.press_payload(host.payload(letter)))[0].text

    async def close() -> list[str]:
        clock.set(start + timedelta(seconds=10))
        posts = await study_bot.close_due_rounds()
        host.last = [post for _, post in posts]  # the next question's buttons
        return texts(posts)

    assert await answer(a, "B", 0) == "Correct, +20 (speed +10)"
    assert await answer(b, "B", 5) == "Correct, +18 (speed +8)"
    assert await answer(c, "A", 6) == "Not quite"
    reveal, top, second = await close()
    assert "Right (2 of 3): User a, User b" in reveal and "Round · question 2/3" in second
    assert top.splitlines() == ["Top 5 after question 1/3:", "1. User a - 20", "2. User b - 18",
                                "3. User c - 1"]

    start += timedelta(seconds=10)
    assert await answer(a, "B", 9) == "Correct, +18 (speed +6, streak +2)"  # b sits this one out
    assert await answer(c, "B", 0) == "Correct, +20 (speed +10)"
    top = (await close())[1]
    assert top.splitlines()[1:] == ["1. User a - 38", "2. User c - 21", "3. User b - 18"]

    start += timedelta(seconds=10)
    assert await answer(b, "B", 0) == "Correct, +20 (speed +10)"  # b's run broke on question 2
    assert await answer(a, "B", 0) == "Correct, +24 (speed +10, streak +4)"
    _, final = await close()
    assert final.splitlines()[:4] == ["Round over! Final board (3 questions):", "1. User a - 62",
                                      "2. User b - 38", "3. User c - 21"]
    assert await study_bot.close_due_rounds() == []
    for period in ("week", "all"):  # round points, bonuses included, are leaderboard points
        await host.send(f"/leaderboard {period}")
        assert host.text.splitlines()[1:4] == ["1. User a - 62", "2. User b - 38", "3. User c - 21"]
    await host.send("/round 1")  # the finished round no longer blocks a new one
    assert "question 1/1" in host.text


async def test_members_answering_at_once_are_neither_lost_nor_doubled(study_bot: StudyBot,
                                                                      clock: FixedClock) -> None:
    host = await start_round(study_bot, 2)
    payload = host.payload("B")
    members = [host.as_user(f"m{i:02d}") for i in range(20)]
    replies = await asyncio.gather(*(m.press_payload(payload) for m in members for _ in range(2)))
    acks = [r[0].text for r in replies]
    assert acks.count("Correct, +20 (speed +10)") == 20
    assert acks.count("You have already answered this one.") == 20
    clock.set(clock.now() + timedelta(seconds=10))
    reveal, top, _ = texts(await study_bot.close_due_rounds())
    assert "Right (20 of 20)" in reveal
    assert top.splitlines()[1:] == [f"1. User m{i:02d} - 20" for i in range(5)]  # ties: by name


async def test_answers_racing_the_reveal_are_in_it_or_refused(study_bot: StudyBot, clock: FixedClock,
                                                              bank: Bank, db_url: str, store: Store) -> None:
    host = await start_round(study_bot, 1)
    payload = host.payload("B")
    # Members answer just before the deadline while another instance, whose clock has reached it,
    # closes the question: each answer is either in the reveal or refused, never recorded after it.
    # (PostgreSQL: the closer has its own connections, so it truly races; SQLite takes one writer.)
    sqlite = store.engine.dialect.name == "sqlite"
    engine = store.engine if sqlite else make_engine(db_url)
    closer = fresh_bot(Store(engine), bank, FixedClock(clock.now() + timedelta(seconds=10)))
    answering = [asyncio.create_task(host.as_user(f"m{i:02d}").press_payload(payload)) for i in range(24)]
    done: set[asyncio.Task[list[Outgoing]]] = set()
    while len(done) < 6:  # some answers are in, the rest under way
        done, _ = await asyncio.wait(answering, return_when=asyncio.FIRST_COMPLETED)
    try:
        posts = await closer.close_due_rounds()
    finally:
        if not sqlite:
            await engine.dispose()
    acks = [(await task)[0].text for task in answering]
    accepted = acks.count("Correct, +20 (speed +10)")
    refused = [ack for ack in acks if ack.startswith(("Time is up", "This question is closed"))]
    assert accepted >= len(done) and accepted + len(refused) == 24
    reveal = texts(posts)[0]
    assert f"Right ({accepted} of {accepted})" in reveal


async def test_a_round_carries_on_after_a_restart(study_bot: StudyBot, clock: FixedClock, bank: Bank,
                                                  db_url: str) -> None:
    host = await start_round(study_bot, 2)
    await host.as_user("a").press_payload(host.payload("B"))
    engine = make_engine(db_url)
    try:
        restarted = fresh_bot(Store(engine), bank, clock)  # a new process on the same database
        clock.set(clock.now() + timedelta(seconds=10))
        posts = await restarted.close_due_rounds()
        reveal, _, second = texts(posts)
        assert "Right (1 of 1): User a" in reveal and "question 2/2" in second
        assert await study_bot.close_due_rounds() == []  # nothing is closed or asked twice
        host.last = [post for _, post in posts]
        again = Chatter(restarted, "a", chat_id="-100", group=True)
        ack = (await again.press_payload(host.payload("B")))[0].text
        assert ack == "Correct, +22 (speed +10, streak +2)"  # the answer streak survived too
        clock.set(clock.now() + timedelta(seconds=10))
        _, final = texts(await restarted.close_due_rounds())
        assert final.splitlines()[1] == "1. User a - 42"
    finally:
        await engine.dispose()


async def test_two_instances_reveal_and_ask_each_question_once(study_bot: StudyBot, clock: FixedClock,
                                                               bank: Bank, db_url: str) -> None:
    host = await start_round(study_bot, 3)
    await host.as_user("a").press_payload(host.payload("B"))
    engines = [make_engine(db_url), make_engine(db_url)]
    try:
        instances = [fresh_bot(Store(engine), bank, clock) for engine in engines]
        clock.set(clock.now() + timedelta(seconds=10))
        results = await asyncio.gather(*(i.close_due_rounds() for i in instances), return_exceptions=True)
        posts = [post for result in results if isinstance(result, list) for post in result]
        for instance in instances:  # whatever a locked overlap left behind (SQLite)
            posts += await instance.close_due_rounds()
    finally:
        for engine in engines:
            await engine.dispose()
    reveal, top, second = texts(posts)
    assert reveal.startswith("Time's up!") and top.startswith("Top 5 after question 1/3")
    assert "question 2/3" in second


async def test_rounds_in_several_groups_run_side_by_side(study_bot: StudyBot, clock: FixedClock) -> None:
    hosts = [await start_round(study_bot, 2, seconds=10 + 5 * i, chat_id=f"-{i}") for i in range(3)]
    for i, host in enumerate(hosts):
        await host.as_user(f"p{i}").press_payload(host.payload("B"))
    clock.set(clock.now() + timedelta(seconds=15))  # -0 (10 s) and -1 (15 s) are due, -2 (20 s) not yet
    by_chat: dict[str, list[str]] = {}
    for address, post in await study_bot.close_due_rounds():
        by_chat.setdefault(address.chat_id, []).append(post.text)
    assert sorted(by_chat) == ["-0", "-1"]
    for i in range(2):
        reveal, top, second = by_chat[f"-{i}"]
        assert f"Right (1 of 1): User p{i}" in reveal and top.splitlines()[1] == f"1. User p{i} - 20"
        assert "question 2/2" in second
    clock.set(clock.now() + timedelta(seconds=5))
    assert [address.chat_id for address, _ in await study_bot.close_due_rounds()] == ["-2"] * 3


async def test_a_round_stalled_by_downtime_ends_with_its_board(study_bot: StudyBot,
                                                                clock: FixedClock) -> None:
    host = await start_round(study_bot, 5)
    await host.as_user("a").press_payload(host.payload("B"))
    clock.set(clock.now() + timedelta(minutes=30))  # the bot was down: no more questions into an old chat
    _, final = texts(await study_bot.close_due_rounds())
    assert final.splitlines()[:2] == ["Round over! Final board (1 of 5 questions):", "1. User a - 20"]


async def test_round_takes_1_to_20_questions_in_a_group_and_quiz_takes_a_domain(
        study_bot: StudyBot, clock: FixedClock) -> None:
    group = Chatter(study_bot, "a", chat_id="-100", group=True)
    for bad in ("0", "21", "ten", "5 6"):
        assert "1-20 questions" in (await group.send(f"/round {bad}"))[0].text
    assert "group chat" in (await Chatter(study_bot, "a").send("/round"))[0].text
    await group.send("/quiz 5")
    assert "Round · question 1/5 · everyone answers once · 30 s" in group.text  # the defaults
    assert "still open" in (await group.send("/round 3"))[0].text
    for _ in range(4):
        clock.set(clock.now() + timedelta(seconds=30))
        *_, following = texts(await study_bot.close_due_rounds())
        assert "· D5 " in following  # every question of the round from the chosen domain


async def test_the_scheduled_group_question_is_one_question_without_bonuses(study_bot: StudyBot,
                                                                          clock: FixedClock) -> None:
    async with study_bot.store.transaction() as tx:
        prompt = await tx.prompts.open_prompt("test", "-100", None, "d1-0001", False, None, clock.now(),
                                      closes_at=clock.now() + timedelta(hours=1))
    member = Chatter(study_bot, "a", chat_id="-100", group=True)
    ack, shared = await member.press_payload(payloads.encode(payloads.Answer(prompt.id, "B")))
    assert ack.text == "Correct, +10"
    assert shared.text.startswith("Group question · everyone answers once · 1 answered")
    clock.set(clock.now() + timedelta(hours=1))
    [(_, reveal)] = await study_bot.close_due_rounds()
    assert "Right (1 of 1): User a" in reveal.text


async def test_a_press_counts_by_when_it_was_made_not_when_it_is_graded(study_bot: StudyBot,
                                                                        clock: FixedClock) -> None:
    """A bot behind a burst grades a press after the deadline it beat: it still counts, with the
    speed bonus of the moment it was made; a press made after the deadline is "time is up"."""
    host = await start_round(study_bot, 1)
    start = clock.now()
    clock.set(start + timedelta(seconds=12))  # graded 2 s after the close, not yet revealed
    early = ButtonPressed(host.as_user("a").person, host.chat, host.payload("B"),
                          made_at=start + timedelta(seconds=5))
    late = ButtonPressed(host.as_user("b").person, host.chat, host.payload("B"),
                         made_at=start + timedelta(seconds=10))
    assert (await study_bot.handle(early))[0].text == "Correct, +18 (speed +8)"
    [refusal] = await study_bot.handle(late)
    assert refusal.text.startswith("Time is up") and refusal.private and refusal.fleeting
    [reveal] = texts(await study_bot.close_due_rounds())[:1]
    assert "Right (1 of 1): User a" in reveal


async def test_presses_arriving_together_share_a_transaction_and_each_stands_alone(
        store: Store, bank: Bank, clock: FixedClock) -> None:
    """A batch of presses: refused ones (a second press by the same member, a press on a question that
    does not exist) change nothing, and every other press is recorded once; the close waits for presses
    already handed in."""
    bot = fresh_bot(store, bank, clock)
    host = await start_round(bot, 1)
    payload = host.payload("B")
    members = [host.as_user(f"m{i}") for i in range(30)]
    presses = [ButtonPressed(m.person, m.chat, payload, update_id=f"u{i}") for i, m in enumerate(members)]
    again = ButtonPressed(members[0].person, host.chat, host.payload("C"), update_id="again")
    forged = ButtonPressed(members[1].person, host.chat, payloads.encode(payloads.Answer(10**9, "B")))
    results = await asyncio.gather(*(bot.process(e) for e in [*presses, again, forged]))
    clock.set(clock.now() + timedelta(seconds=10))
    [reveal] = texts(await bot.close_due_rounds())[:1]
    assert [r.outcome for r in results[:30]] == [Outcome.APPLIED] * 30
    assert "already answered" in results[30].replies[0].text
    assert results[31].outcome is Outcome.REJECTED
    assert "Right (30 of 30)" in reveal
    again_later = await bot.process(presses[5])  # a redelivered update: no second effect
    assert again_later.outcome is Outcome.DUPLICATE


async def test_a_set_of_presses_takes_newcomers_new_names_and_repeated_deliveries(
        store: Store, bank: Bank, clock: FixedClock) -> None:
    """In one set: a member seen before, one who never used the bot, one who renamed themself since
    (the reveal names them as they are now), and one delivery handed in twice (it counts once)."""
    bot = fresh_bot(store, bank, clock)
    host = await start_round(bot, 1)
    payload = host.payload("B")
    await host.as_user("known").send("/leaderboard")  # a member before the round
    await host.as_user("renamed").send("/leaderboard")
    renamed = host.as_user("renamed").person
    events = [ButtonPressed(host.as_user("known").person, host.chat, payload, update_id="k"),
              ButtonPressed(host.as_user("newcomer").person, host.chat, payload, update_id="n"),
              ButtonPressed(Person(renamed.platform, renamed.user_id, "Dana"), host.chat, payload,
                            update_id="r"),
              ButtonPressed(host.as_user("known").person, host.chat, payload, update_id="k")]
    results = await asyncio.gather(*(bot.process(e) for e in events))
    assert [r.outcome for r in results] == [Outcome.APPLIED] * 3 + [Outcome.DUPLICATE]
    clock.set(clock.now() + timedelta(seconds=10))
    [reveal] = texts(await bot.close_due_rounds())[:1]
    assert "Right (3 of 3): User known, Dana, User newcomer" in reveal  # pressed at once: by id


async def test_a_press_that_fails_in_a_set_fails_alone(store: Store, bank: Bank, clock: FixedClock,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Should grading a set fail, each press is tried again on its own: the one that fails gets the
    apology and changes nothing, the others count."""
    bot = fresh_bot(store, bank, clock)
    host = await start_round(bot, 1)
    payload = host.payload("B")
    real_grade = presses._grade

    async def fails_for_poison(tx: UnitOfWork, prompt: Prompt, question: Question,
                               batch: Sequence[tuple[int, presses.Press, Turn]]) -> dict[int, Handled]:
        if any(press.event.person.user_id == "poison" for _, press, _ in batch):
            raise RuntimeError("a bug met in grading")
        return await real_grade(tx, prompt, question, batch)

    monkeypatch.setattr(presses, "_grade", fails_for_poison)
    events = [ButtonPressed(host.as_user(user).person, host.chat, payload, update_id=user)
              for user in ("a", "poison", "b")]
    results = await asyncio.gather(*(bot.process(e) for e in events))
    assert [r.outcome for r in results] == [Outcome.APPLIED, Outcome.FAILED, Outcome.APPLIED]
    assert results[1].replies[0].text.startswith("Sorry, something went wrong")
    clock.set(clock.now() + timedelta(seconds=10))
    [reveal] = texts(await bot.close_due_rounds())[:1]
    assert "Right (2 of 2): User a, User b" in reveal


async def test_a_personal_question_pressed_in_a_group_is_answered_as_practice(
        study_bot: StudyBot, clock: FixedClock) -> None:
    """A question asked of one learner (a private reply a platform showed in the group) is theirs:
    their press is graded as practice, anyone else's is refused."""
    owner = Chatter(study_bot, "owner", chat_id="-100", group=True)
    async with study_bot.store.transaction() as tx:
        learner = await tx.learners.learner(owner.person, clock.now(), None)
        prompt = await tx.prompts.open_prompt("test", "-100", learner.id, "d1-0001", False, None, clock.now())
    payload = payloads.encode(payloads.Answer(prompt.id, "B"))
    [refusal] = await owner.as_user("other").press_payload(payload)
    assert refusal.text.startswith("This question was asked of someone else")
    [verdict] = await owner.press_payload(payload)
    assert verdict.text.startswith("Question") and "Correct!" in verdict.text
