"""The API's per-person rate limit: one person's requests per minute over all their tokens, so
making more tokens does not multiply what one person may send (STUDIO_API_PERSON_RATE_LIMIT)."""

from __future__ import annotations

import pytest

from studio.api.tokens import create_token
from tests.api.client_helpers import error

pytestmark = pytest.mark.django_db

MODELS = "/v1/models"


def call(client, secret: str):
    return client.get(MODELS, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_more_tokens_do_not_raise_a_persons_limit(client, alice, bob, settings):
    settings.STUDIO_API_PERSON_RATE_LIMIT = 2
    secrets = [create_token(alice, name=f"script {number}")[1] for number in range(3)]
    # Six calls over three tokens, each far below its own limit (60 a minute): even when a
    # minute's window ends among them, at most two per window get through.
    answers = [call(client, secrets[number % 3]) for number in range(6)]
    refused = [answer for answer in answers if answer.status_code == 429]
    assert len(refused) >= 2
    assert all(answer.status_code in (200, 429) for answer in answers)
    first = refused[0]
    assert error(first)["code"] == "rate_limit_exceeded"
    assert "all your API tokens" in error(first)["message"]
    assert 1 <= int(first["Retry-After"]) <= 61
    # Someone else's tokens are not counted with alice's.
    assert call(client, create_token(bob, name="bob's")[1]).status_code == 200


def test_no_person_limit_when_it_is_zero(client, alice, settings):
    settings.STUDIO_API_PERSON_RATE_LIMIT = 0
    secrets = [create_token(alice, name=f"script {number}")[1] for number in range(2)]
    assert all(call(client, secrets[number % 2]).status_code == 200 for number in range(6))
