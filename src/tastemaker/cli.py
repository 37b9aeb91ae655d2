"""The ``tastemaker`` command: serve, demo, database migrations, users and checks."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import ChangeReload

from tastemaker import migrate
from tastemaker.auth import service as auth_service
from tastemaker.auth.models import Role
from tastemaker.db import Database, import_models
from tastemaker.errors import AppError
from tastemaker.logs import configure_logging
from tastemaker.processes import serve_processes
from tastemaker.settings import Settings

app = typer.Typer(help="Tastemaker: self-hosted music discovery.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Processes to serve with (PostgreSQL only for >1)")
    ] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes")] = False,
) -> None:
    """Upgrade the database, then serve the app (with --workers N: N processes)."""
    settings = Settings()
    configure_logging(settings)
    processes = workers or settings.workers
    if processes > 1 and settings.is_sqlite:
        typer.secho(
            f"Error: --workers {processes} needs PostgreSQL. SQLite is one process's database: "
            "set DATABASE_URL=postgresql+asyncpg://… to serve with several processes, "
            "or serve with one.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2)
    migrate.upgrade(settings.resolved_database_url)
    # Made once here when missing, so that every worker process reads the same key.
    settings.resolved_secret_key  # noqa: B018
    config = uvicorn.Config(
        "tastemaker.cli:served_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=processes,
        reload=reload,
        # Forwarded headers are the app's to judge (TRUSTED_PROXIES), not uvicorn's.
        proxy_headers=False,
        # Requests in flight (a song streaming) finish; then the lifespan hands work back.
        timeout_graceful_shutdown=int(settings.shutdown_timeout_seconds),
        log_config=None,  # served_app sets the format, in every worker process
        # asyncio's own loop, not uvloop: relaying audio under uvloop held about 6 MB
        # per listener (60 MB for ten at once), asyncio's under 1 MB, at the same
        # CPU per byte (``make bench``: stream_rss_growth_mb).
        loop="asyncio",
    )
    if reload:
        ChangeReload(
            config, target=uvicorn.Server(config).run, sockets=[config.bind_socket()]
        ).run()
    elif processes > 1:
        serve_processes(config)  # a listening socket per process: processes.py says why
    else:
        uvicorn.Server(config).run()


def served_app() -> FastAPI:
    """What ``serve`` hands uvicorn: each worker process reads the settings and sets up
    its own logging (worker processes are started fresh, not forked with it)."""
    from tastemaker.app import create_app

    settings = Settings()
    configure_logging(settings)
    app = create_app(settings)
    # What is built so far (modules, routes, schemas: ~170,000 objects) lives as long
    # as the process. Frozen, the collector's full passes stop walking it: they used
    # to land in the middle of large parses (a 100,000-track artist index read cold in
    # 250 ms median, 150 ms frozen; Navidrome itself answers in 45).
    gc.freeze()
    return app


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of the app")] = 8000,
    data_dir: Annotated[Path, typer.Option(help="Where the demo keeps its state")] = Path(
        "data/demo"
    ),
    reload: Annotated[bool, typer.Option(help="Restart on code changes")] = False,
) -> None:
    """Run the app on SQLite with a demo admin (demo / tastemaker-demo)."""
    from tastemaker.demo import run_demo

    run_demo(port=port, data_dir=data_dir, reload=reload)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Bring the database schema up to date (safe to run on every start)."""
    settings = Settings()
    migrate.upgrade(settings.resolved_database_url, revision)
    typer.echo("Database is up to date.")


async def _with_db(settings: Settings) -> Database:
    import_models()
    return Database(settings.resolved_database_url)


@users_app.command("create")
def users_create(
    username: str,
    admin: Annotated[bool, typer.Option("--admin", help="Make the user an administrator")] = False,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
    display_name: str = "",
) -> None:
    """Create a user (asks for the password unless --password is given)."""

    async def create() -> None:
        settings = Settings()
        migrate.upgrade(settings.resolved_database_url)
        database = await _with_db(settings)
        try:
            async with database.sessionmaker() as session:
                user = await auth_service.create_user(
                    session,
                    username,
                    password,
                    role=Role.ADMIN if admin else Role.USER,
                    display_name=display_name,
                )
                typer.echo(f"Created {user.role} {user.username}.")
        finally:
            await database.dispose()

    _run(create())


