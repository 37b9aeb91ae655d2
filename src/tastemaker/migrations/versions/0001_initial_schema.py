"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 14:53:10.503723
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tastemaker.db

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("navidrome_username", sa.String(length=128), nullable=True),
        sa.Column("navidrome_password_encrypted", sa.String(length=1024), nullable=True),
        sa.Column("created_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", tastemaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_role"), ["role"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", tastemaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_api_tokens_user_id_name")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "recommendation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("started_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", tastemaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("proposed_count", sa.Integer(), nullable=False),
        sa.Column("resolved_count", sa.Integer(), nullable=False),
        sa.Column("filtered_count", sa.Integer(), nullable=False),
        sa.Column("filtered_reasons", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recommendation_runs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_runs")),
    )
    with op.batch_alter_table("recommendation_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendation_runs_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_recommendation_runs_user_id_started_at", ["user_id", "started_at"], unique=False
        )

    op.create_table(
        "service_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("is_secret", sa.Boolean(), nullable=False),
        sa.Column("updated_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_service_settings_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_settings")),
        sa.UniqueConstraint("service", "key", name=op.f("uq_service_settings_service_key")),
    )
    with op.batch_alter_table("service_settings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_settings_updated_by_id"), ["updated_by_id"], unique=False
        )

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(
            "ix_sessions_user_id_last_seen_at", ["user_id", "last_seen_at"], unique=False
        )

    op.create_table(
        "user_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=8), nullable=False),
        sa.Column("favourite_genres", sa.JSON(), nullable=False),
        sa.Column("excluded_genres", sa.JSON(), nullable=False),
        sa.Column("favourite_artists", sa.JSON(), nullable=False),
        sa.Column("excluded_artists", sa.JSON(), nullable=False),
        sa.Column("discovery_level", sa.Integer(), nullable=False),
        sa.Column("recommendation_count", sa.Integer(), nullable=False),
        sa.Column("recommendation_kinds", sa.String(length=8), nullable=False),
        sa.Column("release_types", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("refresh_schedule", sa.String(length=8), nullable=False),
        sa.Column("stream_format", sa.String(length=16), nullable=False),
        sa.Column("stream_max_bitrate", sa.Integer(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("updated_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_preferences")),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("artist_name", sa.String(length=300), nullable=False),
        sa.Column("artist_mbid", sa.String(length=36), nullable=False),
        sa.Column("album_title", sa.String(length=300), nullable=True),
        sa.Column("album_mbid", sa.String(length=36), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("genres", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("similar_to", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("image_url", sa.String(length=1000), nullable=True),
        sa.Column("lookup", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["recommendation_runs.id"],
            name=op.f("fk_recommendations_run_id_recommendation_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recommendations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendations_album_mbid"), ["album_mbid"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recommendations_artist_mbid"), ["artist_mbid"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recommendations_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            "ix_recommendations_user_id_created_at", ["user_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_recommendations_user_id_state", ["user_id", "state"], unique=False
        )

    op.create_table(
        "download_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("target_key", sa.String(length=48), nullable=False),
        sa.Column("artist_name", sa.String(length=300), nullable=False),
        sa.Column("artist_mbid", sa.String(length=36), nullable=False),
        sa.Column("album_title", sa.String(length=300), nullable=True),
        sa.Column("album_mbid", sa.String(length=36), nullable=True),
        sa.Column("lidarr_artist_id", sa.Integer(), nullable=True),
        sa.Column("lidarr_album_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("size_left_bytes", sa.BigInteger(), nullable=True),
        sa.Column("time_left_seconds", sa.Integer(), nullable=True),
        sa.Column("release_title", sa.String(length=500), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", tastemaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recommendation_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("created_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", tastemaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", tastemaker.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_download_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_download_requests_recommendation_id_recommendations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_download_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_download_requests")),
        sa.UniqueConstraint(
            "user_id", "target_key", name=op.f("uq_download_requests_user_id_target_key")
        ),
    )
    with op.batch_alter_table("download_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_download_requests_album_mbid"), ["album_mbid"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_download_requests_artist_mbid"), ["artist_mbid"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_download_requests_decided_by_id"), ["decided_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_download_requests_lidarr_album_id"), ["lidarr_album_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_download_requests_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_download_requests_status_next_attempt_at",
            ["status", "next_attempt_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_download_requests_user_id_created_at", ["user_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_download_requests_user_id_status", ["user_id", "status"], unique=False
        )

    op.create_table(
        "download_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("created_at", tastemaker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["download_requests.id"],
            name=op.f("fk_download_events_request_id_download_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_download_events")),
    )
    with op.batch_alter_table("download_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_download_events_request_id_created_at", ["request_id", "created_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("download_events", schema=None) as batch_op:
        batch_op.drop_index("ix_download_events_request_id_created_at")

    op.drop_table("download_events")
    with op.batch_alter_table("download_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_download_requests_user_id_status")
        batch_op.drop_index("ix_download_requests_user_id_created_at")
        batch_op.drop_index("ix_download_requests_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_download_requests_recommendation_id"))
        batch_op.drop_index(batch_op.f("ix_download_requests_lidarr_album_id"))
        batch_op.drop_index(batch_op.f("ix_download_requests_decided_by_id"))
        batch_op.drop_index(batch_op.f("ix_download_requests_artist_mbid"))
        batch_op.drop_index(batch_op.f("ix_download_requests_album_mbid"))

    op.drop_table("download_requests")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendations_user_id_state")
        batch_op.drop_index("ix_recommendations_user_id_created_at")
        batch_op.drop_index(batch_op.f("ix_recommendations_run_id"))
        batch_op.drop_index(batch_op.f("ix_recommendations_artist_mbid"))
        batch_op.drop_index(batch_op.f("ix_recommendations_album_mbid"))

    op.drop_table("recommendations")
    op.drop_table("user_preferences")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_user_id_last_seen_at")
        batch_op.drop_index(batch_op.f("ix_sessions_expires_at"))

    op.drop_table("sessions")
    with op.batch_alter_table("service_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_settings_updated_by_id"))

    op.drop_table("service_settings")
    with op.batch_alter_table("recommendation_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendation_runs_user_id_started_at")
        batch_op.drop_index(batch_op.f("ix_recommendation_runs_status"))

    op.drop_table("recommendation_runs")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_role"))

    op.drop_table("users")
