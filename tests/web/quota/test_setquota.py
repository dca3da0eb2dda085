"""`manage.py setquota`: setting, clearing and showing limits from the command line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jobs.models import QuotaLimit
from tests.fixtures.quota import set_limits

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]


def setquota(*args: str) -> str:
    out = StringIO()
    call_command("setquota", *args, stdout=out)
    return out.getvalue()


def test_it_sets_a_persons_daily_images(alice):
    output = setquota("--user", "alice", "--images-per-day", "20")
    row = QuotaLimit.objects.get(user=alice)
    assert (row.scope, row.images_per_day, row.credits_per_month) == ("user", 20, None)
    assert output.splitlines() == [
        "Quota for alice (own limits):",
        "  images per day: 20",
        "  images per month: unlimited",
        "  credits per day: unlimited",
        "  credits per month: unlimited",
    ]


def test_it_sets_a_teams_monthly_credits_by_slug_or_name(design):
    output = setquota("--team", "design", "--credits-per-month", "5000")
    assert "credits per month: 5,000" in output
    setquota("--team", "Design", "--images-per-day", "40")
    row = QuotaLimit.objects.get(team=design)
    assert (row.scope, row.images_per_day, row.credits_per_month) == ("team", 40, 5000)


def test_it_sets_the_defaults(db):
    setquota("--default-user", "--images-per-day", "10")
    output = setquota("--default-team", "--credits-per-day", "300")
    user_default = QuotaLimit.objects.get(scope="user", user=None, team=None)
    team_default = QuotaLimit.objects.get(scope="team", user=None, team=None)
    assert (user_default.images_per_day, team_default.credits_per_day) == (10, 300)
    assert output.startswith("Quota: default for every team:")


def test_a_new_own_row_starts_from_the_default(alice):
    set_limits(scope=QuotaLimit.Scope.USER, images_per_day=5, credits_per_month=1000)
    setquota("--user", "alice", "--images-per-day", "50")
    row = QuotaLimit.objects.get(user=alice)
    assert (row.images_per_day, row.credits_per_month) == (50, 1000)


def test_none_makes_a_limit_unlimited(alice):
    set_limits(user=alice, images_per_day=5, images_per_month=100)
    output = setquota("--user", "alice", "--images-per-day", "none")
    row = QuotaLimit.objects.get(user=alice)
    assert (row.images_per_day, row.images_per_month) == (None, 100)
    assert "images per day: unlimited" in output


def test_clear_removes_own_limits_and_shows_the_default(alice):
    set_limits(scope=QuotaLimit.Scope.USER, images_per_day=3)
    set_limits(user=alice, images_per_day=50)
    output = setquota("--user", "alice", "--clear")
    assert not QuotaLimit.objects.filter(user=alice).exists()
    assert output.splitlines()[:2] == [
        "Quota for alice (no own limits; the default applies):",
        "  images per day: 3",
    ]


def test_without_values_it_only_shows(alice):
    output = setquota("--user", "alice")
    assert "the default applies" in output
    assert not QuotaLimit.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody", "--images-per-day", "1"], "No person has the username 'nobody'."),
        (["--team", "nowhere", "--images-per-day", "1"], "No team has the slug or name 'nowhere'."),
        (["--user", "alice", "--images-per-day", "-3"], "--images-per-day must be a whole number"),
        (["--user", "alice", "--credits-per-month", "lots"], "got 'lots'"),
        (["--user", "alice", "--clear", "--images-per-day", "1"], "give it without limit values"),
    ],
)
def test_it_explains_what_is_wrong(alice, args, message):
    with pytest.raises(CommandError, match=message):
        setquota(*args)
    assert not QuotaLimit.objects.exists()


def test_it_needs_exactly_one_subject(alice, design):
    with pytest.raises(CommandError):
        setquota("--user", "alice", "--team", "design", "--images-per-day", "1")
    with pytest.raises(CommandError):
        setquota("--images-per-day", "1")
