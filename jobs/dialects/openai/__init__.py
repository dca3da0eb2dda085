"""`openai`: the OpenAI Images API (generations as JSON or a stream, edits and variations as
multipart/form-data)."""

from __future__ import annotations

from jobs.dialects.entry import DialectEntry

from . import defaults
from .adapter import OpenAIDialect

DIALECT = DialectEntry(
    package=__name__,
    adapter=OpenAIDialect(),
    defaults=defaults.DEFAULTS,
    streams_partial_images=defaults.STREAMS_PARTIAL_IMAGES,
    variations=defaults.VARIATIONS,
)
