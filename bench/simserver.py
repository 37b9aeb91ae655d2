"""A simulator in a process of its own: ``python -m bench.simserver subsonic --tracks 1000``.

The benchmarks keep the server they measure apart from the client that measures
it, so neither steals the other's interpreter lock. Prints ``READY <url> <song id>``
(the song that plays ``--big-file``) once the socket is bound (connections queue until uvicorn serves them).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from tastemaker.simulators.runner import bind_loopback
from tastemaker.simulators.sample_library import large_library
from tastemaker.simulators.subsonic import Library, SubsonicConfig
from tastemaker.simulators.subsonic import create_app as subsonic_simulator


def subsonic_app(tracks: int, big_file: Path | None) -> tuple[FastAPI, str]:
    """The simulator's app, and the id of the song that plays ``big_file``."""
    library = Library.from_catalogue(large_library(tracks, albums_per_artist=1))
    song = next(iter(library.songs.values()))
    if big_file is not None:
        # The first song plays a large file from disk, as Navidrome serves untranscoded
        # files; everything else keeps the simulator's short synthesised clip.
        song.file = big_file
        song.size = big_file.stat().st_size
    return subsonic_simulator(library, SubsonicConfig()), song.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["subsonic"])
    parser.add_argument("--tracks", type=int, default=1000)
    parser.add_argument("--big-file", type=Path)
    args = parser.parse_args()
    app, song_id = subsonic_app(args.tracks, args.big_file)
    sock = bind_loopback()
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    print(f"READY http://{host}:{port} {song_id}", flush=True)
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))


if __name__ == "__main__":
    main()
