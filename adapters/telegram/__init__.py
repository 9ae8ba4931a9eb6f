"""The Telegram adapter: python-telegram-bot in front of the platform-neutral core.

`render` turns Outgoing into Telegram messages within its limits, `messenger` delivers them and
translates Telegram's errors, `updates` reads untrusted updates into core events, `handlers` answers
them, `throttle` paces requests and orders updates, `frontend` runs it all on the shared loop.
"""

from adapters.telegram.config import TelegramConfig
from adapters.telegram.frontend import TelegramFrontend

__all__ = ["TelegramConfig", "TelegramFrontend"]
