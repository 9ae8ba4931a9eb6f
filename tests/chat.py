"""A scripted private or group conversation with the core, as an adapter would hold it."""

from __future__ import annotations

from bot.core import StudyBot
from bot.events import Address, ButtonPressed, Chat, Command, Person, TextMessage, parse_command
from bot.outgoing import Outgoing


class Chatter:
    def __init__(self, bot: StudyBot, user: str = "u1", chat_id: str | None = None,
                 group: bool = False, platform: str = "test") -> None:
        self.bot = bot
        self.person = Person(platform, user, f"User {user}")
        self.chat = Chat(Address(platform, chat_id or user), is_group=group)
        self.last: list[Outgoing] = []

    def as_user(self, user: str) -> Chatter:
        """Another member of the same chat."""
        other = Chatter(self.bot, user, self.chat.address.chat_id, self.chat.is_group,
                        self.person.platform)
        other.last = self.last
        return other

    async def send(self, text: str) -> list[Outgoing]:
        command = parse_command(text)
        if command:
            event: Command | TextMessage = Command(self.person, self.chat, *command)
        else:
            event = TextMessage(self.person, self.chat, text)
        self.last = await self.bot.handle(event)
        return self.last

    async def press_payload(self, payload: str) -> list[Outgoing]:
        self.last = await self.bot.handle(ButtonPressed(self.person, self.chat, payload))
        return self.last

    def payload(self, label: str) -> str:
        for reply in reversed(self.last):
            for choice in reply.choices:
                if choice.label == label:
                    return choice.payload
        raise AssertionError(f"no button {label!r} in {[r.text for r in self.last]}")

    async def press(self, label: str) -> list[Outgoing]:
        return await self.press_payload(self.payload(label))

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)
