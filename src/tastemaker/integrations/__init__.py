"""Clients for the services Tastemaker talks to: Navidrome, Lidarr and Ollama."""
