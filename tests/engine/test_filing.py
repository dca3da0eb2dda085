"""Filing comes after the ending (issue 23, item 5): a job's ending commits first, then the studio
files its images into the team's library and the chosen collection, in a transaction of its own.

A bug in that filing is logged; it cannot turn a job the provider has already billed into a
failure, nor take its images or its charge away.
"""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from jobs import engine
from jobs.engine import job_succeeded
from jobs.models import Job, JobStatus
from jobs.quota import charged_for_job
from studio.models import Collection, LibraryItem, Membership, Role, Team
from studio.submit import JobSpec, submit_job
from tests.engine.helpers import assert_books_balance

# The hops run in this process: a worker left running by an earlier test must not take them.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_worker")]


@pytest.fixture
def design(alice) -> Team:
    team = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=team, user=alice, role=Role.EDITOR)
    return team


@pytest.fixture
def posters(design, alice) -> Collection:
    return Collection.objects.create(team=design, name="Posters", created_by=alice)


def submit_to(posters: Collection, sandbox_models, alice, prompt: str) -> Job:
    spec = JobSpec(
        owner=alice,
        model=sandbox_models["gpt-image-1"],
        prompt=prompt,
        n=2,
        team=posters.team,
        collection=posters,
    )
    return submit_job(spec)


def test_a_job_whose_library_filing_fails_after_its_ending_still_reads_succeeded(
    sandbox, sandbox_models, alice, posters, monkeypatch, caplog
):
    def a_library_bug(*args, **kwargs):
        raise RuntimeError("a bug in the library")

    monkeypatch.setattr(LibraryItem.objects, "bulk_create", a_library_bug)
    job = submit_to(posters, sandbox_models, alice, "a poster whose filing breaks")
    with caplog.at_level(logging.ERROR):
        engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.error_message == ""
    assert_books_balance(job, sandbox, images=2)  # both images kept, both charged, one submit
    assert charged_for_job(job)[0] == 2
    assert not LibraryItem.objects.exists() and not posters.items.exists()  # filing failed...
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert any(str(job.pk) in r.getMessage() for r in failures), caplog.text  # ...and said so


def test_a_succeeded_job_lands_in_its_team_library_and_collection(
    sandbox, sandbox_models, alice, posters
):
    job = submit_to(posters, sandbox_models, alice, "a poster that lands")
    engine.run_job(job.pk)
    made = set(job.images.values_list("pk", flat=True))
    assert len(made) == 2
    in_library = LibraryItem.objects.filter(team=posters.team).values_list("image_id", flat=True)
    assert set(in_library) == made
    assert set(posters.items.values_list("image_id", flat=True)) == made
    assert all(item.added_by == alice for item in LibraryItem.objects.all())


def test_the_hook_comes_once_after_the_ending_has_committed(
    sandbox, sandbox_models, alice, posters
):
    heard = []

    def listener(sender, job, **kwargs):
        stored = Job.objects.get(pk=job.pk)
        heard.append((connection.in_atomic_block, stored.status, stored.images.count()))

    job_succeeded.connect(listener, dispatch_uid="tests.engine.listener")
    try:
        job = submit_to(posters, sandbox_models, alice, "a poster someone listens for")
        engine.run_job(job.pk)
    finally:
        job_succeeded.disconnect(dispatch_uid="tests.engine.listener")
    assert heard == [(False, JobStatus.SUCCEEDED, 2)]  # outside any transaction: committed
