"""`dashscope`: Alibaba DashScope's native asynchronous image synthesis (wanx models)."""

from __future__ import annotations

from jobs.dialects.entry import DialectEntry

from . import defaults
from .adapter import DashScopeDialect

DIALECT = DialectEntry(
    package=__name__, adapter=DashScopeDialect(), defaults=defaults.DEFAULTS, models=defaults.MODELS
)
