"""Tastemaker: self-hosted music discovery for Navidrome, Lidarr and Ollama."""

__version__ = "0.1.0"
