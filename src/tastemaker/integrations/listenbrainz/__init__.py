"""ListenBrainz: a typed async client for a user's listening history and similar artists."""

from .client import (
    DEFAULT_ALGORITHM,
    DEFAULT_LABS_URL,
    DEFAULT_URL,
    RANGES,
    ListenBrainzClient,
)
from .models import Listen, SimilarArtist, TokenCheck, TopArtist

__all__ = [
    "DEFAULT_ALGORITHM",
    "DEFAULT_LABS_URL",
    "DEFAULT_URL",
    "RANGES",
    "Listen",
    "ListenBrainzClient",
    "SimilarArtist",
    "TokenCheck",
    "TopArtist",
]
