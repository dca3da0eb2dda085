"""Destructive actions never happen in one plain POST: without the `confirm` field the server
answers a page naming what goes (Confirm and Cancel) and deletes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import Image
from studio.api.tokens import create_token
from studio.models import Collection, Membership

pytestmark = pytest.mark.django_db


def test_deleting_images_without_confirm_asks_and_keeps_them(client, world, quick_image):
    lake = quick_image(world.editor, prompt="a lake at noon")
    hill = quick_image(world.editor, prompt="a hill at dusk")
    client.force_login(world.editor)
    data = {"image": [str(lake.pk), str(hill.pk)], "next": "/history/?q=lake"}

    response = client.post(reverse("history-delete"), data)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Delete 2 images? This cannot be undone." in text
    assert "a lake at noon" in text and "a hill at dusk" in text
    assert 'name="confirm" value="yes"' in text
    assert f'name="image" value="{lake.pk}"' in text
    assert 'href="/history/?q=lake"' in text  # Cancel goes back where the person was
    assert Image.objects.count() == 2

    client.post(reverse("history-delete"), {**data, "confirm": "yes"})

    assert Image.objects.count() == 0


def test_deleting_one_image_names_one(client, world, quick_image):
    lake = quick_image(world.editor, prompt="a lake at noon")
    client.force_login(world.editor)

    response = client.post(reverse("history-delete"), {"image": [str(lake.pk)]})

    assert "Delete 1 image? This cannot be undone." in response.content.decode()
    assert Image.objects.filter(pk=lake.pk).exists()


@pytest.mark.parametrize("team", [False, True], ids=["personal", "team"])
def test_deleting_a_collection_without_confirm_asks_and_keeps_it(client, world, team):
    if team:
        board = Collection.objects.create(team=world.team, name="Moodboard")
        url = reverse("collection-delete", args=["design", board.pk])
        cancel = reverse("collection-detail", args=["design", board.pk])
    else:
        board = Collection.objects.create(owner=world.owner, name="Moodboard")
        url = reverse("my-collection-delete", args=[board.pk])
        cancel = reverse("my-collection-detail", args=[board.pk])
    client.force_login(world.owner)

    text = client.post(url).content.decode()

    assert "Delete the collection “Moodboard”? Its images stay where they are." in text
    assert f'href="{cancel}"' in text
    assert Collection.objects.filter(pk=board.pk).exists()
    client.post(url, {"confirm": "yes"})
    assert not Collection.objects.filter(pk=board.pk).exists()


def test_removing_a_member_without_confirm_asks_and_keeps_them(client, world):
    client.force_login(world.owner)
    url = reverse("member-remove", args=["design", "vic"])

    text = client.post(url).content.decode()

    assert "Remove vic from Design?" in text
    assert Membership.objects.filter(team=world.team, user=world.viewer).exists()
    client.post(url, {"confirm": "yes"})
    assert not Membership.objects.filter(team=world.team, user=world.viewer).exists()


def test_revoking_a_token_without_confirm_asks_and_keeps_it(client, world):
    token, _secret = create_token(world.editor, name="laptop")
    client.force_login(world.editor)
    url = reverse("token-revoke", args=[token.pk])

    text = client.post(url).content.decode()

    assert "Revoke the token “laptop”?" in text
    token.refresh_from_db()
    assert token.revoked_at is None
    client.post(url, {"confirm": "yes"})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_confirmation_page_is_translated(client, world):
    client.force_login(world.owner)
    client.cookies["django_language"] = "zh-hans"

    text = client.post(reverse("member-remove", args=["design", "vic"])).content.decode()

    assert "Remove vic from Design?" not in text and "vic" in text
