"""A fake Discord on 127.0.0.1 for the adapter's end-to-end tests: the REST routes and gateway
opcodes discord.py uses here, a tiny message store so buttons can be pressed on what the bot sent,
and a record of every interaction callback, edit, follow-up, DM and command sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

TOKEN = "fake-token"
APP_ID = 9000
GUILD_ID = 7000
CHANNEL_ID = 7001  # the server's #study channel (also its system channel)
OTHER_CHANNEL_ID = 7002
EPHEMERAL = 64
MANAGE_GUILD = str(1 << 5)
MODERATORS_ROLE_ID = 7003  # a role granting Manage Server
TIMESTAMP = "2026-03-02T15:00:00+00:00"

Json = dict[str, Any]


def user(user_id: int, name: str) -> Json:
    return {"id": str(user_id), "username": name, "global_name": name, "discriminator": "0",
            "avatar": None}


BOT_USER = {**user(APP_ID, "CMAS Study Bot"), "bot": True}


@dataclass
class Message:
    """A message as the fake stores it: what the bot posted or edited last."""

    id: int
    channel_id: int
    content: str = ""
    embeds: list[Json] = field(default_factory=list)
    components: list[Json] = field(default_factory=list)
    flags: int = 0
    edits: int = 0
    files: dict[str, bytes] = field(default_factory=dict)  # attachments by filename

    @property
    def text(self) -> str:
        return self.content or "".join(e.get("description", "") for e in self.embeds)

    @property
    def buttons(self) -> dict[str, str]:
        """Label -> custom_id."""
        return {b.get("label", ""): b["custom_id"] for row in self.components
                for b in row.get("components", ()) if "custom_id" in b}

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    def update(self, body: Json) -> None:
        if "content" in body:
            self.content = body["content"] or ""
        if "embeds" in body:
            self.embeds = body["embeds"] or []
        if "components" in body:
            self.components = body["components"] or []
        if "attachments" in body or "_files" in body:
            self.files = body.get("_files", {})

    def to_json(self) -> Json:
        return {"id": str(self.id), "channel_id": str(self.channel_id), "author": BOT_USER,
                "content": self.content, "embeds": self.embeds, "components": self.components,
                "flags": self.flags, "timestamp": TIMESTAMP, "edited_timestamp": None, "tts": False,
                "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
                "pinned": False, "type": 0, "application_id": str(APP_ID)}


@dataclass
class Exchange:
    """One interaction the fake dispatched, and everything the bot answered to it."""

    id: int
    token: str
    channel_id: int
    sent_at: float
    callback: Json | None = None
    answered_after: float | None = None  # seconds from dispatch to the callback
    original: Message | None = None  # the pressed message, or the command's response
    original_edits: int = 0
    followups: list[Message] = field(default_factory=list)
    followed_at: float | None = None  # loop time of the first follow-up


class FakeDiscord:
    def __init__(self) -> None:
        self.port = 0
        self.ids = itertools.count(10**15)
        self.syncs: list[tuple[str, list[Json]]] = []
        self.identify: Json | None = None
        self.channels: dict[int, list[Message]] = {}  # channel id -> messages posted there
        self.exchanges: dict[str, Exchange] = {}  # by interaction token
        self.closed_dms: set[int] = set()
        self.moderators: set[int] = set()  # members holding the Moderators role
        self.departed: set[int] = set()  # users no longer in the server
        self.rate_limits: list[tuple[str, float]] = []  # (path fragment, retry_after): one 429 each
        self.unhandled: list[str] = []
        self.refuse_identify: int | None = None  # a close code to answer IDENTIFY with
        self.requests: list[str] = []
        self._dms: dict[int, int] = {}  # user id -> DM channel id
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # waiting ---------------------------------------------------------------------------------
    def _touch(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def until(self, check: Callable[[], Any], within: float = 5.0) -> Any:
        """Waits until `check()` is truthy (re-checked at every change the bot makes) and returns it."""
        deadline = time.monotonic() + within
        while not (result := check()):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {check}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.2))
        return result

    async def connected(self) -> None:
        await self.until(lambda: self.identify is not None and self._ws is not None)

    # the gateway -----------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 45000}})
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                break
            data = json.loads(msg.data)
            if data["op"] == 1:
                await ws.send_json({"op": 11})
            elif data["op"] == 2 and self.refuse_identify is not None:
                await ws.close(code=self.refuse_identify)
            elif data["op"] == 2:
                self._ws, self._seq = ws, 0
                shard = {"shard": data["d"]["shard"]} if "shard" in data["d"] else {}  # as Discord echoes it
                await self.dispatch("READY", {
                    "v": 10, "user": BOT_USER, "session_id": "fake-session",
                    "resume_gateway_url": self.gateway_url,
                    "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                    "application": {"id": str(APP_ID), "flags": 0}, "private_channels": [], **shard,
                })
                await self.dispatch("GUILD_CREATE", _guild())
                self.identify = data["d"]
                self._touch()
        if self._ws is ws:
            self._ws = None
        return ws

    async def dispatch(self, event: str, data: Json) -> None:
        assert self._ws is not None, "the bot is not connected"
        self._seq += 1
        await self._ws.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    # interactions ----------------------------------------------------------------------------
    def dm_channel(self, user_id: int) -> int:
        return self._dms.setdefault(user_id, next(self.ids))

    async def interact(self, kind: int, who: Json, data: Json, *, in_guild: bool,
                       permissions: str = "0", message: Message | None = None,
                       channel_id: int = CHANNEL_ID) -> Exchange:
        """Dispatches an INTERACTION_CREATE as Discord would and returns its record."""
        if not in_guild:
            channel_id = self.dm_channel(int(who["id"]))
        exchange = Exchange(next(self.ids), f"tok-{next(self.ids)}", channel_id, time.perf_counter(),
                            original=message)
        self.exchanges[exchange.token] = exchange
        payload: Json = {
            "id": str(exchange.id), "application_id": str(APP_ID), "type": kind, "data": data,
            "token": exchange.token, "version": 1, "locale": "en-US", "app_permissions": "0",
            "attachment_size_limit": 8 * 2**20, "entitlements": [],
        }
        if in_guild:
            payload |= {"guild_id": str(GUILD_ID), "channel_id": str(channel_id), "context": 0,
                        "channel": {"id": str(channel_id), "type": 0, "guild_id": str(GUILD_ID)},
                        "member": {"user": who, "roles": [], "joined_at": TIMESTAMP, "deaf": False,
                                   "mute": False, "flags": 0, "permissions": permissions}}
        else:
            payload |= {"channel_id": str(channel_id), "context": 1, "user": who,
                        "channel": {"id": str(channel_id), "type": 1, "recipients": [who]}}
        if message is not None:
            payload["message"] = message.to_json()
        await self.dispatch("INTERACTION_CREATE", payload)
        return exchange

    async def slash(self, who: Json, name: str, options: list[Json] | None = None, *,
                    in_guild: bool = False, permissions: str = "0",
                    channel_id: int = CHANNEL_ID) -> Exchange:
        data = {"id": "1", "name": name, "type": 1, "options": options or []}
        return await self.interact(2, who, data, in_guild=in_guild, permissions=permissions,
                                   channel_id=channel_id)

    async def press(self, who: Json, message: Message, label: str, *, custom_id: str | None = None,
                    permissions: str = "0") -> Exchange:
        data = {"custom_id": custom_id or message.buttons[label], "component_type": 2}
        in_guild = message.channel_id in (CHANNEL_ID, OTHER_CHANNEL_ID)
        return await self.interact(3, who, data, in_guild=in_guild, permissions=permissions,
                                   message=message, channel_id=message.channel_id)

    async def reply(self, exchange: Exchange) -> Message:
        """The command's response once the bot has filled in its deferred placeholder."""
        await self.until(lambda: exchange.original_edits > 0)
        assert exchange.original is not None
        return exchange.original

    async def followups(self, exchange: Exchange, count: int = 1) -> list[Message]:
        await self.until(lambda: len(exchange.followups) >= count)
        return exchange.followups

    # REST ------------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        self.requests.append(f"{request.method} {path}")
        if request.headers.get("Authorization") != f"Bot {TOKEN}" and "/webhooks/" not in path \
                and "/interactions/" not in path:
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        for fragment, retry_after in self.rate_limits:
            if fragment in path:
                self.rate_limits.remove((fragment, retry_after))
                return _json({"message": "You are being rate limited.", "retry_after": retry_after,
                                          "global": False}, status=429, headers={"Via": "1.1 google"})
        body = await _body(request)
        parts = path.strip("/").split("/")
        try:
            response = self._route(request.method, parts, body)
        finally:
            self._touch()
        if response is None:
            self.unhandled.append(f"{request.method} {path}")
            return _json({"message": "fake: no such route", "code": 0}, status=404)
        return response

    def _route(self, method: str, parts: list[str], body: Any) -> web.Response | None:
        match method, parts:
            case "GET", ["users", "@me"]:
                return _json(BOT_USER)
            case "GET", ["oauth2", "applications", "@me"]:
                return _json({
                    "id": str(APP_ID), "name": "CMAS Study Bot", "description": "", "icon": None,
                    "bot_public": True, "bot_require_code_grant": False, "owner": user(1, "owner"),
                    "verify_key": "0" * 64, "flags": 0, "summary": ""})
            case "PUT", ["applications", _, "commands"]:
                return self._sync("global", body)
            case "PUT", ["applications", _, "guilds", guild, "commands"]:
                return self._sync(guild, body)
            case "POST", ["interactions", _, token, "callback"]:
                return self._callback(token, body)
            case "PATCH", ["webhooks", _, token, "messages", "@original"]:
                exchange = self.exchanges[token]
                assert exchange.original is not None, "edit before any response"
                exchange.original.update(body)
                exchange.original.edits += 1
                exchange.original_edits += 1
                return _json(exchange.original.to_json())
            case "POST", ["webhooks", _, token]:
                exchange = self.exchanges[token]
                message = self._post(exchange.channel_id, body)
                exchange.followups.append(message)
                if exchange.followed_at is None:
                    exchange.followed_at = asyncio.get_running_loop().time()
                return _json(message.to_json())
            case "GET", ["guilds", guild]:
                if int(guild) != GUILD_ID:
                    return _json({"message": "Unknown Guild", "code": 10004}, status=404)
                return _json(_guild())
            case "GET", ["guilds", _, "members", member]:
                if int(member) in self.departed:
                    return _json({"message": "Unknown Member", "code": 10007}, status=404)
                roles = [str(MODERATORS_ROLE_ID)] if int(member) in self.moderators else []
                return _json({"user": user(int(member), f"user {member}"), "roles": roles,
                              "joined_at": TIMESTAMP, "deaf": False, "mute": False, "flags": 0})
            case "POST", ["users", "@me", "channels"]:
                recipient = int(body["recipient_id"])
                return _json({"id": str(self.dm_channel(recipient)), "type": 1,
                                          "recipients": [user(recipient, f"user {recipient}")]})
            case "POST", ["channels", channel, "messages"]:
                owner = next((u for u, c in self._dms.items() if c == int(channel)), None)
                if owner in self.closed_dms:
                    return _json({"message": "Cannot send messages to this user",
                                              "code": 50007}, status=403)
                return _json(self._post(int(channel), body).to_json())
        return None

    def _sync(self, target: str, body: Any) -> web.Response:
        self.syncs.append((target, body))
        return _json([{**c, "id": str(next(self.ids)), "application_id": str(APP_ID),
                                   "version": "1", "default_member_permissions": None} for c in body])

    def _callback(self, token: str, body: Json) -> web.Response:
        exchange = self.exchanges[token]
        if exchange.callback is not None:
            return _json({"message": "Interaction has already been acknowledged.",
                                      "code": 40060}, status=400)
        exchange.callback = body
        exchange.answered_after = time.perf_counter() - exchange.sent_at
        data = body.get("data") or {}
        if body["type"] in (4, 5):  # a new response message (5: "thinking..." until edited)
            exchange.original = self._post(exchange.channel_id, data)
        elif body["type"] == 7 and exchange.original is not None:
            exchange.original.update(data)
        return _json({"interaction": {"id": str(exchange.id), "type": body["type"]}})

    def _post(self, channel_id: int, body: Json) -> Message:
        message = Message(next(self.ids), channel_id, flags=int(body.get("flags") or 0))
        message.update(body)
        self.channels.setdefault(channel_id, []).append(message)
        return message


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """discord.py parses a body as JSON only for exactly `application/json` (no charset)."""
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


