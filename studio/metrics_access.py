"""Who may read /metrics: a bearer token when one is set, otherwise internal addresses only.

Without a token, a request that came through a proxy (it carries X-Forwarded-For) is refused even
from an internal address: the proxy's own address says nothing about who is behind it.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def metrics_refusal(request: HttpRequest) -> HttpResponse | None:
    """None when the caller may read the metrics; otherwise the 401 or 403 to answer."""
    token = settings.STUDIO_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return None
        response = HttpResponse("A metrics token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if "X-Forwarded-For" in request.headers or not _is_internal(request.META.get("REMOTE_ADDR")):
        return HttpResponse("Metrics are served to internal addresses only.\n", status=403)
    return None


def _is_internal(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in settings.STUDIO_METRICS_NETWORKS)
