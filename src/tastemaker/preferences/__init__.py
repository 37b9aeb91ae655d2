"""Each user's preferences: theme, and what recommendations should aim for."""
