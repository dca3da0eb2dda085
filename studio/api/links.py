"""Links to result images that work for an hour without a session or a token.

Some clients download a `url` answer with their bearer token, others without any header; the link
itself carries the permission (a signature over the image id and the time it was made), so both
work, and it is always on the studio's own host, never a provider's.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

from jobs.models import Image

SALT = "studio.api.image-link"
LINK_SECONDS = 3600


def signed_image_url(request: HttpRequest, image: Image) -> str:
    signed = signing.TimestampSigner(salt=SALT).sign(str(image.pk))
    return request.build_absolute_uri(reverse("api-image-file", args=[signed]))


def image_id_from_link(signed: str, max_age: int = LINK_SECONDS) -> str | None:
    """The image id a link was made for, or None when it is forged or older than `max_age`."""
    try:
        return signing.TimestampSigner(salt=SALT).unsign(signed, max_age=max_age)
    except signing.BadSignature:  # includes SignatureExpired
        return None
