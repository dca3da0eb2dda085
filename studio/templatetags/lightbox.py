"""The attributes that let an image link open the lightbox (static/js/lightbox.js)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from jobs.models import Image

register = template.Library()


@register.simple_tag
def lightbox_attrs(image: Image) -> SafeString:
    """For a link to the image's page inside a `data-gallery` container: the lightbox shows the
    original at its size and fetches the panel; without JavaScript the link goes to the page."""
    return format_html(
        'data-pswp-src="{}" data-pswp-width="{}" data-pswp-height="{}" data-lightbox-panel="{}"',
        reverse("image-file", args=[image.pk]),
        image.width,
        image.height,
        reverse("image-lightbox", args=[image.pk]),
    )
