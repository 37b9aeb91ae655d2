"""``tastemaker demo``: the app on SQLite with a demo administrator, ready to click through.

The demo keeps its state in its own data directory (``data/demo`` by default) so it
never touches a real installation's database.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import uvicorn

from tastemaker import migrate
from tastemaker.auth import service as auth_service
from tastemaker.auth.models import Role
from tastemaker.db import Database, import_models
from tastemaker.settings import Settings

DEMO_USER = "demo"
DEMO_PASSWORD = "tastemaker-demo"  # noqa: S105  (printed to the terminal on purpose)


async def ensure_demo_user(settings: Settings) -> None:
    import_models()
    database = Database(settings.resolved_database_url)
    try:
        async with database.sessionmaker() as session:
            if await auth_service.get_user_by_name(session, DEMO_USER) is None:
                await auth_service.create_user(
                    session, DEMO_USER, DEMO_PASSWORD, role=Role.ADMIN, display_name="Demo"
                )
    finally:
        await database.dispose()


def run_demo(*, port: int, data_dir: Path, reload: bool = False) -> None:
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    settings = Settings()
    migrate.upgrade(settings.resolved_database_url)
    asyncio.run(ensure_demo_user(settings))
    url = f"http://127.0.0.1:{port}{settings.base_path}/"
    print(
        f"\n  Tastemaker demo: {url}\n"
        f"  Sign in as '{DEMO_USER}' with password '{DEMO_PASSWORD}' (an administrator).\n"
        f"  State lives in {data_dir}. Press Ctrl-C to stop.\n",
        flush=True,
    )
    uvicorn.run(
        "tastemaker.app:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        reload=reload,
        log_level="warning",
    )
