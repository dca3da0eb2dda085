from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _back_to_the_default_language() -> Iterator[None]:
    """Requests here activate Chinese in the test's thread; later tests must not inherit it."""
    yield
    translation.deactivate()
