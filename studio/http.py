"""The request a signed-in page receives, typed for the checker.

Django's `HttpRequest.user` is a person or `AnonymousUser`. Behind `login_required` it is always a
person, so those views take an `AuthenticatedHttpRequest`: the same object, with `user` typed as
the `User` that queries by owner expect. Nothing is created or checked at run time; this is the
pattern django-stubs documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
