"""Small helpers for the provider tests: real images to upload, and driving async tasks."""

from __future__ import annotations

import base64
import io
import time

from PIL import Image

from jobs.providers import Dialect, Endpoint, ProviderResult, TaskState


def png(width: int = 64, height: int = 64, colour=(20, 160, 220, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def mask_png(width: int = 64, height: int = 64) -> bytes:
    """Opaque, except the top half, which is transparent: the area to edit."""
    mask = Image.new("RGBA", (width, height), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (0, 0, width, height // 2))
    out = io.BytesIO()
    mask.save(out, "PNG")
    return out.getvalue()


def data_uri_bytes(uri: str) -> bytes:
    header, _, payload = uri.partition(",")
    assert header == "data:image/png;base64"
    return base64.b64decode(payload)


def run_to_end(dialect: Dialect, endpoint: Endpoint, first: ProviderResult) -> ProviderResult:
    """Poll until the task is final. The limit only stops a broken test from hanging."""
    result, give_up = first, time.monotonic() + 30
    while result.state is TaskState.RUNNING and time.monotonic() < give_up:
        time.sleep(0.1)
        result = dialect.poll(endpoint, first.task_id)
    return result


def posts(recorded: list[dict]) -> list[dict]:
    return [entry for entry in recorded if entry["method"] == "POST"]


def header(entry: dict, name: str) -> str | None:
    return next((v for k, v in entry["headers"].items() if k.lower() == name.lower()), None)
