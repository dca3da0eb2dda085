"""Waiting for jobs without holding a thread, a worker or a database connection per caller.

A waiting API call awaits a future. One watcher per event loop looks at the rows of every job
being waited for with a single query every POLL_SECONDS, on its own thread (one database
connection in all), and resolves the futures of the jobs that became final. Under an ASGI server
there is one loop per process, so 100 waiting calls cost one query per half second.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, connection

from jobs.models import Job
from jobs.models.job import FINAL_STATUSES

POLL_SECONDS = 0.5
logger = logging.getLogger(__name__)


class JobWatcher:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiters: dict[str, list[asyncio.Future]] = {}
        self.task: asyncio.Task | None = None

    async def wait(self, job_id: str, timeout: float) -> bool:
        """True when the job is final within `timeout` seconds, False otherwise."""
        future = self.loop.create_future()
        self.waiters.setdefault(job_id, []).append(future)
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self._watch())
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return False
        finally:
            waiting = self.waiters.get(job_id, [])
            if future in waiting:
                waiting.remove(future)
            if not waiting:
                self.waiters.pop(job_id, None)
        return True

    async def _watch(self) -> None:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="api-job-watcher")
        try:
            while self.waiters:
                await asyncio.sleep(POLL_SECONDS)
                ids = list(self.waiters)
                try:
                    final = await self.loop.run_in_executor(executor, final_job_ids, ids)
                except Exception:
                    logger.exception("Could not read the status of %d waited-for jobs", len(ids))
                    continue
                for job_id in final:
                    for future in self.waiters.pop(job_id, []):
                        if not future.done():
                            future.set_result(True)
        finally:
            await self.loop.run_in_executor(executor, close_this_threads_connection)
            executor.shutdown(wait=False)
            if self.waiters:  # someone started waiting while this watch was closing
                self.task = self.loop.create_task(self._watch())


def final_job_ids(job_ids: list[str]) -> set[str]:
    """The ids among `job_ids` whose job has ended. Runs on the watcher's thread, which keeps its
    one connection while jobs are waited for; a broken one is dropped and reopened next time."""
    finals = Job.objects.filter(pk__in=job_ids, status__in=FINAL_STATUSES)
    try:
        return {str(pk) for pk in finals.values_list("pk", flat=True)}
    except DatabaseError:
        connection.close()
        raise


def close_this_threads_connection() -> None:
    """Runs on the watcher's thread. Django's `connection` is per thread, so it is looked up
    here: `connection.close` taken on the event loop's thread is that thread's connection, which
    Django refuses to close from another (and the watcher's would stay open, holding a pooled
    connection for good)."""
    connection.close()


_watchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, JobWatcher] = (
    weakref.WeakKeyDictionary()
)


async def wait_for_job(job_id: str, timeout: float) -> bool:
    """Wait (without blocking the loop) until the job is final; False if `timeout` passed first."""
    loop = asyncio.get_running_loop()
    watcher = _watchers.get(loop)
    if watcher is None:
        watcher = _watchers[loop] = JobWatcher(loop)
    return await watcher.wait(str(job_id), timeout)
