"""Configuration from the environment and an optional `.env`, checked once at start-up."""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

REPO_ROOT = Path(__file__).resolve().parents[1]
ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "sqlite+aiosqlite": "sqlite+aiosqlite",
                 "postgres": "postgresql+asyncpg", "postgresql": "postgresql+asyncpg",
                 "postgresql+asyncpg": "postgresql+asyncpg"}
DATABASE_URL_FORMS = "sqlite:///FILE or postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
TELEGRAM_TOKEN = r"[0-9]+:[A-Za-z0-9_-]+"  # the bot's id, a colon, the secret
DISCORD_TOKEN = r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*"  # base64url parts joined by dots


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///cmas-bot.sqlite3",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///FILE or postgresql+asyncpg://...",
    )
    telegram_bot_token: str | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: Annotated[tuple[str, int], NoDecode] = ("127.0.0.1", 8443)
    telegram_webhook_secret: str | None = None
    discord_bot_token: str | None = None
    discord_guild_id: int | None = None
    discord_api_base_url: str | None = None
    discord_gateway_url: str | None = None
    discord_shard_count: int | None = Field(default=None, ge=1)
    discord_shard_ids: Annotated[tuple[int, ...], NoDecode] = ()
    operator_listen: Annotated[tuple[str, int] | None, NoDecode] = None
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    content_dir: Path = REPO_ROOT / "content" / "questions"
    data_dir: Path = Field(default=Path("data"),
                           description="The console's files: its log and the charts it saves")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        """A SQLite file or a PostgreSQL server, given its async driver. Problems are described, never
        echoed: the URL may hold a password."""
        scheme, sep, rest = value.strip().partition("://")
        if not sep:
            raise ValueError(f"not a URL; expected {DATABASE_URL_FORMS}")
        driver = ASYNC_DRIVERS.get(scheme.lower())
        if driver is None:
            raise ValueError(f"unknown scheme {scheme[:20]!r}; expected {DATABASE_URL_FORMS}")
        try:
            url = make_url(f"{driver}://{rest}")
            port_ok = url.port is None or 0 < url.port < 65536
        except (ArgumentError, ValueError):
            port_ok = False
        if not port_ok:
            raise ValueError(f"malformed URL (is the port a number?); expected {DATABASE_URL_FORMS}")
        if driver.startswith("sqlite") and url.database in (None, "", ":memory:"):
            raise ValueError("a SQLite URL needs a file, e.g. sqlite:///cmas-bot.sqlite3")
        return f"{driver}://{rest}"

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{name[:60]!r} is not an IANA time zone such as America/Chicago") from None
        return name

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, level: str) -> str:
        if level.upper() not in logging.getLevelNamesMapping():
            raise ValueError(f"{level[:20]!r} is not DEBUG, INFO, WARNING or ERROR")
        return level.upper()

    @field_validator("telegram_api_base_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("telegram_bot_token", "discord_bot_token")
    @classmethod
    def _token(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Blank is unset. The form is checked here, so that a token pasted with quotes, spaces or a
        `Bot ` prefix is named at start-up rather than refused by the platform; never echoed."""
        value = (value or "").strip()
        if not value:
            return None
        telegram = info.field_name == "telegram_bot_token"
        if not re.fullmatch(TELEGRAM_TOKEN if telegram else DISCORD_TOKEN, value):
            raise ValueError("not a bot token: expected BotFather's 123456789:AbC-dEf... form" if telegram
                             else "not a bot token: expected the Developer Portal's letters, digits, "
                                  "'.', '_' and '-', with no 'Bot ' prefix")
        return value

    @field_validator("discord_api_base_url", "discord_gateway_url")
    @classmethod
    def _discord_proxy_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A Discord-compatible proxy: REST over http(s), the gateway over ws(s); blank is unset."""
        value = (value or "").strip().rstrip("/")
        if not value:
            return None
        schemes = ("http://", "https://") if info.field_name == "discord_api_base_url" else ("ws://", "wss://")
        if not value.startswith(schemes):
            raise ValueError(f"must start with {' or '.join(schemes)}")
        return value

    @field_validator("discord_shard_ids", mode="before")
    @classmethod
    def _shard_ids(cls, value: object, info: ValidationInfo) -> object:
        """`0,1`: the shards this process runs, of DISCORD_SHARD_COUNT; blank: all of them."""
        if not isinstance(value, str):
            return value
        parts = [part.strip() for part in value.split(",") if part.strip()]
        count = info.data.get("discord_shard_count")
        if parts and count is None:
            raise ValueError("needs DISCORD_SHARD_COUNT, the number of shards in all")
        if not all(part.isdigit() and int(part) < (count or 0) for part in parts):
            raise ValueError(f"expected shard numbers from 0 to {(count or 1) - 1}, e.g. 0,1")
        return tuple(sorted({int(part) for part in parts}))

    @field_validator("discord_guild_id", "discord_shard_count", mode="before")
    @classmethod
    def _blank_guild_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_webhook_url", "telegram_webhook_secret")
    @classmethod
    def _telegram_webhook(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Telegram delivers webhooks over HTTPS only and accepts secrets of [A-Za-z0-9_-]{1,256}."""
        value = (value or "").strip()
        if not value:
            return None
        if info.field_name == "telegram_webhook_url" and not value.startswith("https://"):
            raise ValueError("must be an https:// URL (Telegram sends webhooks over HTTPS only)")
        if info.field_name == "telegram_webhook_secret" and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("telegram_webhook_listen", "operator_listen", mode="before")
    @classmethod
    def _host_port(cls, value: object, info: ValidationInfo) -> object:
        """`HOST:PORT`, e.g. 127.0.0.1:8443 behind a TLS-terminating proxy; OPERATOR_LISTEN blank is off."""
        if isinstance(value, str) and not value.strip() and info.field_name == "operator_listen":
            return None
        if isinstance(value, str):
            host, _, port = value.strip().rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"{value!r} is not HOST:PORT, e.g. 127.0.0.1:8443")
            return host.strip("[]"), int(port)
        return value

    def secret_values(self) -> list[str]:
        """What no log may show: the bot tokens, the webhook secret and the database password."""
        url = make_url(self.database_url)
        values = (self.telegram_bot_token, self.discord_bot_token, self.telegram_webhook_secret,
                  url.password, url.query.get("password"))  # asyncpg takes ?password= too
        return [value for value in values if isinstance(value, str) and value]


class ConfigError(Exception):
    """Settings that cannot work: one line per problem, each naming its setting and echoing no value."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_settings() -> Settings:
    """The settings for this run, or a ConfigError (pydantic's own report spans lines per problem
    and echoes the values, secrets included). A webhook with no secret gets a random one here, so
    that it is known, and masked in the logs, from the start."""
    try:
        settings = Settings()
    except ValidationError as exc:
        raise ConfigError([f"{str(error['loc'][0]).upper()}: {error['msg'].removeprefix('Value error, ')}"
                           for error in exc.errors()]) from None
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        settings = settings.model_copy(update={"telegram_webhook_secret": secrets.token_urlsafe(32)})
    return settings
