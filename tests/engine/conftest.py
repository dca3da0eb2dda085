"""Fixtures for the engine's tests with real worker processes."""

from __future__ import annotations

import pytest


@pytest.fixture
def url_answers(sandbox_models) -> None:
    """dall-e-2 answers with URLs (n up to 10), so results are downloaded."""
    model = sandbox_models["dall-e-2"]
    model.limits = {"default_response_format": "url"}
    model.save()
