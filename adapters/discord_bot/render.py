"""Outgoing -> Discord messages within Discord's limits.

Text up to 2000 characters goes in the message; up to 4096 in an embed's description; longer text
is split at line breaks into several messages, the buttons, image and documents on the last. An
edit can only be one message, so its text is cut to fit an embed. A document over FILE_MAX turns the
message into a line saying so.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

import discord

from adapters.discord_bot.buttons import CoreButton
from bot.outgoing import Document, Image, Outgoing, files_within

log = logging.getLogger(__name__)

CONTENT_MAX = 2000
EMBED_MAX = 4096
BUTTONS_MAX = 25
FILE_MAX = 10 * 2**20  # Discord's upload limit outside boosted servers


@dataclass(frozen=True, slots=True)
class Page:
    """One Discord message: its text goes in `content` or, when too long for that, in an embed."""

    text: str
    message: Outgoing | None = None  # the source of the buttons and files, on the last page only

    def as_embed(self) -> bool:
        return len(self.text) > CONTENT_MAX

    def send_kwargs(self) -> dict[str, Any]:
        """Arguments for Messageable.send / followup.send."""
        kwargs: dict[str, Any] = {"embed": _embed(self.text)} if self.as_embed() else {"content": self.text}
        if self.message is not None and self.message.choices:
            kwargs["view"] = view(self.message)
        if files := self._files():
            kwargs["files"] = files
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """Arguments for an edit, clearing whatever of the old message the new one lacks."""
        embed = self.as_embed()
        return {
            "content": None if embed else self.text,
            "embeds": [_embed(self.text)] if embed else [],
            "view": view(self.message) if self.message is not None and self.message.choices else None,
            "attachments": self._files(),
        }

    def _files(self) -> list[discord.File]:
        """Fresh each time: discord.py reads a File once."""
        if self.message is None:
            return []
        image = [_file(self.message.image)] if self.message.image is not None else []
        return image + [_document(document) for document in self.message.documents]


def pages(message: Outgoing) -> list[Page]:
    message = files_within(message, FILE_MAX, "Discord")
    text = message.text
    if len(text) <= EMBED_MAX:
        return [Page(text, message)]
    chunks = split(text, CONTENT_MAX)
    return [Page(chunk) for chunk in chunks[:-1]] + [Page(chunks[-1], message)]


def single_page(message: Outgoing) -> Page:
    message = files_within(message, FILE_MAX, "Discord")
    text = message.text
    if len(text) > EMBED_MAX:
        text = text[:EMBED_MAX - 1] + "…"
    return Page(text, message)


def split(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at line breaks where a line allows it."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            chunks.append(current)
            current = ""
        current += line
    if current or not chunks:
        chunks.append(current)
    return [chunk.rstrip("\n") or "\u200b" for chunk in chunks]


def view(message: Outgoing) -> discord.ui.View:
    """Buttons five to a row; a persistent view, since every button is a CoreButton."""
    choices = message.choices
    if len(choices) > BUTTONS_MAX:
        log.warning("dropping %d buttons over Discord's %d", len(choices) - BUTTONS_MAX, BUTTONS_MAX)
    buttons = discord.ui.View(timeout=None)
    for choice in choices[:BUTTONS_MAX]:
        buttons.add_item(CoreButton(choice.label, choice.payload))
    return buttons


def _embed(text: str) -> discord.Embed:
    return discord.Embed(description=text)


def _file(image: Image) -> discord.File:
    return discord.File(io.BytesIO(image.png), filename=image.filename)


def _document(document: Document) -> discord.File:
    return discord.File(io.BytesIO(document.data), filename=document.filename)
