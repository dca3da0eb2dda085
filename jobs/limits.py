"""Fair use of providers and people: concurrency slots and request rates, across every worker host.

Both live in Redis (the broker every worker already shares) and use Redis's own clock, so hosts
with skewed clocks still agree:

- A *slot* is held by a job from its submit until its ending (an async job holds it while the
  remote task runs). A provider, a model and a person each have a number of slots. A job takes
  all of its slots at once or none; a slot whose holder vanished (a killed worker) expires.
- A *rate* is a count of requests (submits and polls) per second, per provider and per model.

A job that finds no free slot stays queued and says what it waits for; it never fails for that.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import redis
from celery import current_app
from django.conf import settings

from jobs import messages as texts
from jobs.messages import JobText, job_text
from jobs.models import Job, QuotaLimit

# KEYS: the slot sets. ARGV: holder, ttl seconds, then one limit per key.
# Returns 0 when every slot was taken, else the 1-based position of the first full key.
_TAKE_SLOTS = """
local now = redis.call('TIME')
local now_s = tonumber(now[1]) + tonumber(now[2]) / 1000000
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now_s)
  if not redis.call('ZSCORE', key, ARGV[1]) then
    if redis.call('ZCARD', key) >= tonumber(ARGV[i + 2]) then
      return i
    end
  end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now_s + tonumber(ARGV[2]), ARGV[1])
  redis.call('EXPIRE', key, math.ceil(tonumber(ARGV[2])) + 60)
end
return 0
"""

# KEYS: one counter prefix per scope. ARGV: one limit per key.
# Returns 0 when the request may go now, else milliseconds until the next second starts.
_TAKE_RATE = """
local now = redis.call('TIME')
local second = now[1]
for i, prefix in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', prefix .. second) or '0')
  if count >= tonumber(ARGV[i]) then
    return math.max(1, 1000 - math.floor(tonumber(now[2]) / 1000))
  end
end
for i, prefix in ipairs(KEYS) do
  redis.call('INCR', prefix .. second)
  redis.call('EXPIRE', prefix .. second, 2)
end
return 0
"""


@dataclass(frozen=True)
class Scope:
    key: str  # a Redis key suffix, e.g. "provider:3"
    limit: int
    describe: JobText  # for a person: what the job waits for


@dataclass(frozen=True)
class Wait:
    seconds: float
    reason: JobText


def _client() -> redis.Redis:
    return _client_for(_broker_url())


@cache
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def _broker_url() -> str:
    return str(current_app.conf.broker_url or settings.REDIS_URL)


def _namespace() -> str:
    """Keys are per queue name, so two studios (or two test runs) on one Redis stay apart."""
    return f"studio:{current_app.conf.task_default_queue}:limits"


def slot_scopes(job: Job) -> list[Scope]:
    """The slots a job needs: its provider's, its model's and its owner's, where limited."""
    scopes = []
    model = job.model
    if model and model.provider.max_concurrent:
        scopes.append(
            Scope(
                f"provider:{model.provider_id}",
                model.provider.max_concurrent,
                job_text(
                    texts.WAIT_PROVIDER_SLOT,
                    provider=model.provider.name,
                    limit=model.provider.max_concurrent,
                ),
            )
        )
    if model and model.max_concurrent:
        scopes.append(
            Scope(
                f"model:{model.pk}",
                model.max_concurrent,
                job_text(texts.WAIT_MODEL_SLOT, model=model.name, limit=model.max_concurrent),
            )
        )
    per_person = running_limit_for(job.owner_id) if job.owner_id else 0
    if per_person:
        scopes.append(
            Scope(
                f"person:{job.owner_id}",
                per_person,
                job_text(texts.WAIT_PERSON, limit=per_person),
            )
        )
    return scopes


def running_limit_for(user_id: int) -> int:
    """How many jobs a person may have running at once: their own limit or the site default."""
    return _person_limit(user_id, "max_running_jobs", settings.STUDIO_MAX_RUNNING_JOBS)


def batch_limit_for(user_id: int) -> int:
    """How many prompts a person's batch may have (and unfinished jobs it may leave them)."""
    return _person_limit(user_id, "max_batch_prompts", settings.STUDIO_MAX_BATCH_PROMPTS)


def _person_limit(user_id: int, field: str, site_default: int) -> int:
    """A person's own quota row's value, else the default person row's, else the site's."""
    own = QuotaLimit.objects.filter(user_id=user_id).values_list(field, flat=True)
    default = QuotaLimit.objects.filter(
        scope=QuotaLimit.Scope.USER, user__isnull=True, team__isnull=True
    ).values_list(field, flat=True)
    for value in (*own, *default):
        if value:
            return value
    return site_default


def take_slots(job: Job, hold_seconds: float) -> Wait | None:
    """Hold every slot the job needs (refreshing ones it holds); None, or what it must wait for."""
    scopes = slot_scopes(job)
    if not scopes:
        return None
    keys = [f"{_namespace()}:slots:{scope.key}" for scope in scopes]
    full = _client().eval(
        _TAKE_SLOTS,
        len(keys),
        *keys,
        str(job.pk),
        hold_seconds,
        *[scope.limit for scope in scopes],
    )
    if not full:
        return None
    return Wait(settings.STUDIO_SLOT_RETRY_SECONDS, scopes[int(full) - 1].describe)


def release_slots(job: Job) -> None:
    """Give back whatever slots the job holds (an ending calls this after it commits)."""
    keys = [f"{_namespace()}:slots:{scope.key}" for scope in slot_scopes(job)]
    if not keys:
        return
    pipe = _client().pipeline()
    for key in keys:
        pipe.zrem(key, str(job.pk))
    pipe.execute()


def take_request(job: Job) -> float:
    """Count one request to the job's provider now; 0, or seconds to wait for the next second."""
    model = job.model
    scopes = []
    if model and model.provider.requests_per_second:
        scopes.append((f"provider:{model.provider_id}", model.provider.requests_per_second))
    if model and model.requests_per_second:
        scopes.append((f"model:{model.pk}", model.requests_per_second))
    if not scopes:
        return 0.0
    prefixes = [f"{_namespace()}:rate:{key}:" for key, _ in scopes]
    wait_ms = _client().eval(_TAKE_RATE, len(prefixes), *prefixes, *[limit for _, limit in scopes])
    return int(wait_ms) / 1000.0
