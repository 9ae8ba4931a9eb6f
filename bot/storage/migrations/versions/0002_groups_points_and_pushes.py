"""groups points and pushes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_chats",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("daily_question_at", sa.String(length=5), nullable=True),
        sa.Column("round_seconds", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_push_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("platform", "chat_id"),
    )
    with op.batch_alter_table("group_chats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_chats_next_push_at"), ["next_push_at"], unique=False)

    op.create_table(
        "group_members",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("platform", "chat_id", "learner_id"),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index("ix_group_members_learner", ["learner_id"], unique=False)

    op.create_table(
        "pushes",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "platform", "chat_id", "local_date", name="uq_pushes_once_per_day"),
    )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("points", sa.SmallInteger(), server_default="0", nullable=False))

    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_push_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_learners_next_push_at"), ["next_push_at"], unique=False)

    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_prompts_closes_at"), ["closes_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prompts_closes_at"))
        batch_op.drop_column("closes_at")

    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learners_next_push_at"))
        batch_op.drop_column("next_push_at")

    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("points")

    op.drop_table("pushes")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index("ix_group_members_learner")

    op.drop_table("group_members")
    with op.batch_alter_table("group_chats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_chats_next_push_at"))

    op.drop_table("group_chats")
