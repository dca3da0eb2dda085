"""The compare page: the form, its fields and estimate, the submit, and a comparison's page."""

from __future__ import annotations

import re

import pytest

from jobs import engine
from jobs.models import Batch, BatchKind, Job, JobStatus, QuotaLimit
from studio.models import Membership, Role, Team

pytestmark = pytest.mark.django_db


def compare_form(*models, prompt="a fox in snow, linocut", **options) -> dict:
    """The compare form's fields: `models` fill Model 1, 2… in order; options are "m1-size"…"""
    data = {"prompt": prompt, "workspace": options.pop("workspace", "personal"), **options}
    for number, model in enumerate(models, start=1):
        data[f"m{number}-model"] = model.pk
    return data


def compare_two(client, sandbox_models) -> None:
    """Post a comparison of gpt-image-1 and grok-3-image with their default options."""
    form = compare_form(sandbox_models["gpt-image-1"], sandbox_models["grok-3-image"])
    assert client.post("/compare/", form).status_code == 302


def test_the_page_has_a_prompt_four_model_slots_the_estimate_and_a_compare_button(
    client, alice, sandbox_models
):
    client.force_login(alice)
    page = client.get("/compare/").content.decode()
    assert '<label for="id_prompt">Prompt</label>' in page
    for number in (1, 2, 3, 4):
        label = f'<label id="slot-{number}-label" for="id_m{number}-model">Model {number}</label>'
        assert label in page
    assert '<button type="submit" class="primary">Compare</button>' in page
    assert re.search(r"Estimated cost: <strong data-credits=\"2\">2 credits</strong>", page)
    assert 'href="/compare/"' in page  # the header's link


def test_a_plain_post_makes_one_job_per_model_and_answers_302_to_the_comparison(
    client, alice, sandbox_models
):
    client.force_login(alice)
    gpt, dalle3 = sandbox_models["gpt-image-1"], sandbox_models["dall-e-3"]
    form = compare_form(gpt, dalle3, **{"m1-size": "1536x1024", "m1-n": 2, "m2-quality": "hd"})
    response = client.post("/compare/", form)
    batch = Batch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/compare/{batch.pk}/"
    assert batch.kind == BatchKind.COMPARE
    jobs = {job.model: job for job in batch.jobs.all()}
    assert jobs[gpt].params == {"size": "1536x1024"} and jobs[gpt].n == 2
    assert jobs[dalle3].params == {"quality": "hd"} and jobs[dalle3].n == 1
    assert {job.prompt for job in jobs.values()} == {"a fox in snow, linocut"}


def test_empty_slots_are_left_out(client, alice, sandbox_models):
    client.force_login(alice)
    form = compare_form(sandbox_models["gpt-image-1"], sandbox_models["grok-3-image"])
    form.update({"m3-model": "", "m4-model": ""})
    client.post("/compare/", form)
    assert Job.objects.count() == 2


def test_the_same_model_twice_is_a_form_error_and_nothing_is_made(client, alice, sandbox_models):
    client.force_login(alice)
    gpt = sandbox_models["gpt-image-1"]
    response = client.post("/compare/", compare_form(gpt, gpt))
    assert response.status_code == 200
    assert "Choose each model once: Sandbox · gpt-image-1 (openai) is chosen twice." in (
        response.content.decode()
    )
    assert not Job.objects.exists() and not Batch.objects.exists()


def test_one_model_is_not_a_comparison(client, alice, sandbox_models):
    client.force_login(alice)
    form = compare_form(sandbox_models["gpt-image-1"], **{"m2-model": ""})
    page = client.post("/compare/", form).content.decode()
    assert "Choose between 2 and 4 models to compare; you chose 1." in page
    assert not Job.objects.exists()


def test_an_option_a_model_does_not_take_is_said_in_its_slot(client, alice, sandbox_models):
    client.force_login(alice)
    form = compare_form(
        sandbox_models["gpt-image-1"], sandbox_models["dall-e-3"], **{"m2-size": "7x7"}
    )
    page = client.post("/compare/", form).content.decode()
    assert 'id="id_m2-size-error"' in page
    assert not Job.objects.exists()


def test_a_comparison_that_does_not_fit_the_quota_says_so(client, alice, sandbox_models):
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, images_per_day=2)
    client.force_login(alice)
    form = compare_form(
        sandbox_models["gpt-image-1"], sandbox_models["dall-e-3"], sandbox_models["grok-3-image"]
    )
    page = client.post("/compare/", form).content.decode()
    assert "You have 2 of 2 images left today; this request needs 3." in page
    assert not Job.objects.exists() and not Batch.objects.exists()


