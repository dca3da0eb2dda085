"""Probes for orchestrators and Prometheus: /healthz, /readyz, /metrics; and /favicon.ico.

None of them needs a login; /metrics is guarded by a token or by the caller's address instead
(studio/metrics_access.py). None of them touches the session, so probes leave no trace.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from jobs import health
from studio.metrics_access import metrics_refusal
from studio.prometheus import render_metrics

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers HTTP. Touches no dependency, so a database outage does not
    make an orchestrator restart every web server at once."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 when database, Redis, storage and a worker answer; 503 naming what is down."""
    results = health.readiness()
    down = [result.name for result in results if not result.ok]
    for result in results:
        if not result.ok:
            logger.warning("readiness: %s is down: %s", result.name, result.detail)
    body = {
        "status": "ok" if not down else "down: " + ", ".join(down),
        "checks": {result.name: "ok" if result.ok else "down" for result in results},
    }
    return JsonResponse(body, status=503 if down else 200)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    refusal = metrics_refusal(request)
    if refusal is not None:
        return refusal
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and tools ask for /favicon.ico whatever the pages link: the icon in static/ (its
    hashed name in production, hence a redirect rather than a fixed path)."""
    return HttpResponseRedirect(static("icons/favicon.ico"))
