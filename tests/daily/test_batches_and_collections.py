"""Batches (one job per prompt, reserved as one request) and target collections."""

from __future__ import annotations

import pytest

from jobs import engine
from jobs.models import Batch, Job, JobStatus, LedgerEntry, LedgerKind, QuotaLimit
from jobs.quota import charged_for_job
from studio.models import Collection, Membership, Role, Team

pytestmark = pytest.mark.django_db

THREE_PROMPTS = "a red kite\n\n  a blue kite  \na green kite\n"


def batch_form(model, **extra) -> dict:
    return {"prompt": THREE_PROMPTS, "batch": "on", "model": model.pk, "n": 2, **extra}


def test_a_batch_makes_one_job_per_line_with_the_same_settings(client, alice, sandbox_models):
    client.force_login(alice)
    gpt = sandbox_models["gpt-image-1"]
    response = client.post("/generate/", batch_form(gpt, size="1536x1024"))
    batch = Batch.objects.get()
    assert response["Location"] == f"/batches/{batch.pk}/"
    jobs = list(batch.jobs.order_by("created_at"))
    assert [job.prompt for job in jobs] == ["a red kite", "a blue kite", "a green kite"]
    assert {(job.n, job.params["size"], job.credits_reserved) for job in jobs} == {
        (2, "1536x1024", 4)
    }
    assert LedgerEntry.objects.filter(kind=LedgerKind.RESERVE).count() == 3
    page = client.get(f"/batches/{batch.pk}/").content.decode()
    assert page.count("data-live-job=") == 3 and "Cancel the rest" in page


def test_the_estimate_counts_every_prompt_of_a_batch(client, alice, sandbox_models):
    client.force_login(alice)
    form = batch_form(sandbox_models["gpt-image-1"])
    page = client.post("/generate/estimate/?operation=generate", form).content.decode()
    assert "6 credits" in page  # 3 prompts x 2 images x 1 credit


def test_a_batch_that_does_not_fit_is_refused_whole(client, alice, sandbox_models):
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, images_per_day=5)
    client.force_login(alice)
    response = client.post("/generate/", batch_form(sandbox_models["gpt-image-1"]))
    assert response.status_code == 200
    assert "You have 5 of 5 images left today; this request needs 6." in response.content.decode()
    assert not Job.objects.exists() and not Batch.objects.exists()
    assert not LedgerEntry.objects.exists()


def lines(count: int) -> str:
    return "\n".join(f"kite number {number}" for number in range(count))


def prompt_errors(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors.get("prompt", [])


def test_a_batch_has_at_most_the_sites_number_of_prompts(client, alice, sandbox_models, settings):
    assert settings.STUDIO_MAX_BATCH_PROMPTS == 50
    client.force_login(alice)
    form = batch_form(sandbox_models["gpt-image-1"], prompt=lines(51))
    response = client.post("/generate/", form)
    assert prompt_errors(response) == ["A batch may have at most 50 prompts; this one has 51."]
    assert not Job.objects.exists() and not Batch.objects.exists()
    assert client.post("/generate/", {**form, "prompt": lines(50)}).status_code == 302
    assert Job.objects.count() == 50


def test_an_admin_sets_the_prompts_per_batch_for_everyone_or_one_person(
    client, admin_client, alice, bob, sandbox_models
):
    added = admin_client.post(
        "/admin/jobs/quotalimit/add/", {"scope": "user", "max_batch_prompts": 2}
    )
    assert added.status_code == 302, added.context["adminform"].form.errors
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, max_batch_prompts=4)
    form = batch_form(sandbox_models["gpt-image-1"])  # three prompts
    client.force_login(bob)
    refused = client.post("/generate/", form)
    assert prompt_errors(refused) == ["A batch may have at most 2 prompts; this one has 3."]
    client.force_login(alice)
    assert client.post("/generate/", form).status_code == 302


def test_the_service_refuses_an_oversized_batch_too(alice, sandbox_models, settings):
    from studio.submit import BatchTooLarge, JobSpec, submit_batch

    settings.STUDIO_MAX_BATCH_PROMPTS = 3
    spec = JobSpec(owner=alice, model=sandbox_models["gpt-image-1"], prompt="")
    with pytest.raises(BatchTooLarge):
        submit_batch(spec, ["a kite"] * 4)
    assert not Job.objects.exists() and not Batch.objects.exists()