async def _body(request: web.Request) -> Any:
    if not request.can_read_body:
        return {}
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        files = {part.filename: part.file.read() for part in form.values() if isinstance(part, web.FileField)}
        return {**json.loads(str(form["payload_json"])), "_files": files}
    return await request.json()


def _guild() -> Json:
    def channel(channel_id: int, name: str, position: int) -> Json:
        return {"id": str(channel_id), "type": 0, "guild_id": str(GUILD_ID), "name": name,
                "position": position, "permission_overwrites": [], "nsfw": False, "parent_id": None}

    return {
        "id": str(GUILD_ID), "name": "CMAS Study Group", "icon": None, "owner_id": "1",
        "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
        "explicit_content_filter": 0, "features": [], "emojis": [], "stickers": [], "mfa_level": 0,
        "roles": [{"id": str(role_id), "name": name, "permissions": permissions, "position": position,
                   "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
                  for role_id, name, permissions, position in (
                      (GUILD_ID, "@everyone", "0", 0), (MODERATORS_ROLE_ID, "Moderators", MANAGE_GUILD, 1))],
        "system_channel_id": str(CHANNEL_ID), "system_channel_flags": 0, "rules_channel_id": None,
        "member_count": 4, "large": False, "unavailable": False, "joined_at": TIMESTAMP,
        "premium_tier": 0, "preferred_locale": "en-US", "nsfw_level": 0,
        "members": [{"user": BOT_USER, "roles": [], "joined_at": TIMESTAMP, "deaf": False,
                     "mute": False, "flags": 0}],
        "channels": [channel(CHANNEL_ID, "study", 0), channel(OTHER_CHANNEL_ID, "general", 1)],
        "threads": [], "presences": [],
    }
