from tests.servers.stack import *  # noqa: F403
