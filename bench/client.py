"""The benchmarks' HTTP client: the standard library's ``http.client``, kept alive.

The figures time the servers, so the client must cost as little as it can: on this
2-core machine it shares the CPU with the app and the simulator. httpx's
``AsyncClient`` spends ~0.7 ms of CPU per request (a trivial Starlette app answers
it in 1.1 ms, ``http.client`` in 0.4 ms), which weighs on both sides of every ratio
and drowns sub-millisecond differences; ``wrk`` does the load tests for the same
reason. Every request goes out on the same kept-alive connection per server, with
the signed-in session's cookie and CSRF header when one is given.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

Params = Mapping[str, str | int] | None


class LeanClient:
    def __init__(self, base_url: str, headers: Mapping[str, str] | None = None) -> None:
        self.base_url = base_url
        self.headers = dict(headers or {})
        self._connections: dict[tuple[str, int], http.client.HTTPConnection] = {}

    def _connection(self, url: str) -> tuple[http.client.HTTPConnection, str]:
        parts = urlsplit(url if "://" in url else self.base_url + url)
        address = (parts.hostname or "127.0.0.1", parts.port or 80)
        connection = self._connections.get(address)
        if connection is None:
            connection = self._connections[address] = http.client.HTTPConnection(*address)
        return connection, parts.path + (f"?{parts.query}" if parts.query else "")

    def request(
        self,
        method: str,
        url: str,
        params: Params = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """The status and the whole body."""
        response = self._send(method, url, params, headers)
        return response.status, response.read()

    def timed_get(self, url: str, params: Params = None) -> float:
        """Seconds for a GET that must answer 200, body included."""
        started = time.perf_counter()
        status, body = self.request("GET", url, params)
        elapsed = time.perf_counter() - started
        assert status == 200, (url, status, body[:300])
        return elapsed

    def download(
        self,
        url: str,
        params: Params = None,
        headers: Mapping[str, str] | None = None,
        chunk: int = 256 * 1024,
    ) -> tuple[int, float]:
        """Bytes received and seconds taken, reading into one reused buffer."""
        started = time.perf_counter()
        response = self._send("GET", url, params, headers)
        assert response.status in (200, 206), (url, response.status)
        buffer = bytearray(chunk)
        received = 0
        while count := response.readinto(buffer):
            received += count
        return received, time.perf_counter() - started

    def _send(
        self, method: str, url: str, params: Params, headers: Mapping[str, str] | None
    ) -> http.client.HTTPResponse:
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        connection, target = self._connection(url)
        connection.request(method, target, headers=self.headers | dict(headers or {}))
        return connection.getresponse()

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()

    def __enter__(self) -> LeanClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
