"""The qwen dialect's capability defaults: its messages format ignores n and size, and edits
without a mask, so wanx-v1 (and any model it serves) means less here than its row says."""

from __future__ import annotations

from jobs.capabilities import Capabilities

WANX_V1 = Capabilities(prompt_max=800, max_input_images=1)
MODELS = {"wanx-v1": WANX_V1}
DEFAULTS = WANX_V1
