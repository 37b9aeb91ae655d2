"""listening_sources: users' ListenBrainz / Last.fm accounts, and candidates on runs.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tastemaker.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "listening_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("token_encrypted", sa.String(length=1024), nullable=True),
        sa.Column("last_used_at", tastemaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_listening_sources_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listening_sources")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_listening_sources_user_id_kind")),
    )
    with op.batch_alter_table("listening_sources") as batch:
        batch.create_index(batch.f("ix_listening_sources_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("recommendation_runs") as batch:
        batch.add_column(
            sa.Column("candidate_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("source_report", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recommendation_runs") as batch:
        batch.drop_column("source_report")
        batch.drop_column("candidate_count")
    with op.batch_alter_table("listening_sources") as batch:
        batch.drop_index(batch.f("ix_listening_sources_user_id"))
    op.drop_table("listening_sources")
