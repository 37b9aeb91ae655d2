"""Library browsing and playback: the Navidrome library as pages and as the /api/library API."""
