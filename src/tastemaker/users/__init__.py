"""People: each user's profile (name, password, tokens, sessions) and the admin users page."""
