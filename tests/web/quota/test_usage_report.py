"""The admin side of quotas: limits, the read-only ledger, adjustments and the usage report."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db.models import Sum

from jobs.models import JobStatus, LedgerEntry, QuotaLimit
from jobs.quota import adjust_quota, quota_status, refund_quota, settle_quota
from tests.fixtures.quota import PINNED_NOW, set_limits, submit

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.web.quota.urls"),
    pytest.mark.usefixtures("pinned_clock"),
]

REPORT = "/admin/jobs/ledgerentry/report/"
MARCH = {"date_from": "2025-03-01", "date_to": "2025-03-15", "metric": "images"}


@pytest.fixture
def usage(alice, world, design):
    """A month of work: settled, refunded, running, adjusted, and one job from January (alice and
    olive, Design's editor and owner)."""
    done = submit(alice, n=4, credits=40, model_name="grok-3-image")
    done.images_produced = 3
    settle_quota(done)
    LedgerEntry.objects.filter(job=done).update(charged_at=PINNED_NOW - timedelta(days=5))
    failed = submit(alice, n=2, credits=10, team=design, model_name="qwen-image")
    failed.status = JobStatus.FAILED
    refund_quota(failed)
    submit(world.owner, n=5, credits=25, team=design, model_name="qwen-image")
    adjust_quota(team=design, images=-1, credits=-5, note="goodwill")
    january = submit(world.owner, n=7, credits=70)
    LedgerEntry.objects.filter(job=january).update(charged_at=PINNED_NOW - timedelta(days=60))


def report_csv(client, group_by: str) -> list[list[str]]:
    response = client.get(REPORT, {**MARCH, "group_by": group_by, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_by_person(admin_client, usage):
    assert report_csv(admin_client, "person") == [
        ["Person", "Images", "Credits", "Provider tokens"],
        ["alice", "3", "30", "0"],
        ["olive", "5", "25", "0"],
        ["(no person: team adjustments)", "-1", "-5", "0"],
    ]


def test_csv_by_team(admin_client, usage):
    assert report_csv(admin_client, "team") == [
        ["Team", "Images", "Credits", "Provider tokens"],
        ["Design", "4", "20", "0"],
        ["Personal workspace", "3", "30", "0"],
    ]


def test_csv_by_model(admin_client, usage):
    assert report_csv(admin_client, "model") == [
        ["Model", "Images", "Credits", "Provider tokens"],
        ["grok-3-image", "3", "30", "0"],
        ["qwen-image", "5", "25", "0"],
        ["(no job: adjustments)", "-1", "-5", "0"],
    ]


def test_csv_by_day(admin_client, usage):
    assert report_csv(admin_client, "day") == [
        ["Day", "Images", "Credits", "Provider tokens"],
        ["2025-03-10", "3", "30", "0"],
        ["2025-03-15", "4", "20", "0"],
    ]


def test_the_report_total_is_the_ledger_sum_and_the_usage_shown(admin_client, usage, alice):
    set_limits(user=alice, images_per_month=100, credits_per_month=1000)
    in_march = LedgerEntry.objects.filter(charged_at__month=3).aggregate(
        images=Sum("images"), credits=Sum("credits")
    )
    by_person = {row[0]: row[1:3] for row in report_csv(admin_client, "person")[1:]}
    shown = {line.unit: line.used for line in quota_status(user=alice)}
    assert by_person["alice"] == [str(shown["images"]), str(shown["credits"])]
    for group_by in ("person", "team", "model", "day"):
        rows = report_csv(admin_client, group_by)[1:]
        assert sum(int(row[1]) for row in rows) == in_march["images"] == 7
        assert sum(int(row[2]) for row in rows) == in_march["credits"] == 50

    page = admin_client.get(REPORT, {**MARCH, "group_by": "person"}).content.decode()
    assert '<th scope="row">Total</th><td class="number">7</td><td class="number">50</td>' in page


def test_the_page_draws_a_chart_and_links_the_csv(admin_client, usage):
    response = admin_client.get(REPORT, {**MARCH, "group_by": "model", "metric": "credits"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<svg class="usage-chart" role="img" aria-label="Credits by model"' in page
    assert page.count("<rect ") == 3
    assert "<td>qwen-image</td>" in page
    assert "format=csv" in page


def test_without_a_range_it_shows_the_last_30_days(admin_client, usage):
    response = admin_client.get(REPORT)
    assert response.status_code == 200
    assert response.context["form"]["date_from"].value().isoformat() == "2025-02-14"
    assert response.context["total_images"] == 7


def test_a_backwards_range_is_explained(admin_client, usage):
    response = admin_client.get(
        REPORT,
        {"date_from": "2025-03-15", "date_to": "2025-03-01", "group_by": "day", "metric": "images"},
    )
    assert "The start date must not be after the end date." in response.content.decode()


def test_the_report_is_for_staff_only(client, alice, usage):
    client.force_login(alice)
    assert client.get(REPORT).status_code == 302  # to the admin login


def test_the_ledger_links_the_report_and_cannot_be_edited(admin_client, usage):
    changelist = admin_client.get("/admin/jobs/ledgerentry/").content.decode()
    assert REPORT in changelist
    assert "/admin/jobs/ledgerentry/adjust/" in changelist
    entry = LedgerEntry.objects.first()
    url = f"/admin/jobs/ledgerentry/{entry.pk}/change/"
    assert admin_client.get(url).status_code == 200  # view only
    assert admin_client.post(url, {"images": 99}).status_code == 403
    assert admin_client.post(f"/admin/jobs/ledgerentry/{entry.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/jobs/ledgerentry/add/").status_code == 403


def test_an_admin_adjustment_goes_through_the_service(admin_client, alice):
    response = admin_client.post(
        "/admin/jobs/ledgerentry/adjust/",
        {"user": alice.pk, "images": "-2", "credits": "0", "note": "a failed batch"},
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.user, entry.images, entry.note) == (
        "adjust",
        alice,
        -2,
        "a failed batch",
    )


def test_an_adjustment_needs_a_subject(admin_client):
    response = admin_client.post(
        "/admin/jobs/ledgerentry/adjust/", {"images": "1", "credits": "0", "note": "x"}
    )
    assert "Choose a person, a team, or both." in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_the_quota_admin_explains_bad_limits(admin_client, alice, design):
    add = "/admin/jobs/quotalimit/add/"
    response = admin_client.post(add, {"scope": "user", "user": alice.pk, "team": design.pk})
    assert "A person&#x27;s quota cannot name a team." in response.content.decode()
    assert admin_client.post(add, {"scope": "user", "images_per_day": "5"}).status_code == 302
    response = admin_client.post(add, {"scope": "user", "images_per_day": "9"})
    assert "There is already a default quota for this scope." in response.content.decode()
    assert QuotaLimit.objects.get().images_per_day == 5
    assert (
        "default for every person" in admin_client.get("/admin/jobs/quotalimit/").content.decode()
    )


def test_provider_tokens_stand_beside_credits_once_per_job(admin_client, usage):
    job = LedgerEntry.objects.filter(kind="reserve", user__username="alice").first().job
    job.usage = {"input_tokens": 30, "output_tokens": 1056, "total_tokens": 1086}
    job.save(update_fields=["usage"])
    by_person = {row[0]: row[1:] for row in report_csv(admin_client, "person")[1:]}
    assert by_person["alice"][2] == "1086"
    assert by_person["olive"][2] == "0"
