"""Every dialect through the pipeline: the request sent to the sandbox and the images stored."""

import base64
import io

import pytest
from PIL import Image as PILImage

from jobs import engine
from jobs.models import ImageOrigin, Job, JobKind, JobStatus, LedgerEntry
from jobs.storage import read_stored_file
from studio.submit import JobSpec, store_upload, submit_job
from tests.engine.helpers import make_due
from tests.fixtures.images import mask_png

pytestmark = pytest.mark.django_db


# Async sandbox tasks in these prompts end on their second poll: no test waits on a real clock.
TWO_POLLS = "[[polls:2]]"


def run_to_the_end(job: Job, polls: int = 5) -> Job:
    """Run the job, then poll it (made due at once) until it is final or `polls` are spent."""
    engine.run_job(job.pk)
    for _ in range(polls):
        job.refresh_from_db()
        if job.is_final:
            return job
        make_due(job)
        engine.poll_job(job.pk)
    job.refresh_from_db()
    return job


def provider_calls(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if not r["path"].startswith(("/_sandbox", "/files/"))]


GENERATIONS = [
    # model, params, method+path of the submit, what its body must carry
    (
        "gpt-image-1",
        {"size": "1536x1024", "quality": "low"},
        "/v1/images/generations",
        {"model": "gpt-image-1", "size": "1536x1024", "quality": "low", "n": 2},
    ),
    (
        "dall-e-3",
        {"size": "1792x1024"},
        "/v1/images/generations",
        {"model": "dall-e-3", "size": "1792x1024", "response_format": "url"},
    ),
    (
        "grok-3-image",
        {"aspect_ratio": "16:9", "quality": "high"},
        "/v1/images/generations",
        {
            "model": "grok-3-image",
            "n": 2,
            "aspect_ratio": ["16:9", "16:9"],
            "quality": ["high", "high"],
        },
    ),
    ("wanx-v1", {}, "/v1/images/edits", {"model": "wanx-v1"}),
    (
        "gpt-image-1.5",
        {"size": "1024x1024"},
        "/api/v1/image/generation",
        {"model": "gpt-image-1.5", "size": "1024x1024", "n": 2},
    ),
    (
        "wanx2.1-t2i-turbo",
        {},
        "/api/v1/services/aigc/text2image/image-synthesis",
        {"model": "wanx2.1-t2i-turbo"},
    ),
]


@pytest.mark.parametrize(("model", "params", "path", "body"), GENERATIONS)
def test_each_dialect_generates_and_stores(
    submit, sandbox, sandbox_models, model, params, path, body
):
    caps = sandbox_models[model].capabilities()
    n = 2 if caps.n_max >= 2 else 1
    job = run_to_the_end(submit(f"a glass whale ({model}) {TWO_POLLS}", model=model, n=n, **params))
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    first = provider_calls(sandbox)[0]
    assert (first["method"], first["path"]) == ("POST", path)
    assert first["headers"]["Authorization"] == "Bearer sandbox-key"
    sent = first["json"]
    for key, value in body.items():
        if key == "n" and n == 1:
            continue
        assert sent.get(key, sent.get("parameters", {}).get(key)) == value, key
    if model == "wanx2.1-t2i-turbo":
        assert first["headers"]["X-DashScope-Async"] == "enable"
    if job.remote_task_id:
        assert any(
            r["method"] == "GET" and job.remote_task_id in r["path"] for r in sandbox.requests()
        )
    images = list(job.images.order_by("index"))
    assert len(images) == n
    for image in images:
        stored = PILImage.open(io.BytesIO(read_stored_file(image.file.name)))
        assert (stored.width, stored.height) == (image.width, image.height)
        assert image.origin == ImageOrigin.GENERATED
        if "size" in params:
            assert f"{image.width}x{image.height}" == params["size"]


EDITS = [
    ("dall-e-2", True, "multipart", "/v1/images/edits"),
    ("gpt-image-1", True, "multipart", "/v1/images/edits"),
    ("grok-3-image", False, "multipart", "/v1/images/edits"),
    ("wanx-v1", False, "json", "/v1/images/edits"),
    ("gpt-image-1.5", True, "json", "/api/v1/image/generation"),
]


@pytest.mark.parametrize(("model", "with_mask", "encoding", "path"), EDITS)
def test_each_dialect_edits_and_records_the_source(
    sandbox, sandbox_models, alice, png_bytes, model, with_mask, encoding, path
):
    source = store_upload(png_bytes(256, 256), owner=alice)
    spec = JobSpec(
        owner=alice,
        model=sandbox_models[model],
        prompt=f"make it stormy {TWO_POLLS}",
        kind=JobKind.EDIT,
        source_images=[source],
        mask_png=mask_png(256, 256) if with_mask else None,
    )
    job = run_to_the_end(submit_job(spec))
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    first = provider_calls(sandbox)[0]
    assert (first["method"], first["path"]) == ("POST", path)
    if encoding == "multipart":
        parts = {part["field"]: part for part in first["files"]}
        assert parts["image"]["content_type"] == "image/png"
        # As stored, or as the job converted it for the model (dall-e-2: an RGBA PNG).
        assert parts["image"]["size"] == len(engine.build_request(job).images[0].data)
        assert ("mask" in parts) == with_mask
        assert first["form"]["prompt"] == spec.prompt
    else:
        text = str(first["json"])
        uploaded = base64.b64encode(read_stored_file(source.file.name)).decode()
        assert uploaded in text  # the source travels as a data URI inside the JSON
    result = job.images.get()
    assert result.origin == ImageOrigin.EDITED
    assert list(result.sources.all()) == [source]
    assert list(source.derivatives.all()) == [result]


def test_fewer_images_than_asked_keeps_what_came_says_so_and_bills_only_that(submit, sandbox):
    job = run_to_the_end(submit("a flock of cranes [[fewer:1]]", model="gpt-image-1", n=3))
    assert job.status == JobStatus.SUCCEEDED
    assert job.images.count() == 1
    assert job.images_produced == 1
    assert "1 of 3 images came back" in job.note
    assert sum(LedgerEntry.objects.filter(job=job).values_list("images", flat=True)) == 1


def test_per_image_errors_are_kept_in_the_note(submit, sandbox):
    job = run_to_the_end(
        submit(f"two lanterns [[fewer:1]] {TWO_POLLS}", model="wanx2.1-t2i-turbo", n=2)
    )
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.images.count() == 1
    assert "image 2" in job.note


def test_succeeded_without_any_image_is_a_failure_and_refunded(submit, sandbox):
    job = run_to_the_end(submit(f"nothing at all [[fewer:0]] {TWO_POLLS}", model="gpt-image-1.5"))
    assert job.status == JobStatus.FAILED
    assert job.error_message
    assert sum(LedgerEntry.objects.filter(job=job).values_list("images", flat=True)) == 0


def test_provider_usage_is_stored_on_the_job(submit, sandbox):
    job = run_to_the_end(submit("usage please", model="grok-3-image", n=2))
    assert job.usage.get("generated_images") == 2
