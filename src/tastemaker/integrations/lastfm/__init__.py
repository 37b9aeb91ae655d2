"""Last.fm: a typed async client for a user's scrobbles and similar artists."""

from .client import DEFAULT_URL, PERIODS, LastfmClient, LastfmNotFound
from .models import RecentTrack, SimilarArtist, TopArtist

__all__ = [
    "DEFAULT_URL",
    "PERIODS",
    "LastfmClient",
    "LastfmNotFound",
    "RecentTrack",
    "SimilarArtist",
    "TopArtist",
]