def test_a_batch_may_not_pile_up_more_unfinished_jobs_than_a_batch_may_have(
    client, alice, submit, sandbox_models, settings
):
    settings.STUDIO_MAX_BATCH_PROMPTS = 4
    submit("waiting one")
    submit("waiting two")
    client.force_login(alice)
    refused = client.post("/generate/", batch_form(sandbox_models["gpt-image-1"]))
    assert prompt_errors(refused) == [
        "You have 2 jobs queued or running; with this batch of 3 there would be more than 4. "
        "Wait for some to finish, or send fewer prompts."
    ]
    assert Job.objects.count() == 2 and not Batch.objects.exists()
    two = batch_form(sandbox_models["gpt-image-1"], prompt="a kite\na hawk")
    assert client.post("/generate/", two).status_code == 302


def test_a_batch_is_weighed_against_the_quota_before_any_row_is_made(client, alice, sandbox_models):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, credits_per_day=5)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/generate/", batch_form(sandbox_models["gpt-image-1"]))
    assert "You have 5 of 5 credits left today; this request needs 6." in (
        response.content.decode()
    )
    inserts = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert not [sql for sql in inserts if "jobs_job" in sql or "jobs_batch" in sql], inserts


def test_cancel_the_rest_stops_only_the_unfinished_jobs_and_refunds_them(
    client, alice, sandbox_models
):
    client.force_login(alice)
    client.post("/generate/", batch_form(sandbox_models["gpt-image-1"]))
    batch = Batch.objects.get()
    done = batch.jobs.get(prompt="a red kite")
    engine.run_job(done.pk)
    client.post(f"/batches/{batch.pk}/cancel/")
    statuses = {job.prompt: job.status for job in batch.jobs.all()}
    assert statuses == {
        "a red kite": JobStatus.SUCCEEDED,
        "a blue kite": JobStatus.CANCELED,
        "a green kite": JobStatus.CANCELED,
    }
    assert [charged_for_job(job)[0] for job in batch.jobs.order_by("created_at")] == [2, 0, 0]


def test_another_persons_batch_is_not_found(client, alice, bob, sandbox_models):
    client.force_login(alice)
    client.post("/generate/", batch_form(sandbox_models["gpt-image-1"]))
    batch = Batch.objects.get()
    client.force_login(bob)
    assert client.get(f"/batches/{batch.pk}/").status_code == 404
    assert client.post(f"/batches/{batch.pk}/cancel/").status_code == 404
    assert client.get(f"/batches/{batch.pk}/events/").status_code == 404


@pytest.fixture
def design(alice) -> Team:
    team = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=team, user=alice, role=Role.EDITOR)
    return team


def test_results_land_in_the_chosen_collection(
    client, alice, design, sandbox_models, django_capture_on_commit_callbacks
):
    best = Collection.objects.create(team=design, name="Best")
    client.force_login(alice)
    form = {"prompt": "a kite", "model": sandbox_models["gpt-image-1"].pk, "n": 2}
    client.post("/generate/", {**form, "workspace": "design", "collection": best.pk})
    job = Job.objects.get()
    with django_capture_on_commit_callbacks(execute=True):  # filed once the ending commits
        engine.run_job(job.pk)
    assert set(best.items.values_list("image_id", flat=True)) == set(
        job.images.values_list("pk", flat=True)
    )
    assert len(set(best.items.values_list("image_id", flat=True))) == 2


def test_a_collection_of_another_workspace_is_refused_where_it_was_chosen(
    client, alice, design, sandbox_models
):
    best = Collection.objects.create(team=design, name="Best")
    client.force_login(alice)
    form = {"prompt": "a kite", "model": sandbox_models["gpt-image-1"].pk}
    response = client.post("/generate/", {**form, "workspace": "personal", "collection": best.pk})
    assert response.context["form"].errors["collection"] == [
        "“Best” belongs to the team Design: choose that workspace, or no collection."
    ]
    assert not Job.objects.exists()
