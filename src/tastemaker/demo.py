"""``tastemaker demo``: the app on SQLite with the three simulators and a sample library.

Nothing reaches the network: Navidrome, Lidarr and Ollama (and the demo user's
ListenBrainz and Last.fm histories) are the project's own simulators on loopback ports, and the sample library (real, playable audio) is
synthesised into the demo's data directory on first start. The simulators run in
background threads of this process, the app in uvicorn; Ctrl-C stops everything.
"""

from __future__ import annotations

import asyncio
import os
from contextlib import ExitStack
from pathlib import Path

import uvicorn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker import migrate
from tastemaker.auth import service as auth_service
from tastemaker.auth.models import Role
from tastemaker.db import Database, import_models
from tastemaker.logs import configure_logging
from tastemaker.services.models import ServiceSetting
from tastemaker.settings import Settings
from tastemaker.simulators import catalogue
from tastemaker.simulators.lastfm import LastfmSimConfig
from tastemaker.simulators.lastfm import create_app as lastfm_simulator
from tastemaker.simulators.lidarr import LidarrSimConfig
from tastemaker.simulators.lidarr import create_app as lidarr_simulator
from tastemaker.simulators.listenbrainz import ListenBrainzSimConfig
from tastemaker.simulators.listenbrainz import create_app as listenbrainz_simulator
from tastemaker.simulators.ollama import OllamaSimConfig
from tastemaker.simulators.ollama import create_app as ollama_simulator
from tastemaker.simulators.runner import BackgroundServer
from tastemaker.simulators.sample_library import write_album, write_sample_library
from tastemaker.simulators.subsonic import create_app_for_directory
from tastemaker.sources.models import ListeningSource, SourceKind

DEMO_USER = "demo"
DEMO_PASSWORD = "tastemaker-demo"  # noqa: S105  (printed to the terminal on purpose)
DEMO_LIDARR_KEY = "tastemaker-demo-lidarr-key"
DEMO_MODEL = "llama3.2"
DEMO_LASTFM_KEY = "7a3e5b1c2d406f1c1f3e8a514d5e9d0a"  # the Last.fm simulator's key


# What an admin picks from Lidarr's lists on Settings → Services (the simulator's ids).
DEMO_LIDARR_CHOICES = {
    "root_folder": "/music",
    "quality_profile_id": "1",
    "metadata_profile_id": "1",
}


async def ensure_demo_state(settings: Settings) -> None:
    """The demo admin, and the Lidarr choices an admin would make on first set-up."""
    import_models()
    database = Database(settings.resolved_database_url)
    try:
        async with database.sessionmaker() as session:
            if await auth_service.get_user_by_name(session, DEMO_USER) is None:
                await auth_service.create_user(
                    session, DEMO_USER, DEMO_PASSWORD, role=Role.ADMIN, display_name="Demo"
                )
            chosen = set(
                await session.scalars(
                    select(ServiceSetting.key).where(ServiceSetting.service == "lidarr")
                )
            )
            for key, value in DEMO_LIDARR_CHOICES.items():
                if key not in chosen:
                    session.add(ServiceSetting(service="lidarr", key=key, value=value))
            await session.commit()
            await _connect_demo_sources(session)
    finally:
        await database.dispose()


async def _connect_demo_sources(session: AsyncSession) -> None:
    """The demo user's ListenBrainz and Last.fm accounts (the simulators' sample histories)."""
    user = await auth_service.get_user_by_name(session, DEMO_USER)
    assert user is not None
    linked = set(
        await session.scalars(
            select(ListeningSource.kind).where(ListeningSource.user_id == user.id)
        )
    )
    for kind in (SourceKind.LISTENBRAINZ, SourceKind.LASTFM):
        if kind not in linked:
            session.add(ListeningSource(user_id=user.id, kind=kind, username=DEMO_USER))
    await session.commit()


def ensure_sample_library(music_dir: Path) -> None:
    marker = music_dir / ".complete"
    if marker.exists():
        return
    print("  Synthesising the sample library (first start only)…", flush=True)
    write_sample_library(music_dir)
    marker.touch()


def start_simulators(stack: ExitStack, music_dir: Path) -> dict[str, str]:
    """Start the three simulators; return the environment that points the app at them."""
    navidrome = stack.enter_context(BackgroundServer(create_app_for_directory(music_dir)))

    async def import_into_library(album: catalogue.Album) -> None:
        # Lidarr "imports" the download: the album's files land in the music folder,
        # and Navidrome sees them after its next scan (which the app triggers).
        await asyncio.to_thread(write_album, music_dir, album)

    lidarr = stack.enter_context(
        BackgroundServer(
            lidarr_simulator(
                LidarrSimConfig(api_key=DEMO_LIDARR_KEY, seconds_per_album=15.0),
                on_import=import_into_library,
            )
        )
    )
    ollama = stack.enter_context(
        BackgroundServer(ollama_simulator(OllamaSimConfig(token_delay=0.02)))
    )
    listenbrainz = stack.enter_context(
        BackgroundServer(listenbrainz_simulator(ListenBrainzSimConfig(users=(DEMO_USER,))))
    )
    lastfm = stack.enter_context(
        BackgroundServer(
            lastfm_simulator(LastfmSimConfig(api_key=DEMO_LASTFM_KEY, users=(DEMO_USER,)))
        )
    )
    return {
        "LISTENBRAINZ_URL": listenbrainz.url,
        "LISTENBRAINZ_LABS_URL": listenbrainz.url,
        "LASTFM_URL": f"{lastfm.url}/2.0/",
        "LASTFM_API_KEY": DEMO_LASTFM_KEY,
        "NAVIDROME_URL": navidrome.url,
        "NAVIDROME_USER": DEMO_USER,
        "NAVIDROME_PASSWORD": DEMO_PASSWORD,
        "LIDARR_URL": lidarr.url,
        "LIDARR_API_KEY": DEMO_LIDARR_KEY,
        "OLLAMA_URL": ollama.url,
        "OLLAMA_MODEL": DEMO_MODEL,
    }


def run_demo(*, port: int, data_dir: Path, reload: bool = False) -> None:
    data_dir = data_dir.resolve()
    music_dir = data_dir / "music"
    music_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    ensure_sample_library(music_dir)
    with ExitStack() as stack:
        # The app reads these like any deployment's settings (they show as locked).
        os.environ.update(start_simulators(stack, music_dir))
        settings = Settings()
        configure_logging(settings.model_copy(update={"log_level": "WARNING"}))
        migrate.upgrade(settings.resolved_database_url)
        asyncio.run(ensure_demo_state(settings))
        print(
            f"\n  Tastemaker demo: http://127.0.0.1:{port}{settings.base_path}/\n"
            f"  Sign in as '{DEMO_USER}' with password '{DEMO_PASSWORD}' (an administrator).\n"
            f"  Navidrome, Lidarr and Ollama are simulated on {settings.navidrome_url},"
            f" {settings.lidarr_url} and {settings.ollama_url}; the demo user's ListenBrainz"
            f" and Last.fm histories on {settings.listenbrainz_url} and {settings.lastfm_url}.\n"
            f"  State lives in {data_dir}. Press Ctrl-C to stop.\n",
            flush=True,
        )
        uvicorn.run(
            "tastemaker.app:create_app",
            factory=True,
            host="127.0.0.1",
            port=port,
            reload=reload,
            log_config=None,
        )
