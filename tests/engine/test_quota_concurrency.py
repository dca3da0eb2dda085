"""Fifty people pressing Generate at once against a quota that fits ten images (PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Sum

from jobs.models import Job, LedgerEntry, Provider, ProviderModel
from jobs.quota import QuotaExceeded, quota_status
from studio.submit import JobSpec, submit_job
from tests.fixtures.quota import set_limits

THREADS = 50
LIMIT = 10

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs DATABASE_URL to point at PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("pinned_clock"),
]


def test_fifty_simultaneous_submits_reserve_exactly_the_limit(alice):
    set_limits(user=alice, images_per_day=LIMIT)
    provider = Provider.objects.create(name="relay", base_url="https://relay.example")
    model = ProviderModel.objects.create(provider=provider, name="grok-3-image", dialect="grok")
    barrier = threading.Barrier(THREADS)

    def one_submit(_: int) -> str:
        try:
            barrier.wait(timeout=30)
            # The studio's own submit: the job and its reservation, all or nothing.
            submit_job(JobSpec(owner=alice, model=model, prompt="a crowd", n=1))
            return "reserved"
        except QuotaExceeded:
            return "refused"
        finally:
            connection.close()  # each thread has its own connection; give it back

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(one_submit, range(THREADS)))

    assert outcomes.count("reserved") == LIMIT
    assert outcomes.count("refused") == THREADS - LIMIT
    assert Job.objects.count() == LIMIT  # a refused submit leaves no job behind
    assert LedgerEntry.objects.aggregate(total=Sum("images"))["total"] == LIMIT
    assert LedgerEntry.objects.filter(images__lt=0).count() == 0
    [line] = quota_status(user=alice)
    assert (line.used, line.left) == (LIMIT, 0)
