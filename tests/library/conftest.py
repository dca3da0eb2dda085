"""A small world for the library tests: one team with an owner, an editor and a viewer, a member
of another team, a stranger, and helpers that make images quickly (rows only) or for real (files).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from jobs.models import Image, ImageOrigin
from jobs.storage import store_image
from studio.library import add_to_library
from studio.models import Membership, Role, Team
from tests.conftest import create_person
from tests.fixtures.factories import make_image, make_job
from tests.fixtures.images import png


@dataclass
class World:
    design: Team
    ops: Team
    owner: object
    editor: object
    viewer: object
    other_team: object
    stranger: object

    def person(self, persona: str):
        return getattr(self, persona)


PERSONAS = ("owner", "editor", "viewer", "other_team", "stranger")


def build_world() -> World:
    design = Team.objects.create(name="Design", slug="design")
    ops = Team.objects.create(name="Ops", slug="ops")
    people = {name: create_person(name) for name in ("olive", "ed", "vic", "otto", "stan")}
    Membership.objects.create(team=design, user=people["olive"], role=Role.OWNER)
    Membership.objects.create(team=design, user=people["ed"], role=Role.EDITOR)
    Membership.objects.create(team=design, user=people["vic"], role=Role.VIEWER)
    Membership.objects.create(team=ops, user=people["otto"], role=Role.OWNER)
    return World(
        design=design,
        ops=ops,
        owner=people["olive"],
        editor=people["ed"],
        viewer=people["vic"],
        other_team=people["otto"],
        stranger=people["stan"],
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


def store_test_image(
    owner, *, team=None, prompt: str = "a quiet harbour", color=(20, 120, 200)
) -> Image:
    """An image stored for real (file and thumbnail), made by a succeeded job (and so, made in a
    team, in its library)."""
    job = make_job(owner, team=team, prompt=prompt, status="succeeded")
    image = store_image(
        png(32, 32, color), owner=owner, origin=ImageOrigin.GENERATED, job=job, team=team
    )
    if team is not None:
        add_to_library(team, [image], added_by=owner)
    return image


@pytest.fixture
def quick_image():
    """`quick_image(owner, prompt=..., team=..., origin=...)`: a row with made-up file names."""
    return make_image


@pytest.fixture
def stored_image(db):
    """`stored_image(owner, prompt=..., team=...)`: an image stored for real, with thumbnail."""
    return store_test_image
