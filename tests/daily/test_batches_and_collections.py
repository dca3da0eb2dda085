"""Batches (one job per prompt, reserved as one request) and target collections."""

from __future__ import annotations

import pytest

from jobs import pipeline
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


def test_cancel_the_rest_stops_only_the_unfinished_jobs_and_refunds_them(
    client, alice, sandbox_models
):
    client.force_login(alice)
    client.post("/generate/", batch_form(sandbox_models["gpt-image-1"]))
    batch = Batch.objects.get()
    done = batch.jobs.get(prompt="a red kite")
    pipeline.run_job(done.pk)
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


def test_results_land_in_the_chosen_collection(client, alice, design, sandbox_models):
    best = Collection.objects.create(team=design, name="Best")
    client.force_login(alice)
    form = {"prompt": "a kite", "model": sandbox_models["gpt-image-1"].pk, "n": 2}
    client.post("/generate/", {**form, "workspace": "design", "collection": best.pk})
    job = Job.objects.get()
    pipeline.run_job(job.pk)
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
