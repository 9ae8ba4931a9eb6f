"""handled_updates (the intake ledger) and adapter_state (Discord's state file, moved in)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

The Discord adapter kept its round channels and command-sync fingerprint in a JSON file
(DISCORD_STATE_FILE, default discord-state.json in the working directory). Its content is imported
here, once: every instance reads the database from now on, and the file may be deleted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handled_updates",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("update_id", sa.String(length=64), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "update_id"),
    )
    with op.batch_alter_table("handled_updates", schema=None) as batch_op:
        batch_op.create_index("ix_handled_updates_handled_at", ["handled_at"], unique=False)
    state = op.create_table(
        "adapter_state",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "key"),
    )
    rows = _discord_state_file()
    if rows:
        op.bulk_insert(state, rows)


def downgrade() -> None:
    op.drop_table("adapter_state")
    with op.batch_alter_table("handled_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_handled_updates_handled_at")
    op.drop_table("handled_updates")


def _discord_state_file() -> list[dict[str, object]]:
    """The old state file's entries as rows; nothing if there is no readable file."""
    path = Path(os.environ.get("DISCORD_STATE_FILE") or "discord-state.json")
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(loaded, dict):
        return []
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # stored as UTC without an offset, as UTCDateTime does
    return [{"platform": "discord", "key": str(key)[:128], "value": str(value)[:256], "updated_at": now}
            for key, value in loaded.items()]
