"""Real Subsonic servers on loopback for tests: supysonic (from PyPI) and our simulator.

Session fixtures, reusable by any test module: import them into a conftest
(``from tests.servers.navidrome import *``):

- ``supysonic_server`` / ``subsonic_simulator`` → :class:`SubsonicServer` (url, user, password);
- ``supysonic_second_user`` / ``simulator_second_user`` → another account on each;
- ``subsonic_simulator_state`` → the simulator's library and state, to write albums and rescan;
- ``sample_library_dir`` → the generated tagged library (3-second clips, ~4 MB).

supysonic needs a config file (looked up in the working directory), a user and a
scanned folder, all done through its CLI; it then serves with waitress. It only
accepts password auth and honours ``Range`` only on GET.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

from tastemaker.simulators.runner import BackgroundServer
from tastemaker.simulators.sample_library import WrittenLibrary, write_sample_library
from tastemaker.simulators.subsonic import Account, Library, SubsonicConfig, create_app
from tastemaker.simulators.subsonic.context import Simulator

TEST_CLIP_SECONDS = 3.0
BIN = Path(sys.executable).parent


class SubsonicServer(NamedTuple):
    url: str
    user: str
    password: str


SUPYSONIC_ADMIN = SubsonicServer("", "alice", "alice-secret-pw")
SUPYSONIC_OTHER = SubsonicServer("", "bob", "bob-secret-pw")
SIMULATOR_ADMIN = SubsonicServer("", "demo", "sim-demo-pw")
SIMULATOR_OTHER = SubsonicServer("", "guest", "sim-guest-pw")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"supysonic exited: {log.read_text()[-2000:]}")
        try:
            httpx.get(url + "/rest/ping", timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"supysonic did not start on {url}")


def _supysonic_cli(home: Path, *args: str) -> None:
    subprocess.run(
        [str(BIN / "supysonic-cli"), *args],
        cwd=home,
        env={**os.environ, "HOME": str(home)},
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def sample_library_dir(tmp_path_factory: pytest.TempPathFactory) -> WrittenLibrary:
    root = tmp_path_factory.mktemp("sample-library")
    return write_sample_library(root, clip_seconds=TEST_CLIP_SECONDS)


@pytest.fixture(scope="session")
def supysonic_server(
    tmp_path_factory: pytest.TempPathFactory, sample_library_dir: WrittenLibrary
) -> Iterator[SubsonicServer]:
    home = tmp_path_factory.mktemp("supysonic")
    (home / "supysonic.conf").write_text(
        "[base]\n"
        f"database_uri = sqlite:///{home / 'supysonic.db'}\n"
        "[webapp]\n"
        f"cache_dir = {home / 'cache'}\n"
        "mount_webui = no\n"
        "log_level = WARNING\n"
        "[daemon]\n"
        f"socket = {home / 'daemon.sock'}\n"
        "run_watcher = no\n"
    )
    for account in (SUPYSONIC_ADMIN, SUPYSONIC_OTHER):
        _supysonic_cli(home, "user", "add", account.user, "-p", account.password)
    _supysonic_cli(home, "user", "setroles", SUPYSONIC_ADMIN.user, "--admin")
    _supysonic_cli(home, "folder", "add", "Music", str(sample_library_dir.root))
    _supysonic_cli(home, "folder", "scan", "--foreground", "Music")
    port = free_port()
    log = home / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "supysonic-server"), "-S", "waitress", "-h", "127.0.0.1", "-p", str(port)],
            cwd=home,
            env={**os.environ, "HOME": str(home)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield SUPYSONIC_ADMIN._replace(url=url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def supysonic_second_user(supysonic_server: SubsonicServer) -> SubsonicServer:
    return SUPYSONIC_OTHER._replace(url=supysonic_server.url)


@pytest.fixture(scope="session")
def subsonic_simulator_state(
    tmp_path_factory: pytest.TempPathFactory, sample_library_dir: WrittenLibrary
) -> Iterator[tuple[Simulator, str]]:
    # A copy, so tests that "import" albums into it leave supysonic's folder alone.
    music = tmp_path_factory.mktemp("simulator") / "music"
    shutil.copytree(sample_library_dir.root, music)
    config = SubsonicConfig(
        accounts=(
            Account(SIMULATOR_ADMIN.user, SIMULATOR_ADMIN.password, admin=True),
            Account(SIMULATOR_OTHER.user, SIMULATOR_OTHER.password),
        ),
        demo_state=False,
    )
    app = create_app(Library.from_directory(music), config)
    with BackgroundServer(app) as server:
        yield app.state.subsonic, server.url


@pytest.fixture(scope="session")
def subsonic_simulator(subsonic_simulator_state: tuple[Simulator, str]) -> SubsonicServer:
    return SIMULATOR_ADMIN._replace(url=subsonic_simulator_state[1])


@pytest.fixture(scope="session")
def simulator_second_user(subsonic_simulator: SubsonicServer) -> SubsonicServer:
    return SIMULATOR_OTHER._replace(url=subsonic_simulator.url)
