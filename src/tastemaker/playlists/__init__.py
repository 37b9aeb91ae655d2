"""The user's discoveries playlist in Navidrome: what their completed requests brought in."""
