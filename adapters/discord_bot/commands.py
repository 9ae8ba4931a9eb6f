"""The slash commands: typed options with descriptions and choices, each passed to the core as the
same `/name args` the other platforms send; and syncing them only when their definitions change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable

import discord
from discord import app_commands

from adapters.cleaning import clean
from adapters.discord_bot.interactions import Interaction, Interactions
from adapters.discord_bot.state import AdapterState
from bot.core import APOLOGY
from bot.domain.exam import DOMAINS, MockKind
from bot.errors import BadInput, NeedsChoice
from bot.inputs.clock import clock_time
from bot.inputs.dates import FORMS as DATE_FORMS
from bot.inputs.dates import calendar_date

log = logging.getLogger(__name__)

DOMAIN_CHOICES = [app_commands.Choice(name=f"{d.number}. {d.name}", value=d.number) for d in DOMAINS]
PERIOD_CHOICES = [app_commands.Choice(name="This week (since Monday)", value="week"),
                  app_commands.Choice(name="All time", value="all")]
MOCK_CHOICES = [*(app_commands.Choice(name=f"{kind.capitalize()}: {kind.description}", value=kind.value)
                  for kind in MockKind),
                app_commands.Choice(name="Stop the running mock", value="stop")]
RESULT_CHOICES = [app_commands.Choice(name="Passed", value="passed"),
                  app_commands.Choice(name="Failed", value="failed")]
EXPORT_CHOICES = [app_commands.Choice(name="Missed: answered wrong at least once", value="missed"),
                  app_commands.Choice(name="All: every question you answered", value="all")]
ON_OFF_CHOICES = [app_commands.Choice(name="On", value="on"),
                  app_commands.Choice(name="Off", value="off")]
GROUP_SETTING_CHOICES = [
    app_commands.Choice(name="time: daily group question, HH:MM or off", value="time"),
    app_commands.Choice(name="round: seconds each round question stays open, 10-300", value="round"),
    app_commands.Choice(name="timezone: the server's time zone, Area/City", value="timezone"),
]


class Checked(app_commands.Transformer[discord.Client]):
    """A text option whose form is checked before the command runs; `hint` answers a bad one."""

    pattern: re.Pattern[str]
    hint: str

    async def transform(self, interaction: Interaction, value: str, /) -> str:
        text = str(value).strip()
        if not self.pattern.fullmatch(text) or not self.valid(text):
            raise ValueError(text)
        return text

    def valid(self, text: str) -> bool:
        return True


class ExamDate(Checked):
    """Any form the core reads (bot.inputs.dates); a date with two readings goes on, to be asked."""

    pattern = re.compile(r".{1,40}")
    hint = f"Give a date such as {DATE_FORMS}, or clear. Example: /examdate 2027-03-15"

    def valid(self, text: str) -> bool:
        return text.lower() == "clear" or _reads(calendar_date, text, "")


class ClockTime(Checked):
    """Any time the core reads (bot.inputs.clock): 19:00, 7pm, 7:30 pm, noon; or off."""

    pattern = re.compile(r".{1,20}")
    hint = "Give a time such as 19:00, 7pm or 7:30 pm, or off. Example: /remind 19:00"

    def valid(self, text: str) -> bool:
        return text.lower() == "off" or _reads(clock_time, text)


def _reads(parse: Callable[..., object], *args: str) -> bool:
    try:
        parse(*args)
    except NeedsChoice:
        return True  # readable; the core asks which reading
    except BadInput:
        return False
    return True


class StudyTree(app_commands.CommandTree[discord.Client]):
    """The bot's commands, usable in servers and in DMs with the bot."""

    def __init__(self, client: discord.Client, handler: Interactions) -> None:
        super().__init__(client, allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
                         allowed_installs=app_commands.AppInstallationType(guild=True))
        self.handler = handler
        _add_commands(self, handler)

    async def on_error(self, interaction: Interaction, error: app_commands.AppCommandError, /) -> None:
        """Bad option values and stale commands get a line saying what to do; anything else an
        apology. Nothing escapes to discord.py's default handler."""
        if isinstance(error, app_commands.TransformerError):
            log.info("rejected option value %r from %s", error.value, interaction.user.id)
            text = (error.transformer.hint if isinstance(error.transformer, Checked)
                    else f"{error.value} is not one of the choices: pick one from the list.")
        elif isinstance(error, app_commands.CommandNotFound):
            log.warning("unknown command %r from %s", error.name, interaction.user.id)
            text = "That command is not available any more. Send /help for the list."
        else:
            log.error("command failed", exc_info=error)
            text = APOLOGY
        await self.handler.refuse(interaction, text)