@users_app.command("token")
def users_token(
    username: str,
    name: Annotated[str, typer.Option(help="A name to tell the token apart")] = "cli",
) -> None:
    """Print a new API token for a user (shown once)."""

    async def create() -> None:
        settings = Settings()
        database = await _with_db(settings)
        try:
            async with database.sessionmaker() as session:
                user = await auth_service.get_user_by_name(session, username)
                if user is None:
                    raise typer.BadParameter(f"no user named {username!r}")
                plaintext, _ = await auth_service.create_api_token(session, user, name)
                typer.echo(plaintext)
        finally:
            await database.dispose()

    _run(create())


@app.command()
def check() -> None:
    """Test every service connection, as /api/health does."""
    import httpx

    from tastemaker.encryption import SecretBox
    from tastemaker.services.definitions import SERVICES
    from tastemaker.services.hub import ServiceHub

    async def run() -> bool:
        settings = Settings()
        database = await _with_db(settings)
        async with httpx.AsyncClient() as http:
            hub = ServiceHub(
                settings=settings,
                secret_box=SecretBox(settings.resolved_secret_key),
                db=database,
                http=http,
            )
            results = await hub.check_all()
            await hub.aclose()
        await database.dispose()
        for key, result in results.items():
            colour = typer.colors.GREEN if result.status == "ok" else typer.colors.RED
            extra = f"{result.version} in {result.latency_ms} ms" if result.version else ""
            typer.echo(
                f"{SERVICES[key].title:<10} "
                + typer.style(f"{result.status:<9}", fg=colour)
                + " ".join(part for part in (extra, result.detail) if part)
            )
        return all(result.status == "ok" for result in results.values())

    if not asyncio.run(run()):
        raise typer.Exit(1)


@app.command()
def recommend(username: str) -> None:
    """Run the recommendation pipeline for a user now and print the new cards."""
    import httpx
    from sqlalchemy import select

    from tastemaker.encryption import SecretBox
    from tastemaker.recommendations.models import Recommendation, RecommendationRun
    from tastemaker.recommendations.runner import RunManager
    from tastemaker.services.hub import ServiceHub

    async def run() -> bool:
        settings = Settings()
        database = await _with_db(settings)
        try:
            async with database.sessionmaker() as session:
                user = await auth_service.get_user_by_name(session, username)
            if user is None:
                raise typer.BadParameter(f"no user named {username!r}")
            async with httpx.AsyncClient() as http:
                hub = ServiceHub(
                    settings=settings,
                    secret_box=SecretBox(settings.resolved_secret_key),
                    db=database,
                    http=http,
                )
                manager = RunManager(database, hub)
                run_id, _ = await manager.start(user.id, trigger="cli")
                await manager.wait(user.id)
                await manager.aclose()
                await hub.aclose()
            async with database.sessionmaker() as session:
                finished = await session.get(RecommendationRun, run_id)
                cards = await session.scalars(
                    select(Recommendation).where(Recommendation.run_id == run_id)
                )
                for card in cards:
                    what = (
                        f"{card.artist_name} — {card.album_title}"
                        if card.album_title
                        else card.artist_name
                    )
                    typer.echo(f"• {what}\n  {card.reason}")
            assert finished is not None
            typer.echo(
                f"Run {run_id}: {finished.status}"
                + (f" — {finished.error}" if finished.error else "")
            )
            return finished.status == "completed"
        finally:
            await database.dispose()

    if not asyncio.run(run()):
        raise typer.Exit(1)


def _run(coroutine: object) -> None:
    try:
        asyncio.run(coroutine)  # type: ignore[arg-type]
    except AppError as error:
        typer.secho(f"Error: {error.detail}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from error


if __name__ == "__main__":
    app()
