"""Which request fields a model takes: what the forms show, in display order, and what the
studio's API accepts. Driven by the parameter registry and the model's capabilities."""

from __future__ import annotations

from jobs.capabilities import Capabilities
from jobs.parameters import EDIT, PARAMETERS, PARAMETERS_BY_NAME, Parameter


def visible_fields(caps: Capabilities, operation: str) -> list[str]:
    """The form fields this model supports for this operation, in display order."""
    fields = []
    if operation == EDIT:
        fields.append("image")
        if caps.mask:
            fields.append("mask")
    fields.append("prompt")
    if caps.n_max > caps.n_min:
        fields.append("n")
    fields.extend(
        parameter.name
        for parameter in PARAMETERS
        if operation in parameter.operations and _model_takes(caps, parameter)
    )
    return fields


def model_takes(caps: Capabilities, operation: str, name: str) -> bool:
    """Whether this model takes the registry parameter `name` for this operation."""
    parameter = PARAMETERS_BY_NAME[name]
    return operation in parameter.operations and _model_takes(caps, parameter)


def _model_takes(caps: Capabilities, parameter: Parameter) -> bool:
    if parameter.kind == "choice":
        return bool(getattr(caps, parameter.choices_from))
    if parameter.name == "output_compression":
        return caps.output_compression
    return parameter.name == "partial_images" and caps.partial_images_max > 0
