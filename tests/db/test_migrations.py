"""The schema: migrations build every table, and the models match them exactly."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tastemaker import migrate

DOMAIN_TABLES = {
    "users",
    "sessions",
    "api_tokens",
    "user_preferences",
    "service_settings",
    "recommendation_runs",
    "recommendations",
    "download_requests",
    "download_events",
}


def test_models_and_migrations_do_not_drift(database_url: str) -> None:
    migrate.check(database_url)  # raises when autogenerate would find a difference


async def test_upgrade_head_creates_every_domain_table(database_url: str) -> None:
    engine = create_async_engine(database_url)
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(sa.inspect(sync).get_table_names()))
        foreign_keys = await connection.run_sync(
            lambda sync: {
                (fk["referred_table"], fk["options"].get("ondelete"))
                for fk in sa.inspect(sync).get_foreign_keys("download_requests")
            }
        )
        uniques = await connection.run_sync(
            lambda sync: [
                u["column_names"]
                for u in sa.inspect(sync).get_unique_constraints("download_requests")
            ]
        )
    await engine.dispose()

    assert tables >= DOMAIN_TABLES
    assert ("users", "CASCADE") in foreign_keys
    assert ["user_id", "target_key"] in uniques


async def test_one_request_per_user_and_album_is_enforced_by_the_database(
    database_url: str,
) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO users (id, username, display_name, role, is_active, created_at, updated_at)"
                    " VALUES (9001, 'uniq', '', 'user', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        insert = sa.text(
            "INSERT INTO download_requests (user_id, kind, target_key, artist_name, artist_mbid, status,"
            " progress, attempts, created_at, updated_at) VALUES (9001, 'album', 'mbid-1', 'A',"
            " 'artist-1', 'queued', 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
        async with engine.begin() as connection:
            await connection.execute(insert)
        failed = False
        try:
            async with engine.begin() as connection:
                await connection.execute(insert)
        except sa.exc.IntegrityError:
            failed = True
        assert failed, "a second identical request must be refused"
    finally:
        async with engine.begin() as connection:
            await connection.execute(sa.text("DELETE FROM users WHERE id = 9001"))
        await engine.dispose()
