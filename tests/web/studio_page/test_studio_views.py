"""The studio page with the Django test client: one page at / and /generate/, the htmx submit
that answers a card, the plain submit that answers 302, remembered settings, the feed's pages
and cards, and the budget."""

import json

import pytest

from jobs import engine
from jobs.models import Job, QuotaLimit
from studio.dock import FEED_PAGE_SIZE, option_chips, ratio_name
from studio.models import Profile

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize("url", ["/", "/generate/"])
def test_the_studio_page_is_served_at_the_root_and_at_generate(client, alice, sandbox_models, url):
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert ">Prompt</label>" in page and ">Model</label>" in page and ">Generate</button>" in page
    assert 'id="feed-list"' in page and "autofocus" in page and "placeholder=" in page


def test_a_plain_post_answers_302_to_the_new_jobs_page(client, alice, sandbox_models):
    client.force_login(alice)
    gpt = sandbox_models["gpt-image-1"]
    response = client.post("/", {"prompt": "a kite", "model": gpt.pk, "n": 2})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"


def test_an_htmx_post_answers_the_new_jobs_card(client, alice, sandbox_models):
    client.force_login(alice)
    gpt = sandbox_models["gpt-image-1"]
    response = client.post("/generate/", {"prompt": "a kite", "model": gpt.pk, "n": 2}, **HTMX)
    job = Job.objects.get()
    card = response.content.decode()
    assert response.status_code == 200 and response["HX-Trigger"] == "job-submitted"
    assert f'data-job-id="{job.pk}"' in card and f'href="/jobs/{job.pk}/"' in card
    assert "a kite" in card and "Queued" in card and 'hx-trigger="job-changed"' in card


def test_an_htmx_post_with_errors_answers_the_dock_with_them(client, alice, sandbox_models):
    client.force_login(alice)
    dalle2 = sandbox_models["dall-e-2"]
    response = client.post("/", {"prompt": "x" * 1001, "model": dalle2.pk}, **HTMX)
    assert response["HX-Retarget"] == "#dock-form" and response["HX-Reswap"] == "outerHTML"
    assert "this model accepts at most 1000" in response.content.decode()
    assert not Job.objects.exists()


def test_a_batch_posted_without_javascript_still_opens_its_batch_page(
    client, alice, sandbox_models
):
    client.force_login(alice)
    gpt = sandbox_models["gpt-image-1"]
    response = client.post("/", {"prompt": "one\ntwo", "model": gpt.pk, "batch": "on"})
    assert response.status_code == 302 and response["Location"].startswith("/batches/")
    both = client.post("/", {"prompt": "three\nfour", "model": gpt.pk, "batch": "on"}, **HTMX)
    assert both.content.decode().count("data-job-id=") == 2


def test_the_dock_remembers_model_workspace_and_options_for_the_next_visit(
    client, alice, design, sandbox_models
):
    client.force_login(alice)
    grok = sandbox_models["grok-3-image"]
    data = {"prompt": "a fox", "model": grok.pk, "workspace": "design", "n": 3, "quality": "high"}
    client.post("/", data, **HTMX)
    remembered = Profile.objects.get(user=alice).dock_settings
    assert remembered == {
        "model": grok.pk, "workspace": "design", "collection": "", "n": 3, "quality": "high"
    }  # fmt: skip
    page = client.get("/").content.decode()
    assert f'<option value="{grok.pk}" selected>' in page
    assert '<option value="design" selected>' in page
    assert 'name="quality" value="high" checked' in page
    assert 'name="n" id="id_n" min="1" max="10"\n             value="3"' in page


def test_the_feed_lists_the_persons_jobs_in_the_workspace_newest_first_in_pages(
    client, alice, bob, submit
):
    older = [submit(f"prompt {number}") for number in range(FEED_PAGE_SIZE + 2)]
    submit("not alice's", owner=bob)
    client.force_login(alice)
    page = client.get("/").content.decode()
    ids = [part.split('"')[0] for part in page.split('data-job-id="')[1:]]
    assert ids == [str(job.pk) for job in reversed(older)][:FEED_PAGE_SIZE]
    assert 'hx-trigger="revealed"' in page
    rest = client.get(f"/feed/?workspace=personal&before={ids[-1]}").content.decode()
    rest_ids = [part.split('"')[0] for part in rest.split('data-job-id="')[1:]]
    assert rest_ids == [str(older[1].pk), str(older[0].pk)]
    assert 'hx-trigger="revealed"' not in rest


