"""Configuration from the environment and an optional `.env`, checked once at start-up."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


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
    discord_state_file: Path = Path("discord-state.json")
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    content_dir: Path = REPO_ROOT / "content" / "questions"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Accepts plain postgres:// and sqlite:/// URLs by naming the async driver for them."""
        for plain, async_ in (("postgres://", "postgresql+asyncpg://"),
                              ("postgresql://", "postgresql+asyncpg://"),
                              ("sqlite://", "sqlite+aiosqlite://")):
            if url.startswith(plain):
                return async_ + url.removeprefix(plain)
        if not url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError("DATABASE_URL must be a sqlite:/// or postgresql:// URL")
        return url

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"DEFAULT_TIMEZONE {name!r} is not an IANA time zone") from None
        return name

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, level: str) -> str:
        if level.upper() not in logging.getLevelNamesMapping():
            raise ValueError(f"LOG_LEVEL {level!r} is not a logging level")
        return level.upper()

    @field_validator("telegram_bot_token", "discord_bot_token", "telegram_api_base_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

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

    @field_validator("discord_guild_id", mode="before")
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

    @field_validator("telegram_webhook_listen", mode="before")
    @classmethod
    def _host_port(cls, value: object) -> object:
        """`HOST:PORT`, e.g. 127.0.0.1:8443 behind a TLS-terminating proxy."""
        if isinstance(value, str):
            host, _, port = value.strip().rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"{value!r} is not HOST:PORT, e.g. 127.0.0.1:8443")
            return host.strip("[]"), int(port)
        return value
