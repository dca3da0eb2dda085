"""`qwen`: Qwen wanx-v1 in the DGrid "messages" JSON format."""

from __future__ import annotations

from jobs.dialects.entry import DialectEntry

from . import defaults
from .adapter import QwenDialect

DIALECT = DialectEntry(
    package=__name__, adapter=QwenDialect(), defaults=defaults.DEFAULTS, models=defaults.MODELS
)
