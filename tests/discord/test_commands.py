"""Start-up and slash-command sync: the schema Discord receives, and no re-sync when unchanged."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.discord_bot.frontend import DiscordUnavailable
from app.cli import cli
from bot.core import StudyBot
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import GUILD_ID, TOKEN, FakeDiscord

EXPECTED = {"report", "start", "help", "quiz", "daily", "stats", "examdate", "remind", "timezone", "goal",
            "settings", "about", "forgetme", "leaderboard", "groupsettings", "mock", "plan",
            "examresult", "round", "digest", "groupreport", "export", "link", "unlink"}
MESSAGE_CONTENT = 1 << 15


def option(command: dict[str, Any], name: str) -> dict[str, Any]:
    return next(o for o in command["options"] if o["name"] == name)


async def test_commands_synced_once_with_typed_options_and_no_privileged_intent(
        fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    assert fake.identify is not None and fake.identify["intents"] & MESSAGE_CONTENT == 0
    assert fake.identify["intents"] == 1  # guilds only
    [(target, commands)] = fake.syncs
    assert target == "global"
    by_name = {c["name"]: c for c in commands}
    assert set(by_name) == EXPECTED
    assert all(0 < len(c["description"]) <= 100 and c["contexts"] == [0, 1] for c in commands)
    domain = option(by_name["quiz"], "domain")
    assert domain["type"] == 4 and not domain.get("required")
    assert [c["value"] for c in domain["choices"]] == list(range(1, 9))
    assert domain["choices"][4]["name"] == "5. Health Care Insurance Processing, Coding, and Billing"
    goal = option(by_name["goal"], "questions")
    assert (goal["type"], goal["min_value"], goal["max_value"]) == (4, 1, 50)
    assert option(by_name["remind"], "time")["required"] is True
    assert "2027-02-15" in option(by_name["examdate"], "date")["description"]
    assert [c["value"] for c in option(by_name["leaderboard"], "period")["choices"]] == ["week", "all"]
    assert {c["value"] for c in option(by_name["groupsettings"], "setting")["choices"]} == {
        "time", "round", "timezone"}
    assert [c["value"] for c in option(by_name["mock"], "kind")["choices"]] == ["sprint", "full", "stop"]
    questions = option(by_name["round"], "questions")
    assert (questions["type"], questions["min_value"], questions["max_value"]) == (4, 1, 20)
    assert not questions.get("required")
    result = option(by_name["examresult"], "result")
    assert result["required"] is True and [c["value"] for c in result["choices"]] == ["passed", "failed"]
    export = option(by_name["export"], "questions")
    assert not export.get("required") and [c["value"] for c in export["choices"]] == ["missed", "all"]


def test_every_core_command_has_a_slash_command(study_bot: StudyBot) -> None:
    missing, stale = set(study_bot._commands) - EXPECTED, EXPECTED - set(study_bot._commands)
    assert not missing, f"define these in adapters/discord_bot/commands.py (and EXPECTED): {missing}"
    assert not stale, f"the core no longer has {stale}"


async def test_unchanged_commands_are_not_synced_again(fake: FakeDiscord, start_bot: StartBot) -> None:
    first = await start_bot()
    await first.stop()
    await start_bot()  # a restart with the same definitions
    assert len(fake.syncs) == 1
    await start_bot(guild_id=GUILD_ID)  # a new target: synced there, instantly
    assert [target for target, _ in fake.syncs] == ["global", str(GUILD_ID)]


async def test_discord_sync_command_forces_a_sync(fake: FakeDiscord, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"DISCORD_BOT_TOKEN": TOKEN, "DISCORD_API_BASE_URL": fake.api_url,
                        "DISCORD_GATEWAY_URL": fake.gateway_url,
                        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}"}.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    for _ in range(2):  # forced: the second run syncs although nothing changed
        result = await asyncio.to_thread(runner.invoke, cli, ["discord-sync"])
        assert result.exit_code == 0, result.output
        assert "slash commands synced" in result.output
    assert [target for target, _ in fake.syncs] == ["global", "global"]


async def test_a_refused_token_stops_start_up_with_one_line(fake: FakeDiscord, start_bot: StartBot) -> None:
    with pytest.raises(DiscordUnavailable, match="DISCORD_BOT_TOKEN"):
        await start_bot(token="wrong")
    assert fake.syncs == []


async def test_a_gateway_refusing_the_session_stops_start_up(fake: FakeDiscord, start_bot: StartBot) -> None:
    fake.refuse_identify = 4014  # disallowed intents
    with pytest.raises(DiscordUnavailable, match="gateway refused"):
        await start_bot()
