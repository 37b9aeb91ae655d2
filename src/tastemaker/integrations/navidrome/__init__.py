"""Navidrome (Subsonic/OpenSubsonic) integration: an async client and its typed models.

>>> async with httpx.AsyncClient() as http:
...     account = NavidromeCredentials("demo", "…")
...     navidrome = NavidromeClient(http, "http://127.0.0.1:4533", account)
...     albums = await navidrome.album_list("newest", size=20)
...     song_id = (await navidrome.album(albums.album[0].id)).song[0].id
...     async with navidrome.stream(song_id, request_headers={"Range": "bytes=0-"}) as media:
...         async for chunk in media: ...
"""

from tastemaker.integrations.navidrome.auth import AuthMode, NavidromeCredentials
from tastemaker.integrations.navidrome.client import NavidromeClient
from tastemaker.integrations.navidrome.streaming import BinaryStream

__all__ = ["AuthMode", "BinaryStream", "NavidromeClient", "NavidromeCredentials"]
