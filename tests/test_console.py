"""The console chat: lettered buttons, typed labels as presses, clean exit at end of piped input."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from adapters.console import ConsoleChat
from bot.core import StudyBot
from bot.events import ButtonPressed, Command, TextMessage

REPO = Path(__file__).resolve().parents[1]


async def test_piped_session_shows_buttons_and_takes_labels(study_bot: StudyBot,
                                                            tmp_path: Path) -> None:
    out = io.StringIO()
    stdin = io.StringIO("/quiz\nb\nNext\nA\n/stats\n")
    chat = ConsoleChat(study_bot, stdin, Console(file=out, width=120), tmp_path)
    await chat.run()
    transcript = out.getvalue()
    assert "Welcome to CMAS Study Bot" in transcript  # /start runs first
    assert "[A]  [B]  [C]  [D]" in transcript
    assert "> b" in transcript and "Correct!" in transcript
    assert "Not quite - you chose A" in transcript
    assert "Answered: 2 · accuracy 50%" in transcript


def test_typed_text_maps_to_the_right_event(study_bot: StudyBot, tmp_path: Path) -> None:
    chat = ConsoleChat(study_bot, io.StringIO(), Console(file=io.StringIO()), tmp_path)
    assert isinstance(chat.to_event("/quiz 5"), Command)
    assert isinstance(chat.to_event("hello"), TextMessage)
    assert chat.to_event("   ") is None
    chat._buttons = {"next": "1|n|q|0"}
    event = chat.to_event("Next")
    assert isinstance(event, ButtonPressed) and event.payload == "1|n|q|0"


def test_cmas_bot_console_end_to_end_with_piped_input(tmp_path: Path) -> None:
    """The installed command migrates a fresh SQLite file, chats, and exits 0 at end of input."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/bot.sqlite3", "LOG_LEVEL": "WARNING",
           "TELEGRAM_BOT_TOKEN": "", "DISCORD_BOT_TOKEN": ""}
    result = subprocess.run(
        [sys.executable, "-m", "app", "console"], input="/help\n/quiz\nA\n/goal 0\n",
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "/examdate YYYY-MM-DD" in result.stdout
    assert "[A]  [B]  [C]  [D]" in result.stdout
    assert "The answer is" in result.stdout or "Correct!" in result.stdout
    assert "Pick a goal between 1 and 50" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert (tmp_path / "bot.sqlite3").exists()