def _add_commands(tree: StudyTree, handler: Interactions) -> None:
    async def run(interaction: Interaction, name: str, *args: str | None) -> None:
        await handler.command(interaction, name, tuple(clean(a) for a in args if a))

    @tree.command(description="Welcome, and one-tap setup: time zone, reminder, a first question")
    async def start(interaction: Interaction) -> None:
        await run(interaction, "start")

    @tree.command(name="help", description="The commands, one line each")
    async def help_(interaction: Interaction) -> None:
        await run(interaction, "help")

    @tree.command(description="The next best question; in a server, a live round of 5 for everyone")
    @app_commands.describe(domain="Only questions from this exam domain")
    @app_commands.choices(domain=DOMAIN_CHOICES)
    async def quiz(interaction: Interaction, domain: app_commands.Choice[int] | None = None) -> None:
        await run(interaction, "quiz", str(domain.value) if domain else None)

    @tree.command(name="round", description="A live round for the server: questions in a row, each timed")
    @app_commands.describe(questions="How many questions, 1-20 (default 5)")
    async def round_(interaction: Interaction,
                     questions: app_commands.Range[int, 1, 20] | None = None) -> None:
        await run(interaction, "round", None if questions is None else str(questions))

    @tree.command(description="A timed practice exam weighted like the real one")
    @app_commands.describe(kind="Sprint (default), full, or stop the one running")
    @app_commands.choices(kind=MOCK_CHOICES)
    async def mock(interaction: Interaction, kind: app_commands.Choice[str] | None = None) -> None:
        await run(interaction, "mock", kind.value if kind else None)

    @tree.command(description="Your study plan, week by week, to the exam date")
    async def plan(interaction: Interaction) -> None:
        await run(interaction, "plan")

    @tree.command(description="Record how your exam went: retake dates or renewal tracking")
    @app_commands.describe(result="Passed or failed", date="The exam date, YYYY-MM-DD (default: today)")
    @app_commands.choices(result=RESULT_CHOICES)
    async def examresult(interaction: Interaction, result: app_commands.Choice[str],
                         date: app_commands.Transform[str, ExamDate] | None = None) -> None:
        await run(interaction, "examresult", result.value, date)

    @tree.command(description="Today's session: reviews due plus new questions up to your goal")
    async def daily(interaction: Interaction) -> None:
        await run(interaction, "daily")

    @tree.command(description="Your progress: accuracy per domain, streak, reviews due")
    async def stats(interaction: Interaction) -> None:
        await run(interaction, "stats")

    @tree.command(description="Set your exam date and see the countdown")
    @app_commands.describe(date="Such as 2027-02-15, 2/15/2027 or Feb 15 2027; or clear to remove it")
    async def examdate(interaction: Interaction,
                       date: app_commands.Transform[str, ExamDate] | None = None) -> None:
        await run(interaction, "examdate", date)

    @tree.command(description="A daily study prompt at this local time")
    @app_commands.describe(time="A time such as 19:00, 7pm or 7:30 pm, or off")
    async def remind(interaction: Interaction, time: app_commands.Transform[str, ClockTime]) -> None:
        await run(interaction, "remind", time)

    @tree.command(description="Your time zone, for reminders, streaks and countdowns")
    @app_commands.describe(zone="A city (New York), a US zone (Central) or an IANA name (America/Chicago)")
    async def timezone(interaction: Interaction, zone: str | None = None) -> None:
        await run(interaction, "timezone", zone)

    @tree.command(description="How many questions a day make your goal")
    @app_commands.describe(questions="1-50 (default 10)")
    async def goal(interaction: Interaction,
                   questions: app_commands.Range[int, 1, 50] | None = None) -> None:
        await run(interaction, "goal", None if questions is None else str(questions))

    @tree.command(description="Your current settings")
    async def settings(interaction: Interaction) -> None:
        await run(interaction, "settings")

    @tree.command(description="Your week in review every Sunday evening: turn it on or off")
    @app_commands.describe(state="On or off (leave out to see the current state)")
    @app_commands.choices(state=ON_OFF_CHOICES)
    async def digest(interaction: Interaction, state: app_commands.Choice[str] | None = None) -> None:
        await run(interaction, "digest", state.value if state else None)

    @tree.command(description="The CMAS exam: format, domains and weights, fees, retakes, renewal")
    async def about(interaction: Interaction) -> None:
        await run(interaction, "about")

    @tree.command(description="Add a note to the problem you just reported on a question")
    @app_commands.describe(note="What you noticed: the key, an unclear word, an outdated fact, a typo")
    async def report(interaction: Interaction, note: app_commands.Range[str, 1, 500]) -> None:
        await run(interaction, "report", note)

    @tree.command(description="Your missed questions as an Anki package and a CSV file")
    @app_commands.describe(questions="Missed (default) or all you answered")
    @app_commands.choices(questions=EXPORT_CHOICES)
    async def export(interaction: Interaction, questions: app_commands.Choice[str] | None = None) -> None:
        await run(interaction, "export", questions.value if questions else None)

    @tree.command(description="One learner on Telegram and Discord: get a code, or give the other one's")
    @app_commands.describe(code="The code /link showed on your other platform (leave out to get one)")
    async def link(interaction: Interaction, code: app_commands.Range[str, 1, 20] | None = None) -> None:
        await run(interaction, "link", code)

    @tree.command(description="Detach this account from your linked learner (asks first)")
    async def unlink(interaction: Interaction) -> None:
        await run(interaction, "unlink")

    @tree.command(description="Delete everything stored about you (asks first)")
    async def forgetme(interaction: Interaction) -> None:
        await run(interaction, "forgetme")

    @tree.command(description="This server's members ranked by points")
    @app_commands.describe(period="This week (default) or all time")
    @app_commands.choices(period=PERIOD_CHOICES)
    async def leaderboard(interaction: Interaction, period: app_commands.Choice[str] | None = None) -> None:
        await run(interaction, "leaderboard", period.value if period else None)

    @tree.command(description="The server's group settings; changing them needs Manage Server")
    @app_commands.describe(setting="What to change",
                           value="The new value: HH:MM or off, seconds, or Area/City")
    @app_commands.choices(setting=GROUP_SETTING_CHOICES)
    async def groupsettings(interaction: Interaction, setting: app_commands.Choice[str] | None = None,
                            value: str | None = None) -> None:
        await run(interaction, "groupsettings", setting.value if setting else None, value)

    @tree.command(description="The server's week for its admins (Manage Server), shown only to you")
    @app_commands.describe(weekly="Also send it to you by DM every Monday morning, or stop that")
    @app_commands.choices(weekly=ON_OFF_CHOICES)
    async def groupreport(interaction: Interaction, weekly: app_commands.Choice[str] | None = None) -> None:
        await run(interaction, "groupreport", *(("weekly", weekly.value) if weekly else ()))


def definitions_digest(tree: StudyTree, guild: discord.abc.Snowflake | None) -> str:
    payload = [command.to_dict(tree) for command in tree.get_commands(guild=guild)]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def sync_commands(tree: StudyTree, state: AdapterState, guild_id: int | None,
                        *, force: bool = False) -> bool:
    """Uploads the commands (to one server when `guild_id` is set, for instant updates while
    developing) unless the same definitions were already synced there. True if it synced."""
    guild = discord.Object(guild_id) if guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    target = f"{tree.client.application_id}:{guild_id or 'global'}"
    digest = definitions_digest(tree, guild)
    if not force and await state.commands_hash(target) == digest:
        log.info("slash commands unchanged since the last sync (%s)", target)
        return False
    synced = await tree.sync(guild=guild)
    await state.set_commands_hash(target, digest)
    log.info("synced %d slash commands (%s)", len(synced), target)
    return True
