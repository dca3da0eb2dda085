"""The one registry of request parameters: what each is called on a page, what kind of value it
takes, where its allowed values come from and which operations take it.

The forms build their fields from it, `request_checks.check_request` validates against it, the
pipeline copies exactly these names into the provider request (`ImageRequest.params`, which takes
no other), and job pages label stored values with it. Adding a parameter is one row here plus,
when it has choices, a `Capabilities` field; each dialect then decides whether it sends it.

Plain Python, like the dialects that read it: a label is English text marked for the catalog
(`gettext_noop`) and translated where it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GENERATE = "generate"
EDIT = "edit"
BOTH = frozenset({GENERATE, EDIT})


def gettext_noop(message: str) -> str:
    """Mark `message` for the translation catalog (makemessages looks for this name) and return
    it untranslated: pages translate a label as they show it, in the reader's language."""
    return message


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str  # English, marked for the catalog; shown through gettext
    # "choice": one of the values a Capabilities attribute lists; "number": a whole number.
    kind: Literal["choice", "number"]
    # For choices, the Capabilities attribute listing the allowed values.
    choices_from: str = ""
    operations: frozenset[str] = BOTH
    # Defined by OpenAI's Images API (apps send those whatever the model); False: the studio's own.
    openai: bool = True
    # The price of an image depends on it (the estimate reads only these).
    priced: bool = False
    # The studio page shows its choices as chips (few, short values compared at a glance).
    chips: bool = False


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("size", gettext_noop("Size"), "choice", "sizes", priced=True, chips=True),
    # grok's: an aspect ratio and a resolution instead of a size.
    Parameter(
        "aspect_ratio",
        gettext_noop("Aspect ratio"),
        "choice",
        "aspect_ratios",
        openai=False,
        chips=True,
    ),
    Parameter(
        "resolution",
        gettext_noop("Resolution"),
        "choice",
        "resolutions",
        openai=False,
        priced=True,
        chips=True,
    ),
    Parameter("quality", gettext_noop("Quality"), "choice", "qualities", priced=True, chips=True),
    Parameter("background", gettext_noop("Background"), "choice", "backgrounds"),
    Parameter("output_format", gettext_noop("Output format"), "choice", "output_formats"),
    Parameter("moderation", gettext_noop("Moderation"), "choice", "moderations"),
    # dall-e-3's "vivid" or "natural" (OpenAI takes it on generations only).
    Parameter("style", gettext_noop("Style"), "choice", "styles", frozenset({GENERATE})),
    # Only meaningful when source images are sent (OpenAI refuses it on generations).
    Parameter(
        "input_fidelity",
        gettext_noop("Input fidelity"),
        "choice",
        "input_fidelities",
        frozenset({EDIT}),
    ),
    Parameter("output_compression", gettext_noop("Compression (%)"), "number"),
    # Rough versions streamed while the final image forms (the openai dialect's stream).
    Parameter(
        "partial_images",
        gettext_noop("Partial previews"),
        "number",
        operations=frozenset({GENERATE}),
    ),
)
PARAMETERS_BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
CHOICE_PARAMETERS: tuple[Parameter, ...] = tuple(p for p in PARAMETERS if p.kind == "choice")
PRICED_PARAMETERS: tuple[str, ...] = tuple(p.name for p in PARAMETERS if p.priced)
CHIP_PARAMETERS: tuple[str, ...] = tuple(p.name for p in PARAMETERS if p.chips)
# The number of images is not a request parameter (every dialect has its own `n`), but pages
# label it beside them.
COUNT_LABEL = gettext_noop("Number of images")
# Words among the allowed values of choices (the API's own values, which forms send as they are),
# as a page shows them: English, marked for the catalog, translated where shown. A value not
# listed (a size, a format) reads as it is.
VALUE_LABELS: dict[str, str] = {
    "auto": gettext_noop("Auto"),
    "low": gettext_noop("Low"),
    "medium": gettext_noop("Medium"),
    "high": gettext_noop("High"),
    "standard": gettext_noop("Standard"),
    "hd": gettext_noop("HD"),
}
# What OpenAI's variations endpoint takes besides the image (no prompt, no quality): the API
# accepts these from apps, and the openai dialect sends these.
VARIATION_FIELDS: tuple[str, ...] = ("model", "n", "size", "response_format", "user")


def param_label(name: str) -> str:
    """The English label of a stored parameter, for gettext; an unknown one (from an older
    studio) reads as its name."""
    if name == "n":
        return COUNT_LABEL
    parameter = PARAMETERS_BY_NAME.get(name)
    return parameter.label if parameter else name.replace("_", " ").capitalize()
