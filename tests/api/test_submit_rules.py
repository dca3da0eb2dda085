"""What the API decides before a job exists: an `Idempotency-Key` replays only the request it was
made for, and a token's credits cap prices a request exactly as the ledger charges it (no server
needed: Django's test client runs the async views)."""

from __future__ import annotations

import pytest

from jobs.models import Job, LedgerEntry, LedgerKind, Price
from studio.api.tokens import create_token
from tests.api.client_helpers import error, post_json

pytestmark = pytest.mark.django_db

GENERATIONS = "/v1/images/generations"


def headers(secret: str, key: str = "") -> dict:
    sent = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_PREFER": "respond-async"}
    return {**sent, "HTTP_IDEMPOTENCY_KEY": key} if key else sent


def test_an_idempotency_key_reused_with_another_body_is_422(client, alice, sandbox_models):
    _, secret = create_token(alice, name="script")
    body = {"model": "gpt-image-1", "prompt": "a red kite"}
    first = post_json(client, GENERATIONS, body, headers(secret, "kite-1"))
    assert first.status_code == 202, first.content
    for other in (
        {**body, "prompt": "a blue kite"},
        {**body, "n": 4},
        {**body, "size": "1536x1024"},
    ):
        reused = post_json(client, GENERATIONS, other, headers(secret, "kite-1"))
        assert reused.status_code == 422, reused.content
        assert set(error(reused)) == {"message", "type", "param", "code"}
        assert error(reused)["code"] == "idempotency_key_reused"
        assert error(reused)["type"] == "invalid_request_error"
    replay = post_json(client, GENERATIONS, body, headers(secret, "kite-1"))
    assert replay.json()["id"] == first.json()["id"]
    assert Job.objects.count() == 1


def test_the_credits_cap_prices_with_the_admins_table(client, alice, sandbox_models):
    model = sandbox_models["gpt-image-1"]
    Price.objects.create(model=model, quality="", tier="1536x1024", credits_per_image=25)
    _, secret = create_token(alice, name="capped", credits_cap=10)
    body = {"model": "gpt-image-1", "prompt": "a wide kite", "size": "1536x1024", "n": 4}
    refused = post_json(client, GENERATIONS, body, headers(secret))
    assert refused.status_code == 403
    assert error(refused)["code"] == "insufficient_quota"
    assert "has 10 left; this request needs 100." in error(refused)["message"]
    assert not Job.objects.exists()
    # What fits is charged exactly what the cap counted.
    small = post_json(client, GENERATIONS, {**body, "size": "1024x1024", "n": 3}, headers(secret))
    assert small.status_code == 202
    assert LedgerEntry.objects.get(kind=LedgerKind.RESERVE).credits == 3


def test_a_resolution_tier_is_priced_for_the_cap_too(client, alice, sandbox_models):
    model = sandbox_models["grok-3-image"]
    Price.objects.create(model=model, quality="", tier="2k", credits_per_image=8)
    _, secret = create_token(alice, name="capped", credits_cap=5)
    body = {"model": "grok-3-image", "prompt": "a kite", "resolution": "2k"}
    refused = post_json(client, GENERATIONS, body, headers(secret))
    assert refused.status_code == 403 and "this request needs 8." in error(refused)["message"]
