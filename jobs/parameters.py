"""The one registry of request parameters: what each is called on a page, what kind of value it
takes, where its allowed values come from and which operations take it.

The forms build their fields from it, `capabilities.check_request` validates against it, the
pipeline copies exactly these names into the provider request, and job pages label stored values
with it. Adding a parameter is one row here plus, when it has choices, a `Capabilities` field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    # A lazy translation, typed as the string it becomes (what form labels take).
    from django_stubs_ext import StrOrPromise, StrPromise

GENERATE = "generate"
EDIT = "edit"
BOTH = frozenset({GENERATE, EDIT})


@dataclass(frozen=True)
class Parameter:
    name: str
    label: StrPromise
    # "choice": one of the values a Capabilities attribute lists; "number": a whole number.
    kind: Literal["choice", "number"]
    # For choices, the Capabilities attribute listing the allowed values.
    choices_from: str = ""
    operations: frozenset[str] = BOTH


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("size", _("Size"), "choice", "sizes"),
    Parameter("aspect_ratio", _("Aspect ratio"), "choice", "aspect_ratios"),
    Parameter("resolution", _("Resolution"), "choice", "resolutions"),
    Parameter("quality", _("Quality"), "choice", "qualities"),
    Parameter("background", _("Background"), "choice", "backgrounds"),
    Parameter("output_format", _("Output format"), "choice", "output_formats"),
    Parameter("moderation", _("Moderation"), "choice", "moderations"),
    # dall-e-3's "vivid" or "natural" (OpenAI takes it on generations only).
    Parameter("style", _("Style"), "choice", "styles", frozenset({GENERATE})),
    # Only meaningful when source images are sent (OpenAI refuses it on generations).
    Parameter(
        "input_fidelity", _("Input fidelity"), "choice", "input_fidelities", frozenset({EDIT})
    ),
    Parameter("output_compression", _("Compression (%)"), "number"),
    # Rough versions streamed while the final image forms (the openai dialect's stream).
    Parameter("partial_images", _("Partial previews"), "number", operations=frozenset({GENERATE})),
)
PARAMETERS_BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
CHOICE_PARAMETERS: tuple[Parameter, ...] = tuple(p for p in PARAMETERS if p.kind == "choice")
# The number of images is not a request parameter (every dialect has its own `n`), but pages
# label it beside them.
COUNT_LABEL: StrPromise = _("Number of images")


def param_label(name: str) -> StrOrPromise:
    """The label of a stored parameter; an unknown one (from an older studio) reads as its name."""
    if name == "n":
        return COUNT_LABEL
    parameter = PARAMETERS_BY_NAME.get(name)
    return parameter.label if parameter else name.replace("_", " ").capitalize()
