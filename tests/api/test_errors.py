"""Every error of the API in OpenAI's shape, as the openai package raises it."""

from __future__ import annotations

from datetime import timedelta

import openai
import pytest
from django.utils import timezone

from jobs.models import Job, JobStatus, LedgerEntry, QuotaLimit
from studio.models import ApiIdempotencyKey, Membership, Role
from tests.fixtures.asgi import API_WAIT_SECONDS, wait_for_every_job_to_end

pytestmark = [pytest.mark.long, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def error_of(raised: pytest.ExceptionInfo) -> dict:
    body = raised.value.response.json()
    assert set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


def test_an_unknown_token_is_401(api_client):
    with pytest.raises(openai.AuthenticationError) as raised:
        api_client("sk-studio-not-a-real-token").models.list()
    assert error_of(raised)["code"] == "invalid_api_key"


@pytest.mark.parametrize("how", ["expired", "revoked", "account disabled"])
def test_an_expired_or_revoked_token_or_a_disabled_account_is_401(
    how, make_token, api_client, alice
):
    token, secret = make_token(alice)
    if how == "expired":
        token.expires_at = timezone.now() - timedelta(minutes=1)
        token.save()
    elif how == "revoked":
        token.revoked_at = timezone.now()
        token.save()
    else:
        alice.is_active = False
        alice.save()
    with pytest.raises(openai.AuthenticationError) as raised:
        api_client(secret).images.generate(model="gpt-image-1", prompt="a cat")
    assert how.split()[-1] in error_of(raised)["message"]
    assert not Job.objects.exists()


def test_a_model_the_token_may_not_use_is_403_and_is_not_listed(
    make_token, api_client, alice, api_world
):
    _, secret = make_token(alice, models=[api_world["models"]["dall-e-2"]])
    client = api_client(secret)
    assert [model.id for model in client.models.list()] == ["dall-e-2"]
    with pytest.raises(openai.PermissionDeniedError) as raised:
        client.images.generate(model="gpt-image-1", prompt="a cat")
    assert error_of(raised)["code"] == "model_not_allowed"
    assert client.images.generate(model="sandbox/dall-e-2", prompt="a cat", size="256x256").data


def test_a_model_disabled_after_the_token_was_made_is_403(alice_api, api_world):
    model = api_world["models"]["gpt-image-1"]
    model.enabled = False
    model.save()
    with pytest.raises(openai.PermissionDeniedError) as raised:
        alice_api.images.generate(model="gpt-image-1", prompt="a cat")
    assert "disabled" in error_of(raised)["message"]
    assert "gpt-image-1" not in [model.id for model in alice_api.models.list()]


def test_losing_the_team_role_disables_a_team_token(make_token, api_client, alice, design):
    membership = Membership.objects.get(team=design, user=alice)
    _, secret = make_token(alice, team=design)
    client = api_client(secret)
    client.images.generate(model="gpt-image-1", prompt="a poster")
    job = Job.objects.get()
    assert job.team == design
    assert job.images.get().library_items.filter(team=design).exists()  # in the team's library
    membership.role = Role.VIEWER
    membership.save()
    with pytest.raises(openai.PermissionDeniedError) as raised:
        client.images.generate(model="gpt-image-1", prompt="another poster")
    assert "Design" in error_of(raised)["message"]


def test_an_exhausted_quota_is_403_insufficient_quota(alice_api, alice):
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, images_per_day=2)
    alice_api.images.generate(model="gpt-image-1", prompt="one", n=2)
    with pytest.raises(openai.PermissionDeniedError) as raised:
        alice_api.images.generate(model="gpt-image-1", prompt="two")
    error = error_of(raised)
    assert error["code"] == "insufficient_quota" and error["type"] == "insufficient_quota"
    assert "0 of 2 images left today" in error["message"]
    assert Job.objects.count() == 1


def test_the_tokens_credits_cap_is_403_insufficient_quota(make_token, api_client, alice):
    _, secret = make_token(alice, credits_cap=3)
    client = api_client(secret)
    client.images.generate(model="gpt-image-1", prompt="cheap", quality="low", n=2)
    with pytest.raises(openai.PermissionDeniedError) as raised:
        client.images.generate(model="gpt-image-1", prompt="dear", quality="low", n=2)
    assert error_of(raised)["code"] == "insufficient_quota"
    assert "1 left" in error_of(raised)["message"]


