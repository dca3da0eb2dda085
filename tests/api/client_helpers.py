"""Calling the API through Django's test client (fast, no server). The real `openai` package
against a running studio is `tests.fixtures.asgi.openai_client`."""

from __future__ import annotations


def post_json(client, path: str, body, headers: dict):
    return client.post(path, body, content_type="application/json", **headers)


def error(response) -> dict:
    return response.json()["error"]
