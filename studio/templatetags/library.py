"""The library part of the image page: the star, the teams holding the image, and sharing."""

from __future__ import annotations

from django import template

from jobs.models import Image
from studio.access import ORGANISERS, teams_where
from studio.forms.library import ShareForm
from studio.models import Favourite, LibraryItem

register = template.Library()


@register.inclusion_tag("studio/partials/library_image_panel.html", takes_context=True)
def image_library_panel(context, image: Image) -> dict:
    user = context["request"].user
    image.is_favourite = Favourite.objects.filter(user=user, image=image).exists()
    # Only the libraries of the viewer's own teams: another team's tags are its business.
    items = (
        LibraryItem.objects.filter(image=image, team__memberships__user=user)
        .select_related("team")
        .prefetch_related("tags", "collections")
    )
    share_teams = teams_where(user, *ORGANISERS).exclude(library_items__image=image)
    share_form = ShareForm(teams=share_teams) if image.owner_id == user.pk else None
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "image": image,
        "library_items": items,
        "share_form": share_form,
    }
