"""Ollama, the local LLM: a typed client over the official ``ollama`` package.

Every failure is one of the app's ``ServiceError`` subclasses with ``service="ollama"``.
"""

from .client import ChatStream, OllamaClient, normalise_base_url
from .models import (
    ChatMessage,
    ChatResult,
    ChatStats,
    OllamaModel,
    OllamaModelInfo,
    OllamaVersion,
)

__all__ = [
    "ChatMessage",
    "ChatResult",
    "ChatStats",
    "ChatStream",
    "OllamaClient",
    "OllamaModel",
    "OllamaModelInfo",
    "OllamaVersion",
    "normalise_base_url",
]
