"""The figures of the admin's ops page: queue, workers, running jobs, errors, slow providers.

Read from the job rows (the last hour) and from Redis (now); the charts are drawn by the same
server-side bar chart as the usage report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import redis
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from jobs import metrics
from jobs.health import recent_workers
from jobs.models import Job, JobStatus
from jobs.models.job import FINAL_STATUSES
from jobs.usage_report import Chart, bar_chart

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Figure:
    label: str
    value: float


@dataclass
class OpsReport:
    queue: list[Figure] = field(default_factory=list)
    workers: list[Figure] = field(default_factory=list)  # seconds since each one's heartbeat
    running_jobs: list[Figure] = field(default_factory=list)
    error_rate: list[Figure] = field(default_factory=list)  # % of jobs ended failed, per provider
    slowest: list[Figure] = field(default_factory=list)  # mean seconds of succeeded jobs
    redis_problem: str = ""

    def charts(self) -> dict[str, Chart]:
        return {
            name: bar_chart(getattr(self, name), "value")
            for name in ("queue", "running_jobs", "error_rate", "slowest")
        }


def ops_report(queue_names: list[str]) -> OpsReport:
    report = OpsReport()
    try:
        depths = metrics.queue_depths(queue_names)
        report.queue = [Figure(name, depth) for name, depth in depths.items()]
        report.queue.append(Figure("held by workers (scheduled)", metrics.reserved_messages()))
        report.workers = [Figure(name, age) for name, age in sorted(recent_workers().items())]
    except redis.RedisError as error:
        report.redis_problem = f"Redis did not answer: {error}"
    report.running_jobs = _running_per_provider()
    report.error_rate, report.slowest = _last_hour_per_provider()
    return report


def _running_per_provider() -> list[Figure]:
    rows = (
        Job.objects.filter(status=JobStatus.RUNNING)
        .values("provider_name")
        .annotate(n=Count("id"))
        .order_by("-n", "provider_name")
    )
    return [Figure(row["provider_name"], row["n"]) for row in rows]


def _last_hour_per_provider() -> tuple[list[Figure], list[Figure]]:
    since = timezone.now() - WINDOW
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    rows = (
        Job.objects.filter(status__in=FINAL_STATUSES, finished_at__gte=since)
        .values("provider_name")
        .annotate(
            ended=Count("id"),
            failures=Count("id", filter=Q(status=JobStatus.FAILED)),
            mean=Avg(duration, filter=Q(status=JobStatus.SUCCEEDED, started_at__isnull=False)),
        )
        .order_by("provider_name")
    )
    error_rate, slowest = [], []
    for row in rows:
        error_rate.append(Figure(row["provider_name"], round(100 * row["failures"] / row["ended"])))
        if row["mean"] is not None:
            slowest.append(Figure(row["provider_name"], round(row["mean"].total_seconds(), 1)))
    error_rate.sort(key=lambda figure: -figure.value)
    slowest.sort(key=lambda figure: -figure.value)
    return error_rate, slowest
