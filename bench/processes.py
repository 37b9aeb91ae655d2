"""The processes a benchmark measures: simulators and the app, each on its own.

``SimProcess`` runs ``bench.simserver``; ``AppProcess`` runs ``tastemaker serve``
exactly as a deployment does (migrations, a user made with the CLI, settings from
the environment), in a throw-away data directory. Both are stopped on exit. The
``/proc`` readers give a process tree's resident memory and CPU time (Linux).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import httpx

from bench.client import LeanClient

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
USER = "bench"
PASSWORD = "bench-password-123"  # noqa: S105  # a throw-away local account
NAVIDROME_USER = "demo"  # the Subsonic simulator's own accounts
NAVIDROME_PASSWORD = "tastemaker-demo"  # noqa: S105
LIDARR_KEY = "bench-lidarr-key"
OLLAMA_MODEL = "llama3.2"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# A developer's own settings in the environment must not reach the measured app.
SETTINGS_PREFIXES = ("TASTEMAKER", "DATABASE", "NAVIDROME", "LIDARR", "OLLAMA", "WORKERS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ready_line(process: subprocess.Popen[str], what: str, timeout: float = 120) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("READY "):
            return line.split(" ", 1)[1].strip()
        if not line and process.poll() is not None:
            break
    raise RuntimeError(f"{what} did not start (exit code {process.poll()})")


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class SimProcess:
    """The Subsonic simulator in its own process (see ``bench.simserver``)."""

    def __init__(self, tracks: int, big_file: Path | None = None) -> None:
        command = [sys.executable, "-m", "bench.simserver", "subsonic", "--tracks", str(tracks)]
        if big_file is not None:
            command += ["--big-file", str(big_file)]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        self.url, self.song_id = _ready_line(self.process, "the Subsonic simulator").split()
        self.pid = self.process.pid

    def subsonic_query(self, **params: str | int) -> dict[str, str | int]:
        """Query parameters of a direct call, with token auth as the app itself sends."""
        salt = secrets.token_hex(6)
        token = hashlib.md5((NAVIDROME_PASSWORD + salt).encode()).hexdigest()  # noqa: S324
        return {"u": NAVIDROME_USER, "t": token, "s": salt, "v": "1.16.1", "c": "bench"} | {
            "f": "json",
            **params,
        }

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        _stop(self.process)


class AppProcess:
    """``tastemaker serve`` on a loopback port, with its own data directory and user."""

    def __init__(
        self,
        *,
        navidrome_url: str,
        lidarr_url: str | None = None,
        ollama_url: str | None = None,
        database_url: str | None = None,
        workers: int | None = None,
    ) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="tastemaker-bench-")
        data = Path(self._tmp.name)
        self.port = free_port()
        self.workers = workers or 1
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_PREFIXES)}
        env |= {
            "DATA_DIR": str(data),
            "DATABASE_URL": database_url or f"sqlite+aiosqlite:///{data / 'bench.db'}",
            "SECRET_KEY": "bench-secret-key-not-for-production",
            "LOG_LEVEL": "WARNING",
            "NAVIDROME_URL": navidrome_url,
            "NAVIDROME_USER": NAVIDROME_USER,
            "NAVIDROME_PASSWORD": NAVIDROME_PASSWORD,
        }
        if lidarr_url:
            env |= {"LIDARR_URL": lidarr_url, "LIDARR_API_KEY": LIDARR_KEY}
        if ollama_url:
            env |= {"OLLAMA_URL": ollama_url, "OLLAMA_MODEL": OLLAMA_MODEL}
        tastemaker = str(BIN / "tastemaker")
        # cwd is the data directory, so a developer's own .env is never read.
        created = subprocess.run(
            [tastemaker, "users", "create", USER, "--admin", "--password", PASSWORD],
            cwd=data,
            env=env,
            capture_output=True,
            text=True,
        )
        if created.returncode:
            raise RuntimeError(f"tastemaker users create failed: {created.stderr[-2000:]}")
        command = [tastemaker, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if workers is not None:
            command += ["--workers", str(workers)]
        self._log_path = data / "serve.log"
        self._log = self._log_path.open("w")
        self.process = subprocess.Popen(
            command, cwd=data, env=env, stdout=self._log, stderr=subprocess.STDOUT, text=True
        )
        self.pid = self.process.pid
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"tastemaker serve exited with {self.process.returncode}:\n"
                    + self._log_path.read_text()[-3000:]
                )
            try:
                up = httpx.get(self.url + "/login", timeout=2).status_code == 200
            except httpx.TransportError:
                up = False
            # Every worker listens on a socket of its own: connections opened before
            # the last one listens would all go to the others.
            if up and listening_sockets(self.port) >= self.workers:
                return
            time.sleep(0.1)
        raise RuntimeError("tastemaker serve did not answer within 60 s")

    def sign_in(self) -> tuple[dict[str, str], str]:
        """A new session of the bench user: its cookies and its CSRF token."""
        response = httpx.post(
            self.url + "/api/auth/login", json={"username": USER, "password": PASSWORD}
        )
        response.raise_for_status()
        return dict(response.cookies), str(response.json()["csrf_token"])

    def client(self, timeout: float = 60) -> httpx.AsyncClient:
        """A signed-in client: the session cookie, and the CSRF header unsafe calls need."""
        cookies, csrf = self.sign_in()
        return httpx.AsyncClient(
            base_url=self.url, cookies=cookies, headers={"X-CSRF-Token": csrf}, timeout=timeout
        )

    def lean_client(self) -> LeanClient:
        """The same as ``client``, on the standard library (see ``bench.client``)."""
        cookies, csrf = self.sign_in()
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        return LeanClient(self.url, {"Cookie": cookie, "X-CSRF-Token": csrf})

    def __enter__(self) -> AppProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        _stop(self.process)
        self._log.close()
        self._tmp.cleanup()


def tree(pid: int) -> list[int]:
    """The process and all its descendants (uvicorn's workers)."""
    found = [pid]
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for text in child.read_text().split():
            found.extend(tree(int(text)))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of a process tree, in MB."""
    total_kb = 0
    for member in tree(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


def listening_sockets(port: int) -> int:
    """How many sockets listen on ``port`` (IPv4, from /proc/net/tcp)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    # local_address is HEX_IP:HEX_PORT; state 0A is LISTEN
    return sum(
        1 for row in rows if row.split()[1].endswith(f":{port:04X}") and row.split()[3] == "0A"
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process tree so far."""
    total = 0
    for member in tree(pid):
        fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


@contextmanager
def big_file(size_mb: int) -> Iterator[Path]:
    """A file of ``size_mb`` MB of incompressible bytes, removed afterwards."""
    block = os.urandom(1024 * 1024)
    with tempfile.TemporaryDirectory(prefix="tastemaker-bench-audio-") as tmp:
        path = Path(tmp) / "big.flac"
        with path.open("wb") as handle:
            for _ in range(size_mb):
                handle.write(block)
        yield path
