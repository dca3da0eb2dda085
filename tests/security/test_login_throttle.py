"""Logins are throttled per account and per address, on the login page and on /admin/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/?next=/admin/"


def log_in(client, username: str, password: str, *, address="10.0.0.1", url=LOGIN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username: str, times: int, **where) -> None:
    for _attempt in range(times):
        # The failure that reaches the limit is already answered with the lockout page.
        assert log_in(client, username, "wrong-password", **where).status_code in (200, 429)


def logged_in_as(client) -> str | None:
    from django.contrib.auth import get_user

    user = get_user(client)
    return user.username if user.is_authenticated else None


def test_the_right_password_after_too_many_wrong_ones_is_refused(client, alice):
    fail(client, "alice", settings.AXES_FAILURE_LIMIT)
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "Try again in 15 minutes" in response.content.decode()
    assert logged_in_as(client) is None


def test_fewer_failures_than_the_limit_do_not_lock(client, alice):
    fail(client, "alice", settings.AXES_FAILURE_LIMIT - 1)
    assert log_in(client, "alice", PASSWORD).status_code == 302
    assert logged_in_as(client) == "alice"


def test_the_admin_login_is_throttled_the_same_way(client, make_user):
    make_user("root", is_staff=True, is_superuser=True)
    fail(client, "root", settings.AXES_FAILURE_LIMIT, url=ADMIN_LOGIN)
    response = log_in(client, "root", PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert logged_in_as(client) is None


def test_an_account_is_locked_whatever_address_guesses_its_password(client, alice):
    for number in range(settings.AXES_FAILURE_LIMIT):
        fail(client, "alice", 1, address=f"10.0.1.{number}")
    assert log_in(client, "alice", PASSWORD, address="10.9.9.9").status_code == 429


def test_an_address_is_locked_whatever_accounts_it_guesses(client, alice, bob):
    for number in range(settings.AXES_FAILURE_LIMIT):
        fail(client, f"nobody{number}", 1, address="10.0.2.1")
    assert log_in(client, "bob", PASSWORD, address="10.0.2.1").status_code == 429
    assert log_in(client, "bob", PASSWORD, address="10.0.2.2").status_code == 302


def test_the_lock_expires(client, alice):
    fail(client, "alice", settings.AXES_FAILURE_LIMIT)
    assert log_in(client, "alice", PASSWORD).status_code == 429
    later = settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - later
        )
    assert log_in(client, "alice", PASSWORD).status_code == 302
    assert logged_in_as(client) == "alice"


def test_behind_a_proxy_the_forwarded_address_counts_not_the_proxys(client, alice, settings):
    settings.STUDIO_TRUSTED_PROXIES = 1
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": f"nobody{number}", "password": "x"},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    # Another client behind the same proxy is not locked out by the first one's guesses.
    response = client.post(
        LOGIN,
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert response.status_code == 302
    locked = client.post(
        LOGIN,
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert locked.status_code == 429
