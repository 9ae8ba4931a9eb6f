"""The console chat, driven with scripted input: every button pressable by number or first word,
hints for what names no single button, welcome back, charts under the data folder, logs in a file,
and leaving at once on Ctrl+C."""

from __future__ import annotations

import getpass
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from adapters.console import Buttons, ConsoleChat
from bot.core import APOLOGY, StudyBot
from bot.events import ButtonPressed, Command, TextMessage
from bot.outgoing import Choice
from bot.storage.store import Store

CMAS_BOT = Path(sys.executable).with_name("cmas-bot")


async def session(bot: StudyBot, data_dir: Path, script: str) -> str:
    """One launch of the console reading `script`; returns what it printed."""
    out = io.StringIO()
    await ConsoleChat(bot, io.StringIO(script), Console(file=out, width=200, soft_wrap=True), data_dir).run()
    transcript = out.getvalue()
    assert APOLOGY not in transcript and "Traceback" not in transcript
    return transcript


def env_for(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/bot.sqlite3", "LOG_LEVEL": "INFO",
            "DATA_DIR": str(tmp_path / "data"), "TELEGRAM_BOT_TOKEN": "", "DISCORD_BOT_TOKEN": ""}


async def test_buttons_are_numbered_and_a_typed_letter_still_answers(study_bot: StudyBot,
                                                                     tmp_path: Path) -> None:
    transcript = await session(study_bot, tmp_path, "/quiz\nb\nNext\nA\n/stats\n")
    assert "Welcome to CMAS Study Bot" in transcript  # a new learner gets /start
    assert "[1] Quiz me now   [2] Remind me 07:00" in transcript
    assert "[13] A   [14] B   [15] C   [16] D" in transcript
    assert "> b" in transcript and "> A" in transcript  # choices are shuffled: either may be right
    assert len(re.findall(r"Correct!|Not quite - you chose [AB]\.", transcript)) == 2
    assert "Answered: 2 · accuracy" in transcript
    assert transcript.rstrip().endswith("Bye - see you next session.")


async def test_an_earlier_messages_button_by_number_and_by_first_word(study_bot: StudyBot,
                                                                     tmp_path: Path) -> None:
    # Buttons 2-4 are the welcome's reminders, 5-12 the time zones; /quiz's A-D come after them.
    transcript = await session(study_bot, tmp_path, "/quiz\n2\nCHICAGO\nlos\n\uff11\n")
    assert "Daily study prompt set for 07:00" in transcript
    assert "Time zone set to America/Chicago" in transcript
    assert "Time zone set to America/Los_Angeles" in transcript
    assert transcript.count("Question · D") == 2  # fullwidth 1 (U+FF11) is button 1: Quiz me now


async def test_numbers_and_words_that_name_no_single_button_get_a_one_line_hint(
        study_bot: StudyBot, tmp_path: Path) -> None:
    transcript = await session(study_bot, tmp_path, "remind\n99\nbanana\n" + "7" * 5000 + "\n")
    assert ('"remind" fits 3 buttons: [2] Remind me 07:00, [3] Remind me 12:30, [4] Remind me 19:00. '
            "Type its number.") in transcript
    assert "There is no button 99: the buttons so far are numbered 1-12." in transcript
    assert 'No button starts with "banana". Type a button\'s number or first word' in transcript
    huge = [line for line in transcript.splitlines() if line.startswith("There is no button 777")]
    assert len(huge) == 1 and len(huge[0]) < 150  # a huge number is quoted cut short
    assert "Daily study prompt set" not in transcript


def test_a_word_fitting_several_buttons_means_the_latest_messages_one() -> None:
    buttons = Buttons()
    quiz_next, daily_next = Choice("Next", "1|n|q"), Choice("Next", "1|n|d")
    assert buttons.add([quiz_next]) == [1]
    assert buttons.add([Choice("A", "1|a|1|A"), Choice("B", "1|a|1|B")]) == [2, 3]
    assert buttons.add([quiz_next]) == [1]  # the same button shown again keeps its number
    assert buttons.add([daily_next]) == [4]
    assert buttons.find("next") == daily_next
    assert buttons.find("NEXT") == daily_next
    buttons.add([Choice("Yes, delete everything", "1|f|1"), Choice("Cancel", "1|f|0")])
    assert buttons.find("next") == '"next" fits 2 buttons: [1] Next, [4] Next. Type its number.'
    assert buttons.find("yes") == Choice("Yes, delete everything", "1|f|1")
    assert buttons.find("yes, delete everything") == Choice("Yes, delete everything", "1|f|1")
    assert buttons.find("two words") is None  # text for the core
    buttons.add([Choice("Next missed", "1|v|1|1")])
    assert buttons.find("next") == Choice("Next missed", "1|v|1|1")  # the latest message's
    buttons.add([Choice("Cancel", "1|f|0")])
    assert buttons.find("next") == ('"next" fits 3 buttons: [1] Next, [4] Next, [7] Next missed. '
                                    "Type its number.")


def test_typed_text_maps_to_the_right_event(study_bot: StudyBot, tmp_path: Path) -> None:
    chat = ConsoleChat(study_bot, io.StringIO(), Console(file=io.StringIO()), tmp_path)
    chat.buttons.add([Choice("Next", "1|n|q|0"), Choice("A", "1|a|7|A")])
    assert isinstance(chat.to_event("/quiz 5"), Command)
    assert isinstance(chat.to_event("hello there"), TextMessage)
    assert chat.to_event("   ") is None
    letter = chat.to_event("a")
    assert isinstance(letter, TextMessage) and letter.text == "a"  # the core decides what a letter is
    pressed = chat.to_event("next")
    assert isinstance(pressed, ButtonPressed) and pressed.payload == "1|n|q|0"
    assert chat.to_event("3") == "There is no button 3: the buttons so far are numbered 1-2."


