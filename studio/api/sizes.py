""" "Nearest size": an app that asks for a size the model lacks gets the closest one it has.

Open WebUI sends 512x512 unless told otherwise, which gpt-image models refuse. A token (or a
model, by its `nearest_size` capability) may opt in: the size is then mapped to the allowed size
of the closest shape (aspect ratio), then the closest area, and the answer says which size was
used (`x-studio-size-used` and the JSON `size` field). Without the opt-in the 400 lists the
allowed sizes (the capability table's own message).
"""

from __future__ import annotations

import math
import re

from jobs.capabilities import Capabilities

SIZE_USED_HEADER = "x-studio-size-used"
DIMENSIONS = re.compile(r"^\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*$")


def nearest_size(asked: str, allowed: tuple[str, ...]) -> str | None:
    """The allowed `WxH` closest in shape, then in area, to `asked`; None when `asked` is not
    `WxH` or no allowed size is (a model with only "auto", say)."""
    wanted = _dimensions(asked)
    if wanted is None:
        return None
    candidates = [(size, dims) for size in allowed if (dims := _dimensions(size))]
    if not candidates:
        return None

    def distance(candidate: tuple[str, tuple[int, int]]) -> tuple[float, float]:
        width, height = candidate[1]
        shape = abs(math.log((width / height) / (wanted[0] / wanted[1])))
        area = abs(math.log((width * height) / (wanted[0] * wanted[1])))
        return round(shape, 6), area

    return min(candidates, key=distance)[0]


def fit_size(caps: Capabilities, asked: object, opted_in: bool) -> str | None:
    """The size to use instead of `asked`, or None to keep it (allowed, unset, or no opt-in)."""
    if not opted_in or not isinstance(asked, str) or not asked or asked in caps.sizes:
        return None
    return nearest_size(asked, caps.sizes)


def _dimensions(size: str) -> tuple[int, int] | None:
    match = DIMENSIONS.match(size)
    if not match or not int(match[1]) or not int(match[2]):
        return None
    return int(match[1]), int(match[2])
