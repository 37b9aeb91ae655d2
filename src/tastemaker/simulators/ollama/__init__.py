"""The Ollama simulator: Ollama's wire protocol, answering with catalogue recommendations.

>>> from tastemaker.simulators.ollama import OllamaSimConfig, create_app
>>> with BackgroundServer(create_app(OllamaSimConfig(token_delay=0.001))) as server:
...     ...  # point the Ollama client at server.url

It can misbehave on demand (``OllamaSimConfig(mode=…)`` or ``POST /_sim/mode``):
see ``config.SimMode``.
"""

from .app import SimState, create_app
from .config import DEFAULT_MODELS, MODES, OllamaSimConfig, SimControl, SimMode, SimModel

__all__ = [
    "DEFAULT_MODELS",
    "MODES",
    "OllamaSimConfig",
    "SimControl",
    "SimMode",
    "SimModel",
    "SimState",
    "create_app",
]