async def test_a_returning_learner_is_welcomed_back_with_todays_status(study_bot: StudyBot,
                                                                       tmp_path: Path) -> None:
    await session(study_bot, tmp_path, "/quiz\nB\n")
    again = await session(study_bot, tmp_path, "/stats\nstart\n")
    assert "Welcome to CMAS Study Bot" not in again
    assert f"Welcome back, {getpass.getuser()}!" in again
    status = re.search(r"Today: 1/10 answered · reviews due by tonight: (\d+) · streak: 0 days", again)
    assert status is not None
    assert f"Today: 1/10 · reviews due by tonight: {status[1]}" in again  # the figures /stats shows
    assert "[1] Start today's session" in again
    assert "Daily 2/10" in again  # its button opens today's session


async def test_charts_are_saved_under_the_data_folder_and_forgetme_deletes_them(
        study_bot: StudyBot, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = await session(study_bot, data, "/quiz\nB\n/stats\n")
    charts = list((data / "images").glob("*/stats-*.png"))
    assert len(charts) == 1 and f"[chart saved to {charts[0]}]" in first
    assert charts[0].read_bytes().startswith(b"\x89PNG")
    second = await session(study_bot, data, "/forgetme\nyes\n")
    assert "everything stored about you is deleted" in second
    assert f"[saved charts deleted: {charts[0].parent}]" in second
    assert not charts[0].parent.exists()
    assert "Welcome to CMAS Study Bot" in await session(study_bot, data, "")  # new again: /start


async def test_exports_are_saved_under_the_data_folder_and_forgetme_deletes_them(
        study_bot: StudyBot, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = await session(study_bot, data, "/quiz\nC\n/export\n")
    saved = sorted((data / "exports").glob("*/cmas-missed-*"))
    assert [path.suffix for path in saved] == [".apkg", ".csv"]
    for path in saved:
        assert f"[file saved to {path}]" in first
    assert saved[0].read_bytes().startswith(b"PK") and saved[1].read_bytes().startswith(b"id,domain,")
    second = await session(study_bot, data, "/forgetme\nyes\n")
    assert f"[exported files deleted: {saved[0].parent}]" in second
    assert not saved[0].parent.exists()


def test_cmas_bot_console_logs_to_a_file_and_exits_0_at_end_of_input(tmp_path: Path) -> None:
    """The installed command migrates a fresh SQLite file, chats, logs only to DATA_DIR's file, and
    exits 0 at end of input; -v shows the log on stderr too."""
    result = subprocess.run(
        [CMAS_BOT, "console"], input="/help\n/quiz\nA\n/goal 0\n", capture_output=True, text=True,
        env=env_for(tmp_path), cwd=tmp_path, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "/examdate" in result.stdout
    assert "   [14] B   " in result.stdout
    assert "The answer is" in result.stdout or "Correct!" in result.stdout
    assert "Pick a goal between 1 and 50" in result.stdout
    assert "INFO" not in result.stdout + result.stderr and "Traceback" not in result.stdout + result.stderr
    assert "INFO app.runtime: bank:" in (tmp_path / "data" / "cmas-bot.log").read_text()
    assert (tmp_path / "bot.sqlite3").exists()

    verbose = subprocess.run([CMAS_BOT, "console", "-v"], input="", capture_output=True, text=True,
                             env=env_for(tmp_path), cwd=tmp_path, timeout=60, check=False)
    assert verbose.returncode == 0, verbose.stderr
    assert "INFO app.runtime: bank:" in verbose.stderr and "INFO" not in verbose.stdout
    assert "Welcome back" in verbose.stdout


def test_ctrl_c_leaves_at_once_with_a_goodbye_and_exit_code_0(tmp_path: Path) -> None:
    chat = subprocess.Popen(
        [CMAS_BOT, "console"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env_for(tmp_path), cwd=tmp_path,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # even if ours is ignored
    try:
        assert chat.stdout is not None and chat.stderr is not None
        shown = ""
        while "[12] UTC" not in shown:  # greeted: now waiting for a line that never comes
            line = chat.stdout.readline()
            assert line, chat.stderr.read()
            shown += line
        sent = time.monotonic()
        chat.send_signal(signal.SIGINT)
        assert chat.wait(timeout=10) == 0
        assert time.monotonic() - sent < 5
        assert "Bye - see you next session." in chat.stdout.read()
        assert "Traceback" not in chat.stderr.read()
    finally:
        if chat.poll() is None:
            chat.kill()
            chat.wait()


async def test_the_report_button_works_in_the_console(study_bot: StudyBot, store: Store,
                                                     tmp_path: Path) -> None:
    transcript = await session(study_bot, tmp_path, "/quiz\nb\nreport\ntypo\n/report a stray comma\n")
    assert "What is wrong with question d" in transcript
    assert "is reported as \"Typo\"" in transcript
    assert "your note is attached to the report on d" in transcript
    async with store.transaction() as tx:
        [report] = await tx.items.reports()
    assert (report.kind, report.text) == ("typo", "a stray comma")
