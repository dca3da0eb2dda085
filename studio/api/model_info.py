"""What `/v1/models` says about each model beyond OpenAI's shape: one `studio` field that apps
may read to offer only what the model accepts (and that OpenAI clients ignore)."""

from __future__ import annotations

from jobs.models import ProviderModel
from jobs.parameters import CHOICE_PARAMETERS, EDIT, GENERATE


def studio_field(model: ProviderModel) -> dict:
    """The model's limits from the capability table: its choices (`sizes`, `aspect_ratios`, …,
    empty when it takes none), how many images, and which calls it answers."""
    caps = model.capabilities()
    choices = {p.choices_from: list(getattr(caps, p.choices_from)) for p in CHOICE_PARAMETERS}
    return {
        **choices,
        "generations": GENERATE in caps.operations,
        "edits": EDIT in caps.operations,
        "variations": caps.variations,
        "n_max": caps.n_max,
        "max_input_images": caps.max_input_images if EDIT in caps.operations else 0,
        "masks": caps.mask,
        "prompt_max": caps.prompt_max,
        # Every model streams (completed events at least); these ones send previews as well.
        "streaming": True,
        "partial_images_max": caps.partial_images_max,
        "response_formats": list(caps.api_response_formats),
        "nearest_size": caps.nearest_size,
    }
