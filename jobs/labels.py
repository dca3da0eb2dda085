"""What each request parameter is called on a page: one table for the forms and the job pages."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PARAM_LABELS: dict[str, Promise] = {
    "size": _("Size"),
    "aspect_ratio": _("Aspect ratio"),
    "resolution": _("Resolution"),
    "quality": _("Quality"),
    "background": _("Background"),
    "output_format": _("Output format"),
    "output_compression": _("Compression (%)"),
    "moderation": _("Moderation"),
    "input_fidelity": _("Input fidelity"),
    "n": _("Number of images"),
}


def param_label(name: str) -> str | Promise:
    """The label of a stored parameter; an unknown one (from an older studio) reads as its name."""
    return PARAM_LABELS.get(name, name.replace("_", " ").capitalize())
