"""Choosing the language and time zone, with the Django test client: the browser's
Accept-Language without a choice, the switcher (session and profile), login restoring it, and
the person's time zone on the pages."""

from __future__ import annotations

import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.html import escape

from jobs import engine
from jobs.models import JobStatus
from studio.models import Collection, Membership, Profile, Role, Team
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ENGLISH_LABELS = ("Prompt", "Model", "Number of images", "Generate")


def generate_page(client, **headers) -> str:
    return client.get("/generate/", headers=headers).content.decode()


def test_without_a_choice_the_browser_language_decides(client, alice, sandbox_models):
    client.force_login(alice)
    chinese = generate_page(client, accept_language="zh-CN,zh;q=0.9,en;q=0.5")
    assert '<html lang="zh-hans">' in chinese
    for label in ("提示词", "模型", "图片数量", "生成"):
        assert f">{label}<" in chinese
    english = generate_page(client, accept_language="en-US,en;q=0.9")
    assert '<html lang="en">' in english
    for label in ENGLISH_LABELS:
        assert f">{label}<" in english
    assert '<html lang="en">' in generate_page(client, accept_language="fr-FR")


def test_the_switcher_keeps_the_choice_in_the_session_and_the_profile(
    client, alice, sandbox_models
):
    client.force_login(alice)
    response = client.post(
        "/i18n/setlang/",
        {"language": "zh-hans", "next": "/history/"},
        headers={"accept_language": "en"},
    )
    assert response.status_code == 302 and response["Location"] == "/history/"
    assert Profile.objects.get(user=alice).language == "zh-hans"
    # The cookie goes with the browser; the session and the profile go with the person.
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    assert ">提示词<" in generate_page(client, accept_language="en")


def test_the_choice_survives_logging_out_and_in_again(client, alice, sandbox_models):
    client.force_login(alice)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/generate/"})
    client.post("/accounts/logout/")
    client.cookies.clear()  # another browser, or a cleared one: only the profile remembers
    assert client.login(username="alice", password=PASSWORD)
    assert ">提示词<" in generate_page(client, accept_language="en-US")


def test_an_unknown_language_is_not_kept(client, alice, sandbox_models):
    client.force_login(alice)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/generate/"})
    assert not Profile.objects.filter(user=alice, language="xx").exists()
    assert ">Prompt<" in generate_page(client, accept_language="en")


def test_the_preferences_page_sets_language_and_time_zone(client, alice, sandbox_models):
    client.force_login(alice)
    response = client.post(
        "/preferences/", {"language": "zh-hans", "time_zone": "Asia/Shanghai"}, follow=True
    )
    page = response.content.decode()
    assert "偏好设置已保存。" in page and "Asia/Shanghai" in page
    profile = Profile.objects.get(user=alice)
    assert (profile.language, profile.time_zone) == ("zh-hans", "Asia/Shanghai")
    # Back to following the browser: nothing chosen is kept, the cookie goes too.
    response = client.post("/preferences/", {"language": "", "time_zone": ""}, follow=True)
    assert Profile.objects.get(user=alice).language == ""
    assert ">Prompt<" in generate_page(client, accept_language="en")


def test_a_time_zone_that_does_not_exist_is_refused_on_the_form(client, alice):
    client.force_login(alice)
    response = client.post("/preferences/", {"language": "", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert 'id="id_time_zone-error"' in response.content.decode()
    assert not Profile.objects.filter(user=alice, time_zone="Mars/Olympus").exists()


def test_times_show_in_the_persons_time_zone(client, alice, submit, sandbox):
    job = submit("a tea house at noon")
    moment = timezone.datetime(2026, 3, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    type(job).objects.filter(pk=job.pk).update(created_at=moment)
    Profile.objects.create(user=alice, time_zone="Asia/Shanghai", language="en")
    assert client.login(username="alice", password=PASSWORD)  # login restores the choices
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "March 1, 2026, 8 p.m." in page  # 12:00 UTC is 20:00 in Shanghai
    client.post("/preferences/", {"language": "zh-hans", "time_zone": "UTC"})
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "2026年3月1日 12:00" in page


def test_a_failed_jobs_message_is_translated_and_the_providers_words_kept(
    client, alice, submit, sandbox
):
    job = submit("something forbidden [[fault:policy]]")
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error_message.startswith("The provider refused the prompt: ")
    providers_words = job.error_message.removeprefix("The provider refused the prompt: ")
    client.force_login(alice)
    chinese = client.get(f"/jobs/{job.pk}/status/", headers={"accept_language": "zh-CN"})
    text = chinese.content.decode()
    # The sentence is translated; the provider's words are kept, apart, behind "Details".
    assert "服务商拒绝了提示词。" in text
    assert f"<pre>{escape(providers_words)}</pre>" in text
    assert ">失败<" in text
    english = client.get(f"/jobs/{job.pk}/status/", headers={"accept_language": "en"})
    assert "The provider refused the prompt." in english.content.decode()
    assert f"<pre>{escape(providers_words)}</pre>" in english.content.decode()
    assert ">Failed<" in english.content.decode()


def test_error_pages_speak_the_readers_language(client, alice, settings):
    settings.DEBUG = False  # the studio's own error pages, not Django's debug page
    client.force_login(alice)
    missing = "/jobs/00000000-0000-0000-0000-000000000000/"
    chinese = client.get(missing, headers={"accept_language": "zh-CN"})
    assert chinese.status_code == 404
    assert "未找到" in chinese.content.decode() and "返回工作室" in chinese.content.decode()
    english = client.get(missing, headers={"accept_language": "en"})
    assert "Not found" in english.content.decode()


def test_the_quota_screens_and_usage_report_speak_chinese(admin_client):
    zh = {"accept_language": "zh-CN"}
    report = admin_client.get("/admin/jobs/ledgerentry/report/", headers=zh).content.decode()
    for words in ("用量报告", "分组方式", "下载 CSV", "合计"):
        assert words in report
    ledger = admin_client.get("/admin/jobs/ledgerentry/", headers=zh).content.decode()
    assert "添加调整" in ledger and "账目记录" in ledger
    limits = admin_client.get("/admin/jobs/quotalimit/add/", headers=zh).content.decode()
    assert "每日图片数" in limits and "留空表示不限" in limits


def test_a_choice_made_on_the_login_page_is_kept_for_the_person(client, alice):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert not Profile.objects.filter(user=alice).exists()  # nobody to keep it for yet
    assert client.login(username="alice", password=PASSWORD)
    assert Profile.objects.get(user=alice).language == "zh-hans"


def test_a_collection_of_another_workspace_is_refused_in_the_readers_language(
    client, alice, sandbox_models
):
    design = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=design, user=alice, role=Role.EDITOR)
    best = Collection.objects.create(team=design, name="Best")
    client.force_login(alice)
    form = {"prompt": "a kite", "model": sandbox_models["gpt-image-1"].pk}
    form |= {"workspace": "personal", "collection": best.pk}
    chinese = client.post("/generate/", form, headers={"accept_language": "zh-CN"})
    assert chinese.context["form"].errors["collection"] == [
        "“Best”属于团队 Design：请选择该团队的工作空间，或不选合集。"
    ]
    english = client.post("/generate/", form, headers={"accept_language": "en"})
    assert english.context["form"].errors["collection"] == [
        "“Best” belongs to the team Design: choose that workspace, or no collection."
    ]
    # The field's help names the same things with the same words (合集, 工作空间).
    page = client.get("/generate/", headers={"accept_language": "zh-CN"}).content.decode()
    assert "合集" in page and "收藏集" not in page and "工作区" not in page
