"""Deleting a person: their team images stay with the team; what was only theirs goes, files too.
And storage keeps no orphans: `removeorphans` finds those earlier versions left behind."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from jobs import limits
from jobs.models import Image, Job, JobStatus, LedgerEntry, LedgerKind
from studio.models import LibraryItem
from studio.removal import remove_person
from studio.submit import JobSpec, submit_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path):
    """A storage of this test's own, so that listing it sees only what the test stored."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


def files_of(image: Image) -> list[str]:
    return [image.file.name, image.thumbnail.name]


def test_a_leavers_team_images_stay_and_their_own_go_with_their_files(
    client, world, stored_image, django_capture_on_commit_callbacks
):
    leaver = world.editor
    made_in_team = stored_image(leaver, team=world.team, prompt="a team poster")
    shared_in = stored_image(leaver, prompt="a shared sketch")
    LibraryItem.objects.create(team=world.team, image=shared_in)
    personal = stored_image(leaver, prompt="a private doodle")

    with django_capture_on_commit_callbacks(execute=True):
        remove_person(leaver)

    kept = Image.objects.filter(pk__in=[made_in_team.pk, shared_in.pk])
    assert kept.count() == 2 and {image.owner for image in kept} == {None}
    assert Job.objects.get(pk=made_in_team.job_id).prompt == "a team poster"
    assert all(default_storage.exists(name) for image in kept for name in files_of(image))
    assert not Image.objects.filter(pk=personal.pk).exists()
    assert not Job.objects.filter(pk=personal.job_id).exists()
    assert not any(default_storage.exists(name) for name in files_of(personal))

    client.force_login(world.viewer)
    library = client.get(reverse("team-library", args=["design"])).content.decode()
    assert "a team poster" in library and "a shared sketch" in library
    page = client.get(reverse("image-detail", args=[made_in_team.pk]))
    assert page.status_code == 200 and "a former member" in page.content.decode()


@pytest.fixture
def one_slot(sandbox_models):
    """gpt-image-1 runs one job at once; the slot starts free and is given back after."""
    model = sandbox_models["gpt-image-1"]
    model.max_concurrent = 1
    model.save()
    yield model
    for job in Job.objects.all():
        limits.release_slots(job)


def running_job(owner, model, prompt: str) -> Job:
    """A job that holds its slot and its quota reservation, as a worker's run leaves it."""
    job = submit_job(JobSpec(owner=owner, model=model, prompt=prompt))
    assert limits.take_slots(job, 600) is None
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    return job


def refunded_as_canceled(job: Job) -> bool:
    """The job's reservation came back through the engine's cancel (which notes the ending)."""
    return LedgerEntry.objects.filter(
        kind=LedgerKind.REFUND, note="job canceled", credits=-job.credits_reserved
    ).exists()


@pytest.mark.parametrize("how", ["delete page", "delete selected"])
def test_removing_a_person_in_admin_ends_their_running_job_and_frees_its_slot_at_once(
    admin_client, world, one_slot, how, django_capture_on_commit_callbacks
):
    """Their job ends through the engine's cancel (quota back, slot free), not by expiry."""
    leaver = world.editor
    theirs = running_job(leaver, one_slot, "still drawing")
    waiting = submit_job(JobSpec(owner=world.owner, model=one_slot, prompt="next in line"))
    assert limits.take_slots(waiting, 60) is not None  # the leaver's job holds the only slot

    with django_capture_on_commit_callbacks(execute=True):
        if how == "delete page":
            answer = admin_client.post(f"/admin/auth/user/{leaver.pk}/delete/", {"post": "yes"})
        else:
            answer = admin_client.post(
                "/admin/auth/user/",
                {"action": "delete_selected", "_selected_action": [leaver.pk], "post": "yes"},
            )
    assert answer.status_code == 302

    assert not type(leaver).objects.filter(pk=leaver.pk).exists()
    assert not Job.objects.filter(pk=theirs.pk).exists()
    assert limits.take_slots(waiting, 60) is None
    assert refunded_as_canceled(theirs)


def test_a_rolled_back_deletion_keeps_the_files(world, stored_image):
    from django.db import transaction

    def delete_then_change_mind() -> None:
        with transaction.atomic():
            remove_person(world.outsider)
            raise RuntimeError("changed my mind")

    personal = stored_image(world.outsider)
    with pytest.raises(RuntimeError):
        delete_then_change_mind()
    assert Image.objects.filter(pk=personal.pk).exists()
    assert all(default_storage.exists(name) for name in files_of(personal))


def test_a_rolled_back_removal_keeps_their_running_job_and_its_slot(world, one_slot):
    from django.db import transaction

    def remove_then_change_mind() -> None:
        with transaction.atomic():
            remove_person(world.outsider)
            raise RuntimeError("changed my mind")

    outsider_id = world.outsider.pk  # a deleted instance forgets its pk, rolled back or not
    theirs = running_job(world.outsider, one_slot, "still drawing")
    with pytest.raises(RuntimeError):
        remove_then_change_mind()
    theirs.refresh_from_db()
    assert theirs.status == JobStatus.RUNNING and theirs.owner_id == outsider_id
    assert not refunded_as_canceled(theirs)
    waiting = submit_job(JobSpec(owner=world.owner, model=one_slot, prompt="next in line"))
    assert limits.take_slots(waiting, 60) is not None


def test_deleting_a_job_in_admin_takes_its_images_files_along(
    world, stored_image, django_capture_on_commit_callbacks
):
    image = stored_image(world.outsider)
    with django_capture_on_commit_callbacks(execute=True):
        Job.objects.filter(pk=image.job_id).delete()
    assert not any(default_storage.exists(name) for name in files_of(image))


def test_removeorphans_lists_then_removes_only_unreferenced_files(world, stored_image, capsys):
    image = stored_image(world.outsider)
    orphan = default_storage.save("images/ab/left-behind.png", ContentFile(b"old file"))
    old_mask = default_storage.save("masks/mask.png", ContentFile(b"old mask"))

    call_command("removeorphans", "--min-age-minutes", "0")
    listed = capsys.readouterr().out
    assert orphan in listed and old_mask in listed and "Found 2 orphaned file(s)." in listed
    assert default_storage.exists(orphan)

    call_command("removeorphans", "--min-age-minutes", "60")
    assert "Found 0 orphaned file(s)." in capsys.readouterr().out  # too new to judge

    call_command("removeorphans", "--delete", "--min-age-minutes", "0")
    assert "Removed 2 orphaned file(s)." in capsys.readouterr().out
    assert not default_storage.exists(orphan) and not default_storage.exists(old_mask)
    assert all(default_storage.exists(name) for name in files_of(image))


def test_removeorphans_on_a_storage_that_never_held_a_file_finds_nothing(capsys):
    call_command("removeorphans", "--delete")
    assert "Removed 0 orphaned file(s)." in capsys.readouterr().out
