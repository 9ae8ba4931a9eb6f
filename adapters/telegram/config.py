"""What the Telegram frontend needs to know, set by the composition root (and by tests and benchmarks,
which point it at a fake Bot API and loosen the flood limits)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str
    base_url: str | None = None  # a self-hosted Bot API server, e.g. http://127.0.0.1:8081/bot
    webhook_url: str | None = None  # set: receive updates by webhook instead of long polling
    webhook_listen: tuple[str, int] = ("127.0.0.1", 8443)
    webhook_secret: str | None = None  # checked on every webhook request; random per start if unset
    poll_timeout: float = 10.0  # long-polling wait per getUpdates
    messages_per_second: float = 30  # Telegram's overall flood limit; 0 turns pacing off
    group_messages_per_minute: float = 20  # per group chat; 0 turns it off
    flood_retries: int = 2  # RetryAfter waits honoured before the messenger raises RetryLater
    network_retries: int = 3
    network_backoff: float = 0.5  # seconds, doubled per retry
    concurrent_updates: int = 256  # updates handled at once; more wait in PTB, unacknowledged
    ack_within: float = 0.8  # a press still being graded after this is acknowledged blank (1 s with the trip)
    reveal_every: float = 2.0  # the longest wait between looks for due group questions (see round_reveals)
    count_edit_every: float = 3.0  # seconds between edits of a group question's running count

    @property
    def webhook_path(self) -> str:
        """The local path PTB serves, the same as the public URL's (a proxy forwards it unchanged)."""
        return urlsplit(self.webhook_url or "").path.strip("/")
