"""rounds, points totals and streak state

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rounds",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("total", sa.SmallInteger(), nullable=False),
        sa.Column("seconds", sa.SmallInteger(), nullable=False),
        sa.Column("domain", sa.SmallInteger(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.create_index(
            "uq_rounds_one_running",
            ["platform", "chat_id"],
            unique=True,
            sqlite_where=sa.text("finished_at IS NULL"),
            postgresql_where=sa.text("finished_at IS NULL"),
        )

    op.create_table(
        "group_points",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("learner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("platform", "chat_id", "period", "learner_id"),
    )
    with op.batch_alter_table("group_points", schema=None) as batch_op:
        batch_op.create_index(
            "ix_group_points_board", ["platform", "chat_id", "period", "points"], unique=False
        )
        batch_op.create_index("ix_group_points_learner", ["learner_id"], unique=False)

    with op.batch_alter_table("group_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("points", sa.SmallInteger(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("run", sa.SmallInteger(), server_default="0", nullable=False))

    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("points", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("streak_days", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("streak_day", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("streak_freezes", sa.SmallInteger(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("round_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.add_column(sa.Column("round_position", sa.SmallInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_prompts_round_id"), ["round_id"], unique=False)
        batch_op.create_foreign_key("fk_prompts_round_id", "rounds", ["round_id"], ["id"], ondelete="CASCADE")

    # The running totals start from every answer so far, in each of the learner's groups too.
    # Weekly group totals start empty: this week's boards count from the upgrade on.
    op.execute(
        "UPDATE learners SET points = "
        "(SELECT COALESCE(SUM(answers.points), 0) FROM answers WHERE answers.learner_id = learners.id)"
    )
    op.execute(
        "INSERT INTO group_points (platform, chat_id, period, learner_id, points) "
        "SELECT group_members.platform, group_members.chat_id, '0001-01-01', learners.id, learners.points "
        "FROM group_members JOIN learners ON learners.id = group_members.learner_id WHERE learners.points > 0"
    )


def downgrade() -> None:
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_prompts_round_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_prompts_round_id"))
        batch_op.drop_column("round_position")
        batch_op.drop_column("round_id")

    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.drop_column("streak_freezes")
        batch_op.drop_column("streak_day")
        batch_op.drop_column("streak_days")
        batch_op.drop_column("points")

    with op.batch_alter_table("group_answers", schema=None) as batch_op:
        batch_op.drop_column("run")
        batch_op.drop_column("points")

    with op.batch_alter_table("group_points", schema=None) as batch_op:
        batch_op.drop_index("ix_group_points_learner")
        batch_op.drop_index("ix_group_points_board")

    op.drop_table("group_points")
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_rounds_one_running",
            sqlite_where=sa.text("finished_at IS NULL"),
            postgresql_where=sa.text("finished_at IS NULL"),
        )

    op.drop_table("rounds")
