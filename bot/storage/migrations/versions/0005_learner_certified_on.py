"""learner certified_on, for yearly renewal reminders

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("certified_on", sa.Date(), nullable=True))
    # Learners who already reported a pass get their renewal reminders too.
    op.execute(
        "UPDATE learners SET certified_on = (SELECT max(a.taken_on) FROM exam_attempts a "
        "WHERE a.learner_id = learners.id AND a.passed)"
    )


def downgrade() -> None:
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.drop_column("certified_on")
