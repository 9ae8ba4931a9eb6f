"""What the features need from storage: one Protocol per aggregate, and the unit of work that holds
them for one event. bot/storage implements them on SQLAlchemy; tests/memory_store.py in memory.

Each repository takes and returns domain values (bot.domain.models), never rows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any, Protocol

from bot.domain.exam import MockKind
from bot.domain.linking import Guesses, Identity, LinkCode
from bot.domain.models import (
    AnswerRecord,
    CardState,
    Credit,
    DomainRecord,
    ExamAttempt,
    FirstAttempt,
    Group,
    GroupAnswer,
    ItemAnswer,
    Learner,
    MissedQuestion,
    Mock,
    MockItem,
    MockOutcome,
    ProblemReport,
    Prompt,
    PushKey,
    PushOutcome,
    QuietMember,
    ReportSubscription,
    Round,
    Standing,
)
from bot.domain.tallies import QuestionTally
from bot.events import Person


class LearnerRepo(Protocol):
    """Learners: one per person (their accounts on each platform are identities), their settings
    and first contact."""

    async def learner(self, person: Person, now: datetime, private_chat_id: str | None) -> Learner:
        """The learner behind `person` (one query, through the account's identity), created on first
        contact; keeps the name and the account's DM chat fresh."""
        ...

    async def find_learner(self, platform: str, user_id: str) -> Learner | None:
        """The account's learner, read afresh (a merge may have changed the row this event loaded)."""
        ...

    async def members(self, platform: str, chat_id: str, user_ids: Collection[str]) -> dict[str, Learner]:
        """The learners behind these accounts who are members of the group, by user id, in one query."""
        ...

    async def update_learner(self, learner: Learner, **changes: Any) -> Learner:
        """Stores new values for the given settings fields and returns the updated learner."""
        ...

    async def forget(self, learner_id: int) -> None:
        """Deletes every row about the learner (explicitly, so it holds without FK cascades too)."""
        ...


class LinkRepo(Protocol):
    """Linked accounts: a learner's identities on each platform, /link codes (kept as hashes), the
    wrong codes each account sent, and folding one learner into another."""

    async def identities(self, learner_id: int) -> list[Identity]:
        """The learner's accounts, the first linked first."""
        ...

    async def issue_code(self, code_hash: str, identity: Identity, now: datetime,
                         expires_at: datetime) -> None:
        """Stores a new code for the learner, replacing any earlier one: one live code each."""
        ...

    async def find_code(self, code_hash: str) -> LinkCode | None: ...

    async def use_code(self, code_hash: str, now: datetime) -> bool:
        """Marks the code used; False if it already was (of two at once, one wins)."""
        ...

    async def guesses(self, platform: str, user_id: str) -> Guesses: ...

    async def set_guesses(self, platform: str, user_id: str, guesses: Guesses) -> None:
        """Stores the account's count; a clean count leaves no row."""
        ...

    async def merge(self, into: int, joining: int, take_cards: Collection[str], now: datetime) -> None:
        """Folds learner `joining` into `into` and deletes it: every row of its history moves over,
        its accounts with it. Of two cards for one question the one in `take_cards` (decided by
        bot.domain.linking) survives; points add up, per group and period too; memberships unite;
        an exam day both reported keeps `into`'s report. The caller stops a second running mock."""
        ...

    async def detach(self, identity: Identity, display_name: str, now: datetime) -> int:
        """Moves the account to a new learner of its own, with no history and default settings, and
        returns its id. The old learner keeps everything; if its pushes went to this account they
        go to its first other account (the caller checks there is one)."""
        ...

    async def push_to(self, identity: Identity) -> None:
        """Sends the learner's pushes to this account of theirs from now on (and to no other)."""
        ...

    async def mark_unreachable(self, platform: str, user_id: str) -> None:
        """The platform refuses delivery to this account: no pushes while they would go to it."""
        ...


class AnswerRepo(Protocol):
    """Cards and answers: each learner x question's memory state, and every answer given."""

    async def cards(self, learner_id: int) -> list[CardState]: ...

    async def card(self, learner_id: int, question_id: str) -> CardState | None: ...

    async def cards_for(self, learner_ids: Collection[int], question_id: str) -> dict[int, CardState]:
        """These learners' cards for one question, by learner; a learner without one is left out."""
        ...

    async def save_card(self, learner_id: int, card: CardState) -> None: ...

    async def save_cards(self, cards: Sequence[tuple[int, CardState]]) -> None:
        """Stores (replaces) each learner's card, in one statement."""
        ...

    async def count_due(self, learner_id: int, before: datetime) -> int: ...

    async def record_answer(self, learner_id: int, record: AnswerRecord) -> None: ...

    async def record_answers(self, answers: Sequence[tuple[int, AnswerRecord]]) -> None:
        """Stores each learner's answer, in one statement."""
        ...

    async def answers_since(self, learner_id: int, since: datetime) -> list[AnswerRecord]: ...

    async def answers_since_all(self, learner_ids: Collection[int],
                                since: datetime) -> dict[int, list[AnswerRecord]]:
        """Each learner's answers since `since`, oldest first; a learner without any is left out."""
        ...

    async def domain_records(self, learner_id: int) -> dict[int, DomainRecord]:
        """Answers and right answers per domain, practice and mock alike, counted in the database."""
        ...

    async def last_question(self, learner_id: int) -> str | None: ...

    async def first_attempts(self, learner_id: int) -> list[FirstAttempt]:
        """The learner's first answer to each question, from practice or a mock, oldest first."""
        ...

    async def due_counts(self, learner_ids: Collection[int], before: datetime) -> dict[int, int]: ...

    async def answer_counts(self, learner_ids: Collection[int], since: datetime) -> dict[int, int]:
        """Answers given since `since` per learner, practice and mock alike."""
        ...

    async def tally(self, learner_id: int, since: datetime, until: datetime) -> DomainRecord:
        """Answers given in [since, until) and how many were right, practice and mock alike."""
        ...

    async def question_tallies(self, learner_id: int) -> list[QuestionTally]:
        """Per question the learner answered, practice and mock alike: answers, wrong ones and the
        latest, by question id."""
        ...


class PromptRepo(Protocol):
    """Prompts: questions posted in a chat, open until answered or closed."""

    async def open_prompt(self, platform: str, chat_id: str, learner_id: int | None,
                          question_id: str, daily: bool, domain: int | None,
                          now: datetime, closes_at: datetime | None = None,
                          round_id: int | None = None, round_position: int | None = None, *,
                          choice_order: str | None = None, scope_word: str | None = None,
                          question_version: int | None = None) -> Prompt:
        """Posts a new question in a chat, closing any earlier open one asked of the same learner."""
        ...

    async def prompt(self, prompt_id: int) -> Prompt | None: ...

    async def latest_open_prompt(self, platform: str, chat_id: str,
                                 learner_id: int) -> Prompt | None: ...

    async def close_prompt(self, prompt_id: int, now: datetime) -> bool:
        """Closes an open prompt; False if it was already closed (a double press loses here)."""
        ...

    async def take_prompt(self, prompt_id: int, now: datetime) -> Prompt | None:
        """close_prompt() that returns the prompt as closed now; None if it was closed already or
        does not exist. An answer press reads and closes its question in one statement; a caller
        that then refuses the press rolls the close back with its transaction."""
        ...

    async def hold_open(self, prompt_id: int) -> bool:
        """False if the group question has closed; else it cannot close until this transaction
        ends (PostgreSQL: FOR SHARE, so answers run side by side while closing waits for them;
        SQLite runs one writer at a time anyway). No answer is recorded after its reveal."""
        ...

    async def due_group_prompts(self, now: datetime, limit: int = 100) -> list[Prompt]:
        """Open group questions whose answer window has ended."""
        ...

    async def next_group_close(self, platform: str) -> datetime | None:
        """When the platform's first open group question closes: the round closer sleeps till then."""
        ...


class MockRepo(Protocol):
    """Mock exams: their questions in order, each answer, and how each ended."""

    async def start_mock(self, learner_id: int, platform: str, chat_id: str, kind: MockKind,
                         questions: Sequence[tuple[str, int]], now: datetime,
                         ends_at: datetime,
                         shown: Sequence[tuple[str | None, int]] = ()) -> Mock | None:
        """A new mock over (question id, domain) pairs in order, each shown as `shown` says (choice
        order, question version); None if one is already running."""
        ...

    async def mock(self, mock_id: int) -> Mock | None: ...

    async def running_mock(self, learner_id: int) -> Mock | None: ...

    async def mark_shown(self, mock_id: int, now: datetime) -> None:
        """Notes that the mock's current question was just shown (see Mock.shown_at)."""
        ...

    async def mock_items(self, mock_id: int) -> list[MockItem]: ...

    async def answer_mock(self, mock_id: int, position: int, letter: str, correct: bool,
                          now: datetime) -> bool:
        """Moves an unfinished mock past `position`; False if that question was already answered."""
        ...

    async def finish_mock(self, mock_id: int, outcome: MockOutcome, correct: int | None,
                          now: datetime) -> bool:
        """Ends a mock; False if it had already ended (a second caller loses here)."""
        ...

    async def expired_mocks(self, now: datetime, limit: int = 100) -> list[Mock]:
        """Unfinished mocks whose time is up."""
        ...

    async def mock_history(self, learner_id: int, limit: int) -> list[Mock]: ...

    async def mock_seen(self, learner_id: int) -> set[str]:
        """Every question shown in one of the learner's mocks (up to where each one stopped)."""
        ...


class ExamRepo(Protocol):
    """Sittings of the real exam that learners report."""

    async def record_exam_attempt(self, learner_id: int, taken_on: date, passed: bool,
                                  now: datetime) -> None:
        """Records a sitting of the real exam; a second report for the same day corrects the first."""
        ...

    async def exam_attempts(self, learner_id: int) -> list[ExamAttempt]: ...


class PushRepo(Protocol):
    """Scheduled pushes: who is due, claiming a push once per day, and its outcome."""

    async def lock_due_learners(self, now: datetime, platforms: Collection[str],
                                limit: int) -> list[tuple[Learner, datetime]]:
        """Reachable learners owed a push by `now`, with the instant it was owed, locked for this
        transaction: another instance's tick skips them (PostgreSQL: FOR UPDATE SKIP LOCKED); on
        SQLite a second writer's transaction fails instead, so nobody claims a learner twice."""
        ...

    async def set_next_pushes(self, when: Mapping[int, datetime | None]) -> None:
        """Moves many learners' next push at once (one executemany by primary key)."""
        ...

    async def set_next_push(self, learner_id: int, when: datetime | None) -> None: ...

    async def record_pushes(self, pushes: Sequence[PushKey], now: datetime) -> dict[PushKey, int]:
        """Records claimed pushes in one statement; a push already recorded for its day is left
        out of the result (the unique key decides)."""
        ...

    async def push_outcome(self, push_id: int, outcome: PushOutcome) -> None: ...

    async def groups_due(self, now: datetime, platforms: Collection[str],
                         limit: int) -> list[tuple[Group, datetime]]: ...

    async def set_group_schedule(self, group: Group, when: datetime | None) -> None: ...

    async def reschedule_group(self, group: Group, expected: datetime | None,
                               following: datetime | None) -> bool: ...

    async def digests_due(self, now: datetime, platforms: Collection[str],
                          limit: int) -> list[tuple[Learner, datetime]]:
        """Reachable learners owed a weekly digest by `now`, soonest first, with when it was owed."""
        ...

    async def set_next_digest(self, learner_id: int, when: datetime | None) -> None: ...

    async def reschedule_digest(self, learner_id: int, expected: datetime | None,
                                following: datetime | None) -> bool:
        """Moves the learner's next digest only from `expected`: of two ticks, one wins."""
        ...

    async def reports_due(self, now: datetime, platforms: Collection[str],
                          limit: int) -> list[tuple[ReportSubscription, datetime]]:
        """Weekly group reports owed by `now` to reachable admins, soonest first."""
        ...

    async def reschedule_report(self, subscription: ReportSubscription, expected: datetime | None,
                                following: datetime | None) -> bool:
        """Moves the subscription's next report only from `expected`: of two ticks, one wins."""
        ...


class GroupRepo(Protocol):
    """Group chats and their members."""

    async def group(self, platform: str, chat_id: str, title: str,
                    now: datetime) -> tuple[Group, bool]:
        """The group chat, registered on first contact (then True); keeps its title fresh."""
        ...

    async def update_group(self, group: Group, **changes: Any) -> Group: ...

    async def learner_groups(self, learner_id: int) -> list[Group]: ...

    async def groups_of(self, learner_ids: Collection[int]) -> dict[int, list[Group]]:
        """Each learner's groups, in one query; a learner in none is left out."""
        ...

    async def join_group(self, platform: str, chat_id: str, learner_id: int, now: datetime) -> bool:
        """Makes the learner a member; True if they were not one yet."""
        ...

    async def member_count(self, platform: str, chat_id: str) -> int: ...

    async def active_members(self, platform: str, chat_id: str, since: datetime) -> list[str]:
        """The names of members who answered anything (practice or mock) since `since`, by name."""
        ...

    async def domain_tally(self, platform: str, chat_id: str,
                           since: datetime) -> dict[int, DomainRecord]:
        """The members' answers since `since` and the right ones, per domain, practice and mock alike."""
        ...

    async def most_missed(self, platform: str, chat_id: str, since: datetime, min_members: int,
                          limit: int) -> list[MissedQuestion]:
        """Questions at least `min_members` members answered since `since` and someone missed, the
        highest share of missed answers first (then more answers, then by id)."""
        ...

    async def quiet_members(self, platform: str, chat_id: str, exams_from: date, exams_until: date,
                            quiet_since: datetime) -> list[QuietMember]:
        """Members with an exam date in [exams_from, exams_until] who have answered nothing since
        `quiet_since`, soonest exam first."""
        ...

    async def subscribe_report(self, platform: str, chat_id: str, learner_id: int,
                               private_chat_id: str, now: datetime, first: datetime) -> None:
        """The admin gets the group's report at `first`, then weekly (again: a new private chat)."""
        ...

    async def unsubscribe_report(self, platform: str, chat_id: str, learner_id: int) -> bool:
        """False if the admin was not subscribed."""
        ...

    async def report_subscribed(self, platform: str, chat_id: str, learner_id: int) -> bool: ...


class RoundRepo(Protocol):
    """Live rounds and the answers members give to group questions."""

    async def start_round(self, platform: str, chat_id: str, total: int, seconds: int,
                          domain: int | None, now: datetime) -> Round | None:
        """A new round in the chat; None while another is unfinished (the partial unique index
        decides, so two members starting one at once get one round)."""
        ...

    async def round(self, round_id: int) -> Round: ...

    async def round_questions(self, round_id: int) -> set[str]: ...

    async def previous_run(self, round_id: int, position: int, learner_id: int) -> int:
        """The member's correct answers in a row up to the round's `position`-th question."""
        ...

    async def previous_runs(self, round_id: int, position: int,
                            learner_ids: Collection[int]) -> dict[int, int]:
        """previous_run() of several members in one query; a member with no run is left out."""
        ...

    async def round_standings(self, round_id: int) -> list[Standing]:
        """Everyone who answered in the round, by the points (bonuses included) it earned them."""
        ...

    async def finish_round(self, round_id: int, now: datetime) -> None: ...

    async def add_group_answer(self, prompt_id: int, learner_id: int, letter: str, correct: bool,
                               now: datetime, run: int = 0, points: int = 0) -> bool:
        """Records a member's answer to a group question with the points it earned; False if they
        had already answered. `run` is their count of correct answers in a row within a round, this
        one included."""
        ...

    async def add_group_answers(self, prompt_id: int, answers: Sequence[GroupAnswer]) -> set[int]:
        """Records members' answers to a group question in one statement; returns the members
        recorded now (not those who had already answered). The caller has read the question and the
        learners in this transaction."""
        ...

    async def group_answer_count(self, prompt_id: int) -> int: ...

    async def group_results(self, prompt_id: int) -> list[tuple[str, bool]]:
        """(name, correct) for each member who answered a group question, in answer order."""
        ...


class PointsRepo(Protocol):
    """Point totals per learner and per group week, which the leaderboards read."""

    async def add_points(self, learner_id: int, points: int,
                         weeks: Collection[tuple[str, str, date]]) -> None:
        """Adds an answer's points to the learner's running total, and to the current week and the
        all-time total of each of their groups (`weeks`: platform, chat id and that group's Monday)."""
        ...

    async def add_points_all(self, credits: Sequence[Credit]) -> None:
        """add_points() for several learners (each at most once), in two statements."""
        ...

    async def count_member(self, platform: str, chat_id: str, learner_id: int, week: date,
                           since: datetime) -> None:
        """A new member's totals in the group: every point they ever earned, and this `week`'s
        (from `since`), as if they had been a member all along."""
        ...

    async def rebuild_week(self, platform: str, chat_id: str, week: date, since: datetime,
                           learner_id: int | None = None) -> None:
        """Recounts the group's `week` (starting at `since`) from the members' answers, or one
        member's; rows for later weeks go (they were counted in a time zone the group left)."""
        ...

    async def leaderboard(self, platform: str, chat_id: str, week: date | None,
                          me: int | None = None, top: int = 10) -> list[Standing]:
        """The group's first `top` members by points in `week` (None: all time), then `me` if
        ranked lower. Ties share a rank and are listed by name. The top rows come from the period's
        index and `me`'s rank from counting the index entries above them: nothing reads every member."""
        ...


class IntakeRepo(Protocol):
    """The ledger of handled deliveries: platforms deliver an update at least once (again after a
    crash, a timeout or a non-2xx), the ledger makes its effect happen once."""

    async def record(self, platform: str, update_id: str, now: datetime) -> bool:
        """Records the delivery in this transaction; False if it was recorded before (a redelivery).
        A concurrent transaction recording the same id waits for this one and then gets False."""
        ...

    async def record_all(self, platform: str, update_ids: Sequence[str], now: datetime) -> set[str]:
        """record() for several deliveries in one statement: the ids recorded now (not before)."""
        ...

    async def keep_replies(self, platform: str, update_id: str, replies: str) -> None:
        """Keeps a handled update's replies (encoded) until they are delivered; "" once they are."""
        ...

    async def mark_delivered(self, deliveries: Sequence[tuple[str, str]]) -> None:
        """The replies of these (platform, update id) deliveries are out: keep_replies(DELIVERED)
        for each, in one statement."""
        ...

    async def undelivered(self, platform: str, update_id: str) -> str | None:
        """The replies kept for a handled update and not yet delivered, encoded."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forgets deliveries handled before `before` (no platform redelivers after a day)."""
        ...


class AdapterStateRepo(Protocol):
    """Small facts an adapter shares between its instances (Discord: each server's round channel,
    the fingerprint of the slash commands last synced)."""

    async def get(self, platform: str, key: str) -> str | None: ...

    async def put(self, platform: str, key: str, value: str, now: datetime) -> None: ...


class ItemRepo(Protocol):
    """Item quality: first answers per question version, and learners' problem reports."""

    async def first_tries(self, question_id: str, version: int) -> DomainRecord:
        """Learners' first answers to this version of a question, and how many were right."""
        ...

    async def first_answers(self) -> list[ItemAnswer]:
        """Every learner's first answer to every question version, for item analysis."""
        ...

    async def report(self, learner_id: int, question_id: str, version: int, kind: str,
                     now: datetime) -> None: ...

    async def add_report_text(self, learner_id: int, text: str, since: datetime) -> str | None:
        """Attaches a note to the learner's latest report made since `since`; its question id, or
        None when there is none."""
        ...

    async def reports(self) -> list[ProblemReport]: ...


class UnitOfWork(Protocol):
    """The repositories over one transaction: everything one event reads and writes commits together."""

    # Learners first seen in this unit of work: no history to read yet.
    new_learner_ids: set[int]

    @property
    def learners(self) -> LearnerRepo: ...

    @property
    def link(self) -> LinkRepo: ...

    @property
    def answers(self) -> AnswerRepo: ...

    @property
    def prompts(self) -> PromptRepo: ...

    @property
    def mocks(self) -> MockRepo: ...

    @property
    def exams(self) -> ExamRepo: ...

    @property
    def groups(self) -> GroupRepo: ...

    @property
    def rounds(self) -> RoundRepo: ...

    @property
    def points(self) -> PointsRepo: ...

    @property
    def pushes(self) -> PushRepo: ...

    @property
    def intake(self) -> IntakeRepo: ...

    @property
    def items(self) -> ItemRepo: ...

    @property
    def adapter_state(self) -> AdapterStateRepo: ...

    def savepoint(self) -> AbstractAsyncContextManager[None, bool | None]:
        """A block whose writes are undone alone if it raises (several events in one transaction)."""
        ...


class Store(Protocol):
    # Transactions worth running at once: 1 where the database takes one writer at a time.
    parallel_transactions: int

    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork, bool | None]:
        """A unit of work, committed when the block ends and rolled back if it raises."""
        ...
