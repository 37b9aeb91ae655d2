"""A ListenBrainz stand-in (main API reads and Labs similar artists) for the demo and tests."""

from .app import ListenBrainzSimConfig, create_app

__all__ = ["ListenBrainzSimConfig", "create_app"]
