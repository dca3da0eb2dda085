"""A token's limits hold for everything it does, not only for submits: a team token reads only its
team's jobs and edits only its team's images, and a token limited to some models reads only the
jobs of those models (no server needed: Django's test client runs the async views)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs.models import Job, JobStatus
from studio.api.tokens import create_token
from studio.models import LibraryItem, Membership, Role, Team
from studio.submit import store_upload
from tests.api.client_helpers import error, post_json
from tests.fixtures.images import png

pytestmark = pytest.mark.django_db

ASYNC = {"HTTP_PREFER": "respond-async"}  # answer 202 at once; no worker runs here


@pytest.fixture
def design(alice) -> Team:
    team = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=team, user=alice, role=Role.EDITOR)
    return team


def finished_job(owner, model, team=None) -> Job:
    return Job.objects.create(
        owner=owner,
        team=team,
        model=model,
        provider_name=model.provider.name,
        model_name=model.name,
        prompt="a lighthouse",
        status=JobStatus.FAILED,
        error_message="The provider refused the prompt.",
    )


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def read(client, job: Job, secret: str):
    return client.get(f"/v1/images/jobs/{job.pk}", **bearer(secret))


def test_a_team_token_reads_only_its_teams_jobs(client, alice, design, sandbox_models):
    gpt = sandbox_models["gpt-image-1"]
    personal, in_team = finished_job(alice, gpt), finished_job(alice, gpt, design)
    _, team_secret = create_token(alice, name="team", team=design)
    answer = read(client, personal, team_secret)
    assert answer.status_code == 404 and error(answer)["code"] == "not_found"
    assert read(client, in_team, team_secret).json()["id"] == str(in_team.pk)
    _, personal_secret = create_token(alice, name="mine")
    assert read(client, personal, personal_secret).json()["id"] == str(personal.pk)


def test_a_token_limited_to_some_models_reads_only_their_jobs(client, alice, sandbox_models):
    gpt, dalle = sandbox_models["gpt-image-1"], sandbox_models["dall-e-2"]
    of_gpt, of_dalle = finished_job(alice, gpt), finished_job(alice, dalle)
    _, secret = create_token(alice, name="gpt only", models=[gpt])
    assert read(client, of_dalle, secret).status_code == 404
    assert read(client, of_gpt, secret).json()["id"] == str(of_gpt.pk)


def test_a_team_token_edits_only_its_teams_images(client, alice, design, sandbox_models):
    personal = store_upload(png(64, 64), owner=alice)
    in_team = store_upload(png(64, 64, colour=(9, 9, 9)), owner=alice, team=design)
    _, secret = create_token(alice, name="team", team=design)

    def edit(image_ref: dict):
        body = {"model": "gpt-image-1", "prompt": "add a hat", "images": [image_ref]}
        return post_json(client, "/v1/images/edits", body, {**bearer(secret), **ASYNC})

    for reference in ({"file_id": str(personal.pk)}, {"image_url": _page_link(personal)}):
        answer = edit(reference)
        assert answer.status_code == 400 and error(answer)["code"] == "image_not_found"
    mask_from_personal = post_json(
        client,
        "/v1/images/edits",
        {
            "model": "gpt-image-1",
            "prompt": "add a hat",
            "images": [{"file_id": str(in_team.pk)}],
            "mask": {"file_id": str(personal.pk)},
        },
        {**bearer(secret), **ASYNC},
    )
    assert error(mask_from_personal)["code"] == "image_not_found"
    assert not Job.objects.exists()
    accepted = edit({"file_id": str(in_team.pk)})
    assert accepted.status_code == 202, accepted.content
    assert list(Job.objects.get().source_images.all()) == [in_team]


def _page_link(image) -> str:
    return f"http://testserver/images/{image.pk}/file/"


def test_a_team_tokens_uploaded_edit_source_joins_the_teams_library(
    client, alice, design, sandbox_models, png_bytes
):
    """As an upload made on the Edit page: the studio files it (studio.filing), not a receiver."""
    _, secret = create_token(alice, name="team", team=design)
    image = SimpleUploadedFile("cat.png", png_bytes(64, 64), "image/png")
    fields = {"model": "gpt-image-1", "prompt": "add a hat", "image": image}
    answer = client.post("/v1/images/edits", fields, **bearer(secret), **ASYNC)
    assert answer.status_code == 202, answer.content
    [upload] = Job.objects.get().source_images.all()
    assert upload.team == design
    assert list(LibraryItem.objects.values_list("team", "image", "added_by")) == [
        (design.pk, upload.pk, alice.pk)
    ]
