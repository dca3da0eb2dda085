"""The transport every dialect shares, as plain Python: the types that cross the boundary
(`base.py`), the one HTTP client (`http.py`) with its error classification (`classify.py`) and
event streams (`sse.py`), redaction, origins, deadlines and result downloads. The dialects
themselves, and the registry that names them, are in `jobs.dialects`.
"""

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

__all__ = [
    "Dialect",
    "Endpoint",
    "ImageRequest",
    "InputImage",
    "Operation",
    "ProviderError",
    "ProviderResult",
    "ResultImage",
    "TaskState",
]
