"""Outgoing -> Telegram: HTML-escaped text split within the message and caption limits, and an inline
keyboard whose rows stay short enough to read on a phone. Pure, so every limit is tested without I/O."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import CallbackQueryLimit, InlineKeyboardButtonLimit, MessageLimit

from bot.outgoing import Choice, Document, Image, Outgoing, files_within

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_CAPTION = int(MessageLimit.CAPTION_LENGTH)
MAX_ALERT = int(CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH)
MAX_CALLBACK_DATA = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
ROW_BUTTONS = 4  # A B C D on one row
ROW_LABEL_CHARS = 30  # longer rows wrap labels on narrow phones
MAX_DOCUMENT = 50 * 2**20  # the Bot API's limit on a file a bot sends


@dataclass(frozen=True, slots=True)
class Part:
    """One Telegram message: HTML text (a caption when there is a photo) and an optional keyboard;
    or a document alone."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None
    photo: Image | None = None
    document: Document | None = None


def visible_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units, after entity parsing."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Splits at line breaks where possible, inside a line only when the line alone is too long."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if visible_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while visible_length(line) > limit:
            cut = _cut(line, limit)
            chunks.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not chunks:
        chunks.append(current)
    return chunks


def _cut(line: str, limit: int) -> int:
    """The longest prefix within `limit` UTF-16 units, moved back to a space when there is one."""
    end = 0
    units = 0
    for i, char in enumerate(line):
        units += visible_length(char)
        if units > limit:
            break
        end = i + 1
    space = line.rfind(" ", 0, end)
    return space + 1 if space > end // 2 else end


def to_html(text: str, title: bool = True) -> str:
    """Escapes everything; the first line of a multi-line text is its title and is shown bold."""
    head, newline, rest = text.partition("\n")
    if title and newline and head.strip():
        return f"<b>{html.escape(head, quote=False)}</b>\n{html.escape(rest, quote=False)}"
    return html.escape(text, quote=False)


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    """Packs buttons into rows of at most ROW_BUTTONS and ROW_LABEL_CHARS label characters."""
    if not choices:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    width = 0
    for choice in choices:
        if len(choice.payload.encode()) > MAX_CALLBACK_DATA:
            raise ValueError(f"callback data over {MAX_CALLBACK_DATA} bytes: {choice.payload!r}")
        button = InlineKeyboardButton(choice.label, callback_data=choice.payload)
        if rows and len(rows[-1]) < ROW_BUTTONS and width + len(choice.label) <= ROW_LABEL_CHARS:
            rows[-1].append(button)
            width += len(choice.label)
        else:
            rows.append([button])
            width = len(choice.label)
    return InlineKeyboardMarkup(rows)


def render(message: Outgoing, bot_username: str | None = None) -> list[Part]:
    """The messages that show `message`, in order; the keyboard rides on the last one (with a link
    that opens the private chat with the bot, when the core asks for one).

    With an image, text that fits a caption becomes the caption; longer text keeps its title line as
    the caption and follows the photo as messages, so the chart is never separated from its name.
    Documents follow the text, one message each; one over MAX_DOCUMENT turns the message into a line
    saying so.
    """
    message = files_within(message, MAX_DOCUMENT, "Telegram")
    files = [Part("", document=document) for document in message.documents]
    return [*_messages(message, bot_username), *files]


def _messages(message: Outgoing, bot_username: str | None) -> list[Part]:
    markup = keyboard(message.choices)
    if message.open_private and bot_username:
        link = [InlineKeyboardButton("Open a private chat", url=f"https://t.me/{bot_username}?start=group")]
        markup = InlineKeyboardMarkup([*(markup.inline_keyboard if markup else ()), link])
    if message.image is None:
        chunks = split_text(message.text)
        return [Part(to_html(chunk, title=i == 0), markup if i == len(chunks) - 1 else None)
                for i, chunk in enumerate(chunks)]
    if visible_length(message.text) <= MAX_CAPTION:
        return [Part(to_html(message.text), markup, message.image)]
    head, _, rest = message.text.partition("\n")
    caption = head if visible_length(head) <= MAX_CAPTION else ""
    body = rest if caption else message.text
    chunks = split_text(body)
    return [Part(html.escape(caption, quote=False), None, message.image),
            *(Part(to_html(chunk, title=not caption and i == 0),
                   markup if i == len(chunks) - 1 else None) for i, chunk in enumerate(chunks))]


def alert_text(message: Outgoing) -> str | None:
    """The text for a callback alert when `message` can be one (plain, short, no buttons or image)."""
    if (message.choices or message.image is not None or message.documents
            or visible_length(message.text) > MAX_ALERT):
        return None
    return message.text
