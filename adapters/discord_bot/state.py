"""What the adapter remembers between runs, in one small JSON file beside the database.

Two facts, neither worth a table: the hash of the slash-command definitions last synced (Discord
caps command creates per day, so we sync only when they change), and each server's round channel
(the core keys a server's group by guild, so the reveal of a round needs the channel it was posted in).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


class AdapterState:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: dict[str, str] = {}
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s (%s): commands will be re-synced", path, exc)
            return
        if isinstance(loaded, dict):
            self._data = {str(k): str(v) for k, v in loaded.items()}

    def commands_hash(self, target: str) -> str | None:
        return self._data.get(f"commands:{target}")

    def set_commands_hash(self, target: str, digest: str) -> None:
        self._set(f"commands:{target}", digest)

    def round_channel(self, guild_id: int) -> int | None:
        value = self._data.get(f"round_channel:{guild_id}", "")
        return int(value) if value.isdigit() else None

    def set_round_channel(self, guild_id: int, channel_id: int) -> None:
        self._set(f"round_channel:{guild_id}", str(channel_id))

    def _set(self, key: str, value: str) -> None:
        """Stores one value; the file is replaced atomically so a crash never leaves half a file.
        A file that cannot be written costs a re-sync or a lost reveal channel, so it only warns."""
        if self._data.get(key) == value:
            return
        self._data[key] = value
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(self._data, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("cannot write %s: %s", self.path, exc)
