"""a partial index on the group questions still open, in place of the close-time index

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("closed_at IS NULL AND closes_at IS NOT NULL")


def upgrade() -> None:
    # The reveal timer's next close and each tick's due questions read only the few open group
    # questions; on the plain close-time index they walked every group question ever asked (and
    # SQLite's min() kept choosing that index while it existed). Nothing else reads by close time.
    op.create_index("ix_prompts_open_group", "prompts", ["closes_at"],
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.drop_index("ix_prompts_closes_at", table_name="prompts")


def downgrade() -> None:
    op.create_index("ix_prompts_closes_at", "prompts", ["closes_at"])
    op.drop_index("ix_prompts_open_group", table_name="prompts")
