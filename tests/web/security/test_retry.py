"""Retry goes through the same checks as a new submit, and only for failed or canceled jobs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import Job, JobStatus
from studio.models import LibraryItem, Membership, Role


@pytest.fixture
def team_job(world, sandbox_models):
    """`team_job(status)`: a job the design team's editor ran for the team."""

    def make(status: str = JobStatus.FAILED, *, personal: bool = False) -> Job:
        model = sandbox_models["gpt-image-1"]
        return Job.objects.create(
            owner=world.editor,
            team=None if personal else world.team,
            model=model,
            provider_name=model.provider.name,
            model_name=model.name,
            prompt="a lighthouse at dusk",
            status=status,
        )

    return make


def press_retry(client, person, job: Job):
    client.force_login(person)
    return client.post(reverse("job-retry", args=[job.pk]), follow=True)


def jobs_of_team(world) -> int:
    return Job.objects.filter(team=world.team).count()


@pytest.mark.parametrize("status", [JobStatus.FAILED, JobStatus.CANCELED])
def test_a_member_who_may_still_add_can_retry_a_failed_or_canceled_job(
    client, world, team_job, status
):
    job = team_job(status)
    response = press_retry(client, world.editor, job)
    new_job = Job.objects.exclude(pk=job.pk).get()
    assert response.redirect_chain[-1][0] == reverse("job-detail", args=[new_job.pk])
    assert (new_job.team, new_job.status, new_job.prompt) == (world.team, "queued", job.prompt)


def test_a_member_removed_from_the_team_cannot_retry_into_it(client, world, team_job):
    job = team_job()
    Membership.objects.filter(team=world.team, user=world.editor).delete()
    response = press_retry(client, world.editor, job)
    assert jobs_of_team(world) == 1
    assert "You can no longer add images to the team Design." in response.content.decode()


def test_a_member_demoted_to_viewer_cannot_retry_into_the_team(client, world, team_job):
    job = team_job()
    Membership.objects.filter(team=world.team, user=world.editor).update(role=Role.VIEWER)
    response = press_retry(client, world.editor, job)
    assert jobs_of_team(world) == 1
    assert "You can no longer add images to the team Design." in response.content.decode()


@pytest.mark.parametrize("status", [JobStatus.SUCCEEDED, JobStatus.RUNNING, JobStatus.QUEUED])
def test_a_job_that_did_not_fail_cannot_be_retried(client, world, team_job, status):
    job = team_job(status)
    for _press in range(3):
        response = press_retry(client, world.editor, job)
    assert jobs_of_team(world) == 1
    assert "Only a failed or canceled job can be tried again." in response.content.decode()


def test_a_disabled_model_cannot_be_retried(client, world, team_job):
    job = team_job()
    job.model.enabled = False
    job.model.save()
    response = press_retry(client, world.editor, job)
    assert jobs_of_team(world) == 1
    assert "is not available any more" in response.content.decode()


def test_an_edit_of_an_image_no_longer_visible_cannot_be_retried(
    client, world, team_job, quick_image
):
    """A personal edit of a team image, retried after its maker left the team."""
    team_image = quick_image(world.owner, team=world.team)
    LibraryItem.objects.get_or_create(team=world.team, image=team_image)
    job = team_job(personal=True)
    Job.objects.filter(pk=job.pk).update(kind="edit")
    job.source_images.set([team_image])
    Membership.objects.filter(team=world.team, user=world.editor).delete()
    response = press_retry(client, world.editor, job)
    assert Job.objects.filter(owner=world.editor).count() == 1
    assert "not available to you any more" in response.content.decode()


def test_a_retry_is_charged_to_the_quota_like_a_new_submit(client, world, team_job):
    from jobs.models import QuotaLimit

    QuotaLimit.objects.create(scope="team", team=world.team, images_per_day=0)
    job = team_job()
    press_retry(client, world.editor, job)
    assert jobs_of_team(world) == 1
