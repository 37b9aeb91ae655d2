"""A Last.fm stand-in (API 2.0 read methods, with Last.fm's quirks) for the demo and tests."""

from .app import LastfmSimConfig, create_app

__all__ = ["LastfmSimConfig", "create_app"]
