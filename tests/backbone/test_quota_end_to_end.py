"""The quota ledger through the studio's real paths: submit, pipeline, cancel, the admin report."""

import csv
import io

import pytest
from django.db.models import Sum
from django.utils import timezone

from jobs import engine
from jobs.models import JobStatus, LedgerEntry, QuotaLimit
from jobs.quota import quota_status

pytestmark = pytest.mark.django_db


def charged(job) -> int:
    return LedgerEntry.objects.filter(job=job).aggregate(total=Sum("images"))["total"]


def test_failed_canceled_and_short_jobs_are_refunded_exactly_and_every_view_agrees(
    client, admin_client, alice, submit, sandbox
):
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, images_per_day=20)
    full = submit("three swans", n=3)
    short = submit("four geese [[fewer:1]]", n=4)
    refused = submit("forbidden [[fault:policy]]", n=2)
    canceled = submit("never mind", n=5)
    for job in (full, short, refused):
        engine.run_job(job.pk)
    client.force_login(alice)
    client.post(f"/jobs/{canceled.pk}/cancel/")
    for job in (full, short, refused, canceled):
        job.refresh_from_db()
    assert [j.status for j in (full, short, refused, canceled)] == [
        JobStatus.SUCCEEDED,
        JobStatus.SUCCEEDED,
        JobStatus.FAILED,
        JobStatus.CANCELED,
    ]
    assert [charged(j) for j in (full, short, refused, canceled)] == [3, 1, 0, 0]

    used = LedgerEntry.objects.filter(user=alice).aggregate(total=Sum("images"))["total"]
    assert used == 4
    [line] = quota_status(user=alice)
    assert (line.used, line.left) == (4, 16)
    assert "You: 16 of 20 images left today" in client.get("/generate/").content.decode()

    today = timezone.localdate().isoformat()
    report = admin_client.get(
        "/admin/jobs/ledgerentry/report/",
        {
            "date_from": today,
            "date_to": today,
            "group_by": "person",
            "metric": "images",
            "format": "csv",
        },
    )
    rows = list(csv.reader(io.StringIO(report.content.decode())))
    alice_row = next(row for row in rows if "alice" in row)
    assert "4" in alice_row
