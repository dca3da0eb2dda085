"""The /metrics page: what the database and Redis say now, in Prometheus' text format.

Collected on each scrape (a handful of cheap queries), so every web process answers the same
figures whichever of them the scraper reaches.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from jobs import metrics
from jobs.health import recent_workers
from jobs.models import Job, JobStatus


class StudioCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from self._jobs()
        yield from self._queue()
        for histogram in metrics.HISTOGRAMS:
            yield self._histogram(histogram)
        for counter in metrics.COUNTERS:
            family = CounterMetricFamily(counter.name, counter.help, labels=counter.labels)
            for labels, value in sorted(metrics.read_counter(counter).items()):
                family.add_metric(labels, value)
            yield family

    def _jobs(self) -> Iterator[Metric]:
        by_status = GaugeMetricFamily("studio_jobs", "Jobs by status.", labels=["status"])
        counts = dict(Job.objects.values_list("status").annotate(n=Count("id")).order_by())
        for status in JobStatus.values:
            by_status.add_metric([status], counts.get(status, 0))
        yield by_status
        running = GaugeMetricFamily(
            "studio_jobs_running", "Running jobs per provider.", labels=["provider"]
        )
        per_provider = (
            Job.objects.filter(status=JobStatus.RUNNING)
            .values_list("provider_name")
            .annotate(n=Count("id"))
            .order_by()
        )
        for provider, count in per_provider:
            running.add_metric([provider], count)
        yield running

    def _queue(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "studio_queue_depth", "Messages waiting in each Celery queue.", labels=["queue"]
        )
        for queue, count in metrics.queue_depths(metrics.served_queues()).items():
            depth.add_metric([queue], count)
        yield depth
        yield GaugeMetricFamily(
            "studio_messages_reserved",
            "Messages held by workers, not yet acknowledged (running hops and scheduled polls).",
            value=metrics.reserved_messages(),
        )
        yield GaugeMetricFamily(
            "studio_workers_answering",
            "Worker processes that sent a heartbeat recently.",
            value=len(recent_workers()),
        )

    def _histogram(self, histogram: metrics.Histogram) -> Metric:
        family = HistogramMetricFamily(histogram.name, histogram.help, labels=histogram.labels)
        for series in metrics.read_histogram(histogram):
            buckets = [(_le(bound), count) for bound, count in series.cumulative]
            family.add_metric(list(series.labels), buckets, series.total)
        return family


def _le(bound: float) -> str:
    return "+Inf" if bound == float("inf") else f"{bound:g}"


def render_metrics() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StudioCollector())
    return generate_latest(registry)
