"""What the registry holds for one dialect: its adapter and its capability defaults.

Each dialect's folder builds its own entry in its `__init__` (`DIALECT`); `jobs.dialects` lists
them. Plain Python, like the adapters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from jobs.capabilities import Capabilities
from jobs.providers.base import Dialect


@dataclass(frozen=True)
class DialectEntry:
    # The folder's package: the sandbox finds the dialect's emulation in `<package>.sandbox`.
    package: str
    adapter: Dialect
    # For a model that neither `models` below nor the capability table's rows know.
    defaults: Capabilities
    # Models that mean something else (usually less) in this dialect than their row says.
    models: Mapping[str, Capabilities] = field(default_factory=dict)
    # Whether the wire format can stream partial images, and has an images/variations endpoint:
    # without them a model's `partial_images_max` and `variations` read as none, whatever it says.
    streams_partial_images: bool = False
    variations: bool = False

    @property
    def name(self) -> str:
        """What the providers TOML and admin call the dialect (its adapter says it)."""
        return self.adapter.name

    @property
    def label(self) -> str:
        return self.adapter.label
