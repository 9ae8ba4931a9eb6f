"""choice order per presentation, question versions, problem reports, last readiness shown

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # The order a question's choices were shown in ("2031": shown A is stored choice C, ...); NULL is
    # the stored order, which every earlier prompt used. The topic word a /quiz was scoped to.
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("choice_order", sa.String(4), nullable=True))
        batch_op.add_column(sa.Column("scope_word", sa.String(32), nullable=True))
        batch_op.add_column(sa.Column("question_version", sa.SmallInteger(), nullable=True))
    # When a mock's current question was last shown: a typed letter only answers it if that was by
    # this process (after a restart the question is shown again first).
    with op.batch_alter_table("mocks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("mock_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("choice_order", sa.String(4), nullable=True))
        batch_op.add_column(sa.Column("question_version", sa.SmallInteger(), nullable=True))
    # Which stored choice a practice answer picked, and the question version it answered: the
    # item statistics read these. NULL: an answer from before they were kept.
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("choice", sa.String(1), nullable=True))
        batch_op.add_column(sa.Column("question_version", sa.SmallInteger(), nullable=True))
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_version", sa.SmallInteger(), nullable=True))
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("readiness_mean", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("readiness_pass", sa.Float(), nullable=True))
    # The replies of a handled update until delivered (the outbox): resent on a redelivery.
    with op.batch_alter_table("handled_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replies", sa.Text(), nullable=True))
    op.create_table(
        "question_reports",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("learner_id", Id, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("question_id", sa.String(16), nullable=False),
        sa.Column("question_version", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_question_reports_question_id", "question_reports", ["question_id"])
    op.create_index("ix_answers_question_first", "answers", ["question_id", "is_review"])


def downgrade() -> None:
    with op.batch_alter_table("handled_updates", schema=None) as batch_op:
        batch_op.drop_column("replies")
    op.drop_index("ix_answers_question_first", table_name="answers")
    op.drop_index("ix_question_reports_question_id", table_name="question_reports")
    op.drop_table("question_reports")
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.drop_column("readiness_pass")
        batch_op.drop_column("readiness_mean")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_column("question_version")
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("question_version")
        batch_op.drop_column("choice")
    with op.batch_alter_table("mock_items", schema=None) as batch_op:
        batch_op.drop_column("question_version")
        batch_op.drop_column("choice_order")
    with op.batch_alter_table("mocks", schema=None) as batch_op:
        batch_op.drop_column("shown_at")
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.drop_column("question_version")
        batch_op.drop_column("scope_word")
        batch_op.drop_column("choice_order")
