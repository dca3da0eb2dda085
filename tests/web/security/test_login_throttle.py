"""Logins are throttled per (account, address) pair, and per address only at a much higher count,
on the login page and on /admin/: one person's typos, or someone guessing a named account, lock
that account from that address only, never the account everywhere or everyone behind one NAT."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils.timezone import localtime

from tests.world import PASSWORD

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


def test_the_admin_login_is_throttled_the_same_way(client, admin_user):
    fail(client, admin_user.username, settings.AXES_FAILURE_LIMIT, url=ADMIN_LOGIN)
    response = log_in(client, admin_user.username, PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert logged_in_as(client) is None


def test_thirty_wrong_passwords_then_the_right_one_from_that_address_do_not_get_in(client, alice):
    fail(client, "alice", 30)
    assert log_in(client, "alice", PASSWORD).status_code == 429
    assert logged_in_as(client) is None


def test_guessing_an_account_locks_it_from_that_address_only(client, alice, bob):
    fail(client, "alice", 3 * settings.AXES_FAILURE_LIMIT, address="203.0.113.66")
    # The owner, elsewhere, and a colleague behind the same address, still get in.
    assert log_in(client, "alice", PASSWORD, address="10.0.1.1").status_code == 302
    assert logged_in_as(client) == "alice"
    client.logout()
    assert log_in(client, "bob", PASSWORD, address="203.0.113.66").status_code == 302
    assert logged_in_as(client) == "bob"


def test_failures_from_many_addresses_do_not_lock_the_account_elsewhere(client, alice):
    for number in range(settings.AXES_FAILURE_LIMIT):
        fail(client, "alice", 1, address=f"10.0.1.{number}")
    assert log_in(client, "alice", PASSWORD, address="10.9.9.9").status_code == 302


def test_an_address_is_locked_for_everyone_only_at_the_much_higher_limit(client, alice, bob):
    address_limit = settings.STUDIO_LOGIN_ADDRESS_FAILURE_LIMIT
    assert address_limit >= 3 * settings.AXES_FAILURE_LIMIT
    for number in range(address_limit - 1):
        fail(client, f"nobody{number}", 1, address="10.0.2.1")
    assert log_in(client, "bob", PASSWORD, address="10.0.2.1").status_code == 302
    client.logout()
    # bob's success forgets bob's failures, not everyone else's from that address
    fail(client, "nobody-last", 1, address="10.0.2.1")
    response = log_in(client, "bob", PASSWORD, address="10.0.2.1")
    assert response.status_code == 429
    assert "from your address" in response.content.decode()
    assert logged_in_as(client) is None
    assert log_in(client, "bob", PASSWORD, address="10.0.2.2").status_code == 302


def test_a_locked_account_does_not_add_to_its_address_count_while_locked(client, alice, bob):
    # One person hammering their own locked account cannot lock their colleagues out.
    fail(client, "alice", 5 * settings.STUDIO_LOGIN_ADDRESS_FAILURE_LIMIT)
    assert log_in(client, "bob", PASSWORD).status_code == 302


def test_the_lock_page_says_when_the_lock_ends(client, alice):
    fail(client, "alice", settings.AXES_FAILURE_LIMIT)
    ends = AccessAttempt.objects.get(username="alice").attempt_time + settings.AXES_COOLOFF_TIME
    page = log_in(client, "alice", PASSWORD).content.decode()
    assert f"at {localtime(ends):%H:%M %Z}" in page


def test_the_lock_page_speaks_the_pages_language(client, alice):
    fail(client, "alice", settings.AXES_FAILURE_LIMIT)
    ends = AccessAttempt.objects.get(username="alice").attempt_time + settings.AXES_COOLOFF_TIME
    response = client.post(
        LOGIN,
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_ACCEPT_LANGUAGE="zh-Hans",
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page
    assert f"{localtime(ends):%H:%M %Z}" in page


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
    for number in range(settings.STUDIO_LOGIN_ADDRESS_FAILURE_LIMIT):
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
