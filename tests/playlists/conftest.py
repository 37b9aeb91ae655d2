"""The discoveries playlist's tests reuse the downloads stack (a request really completes)
and the Subsonic simulator of the client tests (``tests/servers/navidrome.py``)."""

from __future__ import annotations

from tests.downloads.conftest import *  # noqa: F403
from tests.servers.navidrome import (  # noqa: F401  (fixtures)
    sample_library_dir,
    simulator_second_user,
    subsonic_simulator,
    subsonic_simulator_state,
)
