"""The admin's ops page: queue depth, workers, running per provider, error rate, slowest."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import health
from jobs.models import Job, JobStatus
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def ended(job: Job, status: str, seconds: float) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=status, started_at=now - timedelta(seconds=seconds), finished_at=now
    )


def test_the_ops_page_shows_the_figures_as_charts(admin_client, submit, sandbox_models):
    health.beat_once("celery@ops-host")
    running = submit("still going")
    Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING)
    ended(submit("fine"), JobStatus.SUCCEEDED, 12)
    ended(submit("fine too"), JobStatus.SUCCEEDED, 8)
    ended(submit("broken"), JobStatus.FAILED, 3)
    old = submit("long ago")
    ended(old, JobStatus.FAILED, 3)
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(hours=2))

    page = admin_client.get("/admin/jobs/job/ops/")
    assert page.status_code == 200
    report = page.context["report"]
    assert [(f.label, f.value) for f in report.running_jobs] == [("sandbox", 1)]
    assert [(f.label, f.value) for f in report.error_rate] == [("sandbox", 33)]  # 1 of 3
    assert [(f.label, f.value) for f in report.slowest] == [("sandbox", 10.0)]
    assert "celery@ops-host" in [f.label for f in report.workers]
    assert report.queue[-1].label == "held by workers (scheduled)"
    html = page.content.decode()
    for heading in ("Queue depth", "Running jobs per provider", "Error rate", "Slowest providers"):
        assert heading in html
    assert html.count('<svg class="ops-chart"') == 4
    assert "33 %" in html and "10.0 s" in html


def test_the_jobs_list_links_to_the_ops_page_and_people_cannot_see_it(admin_client, client, bob):
    assert "/admin/jobs/job/ops/" in admin_client.get("/admin/jobs/job/").content.decode()
    admin_client.logout()
    client.login(username="bob", password=PASSWORD)
    assert client.get("/admin/jobs/job/ops/").status_code == 302  # to the admin login
