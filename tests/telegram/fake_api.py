"""A fake Telegram Bot API on loopback, for the end-to-end tests and the throughput benchmark.

python-telegram-bot talks real HTTP to it. It serves getUpdates from scripted updates (long polling,
offsets confirm them like Telegram's), keeps the messages the bot sent so a press can carry its
message, checks what Telegram checks (HTML entities, 4096 characters, 64-byte callback data, a query
answered once, "message is not modified"), records every call, and fails on request: 403 for a user
who blocked the bot, 429 with retry_after, 502.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

TOKEN = "4242:fake-token"
BOT_USER: dict[str, Any] = {
    "id": 4242, "is_bot": True, "first_name": "CMAS Study Bot", "username": "CmasStudyBot",
    "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
}
JSON_FIELDS = frozenset({"reply_markup", "commands", "scope", "allowed_updates", "link_preview_options",
                         "reply_parameters"})
_TAGS = re.compile(r"</?(b|strong|i|em|u|s|code|pre)>")
_BAD_AMP = re.compile(r"&(?!(amp|lt|gt|quot|#\d+);)")
Json = dict[str, Any]


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


@dataclass
class Call:
    """One request the bot made, with its parsed parameters and what the fake answered."""

    method: str
    params: Json
    at: float
    status: int = 200
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        """The text as a user sees it (entities parsed), or the alert text of a callback answer."""
        raw = self.params.get("text", self.params.get("caption", ""))
        return plain(str(raw)) if self.method != "answerCallbackQuery" else str(raw)

    @property
    def buttons(self) -> list[list[str]]:
        markup = self.params.get("reply_markup") or {}
        return [[b["text"] for b in row] for row in markup.get("inline_keyboard", [])]

    def data(self, label: str) -> str:
        """The callback data of the button labelled `label`."""
        markup = self.params.get("reply_markup") or {}
        [data] = [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row
                  if b["text"] == label]
        return str(data)

    @property
    def message(self) -> tuple[int, int]:
        """(chat id, message id) of the message this call sent or edited."""
        if isinstance(self.result, dict):
            return self.result["chat"]["id"], self.result["message_id"]
        return int(self.params["chat_id"]), int(self.params["message_id"])


@dataclass
class _Failure:
    method: str
    status: int
    description: str
    retry_after: int | None
    chat_id: int | None
    times: int


def plain(text: str) -> str:
    """Parses Telegram HTML the way the API does, refusing what it would refuse."""
    stripped = _TAGS.sub("", text)
    if "<" in stripped or ">" in stripped or _BAD_AMP.search(stripped):
        raise ApiError(400, "Bad Request: can't parse entities: unsupported start tag or unescaped &")
    return html.unescape(stripped)


@dataclass
class FakeBotApi:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    admins: dict[int, set[int]] = field(default_factory=dict)  # chat id -> admin user ids
    chats: dict[int, Json] = field(default_factory=dict)
    messages: dict[tuple[int, int], Json] = field(default_factory=dict)
    delivered_at: dict[int, float] = field(default_factory=dict)  # update id -> first handed out
    handed_out: int = 0  # updates in all getUpdates answers, each time one comes again included
    # Telegram's flood limit for a group: more messages (edits included) in a minute are refused with
    # a 429 whose retry_after says when the oldest leaves the window. 0: no limit.
    group_messages_per_minute: int = 0

    def __post_init__(self) -> None:
        self._updates: list[Json] = []
        self._pushed: dict[int, Json] = {}  # every update ever queued, by id
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._open_queries: set[str] = set()
        self._failures: list[_Failure] = []
        self._group_posts: dict[int, list[float]] = {}  # group -> loop times of its recent messages
        self._arrived = asyncio.Event()
        self._recorded = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # lifecycle ------------------------------------------------------------------------------------
    async def __aenter__(self) -> FakeBotApi:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._serve)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._arrived.set()  # wake long polls so the server can close
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # the scripted world ---------------------------------------------------------------------------
    def user(self, user_id: int, first_name: str, last_name: str | None = None) -> Json:
        """A person, with their private chat (whose id is theirs, as on Telegram)."""
        person: Json = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            person["last_name"] = last_name
        self.chats[user_id] = {"id": user_id, "type": "private", "first_name": first_name}
        return person

    def group(self, chat_id: int, title: str, admins: tuple[int, ...] = ()) -> Json:
        self.chats[chat_id] = {"id": chat_id, "type": "supergroup", "title": title}
        self.admins[chat_id] = set(admins)
        return self.chats[chat_id]

    def push(self, update: Json) -> int:
        """Queues a raw update (any shape: the bot must cope) and returns its id."""
        update_id = next(self._update_ids)
        self._pushed[update_id] = {"update_id": update_id, **update}
        self._updates.append(self._pushed[update_id])
        self._arrived.set()
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Queues an update again, as Telegram does with one a crashed bot never confirmed."""
        self._updates.append(self._pushed[update_id])
        self._arrived.set()

    @property
    def unconfirmed(self) -> list[int]:
        """Updates no getUpdates offset has passed yet: Telegram would deliver them again."""
        return [u["update_id"] for u in self._updates]

    def say(self, user: Json, text: str, chat_id: int | None = None) -> int:
        """`user` writes `text` in their private chat, or in the group `chat_id`."""
        chat = self.chats[chat_id if chat_id is not None else user["id"]]
        message: Json = {"message_id": self._next_message_id(chat["id"]), "date": int(time.time()),
                         "chat": chat, "from": user, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.push({"message": message})

    def press(self, user: Json, sent: Call, label: str) -> int:
        """`user` presses the button labelled `label` on the message `sent` (as it looks now)."""
        message = self.messages[sent.message]
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == label:
                    return self.press_data(user, message, button["callback_data"])
        raise AssertionError(f"no button {label!r} on {message.get('text')!r}")

    def press_data(self, user: Json, message: Json, data: str) -> int:
        """A press carrying any callback data at all, as a forged client could send."""
        query_id = str(next(self._query_ids))
        self._open_queries.add(query_id)
        return self.push({"callback_query": {"id": query_id, "from": user, "chat_instance": "1",
                                             "message": message, "data": data}})

    def query_of(self, update_id: int) -> str:
        """The callback query id of a press pushed as `update_id`."""
        return str(self._pushed[update_id]["callback_query"]["id"])

    def fail(self, method: str, status: int, description: str, *, retry_after: int | None = None,
             chat_id: int | None = None, times: int = 1) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) fail like this."""
        self._failures.append(_Failure(method, status, description, retry_after, chat_id, times))

    # what the bot did -----------------------------------------------------------------------------
    def mark(self) -> int:
        """A position in the call log: wait for calls after it."""
        return len(self.calls)

    def made(self, method: str, *, since: int = 0, chat_id: int | None = None,
             ok: bool = True) -> list[Call]:
        return [c for c in self.calls[since:] if c.method == method
                and (chat_id is None or c.chat_id == chat_id) and (not ok or c.status == 200)]

    async def wait(self, method: str, count: int = 1, *, since: int = 0, chat_id: int | None = None,
                   within: float = 5.0) -> list[Call]:
        """The first `count` successful calls of `method` after `since`, waiting for them."""
        def enough() -> bool:
            return len(self.made(method, since=since, chat_id=chat_id)) >= count

        async with self._recorded:
            try:
                await asyncio.wait_for(self._recorded.wait_for(enough), within)
            except TimeoutError:
                seen = [(c.method, c.status, c.text[:60]) for c in self.calls[since:]]
                raise AssertionError(f"waited for {count} x {method}; calls since: {seen}") from None
        return self.made(method, since=since, chat_id=chat_id)[:count]

    async def quiet(self, period: float = 0.15) -> None:
        """Waits until the bot has made no call for `period` seconds."""
        while True:
            seen = len(self.calls)
            await asyncio.sleep(period)
            if len(self.calls) == seen:
                return

    # the HTTP side --------------------------------------------------------------------------------
    async def _serve(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: Json = dict(request.query)
        if request.body_exists:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    params[key] = {"filename": value.filename, "size": len(data), "data": data,
                                   "mime": value.content_type}
                else:
                    params[key] = json.loads(value) if key in JSON_FIELDS else value
        call = Call(method, params, asyncio.get_running_loop().time())
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            self._inject_failure(call)
            call.result = await self._dispatch(call)
            body: Json = {"ok": True, "result": call.result}
        except ApiError as error:
            call.status = error.status
            body = {"ok": False, "error_code": error.status, "description": error.description}
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
        if method != "getUpdates":
            async with self._recorded:
                self.calls.append(call)
                self._recorded.notify_all()
        return web.json_response(body, status=call.status)

    def _inject_failure(self, call: Call) -> None:
        for failure in self._failures:
            if failure.method == call.method and failure.times > 0 \
                    and failure.chat_id in (None, call.chat_id):
                failure.times -= 1
                raise ApiError(failure.status, failure.description, failure.retry_after)
        if call.method in {"sendMessage", "sendPhoto", "sendDocument"} and call.chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if (self.group_messages_per_minute and call.chat_id is not None and call.chat_id < 0
                and call.method in {"sendMessage", "sendPhoto", "sendDocument", "editMessageText"}):
            recent = [t for t in self._group_posts.get(call.chat_id, []) if t > call.at - 60]
            if len(recent) >= self.group_messages_per_minute:
                wait = math.ceil(recent[0] + 60 - call.at)
                raise ApiError(429, f"Too Many Requests: retry after {wait}", wait)
            self._group_posts[call.chat_id] = [*recent, call.at]

    async def _dispatch(self, call: Call) -> Any:
        handler: Callable[[Json], Any] | None = {
            "getMe": lambda _: BOT_USER,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "answerCallbackQuery": self._answer_callback_query,
            "getChatMember": self._get_chat_member,
            "setMyCommands": lambda _: True,
            "deleteWebhook": lambda _: True,
            "setWebhook": lambda _: True,
        }.get(call.method)
        if call.method == "getUpdates":
            return await self._get_updates(call.params)
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler(call.params)

    async def _get_updates(self, params: Json) -> list[Json]:
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        if not self._updates and timeout:
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout)
        batch = self._updates[:int(params.get("limit") or 100)]
        self.handed_out += len(batch)
        now = asyncio.get_running_loop().time()
        for update in batch:
            self.delivered_at.setdefault(update["update_id"], now)
        return batch

    def _chat(self, params: Json) -> Json:
        chat = self.chats.get(int(params["chat_id"]))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    @staticmethod
    def _checked_markup(params: Json) -> Json | None:
        markup: Json | None = params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if "url" in button:  # a link button: exactly one of url and callback_data
                    if "callback_data" in button or not str(button["url"]).startswith("https://"):
                        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
                elif not 1 <= len(button.get("callback_data", "").encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _store(self, chat: Json, content: Json, markup: Json | None) -> Json:
        message: Json = {"message_id": self._next_message_id(chat["id"]), "date": int(time.time()),
                         "chat": chat, "from": BOT_USER, **content}
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _send_message(self, params: Json) -> Json:
        chat = self._chat(params)
        text = plain(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._store(chat, {"text": text}, self._checked_markup(params))

    def _send_photo(self, params: Json) -> Json:
        chat = self._chat(params)
        if not isinstance(params.get("photo"), dict):
            raise ApiError(400, "Bad Request: there is no photo in the request")
        caption = plain(params.get("caption", ""))
        if len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        photo = [{"file_id": "photo1", "file_unique_id": "p1", "width": 640, "height": 480}]
        return self._store(chat, {"photo": photo, "caption": caption}, self._checked_markup(params))

    def _send_document(self, params: Json) -> Json:
        chat = self._chat(params)
        upload = params.get("document")
        if not isinstance(upload, dict):
            raise ApiError(400, "Bad Request: there is no document in the request")
        if upload["size"] > 50 * 2**20:
            raise ApiError(413, "Request Entity Too Large")
        document = {"file_id": f"doc-{upload['filename']}", "file_unique_id": upload["filename"],
                    "file_name": upload["filename"], "mime_type": upload["mime"], "file_size": upload["size"]}
        return self._store(chat, {"document": document}, self._checked_markup(params))

    def _edit_message_text(self, params: Json) -> Json:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        text, markup = plain(params.get("text", "")), self._checked_markup(params)
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message content "
                                "and reply markup are exactly the same as a current content and reply "
                                "markup of the message")
        message["text"] = text
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message

    def _answer_callback_query(self, params: Json) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._open_queries:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query "
                                "ID is invalid")
        if len(params.get("text", "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        return True

    def _get_chat_member(self, params: Json) -> Json:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        user = {"id": user_id, "is_bot": False, "first_name": f"user {user_id}"}
        if user_id not in self.admins.get(chat_id, set()):
            return {"status": "member", "user": user}
        rights = ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                  "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                  "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                  "can_delete_stories")
        return {"status": "administrator", "user": user, **dict.fromkeys(rights, False)}
