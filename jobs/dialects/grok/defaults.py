"""The grok dialect's capability defaults: a model the table does not know is taken to be like
grok-3-image (another grok model behind the same relay)."""

from __future__ import annotations

from jobs.capabilities import MODEL_DEFAULTS

DEFAULTS = MODEL_DEFAULTS["grok-3-image"]
