"""Login throttling with django-axes, by (account, address) pair, so that one person cannot lock
out everyone:

- STUDIO_LOGIN_FAILURE_LIMIT failures for one account from one address lock that pair (axes'
  AXES_LOCKOUT_PARAMETERS). Whoever mistyped, or whoever guesses a named account, is stopped
  there; the account still opens from elsewhere and colleagues behind the same address (an office
  NAT) are not touched.
- STUDIO_LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, over all its accounts, lock the
  whole address: that stops one address trying many accounts. Axes has one limit for every
  parameter, so this one is kept here. A locked pair adds no failures while it is locked (axes
  records none then), so one person alone cannot reach it.

The login page, /admin/ and any later authentication that calls `authenticate(request, ...)` pass
through the same backend; API tokens use the same locks (studio/api/tokens.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class AxesRequest(HttpRequest):
    """A request that axes' `AxesProxyHandler.update_request` has marked (axes has no types of its
    own): the client's address, when the attempt was made, and whether it is locked out."""

    axes_ip_address: str | None
    axes_attempt_time: datetime
    axes_locked_out: bool


def axes_request(request: HttpRequest) -> AxesRequest:
    """`request` with axes' marks (set once: axes leaves a request it has marked as it is)."""
    AxesProxyHandler.update_request(request)
    return cast(AxesRequest, request)


@dataclass(frozen=True)
class Lock:
    seconds: int  # until it ends
    whole_address: bool  # the address's own limit, not one account's from it

    @property
    def minutes(self) -> int:
        return math.ceil(self.seconds / 60)


def lock_on(address: str | None, username: str | None, now: datetime) -> Lock | None:
    """The lock on `username` from `address`, or on the whole address; the longer one when both.

    `username` None asks about the address alone. Failures recorded within the cool-off time
    count, as axes counts them.
    """
    # axes.conf gives its settings their defaults when axes loads; enabled unless turned off.
    if not getattr(settings, "AXES_ENABLED", True) or not address:
        return None
    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=now - cool_off)
    rows = list(
        recent.order_by("attempt_time").values_list(
            "username", "attempt_time", "failures_since_start"
        )
    )
    pair = [(time, count) for name, time, count in rows if username and name == username]
    everyone = [(time, count) for _name, time, count in rows]
    pair_seconds = _seconds_locked(pair, settings.AXES_FAILURE_LIMIT, now)
    address_seconds = _seconds_locked(everyone, settings.STUDIO_LOGIN_ADDRESS_FAILURE_LIMIT, now)
    if not pair_seconds and not address_seconds:
        return None
    return Lock(max(pair_seconds, address_seconds), address_seconds >= pair_seconds)


def _seconds_locked(rows: list[tuple[datetime, int]], limit: int, now: datetime) -> int:
    """Seconds until fewer than `limit` failures are recent; 0 when they already are.

    Each row holds the failures of one (account, address, browser) and the time of its last one;
    rows come oldest first, and the lock lasts until enough of them are older than the cool-off.
    """
    failures = sum(count for _time, count in rows)
    if failures < limit:
        return 0
    ends = now
    for attempt_time, count in rows:
        if failures < limit:
            break
        ends = attempt_time + settings.AXES_COOLOFF_TIME
        failures -= count
    return max(1, math.ceil((ends - now).total_seconds()))


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' check of the (account, address) pair, then the address's own limit, for every
    authentication that comes with a request.

    Calls without a request (a shell, the test client's `login()`) have no address to count and
    cannot come from the network, so they are left to the next backend instead of refused.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        super().authenticate(request, *args, **kwargs)  # raises while the pair is locked
        attempt = axes_request(request)
        if lock_on(attempt.axes_ip_address, None, attempt.axes_attempt_time):
            # As axes does for the pair: the failure is not recorded (the lock ends on time), and
            # AxesMiddleware answers with `locked_out` below.
            attempt.axes_locked_out = True
            raise AxesBackendPermissionDenied("Too many failed logins from this address")
        return None


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


def locked_out(
    request: AxesRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page shown instead of logging in while the account (from this address) or the address
    is locked, saying when the lock ends (axes calls it, AXES_LOCKOUT_CALLABLE, on a request it
    has marked)."""

    # Axes' ASGI path passes the credentials in the second place: the request's copy is reliable.
    credentials = getattr(request, "axes_credentials", None) or credentials
    now = request.axes_attempt_time
    username = get_client_username(request, credentials)
    lock = lock_on(request.axes_ip_address, username, now)
    if lock is None:  # ended in the meantime: say the longest it can be
        lock = Lock(int(settings.AXES_COOLOFF_TIME.total_seconds()), whole_address=False)
    context = {
        "minutes": lock.minutes,
        "ends": now + timedelta(seconds=lock.seconds),
        "whole_address": lock.whole_address,
    }
    return render(request, "registration/locked_out.html", context, status=429)
