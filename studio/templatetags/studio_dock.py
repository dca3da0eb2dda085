"""The dock's options, grouped as the studio page lays them out (see studio/dock.py)."""

from __future__ import annotations

from django import template

from jobs.parameters import PARAMETERS_BY_NAME
from studio.dock import CHIP_FIELDS, option_chips
from studio.forms.generate import GenerateForm

register = template.Library()


@register.simple_tag
def dock_options(form: GenerateForm) -> dict:
    """{"chips": [(field, chips)], "count": the n field or None, "more": [fields]} of the
    chosen model's own fields: short choices as chips, the number of images as a stepper, the
    rest under "More options"."""
    caps = form.capabilities
    groups: dict = {"chips": [], "count": None, "more": []}
    if caps is None:
        return groups
    for field in form:
        if field.name in form.common_fields:
            continue
        if field.name == "n":
            groups["count"] = field
        elif field.name in CHIP_FIELDS:
            values = getattr(caps, PARAMETERS_BY_NAME[field.name].choices_from)
            default = caps.defaults.get(field.name, "")
            groups["chips"].append(
                (field, option_chips(field.name, values, field.value(), default))
            )
        else:
            groups["more"].append(field)
    return groups
