"""Connections to Navidrome, Lidarr and Ollama: settings, health and the admin page."""
