"""identities (one learner across platforms), link codes and wrong-code counts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-13
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Accounts find their learner here from now on; every learner so far is one account. The
    # learner's own platform, user id and private chat stay as the account pushes go to.
    op.create_table(
        "identities",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("learner_id", Id, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("private_chat_id", sa.String(64), nullable=True),
        sa.Column("unreachable", sa.Boolean(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_identities_learner", "identities", ["learner_id"])
    op.execute("INSERT INTO identities (platform, user_id, learner_id, private_chat_id, unreachable, "
               "linked_at) SELECT platform, user_id, id, private_chat_id, unreachable, created_at "
               "FROM learners")
    op.create_table(
        "link_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("learner_id", Id, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_link_codes_learner", "link_codes", ["learner_id"])
    op.create_table(
        "link_guesses",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("wrong", sa.SmallInteger(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    # A linked learner keeps the account its pushes go to; its other accounts become new learners
    # on their next message (their history stays with the learner).
    op.drop_table("link_guesses")
    op.drop_index("ix_link_codes_learner", table_name="link_codes")
    op.drop_table("link_codes")
    op.drop_index("ix_identities_learner", table_name="identities")
    op.drop_table("identities")