@pytest.mark.parametrize(
    ("params", "param", "words"),
    [
        ({"model": "gpt-image-1", "aspect_ratio": "16:9"}, "aspect_ratio", "aspect ratio"),
        ({"model": "gpt-image-1", "n": 11}, "n", "between 1 and 10"),
        ({"model": "dall-e-3", "size": "256x256"}, "size", "256x256"),
        ({"model": "gpt-image-1", "colour": "vivid"}, "colour", "Unknown parameter"),
        ({"model": "dall-e-2", "response_format": "png"}, "response_format", "b64_json"),
        ({"model": "gpt-image-1", "prompt": ""}, "prompt", "Enter a prompt"),
    ],
)
def test_invalid_parameters_are_400_naming_the_parameter(alice_api, params, param, words):
    body = {"prompt": "a cat", **params}
    model, prompt = body.pop("model"), body.pop("prompt")
    with pytest.raises(openai.BadRequestError) as raised:
        alice_api.images.generate(model=model, prompt=prompt, extra_body=body)
    error = error_of(raised)
    assert error["param"] == param and words in error["message"]
    assert not Job.objects.exists()


def test_grok_models_take_aspect_ratio_and_resolution(alice_api, sandbox):
    alice_api.images.generate(
        model="grok-3-image",
        prompt="a desert road",
        extra_body={"aspect_ratio": "16:9", "resolution": "2k"},
    )
    assert Job.objects.get().params == {"aspect_ratio": "16:9", "resolution": "2k"}
    [sent] = [r for r in sandbox.requests() if r["path"].endswith("/v1/images/generations")]
    assert sent["json"]["aspect_ratio"] == ["16:9"] and sent["json"]["resolution"] == ["2k"]


def test_the_rate_limit_is_429_with_retry_after(make_token, api_client, alice):
    token, secret = make_token(alice)
    token.rate_limit_per_minute = 2
    token.save()
    client = api_client(secret)
    client.models.list()
    client.models.list()
    with pytest.raises(openai.RateLimitError) as raised:
        client.images.generate(model="gpt-image-1", prompt="one too many")
    assert 1 <= int(raised.value.response.headers["Retry-After"]) <= 61
    assert error_of(raised)["code"] == "rate_limit_exceeded"
    assert not Job.objects.exists()


def test_a_provider_refusal_is_502_with_the_providers_message(make_token, api_client, alice):
    _, secret = make_token(alice)
    with pytest.raises(openai.InternalServerError) as raised:
        # The SDK retries 5xx by default; the answer tells it not to (the job has ended).
        api_client(secret, max_retries=2).images.generate(
            model="gpt-image-1", prompt="forbidden [[fault:policy]]"
        )
    assert raised.value.status_code == 502
    assert "safety system" in error_of(raised)["message"]
    assert Job.objects.get().status == JobStatus.FAILED


def test_a_provider_that_runs_out_of_time_is_504(alice_api, api_world):
    model = api_world["models"]["gpt-image-1.5"]
    model.limits = {"poll_deadline_seconds": 1}
    model.save()
    with pytest.raises(openai.InternalServerError) as raised:
        alice_api.images.generate(model="gpt-image-1.5", prompt="stuck [[never]]")
    assert raised.value.status_code == 504
    assert error_of(raised)["code"] == "provider_timeout"
    assert "did not finish the task" in error_of(raised)["message"]


def test_a_job_that_outlives_the_wait_is_504_and_goes_on(make_token, api_client, alice, client):
    _, secret = make_token(alice)
    with pytest.raises(openai.InternalServerError) as raised:
        api_client(secret, max_retries=2).images.generate(
            model="gpt-image-1.5", prompt="slow [[never]]"
        )
    assert raised.value.status_code == 504
    job = Job.objects.get()
    assert error_of(raised)["code"] == "timeout" and str(job.pk) in error_of(raised)["message"]
    assert f"after {API_WAIT_SECONDS} s" in error_of(raised)["message"]
    assert job.status == JobStatus.RUNNING
    client.force_login(alice)
    client.post(f"/jobs/{job.pk}/cancel/")  # so the worker stops polling it
    wait_for_every_job_to_end()


def test_a_retry_with_the_same_idempotency_key_returns_the_first_job(make_token, api_client, alice):
    _, secret = make_token(alice)
    # The SDK gives up on the first attempt after 2 s and retries with the same headers.
    client = api_client(secret, max_retries=2, timeout=2.0)
    answer = client.images.generate(
        model="gpt-image-1",
        prompt="a slow painting [[delay:4]]",
        extra_headers={"Idempotency-Key": "retry-me-1"},
    )
    job = Job.objects.get()
    assert answer.job_id == str(job.pk) and job.status == JobStatus.SUCCEEDED
    assert LedgerEntry.objects.filter(kind="reserve").count() == 1
    again = api_client(secret).images.generate(
        model="gpt-image-1",
        prompt="a slow painting [[delay:4]]",  # the same request: another is a 422
        extra_headers={"Idempotency-Key": "retry-me-1"},
    )
    assert again.job_id == str(job.pk) and Job.objects.count() == 1
    # Keys last a day, as OpenAI's do; then the same key makes a new job.
    ApiIdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    later = api_client(secret).images.generate(
        model="gpt-image-1",
        prompt="a new painting",
        extra_headers={"Idempotency-Key": "retry-me-1"},
    )
    assert later.job_id != str(job.pk) and Job.objects.count() == 2
