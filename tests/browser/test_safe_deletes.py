"""In a real browser, every destructive action asks first in a dialog naming what goes: Cancel
keeps the thing, Confirm deletes it (static/js/confirm.js)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jobs.models import Image
from studio.api.tokens import create_token
from studio.models import Collection, Membership
from tests.fixtures.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cancel_then_confirm(page, button: str, question: str, still_there) -> None:
    """Press `button`: the dialog asks `question`; Cancel keeps the thing, then Confirm."""
    page.get_by_role("button", name=button, exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(question)
    url = page.url
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert page.url == url
    assert still_there()

    page.get_by_role("button", name=button, exact=True).click()
    expect(dialog).to_contain_text(question)
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog).to_be_hidden()


def test_deleting_images_from_history_asks(new_page, live_server, world, stored_image):
    stored_image(world.editor, prompt="a lake at noon")
    stored_image(world.editor, prompt="a hill at dusk")
    page = new_page()
    log_in(page, live_server.url, "alice", "/history/")
    page.get_by_label(re.compile(r"^Select: a lake")).check()
    page.get_by_label(re.compile(r"^Select: a hill")).check()

    cancel_then_confirm(
        page,
        "Delete",
        "Delete 2 images? This cannot be undone.",
        lambda: Image.objects.count() == 2,
    )

    expect(page.get_by_text("Deleted 2 images.")).to_be_visible()
    assert Image.objects.count() == 0


def test_deleting_one_image_says_one(new_page, live_server, world, stored_image):
    stored_image(world.editor, prompt="a lake at noon")
    page = new_page()
    log_in(page, live_server.url, "alice", "/history/")
    page.get_by_label(re.compile(r"^Select: a lake")).check()

    page.get_by_role("button", name="Delete", exact=True).click()

    expect(page.get_by_role("dialog")).to_contain_text("Delete 1 image? This cannot be undone.")


@pytest.mark.parametrize("team", [False, True], ids=["personal", "team"])
def test_deleting_a_collection_asks(new_page, live_server, world, team):
    if team:
        board = Collection.objects.create(team=world.team, name="Moodboard")
        path = f"/teams/design/collections/{board.pk}/"
    else:
        board = Collection.objects.create(owner=world.owner, name="Moodboard")
        path = f"/collections/{board.pk}/"
    page = new_page()
    log_in(page, live_server.url, "olive", path)

    cancel_then_confirm(
        page,
        "Delete this collection",
        "Delete the collection “Moodboard”? Its images stay where they are.",
        lambda: Collection.objects.filter(pk=board.pk).exists(),
    )

    expect(page.get_by_text("Deleted the collection “Moodboard”.")).to_be_visible()
    assert not Collection.objects.filter(pk=board.pk).exists()


def test_removing_a_member_asks(new_page, live_server, world):
    page = new_page()
    log_in(page, live_server.url, "olive", "/teams/design/")

    def vic_is_in() -> bool:
        return Membership.objects.filter(team=world.team, user=world.viewer).exists()

    cancel_then_confirm(page, "Remove vic", "Remove vic from Design?", vic_is_in)

    expect(page.get_by_role("button", name="Remove vic")).to_have_count(0)
    assert not vic_is_in()


def test_revoking_a_token_asks(new_page, live_server, world):
    token, _secret = create_token(world.editor, name="laptop")
    page = new_page()
    log_in(page, live_server.url, "alice", "/account/tokens/")

    def still_active() -> bool:
        token.refresh_from_db()
        return token.revoked_at is None

    cancel_then_confirm(page, "Revoke laptop", "Revoke the token “laptop”?", still_active)

    expect(page.get_by_text("The token 'laptop' is revoked.")).to_be_visible()
    assert not still_active()
