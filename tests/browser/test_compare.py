"""Compare models in a real browser, against the sandbox and a real worker (issue 20, part 5)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jobs.models import Batch, BatchKind
from jobs.quota import charged_for_job
from tests.browser.test_languages import english_left
from tests.fixtures.browser import GPT_IMAGE, GROK, log_in, wait_for_htmx_quiet

pytestmark = [
    pytest.mark.long,
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def choose_slot_model(page, number: int, label: str) -> None:
    """Pick Model N and wait until htmx has swapped in that model's own fields."""
    with page.expect_response(lambda response: "/compare/fields/" in response.url):
        page.get_by_label(f"Model {number}", exact=True).select_option(label=label)
    wait_for_htmx_quiet(page)


def test_two_models_compared_with_one_prompt_fill_in_side_by_side_with_cost_and_time(
    live_server, new_page, celery_worker, sandbox_models, alice
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/generate/")
    page.get_by_role("link", name="Compare models").click()
    page.wait_for_url(f"{live_server.url}/compare/")
    page.get_by_label("Prompt").fill("a paper crane on a windowsill")
    choose_slot_model(page, 1, GPT_IMAGE)
    choose_slot_model(page, 2, GROK)
    first_slot = page.get_by_role("group", name="Model 1 and its options")
    first_slot.get_by_label("Number of images").fill("2")
    expect(page.locator("#estimate")).to_have_text("Estimated cost: 3 credits")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"/compare/[0-9a-f-]+/$"))
    page.evaluate("window.__sameDocument = true")

    row = page.get_by_role("list", name="Comparison: a paper crane on a windowsill")
    expect(row.get_by_role("listitem", name=re.compile("^Sandbox"))).to_have_count(2)
    for label, images, credits in ((GPT_IMAGE, 2, "2 credits"), (GROK, 1, "1 credit")):
        cell = row.get_by_role("listitem", name=label, exact=True)
        expect(cell.locator("[data-job-status]")).to_have_text("Succeeded", timeout=30_000)
        results = cell.get_by_role("list", name="Results").get_by_role("img")
        expect(results).to_have_count(images)
        expect(cell.locator("[data-credits]")).to_have_text(credits)
        expect(cell.locator("[data-seconds]")).to_have_text(re.compile(r"^\d+\.\d s$"))
    assert page.evaluate("window.__sameDocument") is True  # filled in without a reload

    batch = Batch.objects.get()
    assert batch.kind == BatchKind.COMPARE
    for job in batch.jobs.all():
        cell = row.locator(f'[data-job-id="{job.pk}"]')
        shown = int(cell.locator("[data-credits]").get_attribute("data-credits"))
        assert shown == charged_for_job(job)[1]
        use = cell.get_by_role("link", name="Use these settings")
        assert use.get_attribute("href") == f"/generate/?from_job={job.pk}"
    cell = row.get_by_role("listitem", name=GROK, exact=True)
    cell.get_by_role("link", name="Use these settings").click()
    page.wait_for_url(re.compile(r"/generate/\?from_job="))
    assert page.get_by_label("Model").input_value() == str(sandbox_models["grok-3-image"].pk)
    assert page.get_by_label("Prompt").input_value() == "a paper crane on a windowsill"


def test_a_chinese_browser_reads_the_compare_pages_in_chinese(
    live_server, new_page, celery_worker, sandbox_models, alice
):
    gpt, grok = sandbox_models["gpt-image-1"], sandbox_models["grok-3-image"]
    page = new_page(locale="zh-CN")
    log_in(page, live_server.url, "alice", "/compare/")
    names = ["alice", "English", *(model.display_name for model in sandbox_models.values())]
    assert english_left(page, names) == []
    page.get_by_label("提示词").fill("a kite over the dunes")
    page.get_by_label("模型 2", exact=True).select_option(str(grok.pk))
    page.get_by_label("模型 1", exact=True).select_option(str(gpt.pk))
    page.get_by_role("button", name="对比").click()
    page.wait_for_url(re.compile(r"/compare/[0-9a-f-]+/$"))
    cells = page.locator("[data-job-id]")
    expect(cells).to_have_count(2)
    expect(cells.locator("[data-job-status]")).to_have_text(["已完成", "已完成"], timeout=30_000)
    expect(cells.locator("[data-seconds]")).to_have_count(2)
    assert english_left(page, [*names, "a kite over the dunes"]) == []
