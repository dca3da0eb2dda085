"""`task`: an asynchronous task relay for gpt-image models (submit, then poll a task)."""

from __future__ import annotations

from jobs.dialects.entry import DialectEntry

from . import defaults
from .adapter import TaskDialect

DIALECT = DialectEntry(package=__name__, adapter=TaskDialect(), defaults=defaults.DEFAULTS)
