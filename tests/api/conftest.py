"""The API tests' own fixtures: alice's token as test-client headers, and as an `openai` client.
The server, tokens and clients they stand on are shared (tests/fixtures/asgi.py)."""

from __future__ import annotations

import pytest

from studio.api.tokens import create_token


@pytest.fixture
def bearer(alice, sandbox_models) -> dict:
    """Test-client headers carrying a fresh personal token of alice's."""
    _, secret = create_token(alice, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def alice_api(make_token, api_client, alice):
    """alice's client with a personal token for every model, and that token."""
    token, secret = make_token(alice)
    client = api_client(secret)
    client.token = token
    return client