def test_the_estimate_adds_up_every_model(client, alice, sandbox_models):
    client.force_login(alice)
    form = compare_form(
        sandbox_models["gpt-image-1"], sandbox_models["grok-3-image"],
        **{"m1-n": 2, "m1-size": "1536x1024"},
    )  # fmt: skip
    page = client.post("/compare/estimate/", form).content.decode()
    assert 'data-credits="5"' in page and "5 credits" in page  # 4 + 1


def test_a_slot_brings_its_models_own_fields(client, alice, sandbox_models):
    client.force_login(alice)
    gpt, dalle2 = sandbox_models["gpt-image-1"], sandbox_models["dall-e-2"]
    page = client.get(
        "/compare/fields/", {"m1-model": gpt.pk, "m2-model": dalle2.pk, "m1-size": "1536x1024"}
    ).content.decode()
    assert 'name="m1-moderation"' in page  # gpt-image-1 only
    assert 'name="m2-moderation"' not in page
    assert re.search(r'<option value="1536x1024" selected>', page)  # kept across the swap


def test_the_comparison_page_shows_one_cell_per_model(client, alice, sandbox_models):
    client.force_login(alice)
    gpt, grok = sandbox_models["gpt-image-1"], sandbox_models["grok-3-image"]
    client.post("/compare/", compare_form(gpt, grok, **{"m1-n": 2}))
    batch = Batch.objects.get()
    done = batch.jobs.get(model=gpt)
    engine.run_job(done.pk)
    done.refresh_from_db()
    assert done.status == JobStatus.SUCCEEDED
    page = client.get(f"/compare/{batch.pk}/").content.decode()
    assert page.count('class="compare-cell') == 2
    for job in batch.jobs.all():
        assert f'data-job-id="{job.pk}"' in page
        assert f'href="/jobs/{job.pk}/"' in page
        assert f'href="/generate/?from_job={job.pk}"' in page
    assert page.count("data-live-job=") == 1  # only the unfinished one follows the push
    assert f'data-live-events="/batches/{batch.pk}/events/"' in page
    assert 'aria-label="Results"' in page and 'data-seconds="' in page
    first, second = (f"/images/{image.pk}/file/" for image in done.images.order_by("index"))
    assert page.index(first) < page.index(second)  # #1 before #2
    assert "Cancel the rest" in page  # grok-3-image has not run


def test_a_finished_comparison_has_nothing_to_cancel(client, alice, sandbox_models):
    client.force_login(alice)
    compare_two(client, sandbox_models)
    batch = Batch.objects.get()
    for job in batch.jobs.all():
        engine.run_job(job.pk)
    page = client.get(f"/compare/{batch.pk}/").content.decode()
    assert "Cancel the rest" not in page and "data-live-job=" not in page


def test_a_cell_refreshes_on_its_own(client, alice, sandbox_models):
    client.force_login(alice)
    compare_two(client, sandbox_models)
    job = Job.objects.first()
    cell = client.get(f"/compare/cells/{job.pk}/").content.decode()
    assert f'data-live-job="{job.pk}"' in cell and "1 credit" in cell and "(reserved)" in cell


def test_the_batch_address_of_a_comparison_leads_to_it(client, alice, sandbox_models):
    client.force_login(alice)
    compare_two(client, sandbox_models)
    batch = Batch.objects.get()
    assert client.get(f"/batches/{batch.pk}/")["Location"] == f"/compare/{batch.pk}/"


def test_another_persons_comparison_is_not_found(client, alice, bob, sandbox_models):
    client.force_login(alice)
    compare_two(client, sandbox_models)
    batch = Batch.objects.get()
    job = batch.jobs.first()
    client.force_login(bob)
    assert client.get(f"/compare/{batch.pk}/").status_code == 404
    assert client.get(f"/compare/cells/{job.pk}/").status_code == 404


def test_a_team_workspace_offers_only_its_models_and_its_comparison_is_the_teams(
    client, alice, sandbox_models
):
    design = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=design, user=alice, role=Role.EDITOR)
    gpt, dalle3 = sandbox_models["gpt-image-1"], sandbox_models["dall-e-3"]
    design.allowed_models.set([gpt, dalle3])
    client.force_login(alice)
    page = client.get("/compare/fields/", {"workspace": "design"}).content.decode()
    offered = set(re.findall(r'<option value="(\d+)"', page))
    assert offered == {str(gpt.pk), str(dalle3.pk)}
    grok = sandbox_models["grok-3-image"]
    refused = client.post("/compare/", compare_form(gpt, grok, workspace="design"))
    assert "This model is not available in the chosen workspace." in refused.content.decode()
    assert not Job.objects.exists()
    client.post("/compare/", compare_form(gpt, dalle3, workspace="design"))
    assert {job.team for job in Job.objects.all()} == {design}
