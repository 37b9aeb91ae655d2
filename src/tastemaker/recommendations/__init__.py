"""Recommendations from the local LLM, grounded in real releases and the user's taste."""
