"""Failed API token attempts are throttled like failed logins: per client address, with the same
django-axes lock (STUDIO_LOGIN_FAILURE_LIMIT failures lock the address for
STUDIO_LOGIN_LOCK_MINUTES), answered in OpenAI's error shape with Retry-After."""

from __future__ import annotations

from datetime import timedelta

import openai
import pytest
from axes.models import AccessAttempt
from django.conf import settings

from studio.api.tokens import create_token
from tests.api.client_helpers import openai_client
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

MODELS = "/v1/models"
LOGIN = "/accounts/login/"
HOME = "10.1.0.1"


def call(client, secret: str, address: str = HOME, **extra):
    return client.get(MODELS, HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR=address, **extra)


def guess(client, times: int, address: str = HOME, **extra) -> None:
    for number in range(times):
        assert call(client, f"sk-studio-wrong-{number}", address, **extra).status_code == 401


def cool_off_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


@pytest.fixture
def secret(alice) -> str:
    return create_token(alice, name="ci")[1]


def test_fewer_failures_than_the_limit_leave_a_correct_token_working(client, secret):
    guess(client, settings.AXES_FAILURE_LIMIT - 1)
    assert call(client, secret).status_code == 200


def test_a_correct_token_is_429_once_its_address_reached_the_limit(client, secret):
    guess(client, settings.AXES_FAILURE_LIMIT)
    response = call(client, secret)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"  # not axes' lockout page
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert (error["type"], error["code"]) == ("rate_limit_error", "too_many_failed_attempts")
    retry_after = int(response["Retry-After"])
    assert cool_off_seconds() - 5 <= retry_after <= cool_off_seconds()
    assert f"{retry_after} seconds" in error["message"]
    # a wrong token meanwhile is refused the same way and does not push the end of the lock
    assert call(client, "sk-studio-still-wrong").status_code == 429
    assert int(call(client, secret)["Retry-After"]) <= retry_after


def test_image_calls_are_locked_too(client, secret):
    guess(client, settings.AXES_FAILURE_LIMIT)
    response = client.post(
        "/v1/images/generations",
        {"model": "gpt-image-1", "prompt": "a fox"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        REMOTE_ADDR=HOME,
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_failed_attempts"
    assert "Retry-After" in response


def test_the_lock_is_per_address_and_a_success_elsewhere_does_not_lift_it(client, secret):
    guess(client, settings.AXES_FAILURE_LIMIT, "10.1.0.1")
    assert call(client, secret, "10.1.0.2").status_code == 200
    assert call(client, secret, "10.1.0.1").status_code == 429


def test_a_correct_token_between_guesses_does_not_reset_the_count(client, secret):
    guess(client, settings.AXES_FAILURE_LIMIT - 1)
    assert call(client, secret).status_code == 200
    guess(client, 1)
    assert call(client, secret).status_code == 429


def test_calls_without_a_token_are_not_counted(client, secret):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        assert client.get(MODELS, REMOTE_ADDR=HOME).status_code == 401
    assert call(client, secret).status_code == 200


def test_the_client_behind_trusted_proxies_is_counted(client, secret, settings):
    settings.STUDIO_TRUSTED_PROXIES = 1
    proxy = "10.0.0.254"
    for number in range(settings.AXES_FAILURE_LIMIT):
        # what the client wrote itself (left of the proxy's entry) is not trusted
        forwarded = f"203.0.113.{number}, 198.51.100.7"
        response = call(client, f"sk-studio-wrong-{number}", proxy, HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code == 401
    assert call(client, secret, proxy, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200
    assert call(client, secret, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429


def test_wrong_passwords_and_wrong_tokens_count_toward_one_lock(client, secret, alice):
    for number in range(settings.AXES_FAILURE_LIMIT):
        if number % 2:
            guess(client, 1)
        else:
            login = {"username": f"nobody{number}", "password": "wrong"}
            assert client.post(LOGIN, login, REMOTE_ADDR=HOME).status_code == 200
    assert call(client, secret).status_code == 429
    login = {"username": "alice", "password": PASSWORD}
    assert client.post(LOGIN, login, REMOTE_ADDR=HOME).status_code == 429


def test_an_accounts_password_lock_does_not_stop_its_tokens_elsewhere(client, secret, alice):
    for number in range(settings.AXES_FAILURE_LIMIT):
        login = {"username": "alice", "password": "wrong"}
        client.post(LOGIN, login, REMOTE_ADDR=f"10.2.0.{number}")
    assert client.post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 429
    assert call(client, secret, "10.3.0.1").status_code == 200


def test_a_refused_calls_body_is_neither_read_nor_kept(client):
    client.post(
        "/v1/images/edits",
        {"model": "gpt-image-1", "prompt": "my secret plan"},
        HTTP_AUTHORIZATION="Bearer sk-studio-wrong",
        REMOTE_ADDR=HOME,
    )
    attempt = AccessAttempt.objects.get(ip_address=HOME)
    assert "secret plan" not in attempt.post_data + attempt.get_data


def test_the_lock_expires(client, secret):
    guess(client, settings.AXES_FAILURE_LIMIT)
    assert call(client, secret).status_code == 429
    later = settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - later
        )
    assert call(client, secret).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_openai_package_gets_the_429_with_retry_after(studio_server, alice):
    _, secret = create_token(alice, name="sdk")

    def client(key: str) -> openai.OpenAI:
        return openai_client(f"{studio_server}/v1", key)

    for number in range(settings.AXES_FAILURE_LIMIT):
        with pytest.raises(openai.AuthenticationError):
            client(f"sk-studio-wrong-{number}").models.list()
    with pytest.raises(openai.RateLimitError) as raised:
        client(secret).models.list()
    assert raised.value.status_code == 429
    assert raised.value.code == "too_many_failed_attempts"
    assert set(raised.value.response.json()["error"]) == {"message", "type", "param", "code"}
    assert 0 < int(raised.value.response.headers["Retry-After"]) <= cool_off_seconds()
