"""Which of a call's OpenAI Images API parameters the chosen model takes.

Apps send OpenAI's whole parameter set whatever the model (Dify's DALL-E tool always sends
`style`, LobeChat sends `input_fidelity` on every edit), so a parameter OpenAI defines that this
model does not take is dropped, not refused, and named in the `x-studio-ignored-params` header.
A name OpenAI does not define is still a 400. The studio's own parameters come from the registry
(jobs/parameters.py); what a model takes, from the capability table (jobs/capabilities.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jobs.capabilities import Capabilities
from jobs.form_fields import model_takes
from jobs.parameters import GENERATE, PARAMETERS
from studio.api.errors import invalid
from studio.api.sizes import SIZE_USED_HEADER, fit_size

IGNORED_HEADER = "x-studio-ignored-params"
RESPONSE_FORMATS = ("b64_json", "url")
# What every call may carry besides the registry's parameters.
CALL_PARAMETERS = ("model", "prompt", "n", "response_format", "user", "stream")
REGISTRY_PARAMETERS = tuple(parameter.name for parameter in PARAMETERS)
KNOWN_PARAMETERS = frozenset(CALL_PARAMETERS + REGISTRY_PARAMETERS)
# The registry's parameters that OpenAI's Images API defines: apps send these whatever the model.
# The studio's own (grok's aspect_ratio, resolution) are only sent by callers who chose them, so
# one the model does not take stays a 400 that says so.
OPENAI_PARAMETERS = frozenset(parameter.name for parameter in PARAMETERS if parameter.openai)
TRUE_WORDS = ("true", "1")
FALSE_WORDS = ("false", "0", "")


@dataclass(frozen=True)
class TakenParameters:
    """The part of a call's body that the model takes, and how to answer it."""

    body: dict[str, object]
    ignored: tuple[str, ...]
    response_format: str
    stream: bool
    size_used: str | None = None  # the nearest allowed size put in place of the one asked for


def refuse_unknown(body: Mapping[str, object], extra: frozenset[str] = frozenset()) -> None:
    """400 naming the first parameter that OpenAI's Images API (and the studio) do not define."""
    for name in body:
        if name not in KNOWN_PARAMETERS and name not in extra:
            raise invalid(
                _("Unknown parameter: '%(name)s'.") % {"name": name}, name, "unknown_parameter"
            )


def take_parameters(
    caps: Capabilities, operation: str, body: Mapping[str, object], nearest_size: bool = False
) -> TakenParameters:
    """Drop (and name) the known parameters this model does not take for this operation; with
    `nearest_size` (the token's or the model's choice), put the closest allowed size in place
    of one the model lacks."""
    stream = _stream(body.get("stream"))
    ignored = [
        name
        for name in REGISTRY_PARAMETERS
        if name in OPENAI_PARAMETERS
        and _is_set(body.get(name))
        and not _taken(caps, operation, name, stream)
    ]
    response_format, format_ignored = _response_format(caps, body.get("response_format"))
    if format_ignored:
        ignored.append("response_format")
    kept = {
        name: value
        for name, value in body.items()
        if name not in ignored and name not in ("stream", "response_format")
    }
    size_used = fit_size(caps, kept.get("size"), nearest_size or caps.nearest_size)
    if size_used:
        kept["size"] = size_used
    return TakenParameters(kept, tuple(ignored), response_format, stream, size_used)


def answer_headers(ignored: tuple[str, ...], size_used: str | None) -> dict[str, str]:
    """The headers naming the dropped parameters and the size used instead of the one asked."""
    headers = {IGNORED_HEADER: ", ".join(ignored)} if ignored else {}
    if size_used:
        headers[SIZE_USED_HEADER] = size_used
    return headers


def _taken(caps: Capabilities, operation: str, name: str, stream: bool) -> bool:
    # Partial images exist only to be streamed: without `stream` they would show nowhere.
    if name == "partial_images" and not (stream and operation == GENERATE):
        return False
    return model_takes(caps, operation, name)


def _is_set(value: object) -> bool:
    return value not in (None, "")


def _stream(value: object) -> bool:
    """`stream` as JSON sends it (true/false) or as a multipart edit does ("true"/"false")."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise invalid(_("'stream' must be true or false."), "stream")


def _response_format(caps: Capabilities, value: object) -> tuple[str, bool]:
    """(the format to answer in, whether the one asked for was dropped)."""
    default = caps.api_response_formats[0]
    if not _is_set(value):
        return default, False
    if value not in RESPONSE_FORMATS:
        raise invalid(_("'response_format' must be 'b64_json' or 'url'."), "response_format")
    if value not in caps.api_response_formats:
        return default, True
    return str(value), False
