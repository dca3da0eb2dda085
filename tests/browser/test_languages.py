"""A Chinese browser in real Chromium: every page a person walks through reads in Chinese (no
English left from the studio's own catalog, only names and what the person typed); the switcher
turns it to English; the choice comes back after logging out and in, even in another browser."""

from __future__ import annotations

import re

import pytest

from jobs.models import ImageOrigin, Job, Provider, ProviderModel
from jobs.storage import store_image
from tests.fixtures.browser import DALL_E_2, GPT_IMAGE, choose_model
from tests.i18n.catalog import catalog_path, read_po
from tests.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PROMPT = "a paper lantern over a quiet river"
# Everything a person reads: the visible text and the words read aloud from attributes.
READ_PAGE = """() => {
  const said = [document.body.innerText];
  for (const el of document.querySelectorAll("[alt],[title],[aria-label],[placeholder]")) {
    for (const name of ["alt", "title", "aria-label", "placeholder"]) {
      if (el.hasAttribute(name)) said.push(el.getAttribute(name));
    }
  }
  for (const el of document.querySelectorAll("input[type=submit],input[type=button]")) {
    said.push(el.value);
  }
  return said.join("\\n");
}"""


def catalog_phrases() -> list[str]:
    """The English text of every msgid, split where values go in: what must not show in zh."""
    phrases = set()
    for entry in read_po(catalog_path("django")):
        for msgid in (entry.msgid, entry.msgid_plural):
            for part in re.split(r"%\(\w+\)s|<[^>]+>", msgid):
                part = part.strip(" .,:;()“”'\"")
                if re.search(r"[A-Za-z]{2}", part):
                    phrases.add(part)
    return sorted(phrases, key=len, reverse=True)


def english_left(page, names: list[str]) -> list[str]:
    """Catalog phrases still in English on the page, once names and typed text are set aside."""
    text = page.evaluate(READ_PAGE)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return [
        phrase
        for phrase in catalog_phrases()
        if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text)
    ]


def log_in_chinese(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_chinese_browser_reads_chinese_and_the_switcher_turns_it_to_english(
    live_server, new_page, celery_worker, sandbox_models, alice, design
):
    names = [
        PROMPT,
        *design.members.values_list("username", flat=True),  # alice and her team: names, not words
        "Design",
        "English",  # the switcher names each language in itself
        *ProviderModel.objects.values_list("label", flat=True),
        *ProviderModel.objects.values_list("name", flat=True),
        *Provider.objects.values_list("name", flat=True),
    ]
    page = new_page(locale="zh-CN")
    base = live_server.url
    log_in_chinese(page, base, "alice")

    page.goto(f"{base}/generate/")
    assert english_left(page, names) == []
    choose_model(page.get_by_label("模型"), label=GPT_IMAGE)
    page.get_by_label("提示词").fill(PROMPT)
    page.get_by_label("图片数量").fill("1")
    page.get_by_label("工作空间").select_option(label="Design")
    page.get_by_role("button", name="生成").click()
    # The new job's card comes first in the studio page's feed; its link opens the job's page.
    page.locator("[data-job-id]").first.get_by_role("link", name="任务页面").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"), wait_until="commit")
    job_url = page.url
    page.get_by_role("status").filter(has_text="已完成").wait_for(timeout=30_000)
    assert english_left(page, names) == []
    image = Job.objects.get().images.get()

    for path in (
        "/history/",
        "/teams/design/library/",
        f"/images/{image.pk}/",
        "/teams/",
        "/jobs/",
        "/usage/",
    ):
        page.goto(f"{base}{path}")
        assert english_left(page, names) == [], path

    page.goto(f"{base}/edit/?image={image.pk}")
    choose_model(page.get_by_label("模型"), label=DALL_E_2)
    page.locator("[data-edit-form][data-painter-ready]").wait_for(state="attached")
    page.get_by_role("button", name="清除蒙版").click()  # the painter speaks through /jsi18n/
    assert page.locator("[data-mask-status]").inner_text() == "还没有涂抹任何区域。"
    assert english_left(page, names) == []

    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    for label in ("Image", "Mask", "Prompt"):
        page.get_by_label(label, exact=True).wait_for()
    page.get_by_role("button", name="Edit", exact=True).wait_for()
    page.goto(f"{base}/generate/")
    for label in ("Prompt", "Model", "Number of images"):
        page.get_by_label(label, exact=True).wait_for()
    page.get_by_role("button", name="Generate", exact=True).wait_for()
    # The same reading finds the English it looks for, so its empty answers above mean something.
    assert {"Prompt", "Model", "Number of images", "Generate"} <= set(english_left(page, names))
    page.goto(job_url)
    assert page.get_by_role("status").inner_text() == "Succeeded"

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    other_browser = new_page(locale="zh-CN")  # no cookie: only the profile remembers
    log_in_chinese(other_browser, base, "alice")
    other_browser.goto(f"{base}/generate/")
    other_browser.get_by_label("Prompt", exact=True).wait_for()
    other_browser.get_by_role("button", name="Generate", exact=True).wait_for()


def test_an_image_picked_on_the_edit_page_is_described_in_chinese(
    live_server, new_page, sandbox_models, alice, png_bytes
):
    made = Job.objects.create(
        owner=alice, prompt="a harbour crane", model_name="gpt-image-1", provider_name="sandbox",
        status="succeeded",
    )  # fmt: skip
    store_image(png_bytes(80, 80), owner=alice, job=made, origin=ImageOrigin.GENERATED)
    page = new_page(locale="zh-CN")
    log_in_chinese(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/edit/")
    page.get_by_role("button", name="从历史记录或素材库中选取").click()
    page.get_by_role("button", name="使用：a harbour crane").click()
    # edit-inputs.js adds the picked image itself: its words come from /jsi18n/.
    chosen = page.get_by_role("list", name="已选图片")
    chosen.get_by_role("img", name="已选图片 1").wait_for()
    chosen.get_by_role("button", name="不用这张").wait_for()
    names = ["alice", "a harbour crane", "English"]
    names += ProviderModel.objects.values_list("label", flat=True)  # in the model list
    assert english_left(page, names) == []
