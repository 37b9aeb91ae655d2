"""downloads: when Lidarr imported a request, and Lidarr clean-up left after a cancel.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tastemaker.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("download_requests") as batch:
        batch.add_column(
            sa.Column("imported_at", tastemaker.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "lidarr_cleanup_pending", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("download_requests") as batch:
        batch.drop_column("lidarr_cleanup_pending")
        batch.drop_column("imported_at")
