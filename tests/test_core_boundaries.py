"""The core stays platform-neutral: no chat SDK or scheduler library is imported from `bot/`."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("telegram", "discord", "apscheduler", "adapters", "scheduler", "app")
BOT = Path(__file__).resolve().parents[1] / "bot"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_core_module_imports_a_platform_or_the_scheduler() -> None:
    offenders = {
        str(path.relative_to(BOT)): sorted(m for m in imported_modules(path)
                                           if m.split(".")[0] in FORBIDDEN)
        for path in BOT.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(offenders) > 10  # the walk really saw the core


def test_importing_the_core_loads_no_platform_library() -> None:
    code = ("import sys, bot.core, bot.storage.engine; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'telegram', 'discord', 'apscheduler'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
