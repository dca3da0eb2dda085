"""The whole path with real parts: a Celery worker process, Redis, the sandbox over HTTP, S3."""

from urllib.parse import parse_qs, urlparse

import boto3
import pytest

from jobs.models import JobStatus
from tests.fixtures.polling import wait_for_final

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("model", "answer_shape"), [("gpt-image-1", "b64_json"), ("dall-e-3", "url")]
)
def test_a_worker_runs_the_job_and_stores_the_images(
    celery_worker, submit, sandbox, model, answer_shape
):
    job = wait_for_final(
        submit(f"a red fox in snow ({answer_shape})", model=model, size="1024x1024")
    )
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.images.count() == 1
    sent = [r for r in sandbox.requests() if r["path"].endswith("/v1/images/generations")]
    assert len(sent) == 1
    if answer_shape == "url":
        assert sent[0]["json"]["response_format"] == "url"
        assert any(r["path"].startswith("/files/") for r in sandbox.requests())
    else:
        assert "response_format" not in sent[0]["json"]


def test_a_rate_limited_job_is_retried_by_the_worker(celery_worker, submit, sandbox):
    job = wait_for_final(submit("crowded relay [[fault:429:1]]"))
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2


def test_a_refusal_ends_failed_with_the_providers_message_on_the_job_page(
    celery_worker, submit, sandbox, client, alice
):
    job = wait_for_final(submit("forbidden thing [[fault:policy]]"))
    assert job.status == JobStatus.FAILED
    assert job.attempts == 1  # a refusal is final: no retry
    client.force_login(alice)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Failed" in page
    assert "Your request was rejected as a result of our safety system." in page


def test_with_s3_objects_are_private_and_reached_only_through_the_checked_url(
    start_worker, s3_storage, submit, sandbox, client, alice, bob
):
    start_worker(s3_storage)
    job = wait_for_final(submit("a lantern on a private bucket"))
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    image = job.images.get()
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_storage["AWS_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )
    stored = s3.get_object(Bucket=s3_storage["AWS_STORAGE_BUCKET_NAME"], Key=image.file.name)
    assert stored["ContentLength"] == image.bytes
    acl = s3.get_object_acl(Bucket=s3_storage["AWS_STORAGE_BUCKET_NAME"], Key=image.file.name)
    assert not [g for g in acl["Grants"] if "AllUsers" in str(g["Grantee"].get("URI", ""))]

    client.force_login(alice)
    response = client.get(f"/images/{image.pk}/file/")
    assert response.status_code == 302
    presigned = urlparse(response["Location"])
    query = parse_qs(presigned.query)
    assert presigned.path.endswith(image.file.name)
    assert query["X-Amz-Expires"] == ["300"] and "X-Amz-Signature" in query
    assert response["Cache-Control"] == "private, no-store"

    client.force_login(bob)
    for suffix in ("", "file/", "thumbnail/", "download/"):
        assert client.get(f"/images/{image.pk}/{suffix}").status_code == 404
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
