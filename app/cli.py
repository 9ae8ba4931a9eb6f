"""`cmas-bot`: run the bot, chat in the console, check the question bank, migrate the database."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from adapters.errors import PlatformUnavailable
from app.runtime import discord_frontend, platform_frontends, serve, study_bot
from app.settings import Settings
from bot.content.bank import BankError
from bot.content.check import check_bank
from bot.ports.delivery import Messenger

cli = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
content_cli = typer.Typer(help="The question bank.", no_args_is_help=True)
db_cli = typer.Typer(help="The database schema.", no_args_is_help=True)
cli.add_typer(content_cli, name="content")
cli.add_typer(db_cli, name="db")
err = Console(stderr=True, highlight=False)


def _settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            err.print(f"configuration: {'.'.join(map(str, error['loc'])).upper()}: {error['msg']}")
        raise typer.Exit(2) from None
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    return settings


@cli.command()
def run() -> None:
    """Start the bot: the configured platforms, or the console chat when no token is set."""
    settings = _settings()
    if not (settings.telegram_bot_token or settings.discord_bot_token):
        _console(settings)
        return

    async def main() -> None:
        async with study_bot(settings) as bot:
            await serve(settings, bot, platform_frontends(settings, bot))

    try:
        asyncio.run(main())
    except (BankError, PlatformUnavailable) as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None


@cli.command()
def console() -> None:
    """Chat with the bot in this terminal (also reads piped input)."""
    _console(_settings())


def _console(settings: Settings) -> None:
    from adapters.console import run_console

    async def main() -> None:
        async with study_bot(settings) as bot:
            await run_console(bot)

    try:
        asyncio.run(main())
    except BankError as exc:
        err.print(str(exc))
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("bye")


@cli.command()
def tick(
    at: Annotated[str | None, typer.Option(help="Run as if it were this instant (ISO 8601 with offset)")]
    = None,
) -> None:
    """Run one scheduler tick against the configured platforms and print what it sent."""
    settings = _settings()
    when = _instant(at) if at else None
    from adapters.console import ConsoleMessenger
    from scheduler.tick import Ticker

    async def main() -> None:
        async with study_bot(settings) as bot:
            frontends = platform_frontends(settings, bot)
            for frontend in frontends:
                await frontend.start()
            try:
                messengers: dict[str, Messenger] = {f.messenger.platform: f.messenger for f in frontends}
                messengers.setdefault("console", ConsoleMessenger(Console(highlight=False)))
                report = await Ticker(bot, messengers).tick(when)
            finally:
                for frontend in reversed(frontends):
                    await frontend.stop()
        for line in report.lines:
            typer.echo(line)
        typer.echo(report.summary())

    try:
        asyncio.run(main())
    except (BankError, PlatformUnavailable) as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None


def _instant(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        err.print(f"--at needs an ISO 8601 instant with a UTC offset, e.g. 2026-03-08T19:00:00-05:00 "
                  f"(got {text!r})")
        raise typer.Exit(2)
    return when


@cli.command("discord-sync")
def discord_sync() -> None:
    """Upload the Discord slash commands now (to DISCORD_GUILD_ID if set, else globally)."""
    settings = _settings()
    if not settings.discord_bot_token:
        err.print("discord-sync needs DISCORD_BOT_TOKEN")
        raise typer.Exit(2)

    async def main() -> None:
        async with study_bot(settings) as bot:
            await discord_frontend(settings, bot).sync()

    try:
        asyncio.run(main())
    except (BankError, PlatformUnavailable) as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    typer.echo(f"slash commands synced to {settings.discord_guild_id or 'every server (global)'}")


@content_cli.command("check")
def content_check(
    directory: Annotated[Path | None, typer.Argument(help="Question folder (default: the bank)")] = None,
) -> None:
    """Validate the question bank: format, writing rules, balance, coverage and review."""
    settings = _settings()
    report = check_bank(directory or settings.content_dir)
    for problem in report.problems:
        err.print(str(problem), markup=False)
    typer.echo(report.summary())
    raise typer.Exit(1 if report.problems else 0)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to DATABASE_URL."""
    from bot.storage.engine import upgrade

    upgrade(_settings().database_url)
    typer.echo("database is at the newest schema")


def main() -> None:
    cli()
