"""The openai dialect's capability defaults. Its models (dall-e-2, dall-e-3, gpt-image-*) have
their rows in `jobs.capabilities`; a model no row knows (a relay's own) gets these."""

from __future__ import annotations

from jobs.capabilities import Capabilities

DEFAULTS = Capabilities(n_max=4, sizes=("1024x1024", "1536x1024", "1024x1536"), mask=True)
# The one dialect with OpenAI's streamed partial images and its /images/variations endpoint.
STREAMS_PARTIAL_IMAGES = True
VARIATIONS = True
