"""The retry policy: when a failure is worth another try, and how long every kind of wait lasts.

Submits (POSTs) are never retried in place by the HTTP client, because a retried submit may be
billed twice: the engine retries them itself, one recorded attempt each, with `retry_delay` as its
clock, within a window (`should_give_up`). Polls are idempotent: the client retries them in
place a couple of times, and the engine polls again later while `poll_error_is_transient`. The
waits between polls (`next_poll_delay`) and between looks for a free slot (`slot_retry_delay`)
are here too.
"""

from __future__ import annotations

import random
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from jobs.limits import Wait
from jobs.models import Job
from jobs.providers import ProviderError

MAX_RETRY_DELAY = 60.0
RETRY_BASE_DELAY = 2.0
DEFAULT_RETRY_WINDOW_SECONDS = 300.0  # how long a job keeps retrying transient failures
POLL_NOT_FOUND_LIMIT = 3  # a poll's 404 is tried again this many times before it is final
POLL_GROWTH = 0.12  # the wait before the next poll, as a share of the time the task has run
SLOT_BACKOFF = 0.2  # a job waiting for a slot looks again after a fifth of its wait so far
MAX_SLOT_RETRY_SECONDS = 30.0


def should_give_up(
    first_failure_at: datetime,
    now: datetime,
    window_seconds: float = DEFAULT_RETRY_WINDOW_SECONDS,
) -> bool:
    """True once transient failures have gone on for the whole retry window.

    A window, not a count: a provider outage of a minute or two must not fail every job that
    was in flight, however quickly the first attempts came back.
    """
    return (now - first_failure_at).total_seconds() >= window_seconds


def poll_error_is_transient(error: ProviderError, not_found_so_far: int) -> bool:
    """Whether a failed poll is worth another poll.

    Relays often answer 404 for a task id they accepted moments ago (the task is not yet
    replicated to the node that answers polls), so a 404 is retried POLL_NOT_FOUND_LIMIT times
    before it counts as "this task does not exist".
    """
    if error.status == 404:
        return not_found_so_far < POLL_NOT_FOUND_LIMIT
    return not error.permanent


def retry_delay(attempt: int, error: ProviderError) -> float:
    """Seconds to wait before attempt number `attempt + 1` of a submit (attempt counts from 1).

    The provider's own Retry-After wins; otherwise exponential backoff with "equal jitter"
    (half the step fixed, half random) so many jobs failing together do not retry together.
    """
    if error.retry_after is not None:
        return min(error.retry_after + random.uniform(0, 0.5), MAX_RETRY_DELAY)  # noqa: S311
    step = min(RETRY_BASE_DELAY * 2 ** max(attempt - 1, 0), MAX_RETRY_DELAY)
    return step / 2 + random.uniform(0, step / 2)  # noqa: S311


def next_poll_delay(job: Job) -> float:
    """Polls come often while a task is young and spread out as it runs long."""
    running_for = job.poll_count * settings.STUDIO_POLL_MIN_SECONDS
    if job.deadline_at:
        deadline = job.model.capabilities().poll_deadline_seconds if job.model else 0
        running_for = max(deadline - (job.deadline_at - timezone.now()).total_seconds(), 0)
    delay = POLL_GROWTH * running_for
    return min(max(delay, settings.STUDIO_POLL_MIN_SECONDS), settings.STUDIO_POLL_MAX_SECONDS)


def slot_retry_delay(job: Job, wait: Wait) -> float:
    """Look again soon while the wait is young, less often as it grows (a person's batch of a
    thousand jobs must not become a thousand claims every two seconds), with a little jitter."""
    waited = max((timezone.now() - job.created_at).total_seconds(), 0.0)
    delay = min(max(wait.seconds, SLOT_BACKOFF * waited), MAX_SLOT_RETRY_SECONDS)
    return delay + random.uniform(0, delay / 4)  # noqa: S311 (spreading, not secrecy)
