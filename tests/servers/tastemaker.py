"""``tastemaker serve`` as a real process on a loopback port, for deployment tests.

``ServedProcess(env)`` starts the command the README tells people to run, with only
the environment given (no ``.env``: it runs in an empty folder), waits until
``/api/health/ready`` answers, and keeps its log in a file to show when a test fails.
``kill()`` is SIGKILL: the process gets no chance to clean up, as in a crash.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

TASTEMAKER = Path(sys.executable).with_name("tastemaker")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServedProcess:
    def __init__(self, name: str, env: dict[str, str], folder: Path, *args: str) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = folder / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log_path = self.folder / "serve.log"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.folder),
            "DATA_DIR": str(self.folder / "data"),
            **env,
        }
        self.args = ["serve", "--host", "127.0.0.1", "--port", str(self.port), *args]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, within: float = 60.0) -> ServedProcess:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(TASTEMAKER), *self.args],
                cwd=self.folder,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log()}")
            try:
                if httpx.get(self.url + "/api/health/ready", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} was not ready within {within} s:\n{self.log()}")

    def ready(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(self.url + "/api/health/ready", timeout=5).json()
        return body

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown, no clean-up (a crash, or the OOM killer)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode

    def __enter__(self) -> ServedProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
