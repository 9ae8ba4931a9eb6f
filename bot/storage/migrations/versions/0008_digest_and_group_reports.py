"""weekly digest opt-in and weekly group-report subscriptions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-13
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # The weekly digest is opt-in; `digest_next_at` is when the next one is owed (Sunday evening,
    # the learner's time), indexed so a tick reads only the digests that are due.
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("digest_next_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_learners_digest_next_at", ["digest_next_at"])
    # An admin who asked for a group's report every Monday morning, by private message.
    op.create_table(
        "group_report_subscriptions",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("chat_id", sa.String(64), primary_key=True),
        sa.Column("learner_id", Id, sa.ForeignKey("learners.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("private_chat_id", sa.String(64), nullable=False),  # where the admin is reached
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_push_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_group_report_subscriptions_next_push_at", "group_report_subscriptions",
                    ["next_push_at"])
    op.create_index("ix_group_report_subscriptions_learner", "group_report_subscriptions",
                    ["learner_id"])


def downgrade() -> None:
    op.drop_index("ix_group_report_subscriptions_learner", table_name="group_report_subscriptions")
    op.drop_index("ix_group_report_subscriptions_next_push_at",
                  table_name="group_report_subscriptions")
    op.drop_table("group_report_subscriptions")
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.drop_index("ix_learners_digest_next_at")
        batch_op.drop_column("digest_next_at")
        batch_op.drop_column("digest")
