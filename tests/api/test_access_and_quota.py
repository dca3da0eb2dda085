"""What a token reaches (its owner's images and jobs only), and the quota it shares with pages."""

from __future__ import annotations

import openai
import pytest
from openai.types import ImagesResponse

from jobs.models import Image, Job, JobStatus, QuotaLimit
from jobs.quota import quota_status
from tests.fixtures.asgi import wait_for_every_job_to_end
from tests.fixtures.services import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def edit_with(client: openai.OpenAI, image_ref: dict) -> ImagesResponse:
    return client.post(
        "/images/edits",
        body={"model": "gpt-image-1", "prompt": "make it mine", "images": [image_ref]},
        cast_to=ImagesResponse,
    )


@pytest.fixture
def bob_api(make_token, api_client, bob):
    _, secret = make_token(bob)
    return api_client(secret)


def test_another_persons_image_is_out_of_reach_by_file_id_or_link(alice_api, bob_api):
    made = alice_api.images.generate(model="dall-e-2", prompt="mine", response_format="url")
    alices_image = Image.objects.get()
    for reference, param in [
        ({"file_id": str(alices_image.pk)}, "images[0].file_id"),
        ({"image_url": made.data[0].url}, "images[0]"),
        (
            {"image_url": f"{made.data[0].url.split('/v1/')[0]}/images/{alices_image.pk}/file/"},
            None,
        ),
    ]:
        with pytest.raises(openai.BadRequestError) as raised:
            edit_with(bob_api, reference)
        error = raised.value.response.json()["error"]
        assert error["code"] == "image_not_found", error
        if param:
            assert error["param"] == param
    with pytest.raises(openai.NotFoundError):
        bob_api.get(f"/images/jobs/{alices_image.job_id}", cast_to=object)
    assert Job.objects.filter(owner__username="bob").count() == 0
    # alice herself may edit it by link
    assert edit_with(alice_api, {"image_url": made.data[0].url}).data


def test_a_link_elsewhere_is_refused_without_being_fetched(alice_api, sandbox):
    with pytest.raises(openai.BadRequestError) as raised:
        edit_with(alice_api, {"image_url": f"{sandbox.base_url}/files/secret.png"})
    assert "link to an image in this studio" in raised.value.response.json()["error"]["message"]
    assert not sandbox.requests()


def test_an_api_job_and_a_form_job_draw_on_the_same_daily_quota(
    alice_api, alice, client, api_world
):
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, images_per_day=3)
    alice_api.images.generate(model="gpt-image-1", prompt="by script", n=2)
    client.force_login(alice)
    model = api_world["models"]["gpt-image-1"]
    page = client.post("/generate/", {"prompt": "by hand", "model": model.pk, "n": 1})
    assert page.status_code == 302
    [line] = quota_status(user=alice)
    assert (line.used, line.left) == (3, 0)
    with pytest.raises(openai.PermissionDeniedError) as raised:
        alice_api.images.generate(model="gpt-image-1", prompt="one more by script")
    assert "0 of 3 images left today" in raised.value.response.json()["error"]["message"]
    form = client.post("/generate/", {"prompt": "one more by hand", "model": model.pk, "n": 1})
    assert "0 of 3 images left today" in form.content.decode()
    assert Job.objects.count() == 2
    wait_for_every_job_to_end()


def test_prefer_respond_async_answers_202_and_the_job_can_be_asked_for(alice_api):
    accepted = alice_api.post(
        "/images/generations",
        body={"model": "gpt-image-1.5", "prompt": "a slow sunrise"},
        options={"headers": {"Prefer": "respond-async"}},
        cast_to=openai.types.ImagesResponse,
    )
    raw = accepted.model_extra or {}
    job_id = raw.get("id")
    assert raw.get("status") in ("queued", "running") and job_id
    job = Job.objects.get(pk=job_id)

    def done() -> dict | None:
        status = alice_api.get(f"/images/jobs/{job_id}", cast_to=object)
        return status if status["status"] == "succeeded" else None

    final = wait_until(done, 40, 0.5, "the API job to succeed")
    assert final["data"][0]["b64_json"] and final["id"] == str(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.api_token == alice_api.token
