"""Binary answers (audio, cover art) passed on as they arrive, never held in memory.

A :class:`BinaryStream` is what ``NavidromeClient.stream()`` and ``.cover_art()``
yield inside ``async with``: the upstream status (200, 206, 304, 416), the headers
a proxy must pass on for seeking and caching to work, and the body as an async
iterator of chunks. Leaving the ``async with`` closes the upstream connection, so
a listener who skips a track does not keep Navidrome sending the old one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import httpcore
import httpx

# Headers worth passing to the browser: seeking (Range), caching, and type/length.
PASSED_RESPONSE_HEADERS = (
    "content-type",
    "content-length",
    "content-range",
    "accept-ranges",
    "etag",
    "last-modified",
    "cache-control",
    "expires",
    "x-content-duration",
)
# Request headers a proxy may forward upstream; everything else stays with us.
FORWARDED_REQUEST_HEADERS = ("range", "if-range", "if-none-match", "if-modified-since")
PASSED_STATUSES = (200, 206, 304, 416)
# httpcore reads 64 KiB at a time, while asyncio receives up to 256 KiB per call, which
# anyio then cuts into 64 KiB pieces (copying the rest each time). Reading what one
# receive holds costs about a third less CPU per byte of audio relayed (``make bench``:
# stream_throughput_ratio), and changes nothing for the small answers.
READ_SIZE = 256 * 1024
if getattr(httpcore.AsyncHTTP11Connection, "READ_NUM_BYTES", READ_SIZE) < READ_SIZE:
    httpcore.AsyncHTTP11Connection.READ_NUM_BYTES = READ_SIZE
# Asked of the upstream for media: audio and images are compressed already, and the
# bytes then pass through as they arrive, with no decoding or re-chunking.
UPSTREAM_ENCODING = {"accept-encoding": "identity"}


@dataclass
class BinaryStream:
    status_code: int
    headers: dict[str, str]
    _response: httpx.Response

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def content_length(self) -> int | None:
        value = self.headers.get("content-length")
        return int(value) if value and value.isdigit() else None

    @property
    def content_range(self) -> str | None:
        return self.headers.get("content-range")

    def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body in the pieces it arrives in (``chunk_size`` re-cuts it)."""
        if self._response.headers.get("content-encoding", "identity") != "identity":
            return self._response.aiter_bytes(chunk_size)  # a server that compressed anyway
        return self._response.aiter_raw(chunk_size)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.aiter_bytes()

    async def read(self) -> bytes:
        """The whole body; for small things (covers in tests), not for audio."""
        return await self._response.aread()


def passed_headers(response: httpx.Response) -> dict[str, str]:
    return {
        name: response.headers[name] for name in PASSED_RESPONSE_HEADERS if name in response.headers
    }


def forwarded_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    forwarded = {
        name.lower(): value
        for name, value in (headers or {}).items()
        if name.lower() in FORWARDED_REQUEST_HEADERS
    }
    return {**forwarded, **UPSTREAM_ENCODING}
