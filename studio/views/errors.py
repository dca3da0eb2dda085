"""The CSRF failure page (settings.CSRF_FAILURE_VIEW); 400/403/404/500 are templates/NNN.html."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale or missing token: say so in the studio's words, not Django's yellow debug page."""
    # `reason` is Django's wording for developers; the log already has it (django.security.csrf).
    return render(request, "403_csrf.html", status=403)
