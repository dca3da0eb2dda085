"""Calling the API: through Django's test client (fast, no server), or with the real `openai`
package against a running studio."""

from __future__ import annotations

import ssl

import openai

# One TLS context for every SDK client: each client would otherwise build its own and load the CA
# bundle again (tens of milliseconds of CPU, dozens of clients a run). The studio under test
# speaks plain HTTP, so the context is never used for more than that.
_TLS = ssl.create_default_context()


def openai_client(base_url: str, api_key: str, **options) -> openai.OpenAI:
    """The real `openai` package pointed at `base_url` (ending in /v1); no automatic retries."""
    options.setdefault("max_retries", 0)
    options.setdefault("timeout", 60)
    http_client = openai.DefaultHttpxClient(verify=_TLS)
    return openai.OpenAI(base_url=base_url, api_key=api_key, http_client=http_client, **options)


def post_json(client, path: str, body, headers: dict):
    return client.post(path, body, content_type="application/json", **headers)


def error(response) -> dict:
    return response.json()["error"]
