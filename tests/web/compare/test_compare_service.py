"""submit_comparison: one prompt, one job per model, in one batch of kind "compare"."""

from __future__ import annotations

import pytest

from jobs.models import Batch, BatchKind, Job, LedgerEntry, QuotaLimit
from jobs.quota import QuotaExceeded, charged_for_job
from studio.submit import (
    ComparisonRefused,
    JobSpec,
    ModelNotAllowed,
    SubmitRefused,
    submit_comparison,
)

pytestmark = pytest.mark.django_db

PROMPT = "a lighthouse in fog, gouache"


def spec(owner, model, **options) -> JobSpec:
    n = options.pop("n", 1)
    return JobSpec(owner=owner, model=model, prompt=PROMPT, n=n, params=options)


def nothing_created() -> bool:
    return not (Batch.objects.exists() or Job.objects.exists() or LedgerEntry.objects.exists())


def test_two_models_make_two_jobs_in_one_compare_batch_each_with_its_own_options(
    alice, sandbox_models
):
    gpt, grok = sandbox_models["gpt-image-1"], sandbox_models["grok-3-image"]
    batch = submit_comparison([spec(alice, gpt, n=2, size="1536x1024"), spec(alice, grok)])
    assert batch.kind == BatchKind.COMPARE and batch.owner == alice
    jobs = list(batch.jobs.order_by("created_at"))
    assert [(job.model, job.prompt, job.n, job.params) for job in jobs] == [
        (gpt, PROMPT, 2, {"size": "1536x1024"}),
        (grok, PROMPT, 1, {}),
    ]
    assert [job.credits_reserved for job in jobs] == [4, 1]  # 1.5 credits an image, rounded up
    assert [charged_for_job(job) for job in jobs] == [(2, 4), (1, 1)]


def test_a_plain_batch_is_still_of_kind_batch(alice, sandbox_models):
    from studio.submit import submit_batch

    batch = submit_batch(spec(alice, sandbox_models["gpt-image-1"]), ["one", "two"])
    assert batch.kind == BatchKind.BATCH


@pytest.mark.parametrize("count", [0, 1, 5])
def test_fewer_than_two_or_more_than_four_models_are_refused(alice, sandbox_models, count):
    models = list(sandbox_models.values())[:count]
    assert len(models) == count
    with pytest.raises(ComparisonRefused) as refusal:
        submit_comparison([spec(alice, model) for model in models])
    assert str(refusal.value) == (f"Choose between 2 and 4 models to compare; you chose {count}.")
    assert nothing_created()


def test_the_same_model_twice_is_refused(alice, sandbox_models):
    gpt = sandbox_models["gpt-image-1"]
    with pytest.raises(ComparisonRefused) as refusal:
        submit_comparison(
            [spec(alice, gpt), spec(alice, sandbox_models["dall-e-3"]), spec(alice, gpt)]
        )
    assert str(refusal.value) == (
        "Choose each model once: Sandbox · gpt-image-1 (openai) is chosen twice."
    )
    assert nothing_created()


def test_the_quota_is_reserved_for_the_whole_comparison_or_nothing_is_made(alice, sandbox_models):
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, credits_per_day=4)
    gpt, grok = sandbox_models["gpt-image-1"], sandbox_models["grok-3-image"]
    # Each fits on its own (4 and 1 credits); together they need 5.
    with pytest.raises(QuotaExceeded) as refusal:
        submit_comparison([spec(alice, gpt, n=2, size="1536x1024"), spec(alice, grok)])
    assert refusal.value.needed == 5
    assert nothing_created()
    batch = submit_comparison([spec(alice, gpt, n=2), spec(alice, grok, n=2)])
    assert sum(charged_for_job(job)[1] for job in batch.jobs.all()) == 4


def test_a_model_the_team_does_not_allow_is_refused(alice, design, sandbox_models):
    design.allowed_models.set([sandbox_models["gpt-image-1"]])
    specs = [
        JobSpec(owner=alice, model=sandbox_models[name], prompt=PROMPT, team=design)
        for name in ("gpt-image-1", "dall-e-3")
    ]
    with pytest.raises(ModelNotAllowed, match="dall-e-3"):
        submit_comparison(specs)
    assert nothing_created()


def test_a_disabled_model_is_refused(alice, sandbox_models):
    grok = sandbox_models["grok-3-image"]
    grok.enabled = False
    grok.save()
    with pytest.raises(SubmitRefused, match="is not available any more"):
        submit_comparison([spec(alice, sandbox_models["gpt-image-1"]), spec(alice, grok)])
    assert nothing_created()


def test_an_option_the_model_does_not_take_is_refused_with_the_models_name(alice, sandbox_models):
    gpt, grok = sandbox_models["gpt-image-1"], sandbox_models["grok-3-image"]
    with pytest.raises(ComparisonRefused, match=r"^Sandbox · grok-3-image \(grok\): "):
        submit_comparison([spec(alice, gpt), spec(alice, grok, n=99)])
    assert nothing_created()
