"""The library part of the image page: the star, the teams holding the image, and sharing."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Context

from jobs.models import Image
from studio import library
from studio.forms.library import ShareForm
from studio.marks import mark_favourite

register = template.Library()


@register.inclusion_tag("studio/partials/library_image_panel.html", takes_context=True)
def image_library_panel(context: Context, image: Image) -> dict[str, Any]:
    user = context["request"].user
    panel = library.image_library_panel(user, image)
    mark_favourite(image, panel.is_favourite)
    share_form = ShareForm(teams=panel.share_teams) if image.owner_id == user.pk else None
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "image": image,
        "library_items": panel.library_items,
        "share_form": share_form,
    }
