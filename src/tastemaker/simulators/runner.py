"""Serve ASGI apps on loopback ports, in a background thread (tests) or a task (demo).

Hand-written because uvicorn has no "serve on a free port and tell me which" helper:
we bind the socket ourselves (port 0 picks a free one) and hand it to uvicorn.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import uvicorn


def bind_loopback(port: int = 0, host: str = "127.0.0.1") -> socket.socket:
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP.
    # Without it Nagle holds a response's body until the headers are acknowledged, and
    # the client's delayed ACK makes many answers take 40 ms more.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _config(app: Any) -> uvicorn.Config:
    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")


class BackgroundServer:
    """One ASGI app served by uvicorn in a daemon thread with its own event loop.

    >>> with BackgroundServer(app) as server:
    ...     httpx.get(server.url + "/ping")
    """

    def __init__(self, app: Any, port: int = 0) -> None:
        self._sock = bind_loopback(port)
        host, bound_port = self._sock.getsockname()[:2]
        self.url = f"http://{host}:{bound_port}"
        self.port: int = bound_port
        self._server = uvicorn.Server(_config(app))
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"asgi:{bound_port}")

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on {self.url} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class TaskServer:
    """One ASGI app served by uvicorn as a task in the current event loop (the demo)."""

    def __init__(self, app: Any, port: int = 0, host: str = "127.0.0.1") -> None:
        self._sock = bind_loopback(port, host)
        bound_host, bound_port = self._sock.getsockname()[:2]
        self.url = f"http://{bound_host}:{bound_port}"
        self.port: int = bound_port
        self._server = uvicorn.Server(_config(app))
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> TaskServer:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
