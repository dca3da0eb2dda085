"""`POST /v1/images/variations`: dall-e-2 (and relays of it) make variations as ordinary jobs;
any other model answers a 400 in OpenAI's shape naming it."""

from __future__ import annotations

import openai
import pytest

from jobs.models import Image, ImageOrigin, Job, JobKind, JobStatus, LedgerEntry
from tests.fixtures.images import png
from tests.fixtures.sandbox import decode_image

pytestmark = [
    # The SDK marks create_variation deprecated (OpenAI's own dall-e-2 is); apps still call it.
    pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning"),
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def test_dall_e_2_makes_variations_as_a_job(alice_api, alice, sandbox):
    answer = alice_api.images.create_variation(
        image=("source.png", png(64, 64), "image/png"),
        model="dall-e-2",
        n=2,
        size="256x256",
        response_format="b64_json",
    )
    assert [decode_image(item.b64_json).size for item in answer.data] == [(256, 256)] * 2
    job = Job.objects.get()
    assert (job.owner, job.kind, job.status) == (alice, JobKind.VARIATION, JobStatus.SUCCEEDED)
    assert job.prompt == "" and job.source_images.count() == 1
    made = Image.objects.filter(job=job)
    assert made.count() == 2 and {i.origin for i in made} == {ImageOrigin.EDITED}
    assert LedgerEntry.objects.filter(job=job, kind="reserve").count() == 1
    sent = [r for r in sandbox.requests() if r["path"] == "/v1/images/variations"]
    assert len(sent) == 1


def test_a_variation_answers_a_url_by_default_on_dall_e(alice_api):
    answer = alice_api.images.create_variation(
        image=("source.png", png(64, 64), "image/png"), model="dall-e-2", size="256x256"
    )
    assert answer.data[0].url


@pytest.mark.parametrize("model", ["gpt-image-1", "dall-e-3", "grok-3-image"])
def test_other_models_answer_a_400_naming_the_model(alice_api, model):
    with pytest.raises(openai.BadRequestError) as refused:
        alice_api.images.create_variation(
            image=("source.png", png(64, 64), "image/png"), model=model
        )
    assert refused.value.body["param"] == "model"
    assert model in refused.value.body["message"]
    assert not Job.objects.exists()


def test_a_variation_of_a_non_square_image_is_refused_as_dall_e_2_refuses_it(alice_api):
    with pytest.raises(openai.BadRequestError) as refused:
        alice_api.images.create_variation(
            image=("wide.png", png(96, 64), "image/png"), model="dall-e-2"
        )
    assert refused.value.body["param"] == "image"
