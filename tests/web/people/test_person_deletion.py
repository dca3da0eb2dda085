"""Deleting a person: their team images stay with the team; what was only theirs goes, files too.
And storage keeps no orphans: `removeorphans` finds those earlier versions left behind."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from jobs.models import Image, Job
from studio.models import LibraryItem

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
        leaver.delete()

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


def test_a_rolled_back_deletion_keeps_the_files(world, stored_image):
    from django.db import transaction

    def delete_then_change_mind() -> None:
        with transaction.atomic():
            world.outsider.delete()
            raise RuntimeError("changed my mind")

    personal = stored_image(world.outsider)
    with pytest.raises(RuntimeError):
        delete_then_change_mind()
    assert Image.objects.filter(pk=personal.pk).exists()
    assert all(default_storage.exists(name) for name in files_of(personal))


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
