"""The API's rate limits: requests per minute per token and per person, counted in Redis so they
hold across processes.

Each token has its own limit (`ApiToken.rate_limit_per_minute`); a person's tokens together have
STUDIO_API_PERSON_RATE_LIMIT, so making more tokens does not raise what one person may send. Both
are fixed one-minute windows (INCR + EXPIRE, in one round trip); over either, the answer is 429
with the seconds left in the window as Retry-After.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

import redis
from django.conf import settings
from django.utils.translation import gettext

from jobs.metrics import namespace
from studio.api.errors import ApiError
from studio.models import ApiToken

WINDOW_SECONDS = 60
logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def check_rate_limit(token: ApiToken) -> None:
    """Count this request; raise a 429 ApiError when the token or its owner is over the limit."""
    token_limit = token.rate_limit_per_minute
    person_limit: int = settings.STUDIO_API_PERSON_RATE_LIMIT
    if not token_limit and not person_limit:
        return
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    # The token's key is its hash's (unique everywhere); a person's id is unique only within one
    # studio's database, so their key carries the studio's namespace.
    counters = {
        f"studio:api-rate:{token.token_hash[:32]}:{window}": token_limit,
        f"{namespace()}:api-rate:person:{token.user_id}:{window}": person_limit,
    }
    try:
        pipe = _redis().pipeline()
        for key in counters:
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS + 5)
        token_count, _, person_count, _ = pipe.execute()
    except redis.RedisError as error:
        # Without Redis no job could be queued either; let the request say so, not the limiter.
        # (studio/logs.py masks the URL's password.)
        logger.warning(
            "Rate limit not checked: Redis does not answer at %s (%s)",
            settings.REDIS_URL,
            type(error).__name__,
        )
        return
    retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
    if token_limit and token_count > token_limit:
        message = gettext(
            "Rate limit reached for this API token: %(limit)s requests per minute. "
            "Try again in %(seconds)s seconds."
        )
        raise _too_many(message % {"limit": token_limit, "seconds": retry_after}, retry_after)
    if person_limit and person_count > person_limit:
        message = gettext(
            "Rate limit reached for your account: %(limit)s requests per minute over all your "
            "API tokens. Try again in %(seconds)s seconds."
        )
        raise _too_many(message % {"limit": person_limit, "seconds": retry_after}, retry_after)


def _too_many(message: str, retry_after: int) -> ApiError:
    return ApiError(
        429,
        message,
        type="rate_limit_error",
        code="rate_limit_exceeded",
        headers={"Retry-After": str(retry_after)},
    )
