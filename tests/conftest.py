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
        return get_user_model().objects.create_user(username, f"{username}@example.com", PASSWORD, **extra)

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
