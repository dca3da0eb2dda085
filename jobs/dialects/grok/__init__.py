"""`grok`: grok-3-image through OpenAI-style relays, with per-image arrays."""

from __future__ import annotations

from jobs.dialects.entry import DialectEntry

from . import defaults
from .adapter import GrokDialect

DIALECT = DialectEntry(package=__name__, adapter=GrokDialect(), defaults=defaults.DEFAULTS)
