"""One tick: claim what is due in the database, send it through each platform's messenger, and
record each outcome. Ticks can overlap, run late, or run on two instances at once: the claim in
`bot.pushes.claims` decides who sends what. A tick also forgets handled update ids older than
LEDGER_KEPT: no platform delivers an update again after a day."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core import StudyBot
from bot.domain.models import PushOutcome
from bot.ports.delivery import Messenger, RecipientUnreachable, RetryLater
from bot.pushes.claims import Push, claim_due, record_outcome
from ops import metrics
from scheduler.pacing import DEFAULT_RATE, PLATFORM_RATES, Pacer

log = logging.getLogger(__name__)
RETRIES = 3
LEDGER_KEPT = timedelta(days=2)  # Telegram keeps an unconfirmed update for 24 hours at most


@dataclass
class TickReport:
    due: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"due {self.due}, sent {self.sent}, skipped {self.skipped}, failed {self.failed}"


class Ticker:
    """Runs ticks against a core and the messengers of the running platforms."""

    def __init__(self, bot: StudyBot, messengers: Mapping[str, Messenger]) -> None:
        self.bot = bot
        self.messengers = dict(messengers)
        self._pacers = {p: Pacer(PLATFORM_RATES.get(p, DEFAULT_RATE)) for p in self.messengers}

    async def tick(self, now: datetime | None = None) -> TickReport:
        started = time.perf_counter()
        now = now or self.bot.clock.now()
        async with self.bot.store.transaction() as tx:  # by the clock, whatever instant `now` plays
            await tx.intake.prune(self.bot.clock.now() - LEDGER_KEPT)
        claimed = await claim_due(self.bot.store, self.bot.bank, self.bot.default_timezone, now,
                                  list(self.messengers), self.bot.rng,
                                  shuffle=self.bot.choice_rng is not None)
        report = TickReport(due=len(claimed.pushes) + claimed.skipped, skipped=claimed.skipped)
        by_platform: dict[str, list[Push]] = {}
        for push in claimed.pushes:
            by_platform.setdefault(push.address.platform, []).append(push)
        await asyncio.gather(*(self._send_all(platform, pushes, report)
                               for platform, pushes in by_platform.items()))
        log.info("tick at %s: %s", now.isoformat(timespec="seconds"), report.summary())
        metrics.PUSHES.labels("sent").inc(report.sent)
        metrics.PUSHES.labels("failed").inc(report.failed)
        metrics.PUSHES.labels("skipped").inc(report.skipped)
        metrics.TICK_SECONDS.observe(time.perf_counter() - started)
        return report

    async def _send_all(self, platform: str, pushes: list[Push], report: TickReport) -> None:
        messenger, pacer = self.messengers[platform], self._pacers[platform]
        for push in pushes:
            await pacer.wait()
            outcome = await self._deliver(messenger, push)
            await record_outcome(self.bot.store, push.id, outcome)
            if outcome is PushOutcome.SENT:
                report.sent += 1
            elif outcome in (PushOutcome.UNREACHABLE, PushOutcome.SKIPPED):
                report.skipped += 1
            else:
                report.failed += 1
            report.lines.append(f"{outcome}: {push.kind} -> {platform}:{push.address.chat_id}")

    async def _deliver(self, messenger: Messenger, push: Push) -> PushOutcome:
        for _attempt in range(RETRIES):
            try:
                # A private chat's id is its user's id on every platform; a report reaches only
                # someone who still administers its group.
                if push.admin_of is not None and not await messenger.administers(push.admin_of,
                                                                                 push.address.chat_id):
                    log.info("push %s: %s no longer administers %s; the report is not sent", push.id,
                             push.address.chat_id, push.admin_of.chat_id)
                    return PushOutcome.SKIPPED
                await messenger.send(push.address, push.message)
                return PushOutcome.SENT
            except RecipientUnreachable:
                if push.recipient is not None:
                    await self.bot.mark_unreachable(*push.recipient)
                return PushOutcome.UNREACHABLE
            except RetryLater as wait:
                await asyncio.sleep(wait.seconds)
            except Exception:
                log.exception("push %s (%s) to %s failed", push.id, push.kind, push.address)
                return PushOutcome.FAILED
        return PushOutcome.FAILED
