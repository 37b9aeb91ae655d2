"""Listening sources: a user's ListenBrainz and Last.fm history, and the candidates it yields."""
