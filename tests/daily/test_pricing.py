"""The price table, the estimate the forms show, and the ledger charging exactly that estimate."""

from __future__ import annotations

import re

import pytest

from jobs import engine
from jobs.capabilities import credits_for, price_from_table
from jobs.dialects import capabilities_for
from jobs.models import LedgerEntry, LedgerKind, Price, QuotaLimit
from jobs.quota import charged_for_job

pytestmark = pytest.mark.django_db


def test_the_most_specific_price_wins_and_the_model_default_is_the_fallback():
    table = {("high", "1536x1024"): 9, ("high", ""): 5, ("", "2k"): 3, ("", ""): 2}
    assert price_from_table(table, "high", "1536x1024", None) == 9
    assert price_from_table(table, "high", "1024x1024", None) == 5
    assert price_from_table(table, "low", None, "2k") == 3
    assert price_from_table(table, "low", "1024x1024", None) == 2
    assert price_from_table({}, "high", "1536x1024", None) is None
    gpt = capabilities_for("openai", "gpt-image-1")
    assert credits_for(gpt, 2, "1536x1024", "high", prices=table) == 18
    assert credits_for(gpt, 2, "1536x1024", "high", prices={}) == 12  # the default: 1 x 1.5 x 4


def estimate(client, **fields) -> int:
    page = client.post("/generate/estimate/?operation=generate", fields).content.decode()
    return int(re.search(r"(\d+) credits?", page).group(1))


def test_the_estimate_follows_the_admins_table_and_the_ledger_reserves_exactly_it(
    client, alice, sandbox_models
):
    model = sandbox_models["gpt-image-1"]
    Price.objects.create(model=model, quality="high", tier="1536x1024", credits_per_image=7)
    Price.objects.create(model=model, quality="", tier="", credits_per_image=2)
    client.force_login(alice)
    fields = {"model": model.pk, "prompt": "a red kite", "n": 3}
    assert estimate(client, **fields) == 6
    assert estimate(client, **fields, size="1536x1024", quality="high") == 21
    assert estimate(client, **fields, size="bogus", quality="high") == 6  # unknown size: ignored

    response = client.post("/generate/", {**fields, "size": "1536x1024", "quality": "high"})
    assert response.status_code == 302
    reserve = LedgerEntry.objects.get(kind=LedgerKind.RESERVE)
    assert (reserve.images, reserve.credits) == (3, 21)
    engine.run_job(reserve.job_id)
    assert charged_for_job(reserve.job) == (3, 21)


def test_generate_and_edit_pages_show_the_estimate_next_to_their_buttons(
    client, alice, sandbox_models
):
    client.force_login(alice)
    for url in ("/generate/", "/edit/"):
        page = client.get(url).content.decode()
        assert re.search(r"\d+ credits?</strong>", page), url


def test_a_limit_used_to_80_percent_shows_a_notice(client, alice, submit, sandbox_models):
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, images_per_day=10)
    client.force_login(alice)
    submit("seven herons", n=7)
    assert "Nearly used up" not in client.get("/generate/").content.decode()
    submit("one more heron", n=1)
    page = client.get("/generate/").content.decode()
    assert "Nearly used up: You: 2 of 10 images left today." in page


def test_admins_edit_prices_in_django_admin(admin_client, client, alice, sandbox_models):
    grok = sandbox_models["grok-3-image"]
    added = admin_client.post(
        "/admin/jobs/price/add/",
        {"model": grok.pk, "quality": "high", "tier": "2k", "credits_per_image": 9},
    )
    assert added.status_code == 302
    assert admin_client.get("/admin/jobs/price/").status_code == 200
    client.force_login(alice)
    assert estimate(client, model=grok.pk, prompt="a gull", quality="high", resolution="2k") == 9
    assert estimate(client, model=grok.pk, prompt="a gull", quality="high") == 2  # the default


def test_every_price_in_the_studio_comes_from_the_models_one_calculation():
    """The estimate, the reservation, the API's credits cap (and so the usage report, which sums
    the ledger) price through `ProviderModel.estimate_credits`; nothing calls the formula below
    it on its own, where it would miss the admins' table or the resolution."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    callers = {
        str(path.relative_to(root))
        for folder in ("jobs", "studio")
        for path in (root / folder).rglob("*.py")
        if "credits_for(" in path.read_text(encoding="utf-8")
    }
    assert callers == {"jobs/capabilities.py", "jobs/models/catalog.py"}
