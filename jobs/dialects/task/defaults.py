"""The task dialect's capability defaults: its relays serve gpt-image models, so a model the
table does not know is taken to be one."""

from __future__ import annotations

from jobs.capabilities import GPT_IMAGE

DEFAULTS = GPT_IMAGE
