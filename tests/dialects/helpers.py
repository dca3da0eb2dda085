"""Small helpers for the provider tests: real images to upload, and driving async tasks."""

from __future__ import annotations

import base64

from jobs.providers import Dialect, Endpoint, ProviderResult, TaskState
from tests.fixtures.images import mask_png, png

__all__ = ["data_uri_bytes", "header", "mask_png", "png", "posts", "run_to_end"]


def data_uri_bytes(uri: str) -> bytes:
    header, _, payload = uri.partition(",")
    assert header == "data:image/png;base64"
    return base64.b64decode(payload)


def run_to_end(
    dialect: Dialect, endpoint: Endpoint, first: ProviderResult, polls: int = 5
) -> ProviderResult:
    """Poll until the task is final. Prompts say when with `[[polls:N]]`: no real clock."""
    result = first
    for _ in range(polls):
        if result.state is not TaskState.RUNNING:
            break
        result = dialect.poll(endpoint, first.task_id)
    return result


def posts(recorded: list[dict]) -> list[dict]:
    return [entry for entry in recorded if entry["method"] == "POST"]


def header(entry: dict, name: str) -> str | None:
    return next((v for k, v in entry["headers"].items() if k.lower() == name.lower()), None)