def test_a_canceled_jobs_card_says_it_was_refunded(client, alice, submit):
    client.force_login(alice)
    job = submit("changed my mind", n=2)
    card = client.post(f"/jobs/{job.pk}/card/cancel/", **HTMX).content.decode()
    assert "Canceled" in card and "2 credits refunded" in card and ">Retry</button>" in card
    retried = client.post(f"/jobs/{job.pk}/card/retry/", **HTMX).content.decode()
    new_job = Job.objects.exclude(pk=job.pk).get()
    assert f'data-job-id="{new_job.pk}"' in retried


def test_a_finished_card_shows_its_images_in_order_and_what_it_cost(client, alice, submit, sandbox):
    job = submit("three teapots", n=3)
    engine.run_job(job.pk)
    client.force_login(alice)
    card = client.get(f"/jobs/{job.pk}/card/").content.decode()
    images = list(job.images.order_by("index"))
    positions = [card.index(f"/images/{image.pk}/file/") for image in images]
    assert positions == sorted(positions) and "Result 1: three teapots" in card
    assert "Succeeded" in card and "3 credits" in card and "data-live-job" not in card


def test_another_persons_card_is_a_404(client, bob, submit):
    job = submit("mine")
    client.force_login(bob)
    assert client.get(f"/jobs/{job.pk}/card/").status_code == 404
    assert client.post(f"/jobs/{job.pk}/card/again/", **HTMX).status_code == 404


def test_the_budget_lists_team_limits_and_disables_generate_when_the_estimate_does_not_fit(
    client, alice, design, sandbox_models
):
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, images_per_day=5)
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.TEAM, team=design, credits_per_month=6)
    client.force_login(alice)
    gpt = sandbox_models["gpt-image-1"]
    url = "/generate/estimate/?operation=generate&part=budget"
    fits = client.post(url, {"model": gpt.pk, "n": 4, "prompt": "x"}).content.decode()
    assert "You: 5 of 5 images left today" in fits and "Team" not in fits
    assert "disabled" not in fits and "4 credits" in fits
    team_budget = client.post(
        url, {"model": gpt.pk, "n": 8, "prompt": "x", "workspace": "design"}
    ).content.decode()
    assert "Team &#x27;Design&#x27;: 6 of 6 credits left this month" in team_budget
    assert 'disabled aria-describedby="budget-reason"' in team_budget
    assert "this request needs 8" in team_budget
    too_many = client.post(url, {"model": gpt.pk, "n": 50, "prompt": "x"}).content.decode()
    assert "This model makes at most 10 images per request." in too_many
    assert "disabled" in too_many


def test_a_workspace_change_tells_the_feed_and_the_budget(client, alice, sandbox_models):
    client.force_login(alice)
    response = client.get(
        "/generate/fields/?operation=generate&workspace=personal", HTTP_HX_TRIGGER_NAME="workspace"
    )
    assert "workspace-changed" in response["HX-Trigger-After-Settle"]


def test_sizes_read_as_the_ratios_people_name():
    assert [ratio_name(size) for size in ("1024x1024", "1536x1024", "1792x1024", "720x1280")] == [
        "1:1", "3:2", "16:9", "9:16"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", ["Default (Auto)", "Low", "Medium", "High", "Auto", "Standard", "HD"]),
        ("zh-hans", ["默认（自动）", "低", "中", "高", "自动", "标准", "高清"]),
    ],
)
def test_quality_chips_read_in_the_readers_language(language, labels):
    from django.utils import translation

    values = ("low", "medium", "high", "auto", "standard", "hd")
    with translation.override(language):
        chips = option_chips("quality", values, None, "auto")
    assert [chip.label for chip in chips] == labels


def test_the_person_feed_channel_carries_every_job_change(alice, submit):
    from jobs import events

    pubsub = events.subscribe([events.person_channel(alice.pk)])
    try:
        events.publish_job_event("0000", "running", alice.pk)
        message = None
        for _attempt in range(20):
            message = pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if message:
                break
        assert message and json.loads(message["data"]) == {"job": "0000", "kind": "running"}
    finally:
        pubsub.close()


def test_references_make_the_dock_submit_an_edit_and_a_model_without_them_says_so(
    client, alice, submit, sandbox, sandbox_models
):
    made = submit("a red square")
    engine.run_job(made.pk)
    reference = made.images.get()
    client.force_login(alice)
    data = {"prompt": "in blue", "model": sandbox_models["gpt-image-1"].pk, "source": reference.pk}
    response = client.post("/", data)
    edit = Job.objects.exclude(pk=made.pk).get()
    assert response["Location"] == f"/jobs/{edit.pk}/" and edit.kind == "edit"
    assert list(edit.source_images.all()) == [reference]
    refused = client.post("/", data | {"model": sandbox_models["dall-e-3"].pk}, **HTMX)
    assert "This model does not take reference images" in refused.content.decode()
    assert refused["HX-Retarget"] == "#dock-form"
    assert f'name="source" value="{reference.pk}"' in refused.content.decode()  # still chosen
