"""`cmas-bot`: run the bot, chat in the console, check the question bank, migrate the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from adapters.errors import PlatformUnavailable, PlatformUnreachable
from app.logfile import log_to_file
from app.logs import SecretMask, configure_logging
from app.runtime import discord_frontend, platform_frontends, platform_makers, serve, study_bot
from app.settings import ConfigError, Settings, load_settings
from app.startup import DatabaseUnreachable, reach_database
from bot.content.bank import BankError
from bot.content.check import check_bank
from bot.content.stats import flagged_lines, item_stats, write_csv
from bot.ports.delivery import Messenger

cli = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False,
                  pretty_exceptions_show_locals=False)  # locals would show the tokens
content_cli = typer.Typer(help="The question bank.", no_args_is_help=True)
db_cli = typer.Typer(help="The database schema.", no_args_is_help=True)
cli.add_typer(content_cli, name="content")
cli.add_typer(db_cli, name="db")
err = Console(stderr=True, highlight=False, soft_wrap=True)
log = logging.getLogger(__name__)
WAIT = typer.Option("--wait", help="Wait for an unreachable database or platform API, retrying with "
                                   "backoff, instead of exiting 1 (for services started together)")


def _settings() -> Settings:
    """The settings, with logging set up to mask their secrets; bad ones end the run with exit 2."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(f"configuration: {problem}", markup=False)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level, settings.secret_values())
    return settings


def _run(settings: Settings, main: Coroutine[Any, Any, None]) -> None:
    """Runs `main`. A failure ends the run with one line on stderr, its traceback logged at DEBUG
    only: exit 2 for configuration (a bad setting, a bank that cannot be served, a token the
    platform refuses), 1 for a database or platform API that cannot be reached, or a fault."""
    try:
        asyncio.run(main)
        return
    except ConfigError as exc:
        lines, code = [f"configuration: {problem}" for problem in exc.problems], 2
        failure: Exception = exc
    except BankError as exc:
        lines, code, failure = [f"CONTENT_DIR: {exc}"], 2, exc
    except (DatabaseUnreachable, PlatformUnreachable) as exc:
        lines, code, failure = [str(exc)], 1, exc
    except PlatformUnavailable as exc:
        lines, code, failure = [str(exc)], 2, exc
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [""])[0]
        lines, code, failure = [f"cmas-bot stopped by {type(exc).__name__}: {reason} "
                                "(LOG_LEVEL=DEBUG logs the traceback)"], 1, exc
    log.debug("the run failed", exc_info=failure)
    mask = SecretMask(settings.secret_values())
    for line in lines:
        err.print(mask.mask(line), markup=False)
    raise typer.Exit(code)


@cli.command()
def run(wait: Annotated[bool, WAIT] = False) -> None:
    """Start the bot: the configured platforms, or the console chat when no token is set."""
    settings = _settings()
    if not (settings.telegram_bot_token or settings.discord_bot_token):
        _console(settings)
        return

    async def main() -> None:
        async with study_bot(settings, wait=wait) as bot:
            await serve(settings, bot, platform_makers(settings, bot), wait=wait)

    _run(settings, main())


@cli.command()
def console(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show the log on stderr too")] = False,
) -> None:
    """Chat with the bot in this terminal (also reads piped input); the log goes to DATA_DIR/cmas-bot.log."""
    _console(_settings(), verbose)


def _console(settings: Settings, verbose: bool = False) -> None:
    from adapters.console import run_console

    log_to_file(settings.data_dir / "cmas-bot.log", echo=verbose)

    async def main() -> None:
        async with study_bot(settings) as bot:
            await run_console(bot, settings.data_dir)

    try:
        _run(settings, main())
    except KeyboardInterrupt:
        return  # Ctrl+C: the chat has said goodbye


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

    _run(settings, main())


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

    _run(settings, main())
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


@content_cli.command("stats")
def content_stats(
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write the per-question table here")] = None,
) -> None:
    """Item analysis from learners' first answers and reports: flags questions for review."""
    settings = _settings()

    async def main() -> None:
        async with study_bot(settings) as bot:
            stats = await item_stats(bot.store, bot.bank)
        if csv_path is not None:
            write_csv(stats, csv_path)
        flagged = flagged_lines(stats)
        answered = sum(s.answered > 0 for s in stats)
        typer.echo(f"{len(stats)} questions, {answered} answered at least once, {len(flagged)} flagged "
                   "for review" + (f"; table in {csv_path}" if csv_path else ""))
        for line in flagged:
            typer.echo(line)

    _run(settings, main())


@db_cli.command("upgrade")
def db_upgrade(wait: Annotated[bool, WAIT] = False) -> None:
    """Apply every pending migration to DATABASE_URL."""
    from bot.storage.engine import upgrade

    settings = _settings()

    async def main() -> None:
        await reach_database(settings.database_url, wait=wait)
        await asyncio.to_thread(upgrade, settings.database_url)

    _run(settings, main())
    typer.echo("database is at the newest schema")


def main() -> None:
    cli()
