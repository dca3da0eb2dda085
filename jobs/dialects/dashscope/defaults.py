"""The dashscope dialect's capability defaults: the wanx models' limits; natively wanx-v1 is a
text-to-image model (editing is another model family)."""

from __future__ import annotations

import dataclasses

from jobs.capabilities import WANX
from jobs.parameters import GENERATE

MODELS = {
    "wanx-v1": dataclasses.replace(
        WANX, operations=frozenset({GENERATE}), max_input_images=0, mask=False
    ),
}
DEFAULTS = WANX
