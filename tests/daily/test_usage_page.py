"""The personal usage page (/usage/): a person's own spend by day and by model, from the ledger."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jobs import engine
from jobs.models import LedgerEntry
from jobs.quota import adjust_quota, charged_for_job
from jobs.usage_report import UsageRow, daily_columns
from studio.forms.usage import period_range
from studio.models import Membership, Role, Team
from studio.submit import JobSpec, submit_job
from tests.fixtures.browser import log_in
from tests.fixtures.polling import wait_for_final

pytestmark = pytest.mark.django_db


def total(page: str, name: str) -> int:
    return int(re.search(rf"data-total-{name}>([\d,]+)<", page).group(1).replace(",", ""))


def test_it_sums_the_persons_own_ledger_in_every_workspace_and_no_one_elses(
    client, alice, bob, submit, sandbox_models
):
    design = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=design, user=alice, role=Role.EDITOR)
    mine = submit("a quiet lake", n=2)
    engine.run_job(mine.pk)
    # A team's job counts against the person who started it too.
    in_team = submit_job(
        JobSpec(owner=alice, model=sandbox_models["dall-e-3"], prompt="a poster", team=design)
    )
    submit("bob's kite", owner=bob, n=3)
    client.force_login(alice)
    page = client.get("/usage/").content.decode()
    charged = [charged_for_job(job) for job in (mine, in_team)]
    assert total(page, "images") == sum(images for images, _ in charged) == 3
    assert total(page, "credits") == sum(credits for _, credits in charged)
    assert "gpt-image-1" in page and "dall-e-3" in page


def test_the_period_chooses_which_days_count(client, alice, submit):
    old = submit("an old sketch")
    LedgerEntry.objects.filter(job=old).update(charged_at=timezone.now() - timedelta(days=40))
    submit("a new sketch", n=2)
    client.force_login(alice)
    assert total(client.get("/usage/").content.decode(), "images") == 2
    assert total(client.get("/usage/", {"period": "90"}).content.decode(), "images") == 3
    assert total(client.get("/usage/", {"period": "7"}).content.decode(), "images") == 2


def test_an_admin_adjustment_of_the_persons_quota_is_shown_as_such(client, alice):
    adjust_quota(user=alice, images=5, credits=7, note="a workshop")
    client.force_login(alice)
    page = client.get("/usage/").content.decode()
    assert total(page, "credits") == 7 and "(no job: adjustments)" in page


def test_a_bad_period_is_said_and_the_default_shown(client, alice):
    client.force_login(alice)
    response = client.get("/usage/", {"period": "forever", "metric": "money"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page and "No usage in this period." in page


def test_it_asks_a_stranger_to_log_in(client):
    response = client.get("/usage/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_chart_has_a_column_for_every_day_scaled_to_the_busiest():
    start = date(2026, 2, 26)
    rows = [UsageRow("2026-02-27", 2, 10), UsageRow("2026-03-02", 1, 5)]
    chart = daily_columns(rows, start=start, end=date(2026, 3, 3), metric="credits")
    assert [c.day for c in chart.columns] == [start + timedelta(days=n) for n in range(6)]
    assert [c.credits for c in chart.columns] == [0, 10, 0, 0, 5, 0]
    assert [c.height for c in chart.columns] == [0, chart.height, 0, 0, chart.height / 2, 0]
    assert chart.largest == 10 and chart.columns[0].labelled


def test_last_month_is_the_whole_calendar_month_before_this_one():
    assert period_range("last-month", date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert period_range("month", date(2026, 3, 9)) == (date(2026, 3, 1), date(2026, 3, 9))
    assert period_range("30", date(2026, 3, 9)) == (date(2026, 2, 8), date(2026, 3, 9))


MODELS = ["gpt-image-1", "dall-e-2", "dall-e-3"]


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_after_jobs_the_page_shows_what_the_ledger_charged(
    live_server, new_page, celery_worker, sandbox_models, alice, submit
):
    # One image of two comes back (settled to one), one job is refused (refunded), one succeeds.
    short = submit("two boats [[fewer:1]]", n=2)
    refused = submit("a storm [[fault:policy]]", model="dall-e-2")
    done = submit("a calm sea", model="dall-e-3")
    jobs = [wait_for_final(job) for job in (short, refused, done)]
    assert [job.status for job in jobs] == ["succeeded", "failed", "succeeded"]
    charged = [charged_for_job(job) for job in jobs]
    assert charged[0][0] == 1 and charged[1] == (0, 0)

    page = new_page()
    log_in(page, live_server.url, "alice", "/usage/")
    expect(page.locator("[data-total-images]")).to_have_text(str(sum(c[0] for c in charged)))
    expect(page.locator("[data-total-credits]")).to_have_text(str(sum(c[1] for c in charged)))
    by_model = page.get_by_role("table", name="By model")
    for model, (images, credits) in zip(MODELS, charged, strict=True):
        header = page.get_by_role("rowheader", name=model, exact=True)
        cells = by_model.get_by_role("row").filter(has=header).get_by_role("cell")
        expect(cells.nth(0)).to_have_text(str(credits))
        expect(cells.nth(1)).to_have_text(str(images))
    expect(page.get_by_role("img", name="Credits by day")).to_be_visible()

    page.get_by_label("Chart").select_option("images")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("img", name="Images by day")).to_be_visible()
