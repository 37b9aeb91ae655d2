"""Protocol-faithful stand-ins for Navidrome (Subsonic), Lidarr and Ollama.

Each is its own ASGI app served on a loopback port: the demo and the tests talk to
them over real HTTP, exactly as they would talk to the real services.
"""
