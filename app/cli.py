"""`cmas-bot`: run the bot, chat in the console, check the question bank, migrate the database."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from app.runtime import PlatformUnavailable, platform_frontends, serve, study_bot
from app.settings import Settings
from bot.content import BankError
from bot.content_check import check_bank

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
