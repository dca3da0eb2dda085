"""Login throttling with django-axes: failed logins are counted per account and per address, and
either one reaching the limit locks logins for a while. The login page, /admin/ and any later
authentication that calls `authenticate(request, ...)` pass through the same backend."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' check, for every authentication that comes with a request.

    Calls without a request (a shell, the test client's `login()`) have no address to count and
    cannot come from the network, so they are left to the next backend instead of refused.
    """

    def authenticate(self, request: HttpRequest | None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def client_address(request: HttpRequest) -> str | None:
    """The address to count failures against.

    Behind STUDIO_TRUSTED_PROXIES reverse proxies, each of which appends the address it saw to
    X-Forwarded-For, the client is that many entries from the right; anything further left was
    written by the client and is not trusted. Without proxies it is the connection's address.
    """
    proxies = settings.STUDIO_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The page shown instead of logging in while the account or the address is locked."""
    minutes = max(int(settings.AXES_COOLOFF_TIME.total_seconds() // 60), 1)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
