"""Reuse what worked: "Use these settings", "Use as reference" and the edit page's image picker."""

from __future__ import annotations

import pytest
from django.utils.datastructures import MultiValueDict

from jobs import engine
from jobs.models import Job
from studio.forms.edit import EditForm
from studio.submit import submit_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(submit):
    """A finished generate job with its image."""
    job = submit("a quiet pier", size="1024x1536", quality="high")
    engine.run_job(job.pk)
    return Job.objects.get(pk=job.pk)


def test_the_image_page_offers_reuse_of_its_settings_and_the_image_itself(client, alice, made):
    client.force_login(alice)
    image = made.images.get()
    page = client.get(f"/images/{image.pk}/").content.decode()
    assert f'href="/generate/?from_job={made.pk}">Use these settings</a>' in page
    # "Edit" changes this image; "Use as reference" lets it guide a new one: two places.
    assert f'href="/edit/?image={image.pk}">Edit</a>' in page
    assert f'href="/generate/?image={image.pk}">Use as reference</a>' in page
    form = client.get(f"/generate/?from_job={made.pk}").context["form"]
    assert (form["prompt"].value(), form["size"].value(), form["quality"].value()) == (
        "a quiet pier",
        "1024x1536",
        "high",
    )


def test_use_these_settings_of_an_edit_job_opens_edit_with_its_images(
    client, alice, made, sandbox_models
):
    source = made.images.get()
    gpt = sandbox_models["gpt-image-1"]
    data = {"prompt": ["the pier at night"], "model": [str(gpt.pk)], "source": [str(source.pk)]}
    form = EditForm(MultiValueDict(data), MultiValueDict(), user=alice)
    assert form.is_valid(), form.errors
    edit_job = submit_edit(form.job_spec(alice), form.edit_inputs, form.cleaned_data["source"])
    client.force_login(alice)
    page = client.get(f"/jobs/{edit_job.pk}/").content.decode()
    assert f'href="/edit/?from_job={edit_job.pk}">Use these settings</a>' in page
    reopened = client.get(f"/edit/?from_job={edit_job.pk}").context["form"]
    assert [image.pk for image in reopened.chosen_images()] == [source.pk]
    assert reopened["prompt"].value() == "the pier at night"


def test_a_selection_of_several_images_opens_edit_with_all_of_them(client, alice, submit):
    jobs = [submit(f"study {n}") for n in range(2)]
    for job in jobs:
        engine.run_job(job.pk)
    ids = [str(job.images.get().pk) for job in jobs]
    client.force_login(alice)
    form = client.get("/edit/", {"image": ids}).context["form"]
    assert sorted(str(image.pk) for image in form.chosen_images()) == sorted(ids)


def test_someone_elses_settings_or_images_are_not_found(client, bob, made):
    client.force_login(bob)
    assert client.get(f"/generate/?from_job={made.pk}").status_code == 404
    assert client.get(f"/edit/?image={made.images.get().pk}").status_code == 404


def test_the_picker_lists_the_persons_history_and_their_teams_libraries(client, alice, bob, made):
    client.force_login(alice)
    page = client.get("/edit/pick/").content.decode()
    assert f'data-pick-image="{made.images.get().pk}"' in page
    client.force_login(bob)
    assert str(made.images.get().pk) not in client.get("/edit/pick/").content.decode()


def test_history_offers_its_selection_as_references_for_an_edit(client, alice, made):
    """History's "Use as reference" submits the ticked images to Edit by GET, the same way a
    team library does (the browser test walks the library's)."""
    client.force_login(alice)
    image = made.images.get()
    page = client.get("/history/").content.decode()
    assert 'formaction="/edit/" formmethod="get">Use as reference</button>' in page
    assert f'name="image" value="{image.pk}"' in page
    form = client.get(f"/edit/?image={image.pk}").context["form"]
    assert form["source"].value() == [str(image.pk)]
