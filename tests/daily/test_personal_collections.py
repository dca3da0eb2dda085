"""Personal collections (daily-work issue, item 3): a person's own boards, made from history or
"My collections", chosen on Generate and Edit in the Personal workspace, private to them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobs import engine
from jobs.models import ImageOrigin, Job
from studio.models import Collection, LibraryItem, Membership, Role, Team
from studio.submit import JobSpec, SubmitRefused, submit_job
from tests.fixtures.factories import make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def design(alice) -> Team:
    team = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=team, user=alice, role=Role.EDITOR)
    return team


@pytest.fixture
def mine(alice) -> Collection:
    return Collection.objects.create(owner=alice, name="Moodboard")


def generate_form(model, **extra) -> dict:
    return {"prompt": "a kite", "model": model.pk, "n": 2, **extra}


def image_ids(collection: Collection) -> set:
    return set(collection.images.values_list("pk", flat=True))


# --- Results land in it -------------------------------------------------------------------------


def test_generated_results_land_in_the_chosen_personal_collection(
    client, alice, mine, sandbox_models, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    form = generate_form(sandbox_models["gpt-image-1"], workspace="personal", collection=mine.pk)
    response = client.post("/generate/", form)
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.collection == mine and job.team is None
    with django_capture_on_commit_callbacks(execute=True):  # filed once the ending commits
        engine.run_job(job.pk)
    results = set(job.images.values_list("pk", flat=True))
    assert len(results) == 2 and image_ids(mine) == results
    assert not LibraryItem.objects.exists()  # a personal board puts nothing in any team


def test_edit_results_land_in_the_chosen_personal_collection(
    client, alice, mine, sandbox_models, png_bytes, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    upload = SimpleUploadedFile("photo.png", png_bytes(64, 64), content_type="image/png")
    response = client.post(
        "/edit/",
        {
            "prompt": "make the sky stormy",
            "model": sandbox_models["gpt-image-1"].pk,
            "n": "1",
            "workspace": "personal",
            "collection": str(mine.pk),
            "image": [upload],
        },
    )
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    with django_capture_on_commit_callbacks(execute=True):  # filed once the ending commits
        engine.run_job(job.pk)
    result = job.images.get()
    assert result.origin == ImageOrigin.EDITED
    assert image_ids(mine) == {result.pk}  # the result, not the uploaded source


def test_retrying_a_job_keeps_its_personal_collection(client, alice, mine, sandbox_models):
    client.force_login(alice)
    form = generate_form(sandbox_models["gpt-image-1"], collection=mine.pk, n=1)
    form["prompt"] = "a kite [[fault:policy]]"
    client.post("/generate/", form)
    failed = Job.objects.get()
    engine.run_job(failed.pk)
    client.post(f"/jobs/{failed.pk}/retry/")
    assert Job.objects.exclude(pk=failed.pk).get().collection == mine


def test_the_service_refuses_a_collection_that_is_not_of_the_workspace(
    alice, bob, design, mine, sandbox_models
):
    """The form says it next to the field; the service (also behind retries) refuses anyway."""
    gpt = sandbox_models["gpt-image-1"]
    bobs = Collection.objects.create(owner=bob, name="Bob's board")
    for team, collection in ((design, mine), (None, bobs)):
        spec = JobSpec(owner=alice, model=gpt, prompt="a kite", team=team, collection=collection)
        with pytest.raises(SubmitRefused):
            submit_job(spec)
    assert not Job.objects.exists()


# --- The form refuses a collection of the other kind of workspace -------------------------------


def test_a_personal_collection_is_refused_in_a_team_workspace(
    client, alice, design, mine, sandbox_models
):
    client.force_login(alice)
    form = generate_form(sandbox_models["gpt-image-1"], workspace="design", collection=mine.pk)
    response = client.post("/generate/", form)
    assert response.context["form"].errors["collection"] == [
        "“Moodboard” is a personal collection: choose the Personal workspace, or no collection."
    ]
    assert not Job.objects.exists()


def test_a_team_collection_is_refused_in_the_personal_workspace(
    client, alice, design, sandbox_models
):
    best = Collection.objects.create(team=design, name="Best")
    client.force_login(alice)
    form = generate_form(sandbox_models["gpt-image-1"], workspace="personal", collection=best.pk)
    response = client.post("/generate/", form)
    assert response.context["form"].errors["collection"] == [
        "“Best” belongs to the team Design: choose that workspace, or no collection."
    ]
    assert not Job.objects.exists()


def test_the_form_offers_own_personal_collections_and_team_ones(
    client, alice, bob, design, mine, sandbox_models
):
    Collection.objects.create(owner=bob, name="Bob's board")
    Collection.objects.create(team=design, name="Best")
    client.force_login(alice)
    choices = dict(client.get("/generate/").context["form"].fields["collection"].choices)
    assert sorted(choices.values()) == ["Design: Best", "None", "Personal: Moodboard"]


# --- Private to their owner ---------------------------------------------------------------------


def test_another_persons_personal_collection_is_not_found(client, alice, bob, mine, sandbox_models):
    picture = make_image(alice, prompt="alice's lake")
    mine.images.add(picture)
    client.force_login(bob)
    assert client.get(reverse("my-collection-detail", args=[mine.pk])).status_code == 404
    remove = reverse("my-collection-remove", args=[mine.pk])
    assert client.post(remove, {"image": [picture.pk]}).status_code == 404
    delete = reverse("my-collection-delete", args=[mine.pk])
    assert client.post(delete, {"confirm": "yes"}).status_code == 404
    assert "Moodboard" not in client.get(reverse("my-collections")).content.decode()
    # Nor can Bob aim his results or his images at it (he has a board, so the field is there).
    Collection.objects.create(owner=bob, name="Bob's board")
    form = generate_form(sandbox_models["gpt-image-1"], collection=mine.pk)
    assert "collection" in client.post("/generate/", form).context["form"].errors
    bobs = make_image(bob, prompt="bob's hill")
    collect = {"image": [bobs.pk], "collection": mine.pk}
    assert client.post(reverse("history-collect"), collect).status_code == 400
    assert not Job.objects.filter(owner=bob, collection=mine).exists()
    assert image_ids(mine) == {picture.pk} and Collection.objects.filter(pk=mine.pk).exists()


def test_a_team_collection_is_not_opened_as_a_personal_one(client, alice, design):
    best = Collection.objects.create(team=design, name="Best", created_by=alice)
    client.force_login(alice)
    assert client.get(reverse("my-collection-detail", args=[best.pk])).status_code == 404


# --- Made from history, listed, opened, emptied, deleted ----------------------------------------


def test_add_to_collection_in_history_makes_a_personal_collection_of_own_images(client, alice, bob):
    lake = make_image(alice, prompt="a lake at noon")
    hill = make_image(alice, prompt="a hill at dusk")
    bobs = make_image(bob, prompt="bob's field")
    client.force_login(alice)
    response = client.post(
        reverse("history-collect"),
        {"image": [lake.pk, hill.pk, bobs.pk], "new_collection": " Trip ", "next": "/history/"},
    )
    assert response.status_code == 302 and response["Location"] == "/history/"
    trip = Collection.objects.get(name="Trip")
    assert (trip.owner, trip.team) == (alice, None)
    assert image_ids(trip) == {lake.pk, hill.pk}  # only her own images
    # The same name again adds to it rather than making a second one.
    client.post(reverse("history-collect"), {"image": [lake.pk], "new_collection": "Trip"})
    assert Collection.objects.filter(name="Trip").count() == 1

    listing = client.get(reverse("my-collections")).content.decode()
    assert reverse("my-collection-detail", args=[trip.pk]) in listing and "2 images" in listing
    opened = client.get(reverse("my-collection-detail", args=[trip.pk]))
    assert {image.pk for image in opened.context["page"].object_list} == {lake.pk, hill.pk}
    assert 'alt="a lake at noon"' in opened.content.decode()


def test_history_add_to_an_existing_personal_collection_and_filter_by_it(client, alice, mine):
    lake = make_image(alice, prompt="a lake at noon")
    make_image(alice, prompt="a hill at dusk")
    client.force_login(alice)
    history = client.get(reverse("history"))
    assert reverse("my-collections") in history.content.decode()  # reachable from history
    collect = {"image": [lake.pk], "collection": str(mine.pk)}
    assert client.post(reverse("history-collect"), collect).status_code == 302
    assert image_ids(mine) == {lake.pk}
    filtered = client.get(reverse("history"), {"collection": str(mine.pk)})
    assert [image.pk for image in filtered.context["page"].object_list] == [lake.pk]


def test_add_to_collection_needs_a_collection_or_a_name(client, alice):
    lake = make_image(alice, prompt="a lake at noon")
    client.force_login(alice)
    response = client.post(reverse("history-collect"), {"image": [lake.pk]})
    assert response.status_code == 400
    assert response.context["collect_form"].errors["collection"] == [
        "Choose a collection or name a new one."
    ]
    assert not Collection.objects.exists()


def test_my_collections_creates_one_and_refuses_a_name_twice(client, alice, mine):
    client.force_login(alice)
    response = client.post(reverse("my-collection-create"), {"name": "Ideas"})
    ideas = Collection.objects.get(name="Ideas")
    assert response["Location"] == reverse("my-collection-detail", args=[ideas.pk])
    assert (ideas.owner, ideas.team) == (alice, None)
    again = client.post(reverse("my-collection-create"), {"name": "Moodboard"})
    assert again.status_code == 400
    assert again.context["form"].errors["name"] == [
        "You already have a collection named “Moodboard”."
    ]


def test_taking_images_out_and_deleting_keep_the_images(client, alice, mine):
    lake = make_image(alice, prompt="a lake at noon")
    hill = make_image(alice, prompt="a hill at dusk")
    mine.images.add(lake, hill)
    client.force_login(alice)
    client.post(reverse("my-collection-remove", args=[mine.pk]), {"image": [lake.pk]})
    assert image_ids(mine) == {hill.pk}
    response = client.post(reverse("my-collection-delete", args=[mine.pk]), {"confirm": "yes"})
    assert response["Location"] == reverse("my-collections")
    assert not Collection.objects.exists()
    assert {lake.pk, hill.pk} <= {image.pk for image in alice.images.all()}
