"""Requests and downloads: from one click to an album playable in the library."""
