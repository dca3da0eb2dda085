"""Fixtures shared by the whole suite. Real services live in tests/fixtures/."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model

pytest_plugins = ["tests.fixtures.sandbox", "tests.fixtures.services", "tests.fixtures.browser"]

PASSWORD = "pass-word-123"


@pytest.fixture
def make_user(db):
    def make(username: str, **extra):
        return get_user_model().objects.create_user(
            username, f"{username}@example.com", PASSWORD, **extra
        )

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def sandbox_models(sandbox, db, monkeypatch) -> dict:
    """The sandbox registered as `make run` registers it; returns {model name: ProviderModel}."""
    from django.conf import settings

    from jobs.catalog import load_providers_file
    from jobs.models import ProviderModel

    monkeypatch.setenv("SANDBOX_BASE_URL", sandbox.base_url)
    load_providers_file(os.path.join(settings.BASE_DIR, "jobs", "sandbox", "providers.toml"))
    return {model.name: model for model in ProviderModel.objects.select_related("provider")}


@pytest.fixture(scope="session", autouse=True)
def _broker_is_the_test_redis(redis_url):
    """Every message the tests send goes to the test broker, never to a developer's Redis db 0."""
    return redis_url


@pytest.fixture
def png_bytes():
    """`png_bytes(width, height, color)` -> the bytes of a real PNG."""
    import io

    from PIL import Image as PILImage

    def make(width: int = 64, height: int = 64, color=(200, 40, 90)) -> bytes:
        out = io.BytesIO()
        PILImage.new("RGB", (width, height), color).save(out, "PNG")
        return out.getvalue()

    return make


@pytest.fixture
def submit(sandbox_models, alice):
    """`submit(prompt, model="gpt-image-1", owner=alice, n=1, **params)` -> a queued Job."""
    from jobs.services import JobSpec, submit_job

    def make(prompt: str, model: str = "gpt-image-1", owner=None, n: int = 1, **params):
        spec = JobSpec(
            owner=owner or alice, model=sandbox_models[model], prompt=prompt, n=n, params=params
        )
        return submit_job(spec)

    return make
