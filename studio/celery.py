"""The Celery app: configured from Django settings (CELERY_*), the engine's tasks registered."""

import os
import threading
from typing import Protocol

from celery import Celery
from celery.signals import worker_init, worker_process_init, worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")

app = Celery("studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The engine's tasks live in jobs/engine/tasks.py, where the default discovery (`<app>.tasks` of
# each installed app) would not look: name the package. No other app has tasks.
app.autodiscover_tasks(["jobs.engine"])


@worker_init.connect
@worker_process_init.connect
def _enter_worker_mode(**_: object) -> None:
    """Bound database connections and result memory across the pool's threads (jobs.concurrency)."""
    from jobs.concurrency import enter_worker_mode

    enter_worker_mode()


_heartbeat_stop = threading.Event()


class _Worker(Protocol):
    """What sends worker_ready (the consumer) and worker_shutdown (the worker): a node name."""

    hostname: str


@worker_ready.connect
def _start_worker_heartbeat(sender: _Worker, **_kwargs: object) -> None:
    """Readiness (/readyz) and the ops page know a worker is alive by its heartbeat in Redis."""
    from jobs.health import start_heartbeat

    _heartbeat_stop.clear()
    start_heartbeat(sender.hostname, _heartbeat_stop)


@worker_shutdown.connect
def _stop_worker_heartbeat(sender: _Worker, **_kwargs: object) -> None:
    from jobs.health import forget_worker

    _heartbeat_stop.set()
    forget_worker(sender.hostname)
