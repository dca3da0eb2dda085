"""The dialect registry: every image API wire format the studio speaks, one folder each.

A dialect's folder, `jobs/dialects/<name>/`, holds all of it:
  adapter.py   the adapter (plain Python over `jobs.providers.http`): the request on the wire, the
               answer back as a `ProviderResult`; its class says the dialect's name and label
  defaults.py  its capability defaults (a model the table does not know, models that mean less
               here, whether it streams partial images or offers variations)
  sandbox/     its emulation in the sandbox (tests, benchmarks, `make run`; not installed)
  __init__.py  its entry, `DIALECT`, built from those

Adding a dialect is a new folder and its entry in REGISTRY below (one line, and the folder in the
import above it): the providers TOML, admin's choices, the capability lookup and the sandbox all
read the registry. The name of a dialect is
written once, in its adapter; a test keeps it out of every other module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from jobs.capabilities import MODEL_DEFAULTS, Capabilities, override_values
from jobs.dialects import dashscope, grok, openai, qwen, task
from jobs.dialects.entry import DialectEntry
from jobs.providers.base import Dialect

# In the order admin offers them.
REGISTRY: tuple[DialectEntry, ...] = (
    openai.DIALECT,
    grok.DIALECT,
    task.DIALECT,
    qwen.DIALECT,
    dashscope.DIALECT,
)
DIALECTS: dict[str, DialectEntry] = {entry.name: entry for entry in REGISTRY}
DIALECT_NAMES = tuple(DIALECTS)


def dialect_entry(name: str) -> DialectEntry:
    try:
        return DIALECTS[name]
    except KeyError:
        known = ", ".join(DIALECT_NAMES)
        raise ValueError(f"Unknown dialect {name!r}; known dialects: {known}") from None


def get_dialect(name: str) -> Dialect:
    """The adapter that speaks the dialect `name`."""
    return dialect_entry(name).adapter


def dialect_choices() -> list[tuple[str, str]]:
    """The model field's choices: every dialect registered above, and only those."""
    return [(entry.name, entry.label) for entry in REGISTRY]


def capabilities_for(
    dialect: str,
    model_name: str,
    overrides: Mapping[str, object] | None = None,
    credits_per_image: int | None = None,
) -> Capabilities:
    """What this model can do in this dialect: the dialect's own word on the model, else the
    model's row, else the dialect's defaults; then an admin's overrides."""
    entry = dialect_entry(dialect)
    caps = entry.models.get(model_name) or MODEL_DEFAULTS.get(model_name) or entry.defaults
    changes = override_values(overrides, credits_per_image)
    if not entry.streams_partial_images:
        changes["partial_images_max"] = 0
    if not entry.variations:
        changes["variations"] = False
    return dataclasses.replace(caps, **changes)


__all__ = [
    "DIALECTS",
    "DIALECT_NAMES",
    "REGISTRY",
    "DialectEntry",
    "capabilities_for",
    "dialect_choices",
    "dialect_entry",
    "get_dialect",
]
