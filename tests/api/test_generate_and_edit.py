"""The openai package against the studio: generations and edits become ordinary jobs."""

from __future__ import annotations

import base64
import io

import pytest
import requests
from openai.types import ImagesResponse
from PIL import Image as PILImage

from jobs.models import Image, ImageOrigin, Job, JobKind, JobStatus, LedgerEntry
from tests.fixtures.sandbox import decode_image

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def mask_png(width: int = 64, height: int = 64) -> bytes:
    """Transparent (the area to change) on the left half, opaque on the right."""
    mask = PILImage.new("RGBA", (width, height), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (0, 0, width // 2, height))
    out = io.BytesIO()
    mask.save(out, "PNG")
    return out.getvalue()


def test_a_generation_answers_base64_and_is_an_ordinary_job(alice_api, alice, sandbox):
    answer = alice_api.images.generate(
        model="gpt-image-1", prompt="a red fox in snow", size="1024x1024", quality="low"
    )
    assert decode_image(answer.data[0].b64_json).format == "PNG"
    assert answer.size == "1024x1024" and answer.quality == "low"
    assert answer.output_format == "png"
    job = Job.objects.get()
    assert (job.owner, job.api_token, job.status) == (alice, alice_api.token, JobStatus.SUCCEEDED)
    assert job.prompt == "a red fox in snow" and job.params == {
        "size": "1024x1024",
        "quality": "low",
    }
    image = Image.objects.get(job=job)
    assert image.owner == alice and image.origin == ImageOrigin.GENERATED
    assert LedgerEntry.objects.filter(job=job, kind="reserve").count() == 1
    sent = [r for r in sandbox.requests() if r["path"].endswith("/v1/images/generations")]
    assert sent[0]["json"]["prompt"] == "a red fox in snow"


def test_a_url_answer_is_a_studio_link_that_works_with_or_without_a_bearer(
    alice_api, api_world, bob, make_token
):
    answer = alice_api.images.generate(
        model="dall-e-2", prompt="a lighthouse", size="256x256", response_format="url"
    )
    url = answer.data[0].url
    assert url.startswith(f"{api_world['url']}/v1/files/")
    image = Image.objects.get()
    stored = image.file.open("rb").read()
    assert requests.get(url, timeout=10).content == stored
    _, bobs_secret = make_token(bob)
    for header in (f"Bearer {bobs_secret}", "Bearer not-a-token"):
        response = requests.get(url, headers={"Authorization": header}, timeout=10)
        assert response.status_code == 200 and response.content == stored
    forged = url.rstrip("/")[:-3] + "xyz/"
    assert requests.get(forged, timeout=10).status_code == 404


def test_gpt_image_ignores_response_format_and_answers_base64(alice_api):
    answer = alice_api.images.generate(
        model="gpt-image-1", prompt="a kite", response_format="url", size="1024x1024"
    )
    assert answer.data[0].b64_json and not answer.data[0].url


def test_an_edit_with_a_mask(alice_api, alice, sandbox, png_bytes):
    answer = alice_api.images.edit(
        model="gpt-image-1",
        image=("cat.png", png_bytes(64, 64), "image/png"),
        mask=("mask.png", mask_png(), "image/png"),
        prompt="give the cat a hat",
    )
    assert decode_image(answer.data[0].b64_json)
    job = Job.objects.get()
    assert job.kind == JobKind.EDIT and job.status == JobStatus.SUCCEEDED and job.mask
    [source] = job.source_images.all()
    assert source.origin == ImageOrigin.UPLOADED and source.owner == alice
    result = job.images.get()
    assert list(result.sources.all()) == [source]  # the lineage is kept
    [sent] = [r for r in sandbox.requests() if r["path"].endswith("/v1/images/edits")]
    assert [part["field"] for part in sent["files"]] == ["image", "mask"]


def test_an_edit_with_several_image_parts(alice_api, sandbox, png_bytes):
    alice_api.images.edit(
        model="gpt-image-1",
        image=[
            ("one.png", png_bytes(64, 64, (255, 0, 0)), "image/png"),
            ("two.png", png_bytes(64, 64, (0, 0, 255)), "image/png"),
        ],
        prompt="blend these",
    )
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED
    assert job.source_images.count() == 2
    [sent] = [r for r in sandbox.requests() if r["path"].endswith("/v1/images/edits")]
    assert [part["field"] for part in sent["files"]] == ["image[]", "image[]"]


def test_the_json_edit_form_takes_a_file_id_and_a_data_uri(alice_api, alice, png_bytes):
    first = alice_api.images.generate(model="gpt-image-1", prompt="a plain vase")
    vase = Image.objects.get(job_id=first.job_id)
    data_uri = "data:image/png;base64," + base64.b64encode(png_bytes(64, 64)).decode()
    answer = alice_api.post(
        "/images/edits",
        body={
            "model": "gpt-image-1",
            "prompt": "paint flowers on it",
            "images": [{"file_id": str(vase.pk)}, {"image_url": data_uri}],
        },
        cast_to=ImagesResponse,
    )
    assert answer.data[0].b64_json
    edit = Job.objects.get(kind=JobKind.EDIT)
    assert edit.status == JobStatus.SUCCEEDED
    assert vase in edit.source_images.all() and edit.source_images.count() == 2
    assert vase in Image.objects.get(job=edit).sources.all()
