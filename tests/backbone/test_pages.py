"""Pages with the Django test client: labels, form errors next to fields, 404 for other people."""

import pytest

from jobs import engine
from jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/generate/", "/history/"])
def test_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_generate_form_is_labelled(client, alice, sandbox_models):
    client.force_login(alice)
    page = client.get("/generate/").content.decode()
    for label in ("Prompt", "Model", "Number of images"):
        assert f">{label}</label>" in page
    assert "<legend>Size</legend>" in page  # its choices are chips
    assert ">Generate</button>" in page


def test_a_prompt_over_the_models_limit_is_refused_next_to_the_field(client, alice, sandbox_models):
    client.force_login(alice)
    dalle2 = sandbox_models["dall-e-2"]
    response = client.post(
        "/generate/", {"prompt": "x" * 1001, "model": dalle2.pk, "n": 1, "size": "256x256"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["prompt"]
    assert 'class="field has-error"' in response.content.decode()
    assert Job.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [
        {"prompt": "ok", "model": "not-a-number"},
        {"prompt": "ok", "model": "999999"},
        {"prompt": "", "model": ""},
        {"prompt": "ok", "size": "7x7"},
        {"prompt": "ok", "n": "500"},
    ],
)
def test_bad_input_never_gives_a_500(client, alice, sandbox_models, data):
    client.force_login(alice)
    data = {"model": sandbox_models["gpt-image-1"].pk, **data}
    response = client.post("/generate/", data)
    assert response.status_code == 200  # the form again, with the reason, not a redirect
    assert response.context["form"].errors
    assert Job.objects.count() == 0


def test_a_valid_form_creates_a_queued_job_and_opens_its_page(client, alice, sandbox_models):
    client.force_login(alice)
    gpt = sandbox_models["gpt-image-1"]
    response = client.post(
        "/generate/", {"prompt": "a kite", "model": gpt.pk, "n": 2, "size": "1024x1024"}
    )
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.owner, job.n, job.params["size"], job.model_name) == (
        alice,
        2,
        "1024x1024",
        "gpt-image-1",
    )
    page = client.get(response["Location"]).content.decode()
    # The status part refreshes on push, or every second from live.js while there is none.
    assert "Queued" in page and 'hx-trigger="job-changed"' in page and "data-live-job=" in page
    assert "js/live.js" in page


def test_the_job_page_shows_images_when_done_and_stops_refreshing(client, alice, submit, sandbox):
    job = submit("a teapot")
    engine.run_job(job.pk)
    client.force_login(alice)
    part = client.get(f"/jobs/{job.pk}/status/").content.decode()
    assert "Succeeded" in part and "every 1s" not in part
    image = job.images.get()
    assert f"/images/{image.pk}/file/" in part
    response = client.get(f"/images/{image.pk}/file/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    download = client.get(f"/images/{image.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment;")


def test_history_lists_the_persons_images_newest_first(client, alice, bob, submit, sandbox):
    first, second = submit("first"), submit("second")
    theirs = submit("not yours", owner=bob)
    for job in (first, second, theirs):
        engine.run_job(job.pk)
    client.force_login(alice)
    page = client.get("/history/").content.decode()
    newest, older = second.images.get(), first.images.get()
    assert page.index(str(newest.pk)) < page.index(str(older.pk))
    assert str(theirs.images.get().pk) not in page


def test_another_person_gets_404_for_every_job_and_image_url(client, alice, bob, submit, sandbox):
    job = submit("mine")
    engine.run_job(job.pk)
    image = job.images.get()
    client.force_login(bob)
    urls = [
        f"/jobs/{job.pk}/",
        f"/jobs/{job.pk}/status/",
        f"/images/{image.pk}/",
        f"/images/{image.pk}/file/",
        f"/images/{image.pk}/thumbnail/",
        f"/images/{image.pk}/download/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in (f"/jobs/{job.pk}/cancel/", f"/jobs/{job.pk}/retry/"):
        assert client.post(url).status_code == 404, url


def test_cancel_and_retry_from_the_job_page(client, alice, submit, sandbox):
    client.force_login(alice)
    job = submit("changed my mind")
    client.post(f"/jobs/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == "canceled"
    response = client.post(f"/jobs/{job.pk}/retry/")
    retried = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == f"/jobs/{retried.pk}/"
    assert (retried.prompt, retried.params, retried.status) == (job.prompt, job.params, "queued")


def test_the_image_page_shows_prompt_model_provider_usage_and_cost(client, alice, submit, sandbox):
    job = submit("a copper kettle", model="grok-3-image", n=2)
    engine.run_job(job.pk)
    client.force_login(alice)
    page = client.get(f"/images/{job.images.first().pk}/").content.decode()
    for text in ("a copper kettle", "grok-3-image", "sandbox", "Generated images", "Cost"):
        assert text in page, text
    assert "2 credits for 2 images" in page


def test_the_forms_say_what_is_left_and_refuse_what_does_not_fit(client, alice, sandbox_models):
    from jobs.models import QuotaLimit

    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, images_per_day=3)
    client.force_login(alice)
    assert "You: 3 of 3 images left today" in client.get("/generate/").content.decode()
    gpt = sandbox_models["gpt-image-1"]
    response = client.post("/generate/", {"prompt": "four owls", "model": gpt.pk, "n": 4})
    assert response.status_code == 200
    assert "You have 3 of 3 images left today; this request needs 4." in response.content.decode()
    assert Job.objects.count() == 0
    client.post("/generate/", {"prompt": "two owls", "model": gpt.pk, "n": 2})
    assert "You: 1 of 3 images left today" in client.get("/generate/").content.decode()


def test_a_missing_page_is_a_friendly_404_inside_the_studio(client, alice, settings):
    settings.DEBUG = False
    client.force_login(alice)
    response = client.get("/jobs/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Not found" in page and "Image Studio" in page and "Traceback" not in page
