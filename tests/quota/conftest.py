"""Quota test fixtures: a team of alice and bob (from tests/conftest.py) and a pinned clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from studio.models import Membership, Team

# Mid-month, mid-day: "today" and "this month" are different windows, whatever the real date.
PINNED_NOW = datetime(2025, 3, 15, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[], datetime]:
    """Pin Django's clock so windows do not depend on the day the tests run."""
    monkeypatch.setattr(timezone, "now", lambda: PINNED_NOW)
    return timezone.now


@pytest.fixture
def design(db, alice, bob) -> Team:
    team = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=team, user=alice)
    Membership.objects.create(team=team, user=bob)
    return team
