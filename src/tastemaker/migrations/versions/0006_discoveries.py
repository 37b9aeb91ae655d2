"""discoveries: the discoveries playlist (per-user preference, its Navidrome id, pending additions).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tastemaker.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_NAME = "Tastemaker Discoveries"


def upgrade() -> None:
    with op.batch_alter_table("user_preferences") as batch:
        batch.add_column(
            sa.Column(
                "discoveries_playlist", sa.Boolean(), server_default=sa.true(), nullable=False
            )
        )
        batch.add_column(
            sa.Column(
                "discoveries_playlist_name",
                sa.String(length=100),
                server_default=DEFAULT_NAME,
                nullable=False,
            )
        )
    op.create_table(
        "discovery_playlists",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("navidrome_user", sa.String(length=200), nullable=False),
        sa.Column("playlist_id", sa.String(length=200), nullable=False),
        sa.Column("updated_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_discovery_playlists_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_discovery_playlists")),
    )
    op.create_table(
        "discovery_additions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", tastemaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tracks_added", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["download_requests.id"],
            name=op.f("fk_discovery_additions_request_id_download_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_discovery_additions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovery_additions")),
        sa.UniqueConstraint("request_id", name=op.f("uq_discovery_additions_request_id")),
    )
    op.create_index(
        "ix_discovery_additions_state_next_attempt_at",
        "discovery_additions",
        ["state", "next_attempt_at"],
    )
    op.create_index(op.f("ix_discovery_additions_user_id"), "discovery_additions", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_discovery_additions_user_id"), table_name="discovery_additions")
    op.drop_index("ix_discovery_additions_state_next_attempt_at", table_name="discovery_additions")
    op.drop_table("discovery_additions")
    op.drop_table("discovery_playlists")
    with op.batch_alter_table("user_preferences") as batch:
        batch.drop_column("discoveries_playlist_name")
        batch.drop_column("discoveries_playlist")
