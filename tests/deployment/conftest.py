"""Deployment tests use the simulator stack and the downloads tests' fixtures."""

from tests.downloads.conftest import (  # noqa: F401
    contract_checker,
    downloads_stack,
    fresh_artist,
    lidarr_calls,
    person,
    sim,
)
from tests.servers.stack import *  # noqa: F403
