"""Image API dialects as plain Python: `get_dialect(name)` gives the adapter for a wire format."""

from __future__ import annotations

from .base import (
    Dialect,
    Endpoint,
    ImageRequest,
    InputImage,
    Operation,
    ProviderError,
    ProviderResult,
    ResultImage,
    TaskState,
)
from .dashscope import DashScopeDialect
from .grok import GrokDialect
from .openai import OpenAIDialect
from .qwen import QwenDialect
from .task import TaskDialect

DIALECTS: dict[str, Dialect] = {
    dialect.name: dialect
    for dialect in (
        OpenAIDialect(),
        GrokDialect(),
        TaskDialect(),
        QwenDialect(),
        DashScopeDialect(),
    )
}
DIALECT_NAMES = tuple(DIALECTS)


def dialect_choices() -> list[tuple[str, str]]:
    """The model field's choices: every dialect registered above, and only those."""
    return [(dialect.name, dialect.label) for dialect in DIALECTS.values()]


def get_dialect(name: str) -> Dialect:
    try:
        return DIALECTS[name]
    except KeyError:
        known = ", ".join(DIALECT_NAMES)
        raise ValueError(f"Unknown dialect {name!r}; known dialects: {known}") from None


__all__ = [
    "DIALECT_NAMES",
    "Dialect",
    "Endpoint",
    "ImageRequest",
    "InputImage",
    "Operation",
    "ProviderError",
    "ProviderResult",
    "ResultImage",
    "TaskState",
    "dialect_choices",
    "get_dialect",
]
