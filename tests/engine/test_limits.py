"""Slots and request rates live in the test Redis and hold across processes."""

from __future__ import annotations

import pytest

from jobs import engine, limits
from jobs.models import Job, JobStatus, QuotaLimit
from tests.engine.helpers import make_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(sandbox_models):
    """gpt-image-1 allows one job at once and two requests a second; slots start empty."""
    model = sandbox_models["gpt-image-1"]
    model.max_concurrent, model.requests_per_second = 1, 2
    model.save()
    yield model
    for job in Job.objects.all():
        limits.release_slots(job)


def test_a_job_without_a_free_slot_stays_queued_and_says_why(submit, sandbox, limited):
    first, second = submit("first"), submit("second")
    assert limits.take_slots(first, 60) is None  # the first holds the only slot
    engine.run_job(second.pk)
    second.refresh_from_db()
    assert second.status == JobStatus.QUEUED and second.attempts == 0
    assert second.waiting_for == "Waiting for a free slot for gpt-image-1 (1 jobs at once)."
    assert second.due_at > first.created_at
    limits.release_slots(first)
    make_due(second)
    engine.run_job(second.pk)
    second.refresh_from_db()
    assert second.status == JobStatus.SUCCEEDED and not second.waiting_for


def test_taking_a_slot_twice_for_the_same_job_is_harmless(submit, limited):
    job = submit("twice")
    assert limits.take_slots(job, 60) is None
    assert limits.take_slots(job, 60) is None  # a stray second message of the same job
    assert limits.take_slots(submit("another"), 60) is not None


def test_an_ending_gives_the_slot_back(
    submit, sandbox, limited, django_capture_on_commit_callbacks
):
    job = submit("ends")
    with django_capture_on_commit_callbacks(execute=True):
        engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert limits.take_slots(submit("next"), 60) is None


def test_requests_per_second_are_counted_across_callers(submit, limited):
    job = submit("rate")
    waits = [limits.take_request(job) for _ in range(3)]
    assert waits[0] == 0 and (waits[1] == 0 or waits[2] > 0)
    assert any(wait > 0 for wait in waits) or limits.take_request(job) > 0
    assert all(0 <= wait <= 1 for wait in waits)


def test_a_persons_own_running_limit_replaces_the_default(alice, settings):
    settings.STUDIO_MAX_RUNNING_JOBS = 5
    assert limits.running_limit_for(alice.pk) == 5
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, max_running_jobs=2)
    assert limits.running_limit_for(alice.pk) == 2


def test_a_provider_limit_holds_across_its_models_and_the_job_page_says_why(
    submit, sandbox, sandbox_models, client, alice
):
    """One concurrent request at the provider: a job on another of its models waits for it."""
    provider = sandbox_models["gpt-image-1"].provider
    provider.max_concurrent = 1
    provider.save()
    first, second = submit("first"), submit("second", model="dall-e-3")
    try:
        assert limits.take_slots(first, 60) is None
        engine.run_job(second.pk)
        second.refresh_from_db()
        assert second.status == JobStatus.QUEUED and second.attempts == 0
        expected = f"Waiting for a free slot at {provider.name} (1 jobs at once)."
        assert second.waiting_for == expected
        client.force_login(alice)
        page = client.get(f"/jobs/{second.pk}/").content.decode()
        assert expected in page and "Queued" in page

        limits.release_slots(first)
        make_due(second)
        engine.run_job(second.pk)
        second.refresh_from_db()
        assert second.status == JobStatus.SUCCEEDED and not second.waiting_for
    finally:
        for job in (first, second):
            limits.release_slots(job)
