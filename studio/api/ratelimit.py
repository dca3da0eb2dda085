"""The per-token rate limit: requests per minute, counted in Redis so it holds across processes.

A fixed one-minute window per token (INCR + EXPIRE); the answer over the limit is 429 with the
seconds left in the window as Retry-After.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

import redis
from django.conf import settings
from django.utils.translation import gettext

from studio.api.errors import ApiError
from studio.models import ApiToken

WINDOW_SECONDS = 60
logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def check_rate_limit(token: ApiToken) -> None:
    """Count this request; raise a 429 ApiError when the token is over its limit this minute."""
    limit = token.rate_limit_per_minute
    if not limit:
        return
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"studio:api-rate:{token.token_hash[:32]}:{window}"
    try:
        pipe = _redis().pipeline()
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS + 5)
        count, _ = pipe.execute()
    except redis.RedisError:
        # Without Redis no job could be queued either; let the request say so, not the limiter.
        logger.warning("Rate limit not checked: Redis does not answer at %s", settings.REDIS_URL)
        return
    if count > limit:
        retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
        raise ApiError(
            429,
            gettext(
                "Rate limit reached for this API token: %(limit)s requests per minute. "
                "Try again in %(seconds)s seconds."
            )
            % {"limit": limit, "seconds": retry_after},
            type="rate_limit_error",
            code="rate_limit_exceeded",
            headers={"Retry-After": str(retry_after)},
        )
