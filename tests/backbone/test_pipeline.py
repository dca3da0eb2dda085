"""The job state machine, driven in-process against the sandbox over real HTTP."""

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image as PILImage

from jobs import engine
from jobs.models import Job, JobStatus
from jobs.storage import read_stored_file
from tests.engine.helpers import assert_books_balance, make_due

pytestmark = pytest.mark.django_db


def submits_seen(sandbox) -> int:
    return sum(
        1 for r in sandbox.requests() if r["method"] == "POST" and "/_sandbox" not in r["path"]
    )


def run_until_final(job: Job, rounds: int = 10) -> Job:
    """What the worker would do, without waiting for countdowns: run, then retry until final."""
    for _ in range(rounds):
        job.refresh_from_db()
        if job.is_final:
            break
        make_due(job)
        engine.run_job(job.pk)
    job.refresh_from_db()
    return job


def test_a_generated_image_is_stored_verified_and_recorded(submit, sandbox):
    job = submit("a lighthouse at dawn", model="gpt-image-1", n=2, size="1024x1536")
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 1 and job.started_at and job.finished_at
    images = list(job.images.order_by("index"))
    assert [image.index for image in images] == [0, 1]
    for image in images:
        assert (image.width, image.height, image.format) == (1024, 1536, "PNG")
        data = read_stored_file(image.file.name)
        assert len(data) == image.bytes
        assert (
            PILImage.open(__import__("io").BytesIO(read_stored_file(image.thumbnail.name))).format
            == "WEBP"
        )
    assert images[0].sha256 != images[1].sha256 or images[0].file.name != images[1].file.name


def test_a_second_delivery_of_the_same_message_does_nothing(submit, sandbox):
    job = submit("only once please")
    engine.run_job(job.pk)
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 1
    assert submits_seen(sandbox) == 1
    assert job.images.count() == 1


def test_a_rate_limit_then_success_records_the_attempts(submit, sandbox):
    job = submit("busy relay [[fault:429:1]]")
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED  # waiting for its retry, not failed
    assert "trying again" in job.note
    job = run_until_final(job)
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2
    assert submits_seen(sandbox) == 2


def test_a_stray_run_message_during_the_backoff_does_not_submit_early(submit, sandbox):
    job = submit("busy relay [[fault:429:1:30]]")  # Retry-After: 30 s
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.due_at > timezone.now() + timedelta(seconds=25)
    for _ in range(3):  # copies of the run message, from the sweep or a redelivery
        engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert submits_seen(sandbox) == 1
    make_due(job)  # the backoff is over: the next message submits, once
    engine.run_job(job.pk)
    assert_books_balance(job, sandbox, images=1)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2


def test_a_content_policy_refusal_fails_at_once_with_the_providers_words(submit, sandbox):
    job = run_until_final(submit("something forbidden [[fault:policy]]"))
    assert job.status == JobStatus.FAILED
    assert job.attempts == 1
    assert "safety system" in job.error_message
    assert job.images.count() == 0


def test_malformed_json_fails_instead_of_sticking(submit, sandbox):
    job = run_until_final(submit("garbled answer [[fault:malformed]]"))
    assert job.status == JobStatus.FAILED
    assert job.error_message
    assert job.lease_until is None


def test_server_errors_give_up_after_the_attempt_limit(submit, sandbox, settings):
    settings.STUDIO_MAX_ATTEMPTS = 3
    job = run_until_final(submit("always broken [[fault:500:9]]"))
    assert job.status == JobStatus.FAILED
    assert job.attempts == 3
    assert "gave up after 3 attempts" in job.error_message


def test_a_canceled_job_is_not_sent(submit, sandbox):
    from jobs.services import cancel_job

    job = submit("never mind")
    assert cancel_job(job)
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELED
    assert submits_seen(sandbox) == 0


def test_the_sweep_resends_a_lost_hop_once_per_grace_period(submit, sandbox):
    from datetime import timedelta

    from django.utils import timezone

    job = submit("lost message")
    Job.objects.filter(pk=job.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    assert engine.sweep_due_jobs() == 1
    assert engine.sweep_due_jobs() == 0  # not again until another grace period has passed


@pytest.mark.parametrize(("grace", "resent"), [(10, 0), (2, 1)])
def test_a_hop_is_resent_only_once_it_is_later_than_the_grace(submit, settings, grace, resent):
    from datetime import timedelta

    from django.utils import timezone

    settings.STUDIO_SWEEP_GRACE_SECONDS = grace
    job = submit("a message that may be lost")
    Job.objects.filter(pk=job.pk).update(due_at=timezone.now() - timedelta(seconds=5))
    assert engine.sweep_due_jobs() == resent


def test_a_worker_that_died_mid_call_lets_another_take_over(submit, sandbox):
    from datetime import timedelta

    from django.utils import timezone

    job = submit("the first worker died")
    assert engine.claim_for_submit(job.pk) is not None
    assert engine.claim_for_submit(job.pk) is None  # still held
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2


def test_a_model_removed_or_disabled_by_an_admin_fails_the_job_clearly(
    submit, sandbox, sandbox_models
):
    disabled = submit("a kite", model="dall-e-3")
    sandbox_models["dall-e-3"].provider.models.filter(name="dall-e-3").update(enabled=False)
    removed = submit("a boat", model="grok-3-image")
    sandbox_models["grok-3-image"].delete()
    for job in (disabled, removed):
        engine.run_job(job.pk)
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED
    assert "disabled by an administrator" in disabled.error_message
    assert "removed by an administrator" in removed.error_message
    assert submits_seen(sandbox) == 0


def test_a_missing_key_variable_fails_the_job_with_a_message_for_the_admin(
    submit, sandbox, sandbox_models
):
    provider = sandbox_models["gpt-image-1"].provider
    provider.set_api_key("env:STUDIO_TEST_KEY_THAT_IS_NOT_SET")
    provider.save()
    job = submit("a lamp")
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "STUDIO_TEST_KEY_THAT_IS_NOT_SET is not set" in job.error_message
    assert "Ask an administrator" in job.error_message
