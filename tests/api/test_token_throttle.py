"""Failed API token attempts are throttled like failed logins, with the same django-axes lock:
STUDIO_LOGIN_FAILURE_LIMIT wrong tokens from an address stop token guessing from it for
STUDIO_LOGIN_LOCK_MINUTES, a person's own lock (wrong passwords or their refused tokens) stops their
tokens from that address, and only STUDIO_LOGIN_ADDRESS_FAILURE_LIMIT failures stop everyone's.
Refusals are answered in OpenAI's error shape with Retry-After."""

from __future__ import annotations

from datetime import timedelta

import openai
import pytest
from axes.models import AccessAttempt
from django.conf import settings

from studio.api.tokens import create_token
from tests.fixtures.asgi import openai_client
from tests.world import PASSWORD

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


def fail_logins(client, times: int, address: str = HOME, username: str | None = None) -> None:
    """Wrong passwords from `address`: for `username`, or each for another unknown account."""
    for number in range(times):
        login = {"username": username or f"nobody{number}", "password": "wrong"}
        assert client.post(LOGIN, login, REMOTE_ADDR=address).status_code in (200, 429)


def lock_address(client, address: str = HOME) -> None:
    """The address's own limit, reached with wrong passwords for many accounts."""
    fail_logins(client, settings.STUDIO_LOGIN_ADDRESS_FAILURE_LIMIT, address)


def assert_locked(response, slack: int = 5) -> int:
    """The lock's 429 in OpenAI's shape, ending a cool-off after the failures (which took up to
    `slack` seconds to make); returns its Retry-After."""
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"  # not axes' lockout page
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert (error["type"], error["code"]) == ("rate_limit_error", "too_many_failed_attempts")
    retry_after = int(response["Retry-After"])
    assert cool_off_seconds() - slack <= retry_after <= cool_off_seconds()
    assert f"{retry_after} seconds" in error["message"]
    return retry_after


@pytest.fixture
def secret(alice) -> str:
    return create_token(alice, name="ci")[1]


def test_fewer_failures_than_the_limit_leave_a_correct_token_working(client, secret):
    guess(client, settings.AXES_FAILURE_LIMIT - 1)
    assert call(client, secret).status_code == 200


def test_wrong_tokens_stop_guessing_from_that_address_not_other_peoples_tokens(client, secret):
    guess(client, settings.AXES_FAILURE_LIMIT)
    retry_after = assert_locked(call(client, "sk-studio-still-wrong"))
    # a wrong token meanwhile does not push the end of the lock
    assert int(call(client, "sk-studio-wrong-again")["Retry-After"]) <= retry_after
    # a colleague's script behind the same address, with its good token, goes on working
    assert call(client, secret).status_code == 200


def test_a_correct_token_is_429_once_its_address_reached_the_address_limit(client, secret):
    lock_address(client)
    retry_after = assert_locked(call(client, secret), slack=60)  # many failures, a slow machine
    assert int(call(client, "sk-studio-still-wrong")["Retry-After"]) <= retry_after
    assert call(client, secret, "10.1.0.2").status_code == 200


def test_a_persons_lock_stops_their_tokens_there_not_other_peoples(client, secret, bob):
    _, bobs = create_token(bob, name="bob's script")
    fail_logins(client, settings.AXES_FAILURE_LIMIT, username="bob")
    assert_locked(call(client, bobs))
    assert call(client, bobs, "10.1.0.2").status_code == 200
    assert call(client, secret).status_code == 200


def test_a_persons_refused_tokens_lock_only_that_person_there(client, secret, bob):
    revoked, old_secret = create_token(bob, name="old script")
    revoked.revoked_at = revoked.created_at
    revoked.save()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        assert call(client, old_secret).status_code == 401
    assert_locked(call(client, old_secret))
    # A forgotten script with a revoked token adds no more to its address once it is locked.
    for _attempt in range(settings.STUDIO_LOGIN_ADDRESS_FAILURE_LIMIT):
        call(client, old_secret)
    assert call(client, secret).status_code == 200


def test_image_calls_are_locked_too(client, secret):
    lock_address(client)
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
    lock_address(client, "10.1.0.1")
    assert call(client, secret, "10.1.0.2").status_code == 200
    assert call(client, secret, "10.1.0.1").status_code == 429


def test_a_correct_token_between_guesses_does_not_reset_the_count(client, secret):
    guess(client, settings.AXES_FAILURE_LIMIT - 1)
    assert call(client, secret).status_code == 200
    guess(client, 1)
    assert call(client, "sk-studio-still-wrong").status_code == 429


def test_calls_without_a_token_are_not_counted(client, secret):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        assert client.get(MODELS, REMOTE_ADDR=HOME).status_code == 401
    assert call(client, "sk-studio-wrong").status_code == 401


def test_the_client_behind_trusted_proxies_is_counted(client, secret, settings):
    settings.STUDIO_TRUSTED_PROXIES = 1
    proxy = "10.0.0.254"
    for number in range(settings.AXES_FAILURE_LIMIT):
        # what the client wrote itself (left of the proxy's entry) is not trusted
        forwarded = f"203.0.113.{number}, 198.51.100.7"
        response = call(client, f"sk-studio-wrong-{number}", proxy, HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code == 401
    wrong = "sk-studio-wrong"
    assert call(client, wrong, proxy, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 401
    assert call(client, wrong, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429


def test_wrong_passwords_and_wrong_tokens_count_toward_the_address_limit(client, secret, alice):
    guess(client, settings.AXES_FAILURE_LIMIT)
    fail_logins(client, settings.STUDIO_LOGIN_ADDRESS_FAILURE_LIMIT - settings.AXES_FAILURE_LIMIT)
    assert call(client, secret).status_code == 429
    login = {"username": "alice", "password": PASSWORD}
    assert client.post(LOGIN, login, REMOTE_ADDR=HOME).status_code == 429


def test_an_accounts_password_lock_does_not_stop_its_tokens_elsewhere(client, secret, alice):
    fail_logins(client, settings.AXES_FAILURE_LIMIT, "10.2.0.1", username="alice")
    login = {"username": "alice", "password": PASSWORD}
    assert client.post(LOGIN, login, REMOTE_ADDR="10.2.0.1").status_code == 429
    assert call(client, secret, "10.2.0.1").status_code == 429
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
    lock_address(client)
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
    client(secret).models.list()  # another person's good token still works
    with pytest.raises(openai.RateLimitError) as raised:
        client("sk-studio-wrong-again").models.list()
    assert raised.value.status_code == 429
    assert raised.value.code == "too_many_failed_attempts"
    assert set(raised.value.response.json()["error"]) == {"message", "type", "param", "code"}
    assert 0 < int(raised.value.response.headers["Retry-After"]) <= cool_off_seconds()
