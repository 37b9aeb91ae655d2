"""Accounts and sign-in: users, sessions, API tokens, CSRF, the setup wizard and admin pages."""
