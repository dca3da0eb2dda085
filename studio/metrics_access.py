"""Who may read /metrics: a bearer token when one is set, otherwise internal addresses only.

Without a token, a request that came through a proxy is refused even from an internal address:
the proxy's own address says nothing about who is behind it. A proxy is known by any of the
headers proxies add (X-Forwarded-*, Forwarded, Via, X-Real-IP and the CDNs' client-address
headers); a scraper that reaches the studio directly sends none of them.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Lower-case header names (and prefixes) that only a proxy in between adds.
PROXY_HEADER_PREFIXES = ("x-forwarded-", "x-original-forwarded-")
PROXY_HEADERS = frozenset(
    {
        "forwarded",
        "via",
        "x-real-ip",
        "x-client-ip",
        "x-cluster-client-ip",
        "true-client-ip",
        "cf-connecting-ip",
        "fastly-client-ip",
        "x-proxyuser-ip",
    }
)


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
    if _came_through_a_proxy(request) or not _is_internal(request.META.get("REMOTE_ADDR")):
        return HttpResponse("Metrics are served to internal addresses only.\n", status=403)
    return None


def _came_through_a_proxy(request: HttpRequest) -> bool:
    names = {name.lower() for name in request.headers}
    return bool(names & PROXY_HEADERS) or any(
        name.startswith(PROXY_HEADER_PREFIXES) for name in names
    )


def _is_internal(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in settings.STUDIO_METRICS_NETWORKS)
