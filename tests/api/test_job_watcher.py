"""The API's job watcher (studio/api/waiting.py): one thread and one connection for every wait."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from jobs.models import JobStatus
from studio.api.waiting import JobWatcher
from tests.world import make_job

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_watch_ends_cleanly_and_the_next_wait_is_answered(alice):
    """A watch ends when nobody waits any more, closing its thread's connection. It used to close
    the event loop thread's connection from the watcher's thread instead: Django refused
    ("DatabaseWrapper objects created in a thread can only be used in that same thread"), the
    watcher's own connection stayed open, and with a connection pool (docker-compose's) every
    watch kept one until the pool ran dry and waits timed out."""
    finished = [make_job(alice, status=JobStatus.SUCCEEDED) for _ in range(2)]

    async def two_watches() -> list[bool]:
        watcher = JobWatcher(asyncio.get_running_loop())
        answers = []
        for job in finished:
            answers.append(await watcher.wait(str(job.pk), 10))
            await watcher.task  # the watch ends with nobody waiting; raised before the fix
        return answers

    # A thread of its own: a browser test may have left Playwright's loop marked on this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        assert thread.submit(asyncio.run, two_watches()).result() == [True, True]
