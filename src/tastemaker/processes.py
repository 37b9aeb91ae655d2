"""Serving with several processes (``tastemaker serve --workers N``), each with a
listening socket of its own.

uvicorn's supervisor (kept: it restarts dead workers and passes signals on) hands
every worker the same listening socket. An asyncio worker that wakes for a new
connection accepts every connection waiting, so a burst of connections (a browser
opening six, a proxy's pool, a load test) lands on one worker while the other
idles: ``make bench`` measured two workers *slower* than one, all 16 connections on
one of them. With ``SO_REUSEPORT`` each worker binds a socket of its own to the
same port and the kernel spreads new connections over them by hash. And the shared
socket reached workers without TCP_NODELAY on their connections (see
``worker_socket``): two workers answered a trivial request in 44 ms, one in 3 ms.

No server library does this for uvicorn, hence the few lines here: the socket given
to the supervisor pickles, into each worker it starts, as a new socket of that
worker's own.
"""

from __future__ import annotations

import socket
from typing import Any

from uvicorn import Config
from uvicorn.supervisors import Multiprocess


def _bound(sock: socket.socket, host: str, port: int) -> socket.socket:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def worker_socket(host: str, port: int) -> socket.socket:
    """A socket bound with ``SO_REUSEPORT`` to ``host:port``, for one process."""
    # proto=IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on accepted
    # sockets whose proto says TCP. uvicorn's own shared socket reaches workers with
    # proto 0, and every small answer then waited ~40 ms for a delayed ACK (Nagle).
    return _bound(socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP), host, port)


class PerWorkerSocket(socket.socket):
    """Bound (not listening) in the supervisor, which keeps the port and says at once
    when it is taken; sent to a worker, it becomes that worker's own socket."""

    def __reduce__(self) -> tuple[Any, ...]:
        host, port = self.getsockname()[:2]
        return (worker_socket, (host, port))


def serve_processes(config: Config) -> None:
    """Run ``config.workers`` worker processes until a signal stops them."""
    placeholder = PerWorkerSocket(_family(config.host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        _bound(placeholder, config.host, config.port)
        Multiprocess(config, sockets=[placeholder]).run()
    finally:
        placeholder.close()
