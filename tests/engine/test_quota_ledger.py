"""Reservations, settlements, refunds and what is left, as the ledger records them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from jobs.models import Job, JobStatus, LedgerEntry, LedgerKind, QuotaLimit
from jobs.quota import (
    QuotaExceeded,
    adjust_quota,
    quota_status,
    refund_quota,
    reserve_quota,
    settle_quota,
)
from tests.fixtures.quota import PINNED_NOW, make_job, set_limits, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]


def ledger_sum(**filters) -> dict[str, int]:
    return LedgerEntry.objects.filter(**filters).aggregate(
        images=Sum("images", default=0), credits=Sum("credits", default=0)
    )


def backdate(days: int, **filters) -> None:
    moment = PINNED_NOW - timedelta(days=days)
    LedgerEntry.objects.filter(**filters).update(created_at=moment, charged_at=moment)


def texts(user, team=None) -> list[str]:
    return [str(line) for line in quota_status(user=user, team=team)]


# --- Reserving -------------------------------------------------------------------------------


def test_it_reserves_within_the_limit(alice):
    set_limits(user=alice, images_per_day=5, credits_per_day=100)
    job = submit(alice, n=3, credits=30)
    entry = LedgerEntry.objects.get(job=job)
    assert (entry.kind, entry.user, entry.team) == (LedgerKind.RESERVE, alice, None)
    assert (entry.images, entry.credits) == (3, 30)
    assert texts(alice) == ["You: 2 of 5 images left today", "You: 70 of 100 credits left today"]


def test_it_refuses_over_the_limit_with_a_message_and_creates_no_job(alice):
    set_limits(user=alice, images_per_day=5)
    submit(alice, n=3)
    with pytest.raises(QuotaExceeded) as refused:
        submit(alice, n=4)
    assert str(refused.value) == "You have 2 of 5 images left today; this request needs 4."
    assert Job.objects.count() == 1
    assert ledger_sum()["images"] == 3


def test_the_message_names_credits_and_the_month(alice):
    set_limits(user=alice, credits_per_month=5000)
    submit(alice, n=1, credits=4900)
    with pytest.raises(
        QuotaExceeded,
        match=r"^You have 100 of 5,000 credits left this month; "
        r"this request needs 200\.$",
    ):
        submit(alice, n=2, credits=200)


def test_an_exact_fit_passes_and_the_next_image_does_not(alice):
    set_limits(user=alice, images_per_day=2)
    submit(alice, n=2)
    with pytest.raises(QuotaExceeded, match="0 of 2 images left today"):
        submit(alice, n=1)


def test_reserving_the_same_job_twice_reserves_once(alice):
    job = submit(alice, n=2)
    reserve_quota(job=job)
    assert LedgerEntry.objects.filter(job=job).count() == 1


def test_a_job_without_credits_is_not_held_by_a_credit_limit(alice):
    set_limits(user=alice, credits_per_day=0)
    job = submit(alice, n=1, credits=0)
    assert ledger_sum(job=job) == {"images": 1, "credits": 0}
    with pytest.raises(QuotaExceeded, match="0 of 0 credits left today"):
        submit(alice, n=1, credits=1)  # the same limit does hold a job that costs credits


# --- Windows ---------------------------------------------------------------------------------


def test_yesterday_counts_for_the_month_but_not_for_today(alice):
    set_limits(user=alice, images_per_day=5, images_per_month=8)
    submit(alice, n=5)
    backdate(1)
    submit(alice, n=3)  # today is empty again
    assert texts(alice) == ["You: 2 of 5 images left today", "You: 0 of 8 images left this month"]
    with pytest.raises(QuotaExceeded, match="You have 0 of 8 images left this month"):
        submit(alice, n=1)


def test_last_month_counts_for_nothing(alice):
    set_limits(user=alice, images_per_month=4)
    submit(alice, n=4)
    backdate(15)  # 28 February
    submit(alice, n=4)
    assert texts(alice) == ["You: 0 of 4 images left this month"]
    assert ledger_sum()["images"] == 8  # last month's four are still on the books


def test_days_begin_at_midnight_in_the_configured_time_zone(alice, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # 10:00 UTC is 19:00 in Tokyo; its day began at 15:00 UTC
    set_limits(user=alice, images_per_day=5)
    submit(alice, n=2)
    # 16:00 UTC yesterday is 01:00 today in Tokyo; 14:00 UTC yesterday is 23:00 yesterday there.
    LedgerEntry.objects.update(charged_at=PINNED_NOW - timedelta(hours=18))
    submit(alice, n=1)
    LedgerEntry.objects.filter(images=1).update(charged_at=PINNED_NOW - timedelta(hours=20))
    assert texts(alice) == ["You: 3 of 5 images left today"]


def test_a_refund_after_midnight_gives_back_to_the_day_it_was_reserved(alice):
    set_limits(user=alice, images_per_day=5)
    job = submit(alice, n=5)
    backdate(1)
    refund_quota(job)
    refund = LedgerEntry.objects.get(kind=LedgerKind.REFUND)
    assert refund.charged_at == PINNED_NOW - timedelta(days=1)
    assert refund.created_at == PINNED_NOW
    assert texts(alice) == ["You: 5 of 5 images left today"]


# --- Defaults and overrides ------------------------------------------------------------------


def test_the_default_applies_to_everyone_without_their_own_limits(alice, bob):
    set_limits(scope=QuotaLimit.Scope.USER, images_per_day=2)
    set_limits(user=bob, images_per_day=10)
    with pytest.raises(QuotaExceeded, match="You have 2 of 2"):
        submit(alice, n=3)
    submit(bob, n=3)
    assert texts(bob) == ["You: 7 of 10 images left today"]


def test_an_own_row_replaces_the_default_as_a_whole(alice):
    set_limits(scope=QuotaLimit.Scope.USER, images_per_day=1, credits_per_day=10)
    set_limits(user=alice, images_per_day=50)  # credits: unlimited for alice
    submit(alice, n=5, credits=500)
    assert texts(alice) == ["You: 45 of 50 images left today"]


def test_without_any_limit_everything_passes_and_nothing_is_shown(alice, design):
    submit(alice, n=100, credits=10_000, team=design)
    assert quota_status(user=alice, team=design) == []


def test_there_is_one_default_per_scope():
    set_limits(scope=QuotaLimit.Scope.USER, images_per_day=1)
    set_limits(scope=QuotaLimit.Scope.TEAM, images_per_day=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        set_limits(scope=QuotaLimit.Scope.USER, images_per_day=2)


def test_a_person_quota_cannot_name_a_team(alice, design):
    row = QuotaLimit(scope=QuotaLimit.Scope.USER, user=alice, team=design)
    with pytest.raises(ValidationError, match="cannot name a team"):
        row.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


# --- Teams -----------------------------------------------------------------------------------


def test_a_team_job_counts_against_the_team_and_the_person(alice, world, design):
    teammate = world.owner  # Design's other member who generates
    set_limits(team=design, images_per_day=3)
    set_limits(user=alice, images_per_day=4)
    submit(alice, n=2, team=design)
    with pytest.raises(QuotaExceeded) as refused:
        submit(teammate, n=2, team=design)
    assert (
        str(refused.value)
        == "Your team 'Design' has 1 of 3 images left today; this request needs 2."
    )
    submit(alice, n=2)  # personal work is not held by the team's limit...
    with pytest.raises(QuotaExceeded, match=r"^You have 0 of 4 images"):
        submit(alice, n=1)  # ...but the person's limit counts both
    assert texts(alice, design) == [
        "You: 0 of 4 images left today",
        "Team 'Design': 1 of 3 images left today",
    ]
    assert texts(teammate, design) == ["Team 'Design': 1 of 3 images left today"]


def test_a_team_job_is_one_ledger_row_for_both(alice, design):
    job = submit(alice, n=2, credits=20, team=design)
    entry = LedgerEntry.objects.get(job=job)
    assert (entry.user, entry.team) == (alice, design)


# --- Settling and refunding ------------------------------------------------------------------


def test_fewer_images_than_asked_are_refunded_exactly(alice, design):
    job = submit(alice, n=4, credits=40, team=design)
    job.images_produced = 1
    job.status = JobStatus.SUCCEEDED
    settle_quota(job)
    settle = LedgerEntry.objects.get(kind=LedgerKind.SETTLE)
    assert (settle.images, settle.credits, settle.user, settle.team) == (-3, -30, alice, design)
    assert ledger_sum(job=job) == {"images": 1, "credits": 10}


def test_a_full_success_settles_to_zero_and_keeps_the_cost(alice):
    job = submit(alice, n=2, credits=20)
    job.images_produced = 2
    settle_quota(job)
    assert ledger_sum(job=job) == {"images": 2, "credits": 20}
    assert LedgerEntry.objects.filter(job=job, kind=LedgerKind.SETTLE).count() == 1


def test_credits_that_do_not_divide_round_in_the_persons_favour(alice):
    job = submit(alice, n=3, credits=10)
    job.images_produced = 2
    settle_quota(job)
    assert ledger_sum(job=job) == {"images": 2, "credits": 6}


@pytest.mark.parametrize("status", [JobStatus.FAILED, JobStatus.CANCELED])
def test_failed_and_cancelled_jobs_are_refunded_exactly(alice, design, status):
    set_limits(user=alice, images_per_day=4, credits_per_day=40)
    job = submit(alice, n=4, credits=40, team=design)
    job.status = status
    refund_quota(job)
    assert ledger_sum(job=job) == {"images": 0, "credits": 0}
    assert texts(alice) == ["You: 4 of 4 images left today", "You: 40 of 40 credits left today"]


def test_settle_and_refund_happen_once_whatever_is_called_again(alice):
    job = submit(alice, n=4, credits=40)
    job.images_produced = 3
    settle_quota(job)
    settle_quota(job)
    refund_quota(job)
    refund_quota(job)
    assert LedgerEntry.objects.filter(job=job).count() == 2
    assert ledger_sum(job=job) == {"images": 3, "credits": 30}


def test_a_job_that_reserved_nothing_gets_nothing_back(alice):
    job = make_job(alice, n=2)
    refund_quota(job)
    settle_quota(job)
    assert not LedgerEntry.objects.exists()


# --- Adjustments and the sum -----------------------------------------------------------------


def test_an_adjustment_uses_up_or_gives_back(alice, design):
    set_limits(user=alice, images_per_day=10)
    set_limits(team=design, images_per_day=10)
    adjust_quota(user=alice, images=4, note="manual use")
    adjust_quota(team=design, images=-2, credits=-5, note="goodwill")
    entry = LedgerEntry.objects.get(team=design)
    assert (entry.kind, entry.user, entry.note) == (LedgerKind.ADJUST, None, "goodwill")
    assert texts(alice, design) == [
        "You: 6 of 10 images left today",
        "Team 'Design': 12 of 10 images left today",  # a give-back is extra room today
    ]


def test_an_adjustment_needs_someone():
    with pytest.raises(ValueError, match="a person or a team"):
        adjust_quota(images=1)


def test_the_ledger_sum_is_the_usage_shown(alice, world, design):
    set_limits(user=alice, images_per_day=100, credits_per_month=10_000)
    set_limits(team=design, images_per_day=100)
    done = submit(alice, n=4, credits=40, team=design)
    done.images_produced = 3
    settle_quota(done)
    refund_quota(submit(alice, n=2, credits=20))
    submit(alice, n=1, credits=10)  # still running
    submit(world.owner, n=5, credits=50, team=design)
    adjust_quota(user=alice, images=2, credits=7, note="correction")

    lines = {
        (line.team, line.unit, line.period): line.used
        for line in quota_status(user=alice, team=design)
    }
    mine, team = ledger_sum(user=alice), ledger_sum(team=design)
    assert lines[(None, "images", "day")] == mine["images"] == 3 + 1 + 2
    assert lines[(None, "credits", "month")] == mine["credits"] == 30 + 10 + 7
    assert lines[("Design", "images", "day")] == team["images"] == 3 + 5
