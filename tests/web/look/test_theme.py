"""Look and feel: the icons answer and every page links them, and the admin wears the studio's
name and colours (the colour scheme and the header, in a browser: browser/test_theme.py)."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_the_favicon_and_app_icons_answer(client: Client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    for path in (
        "/static/icons/favicon.svg",
        "/static/icons/apple-touch-icon.png",
        "/static/icons/icon-192.png",
        "/static/icons/icon-512.png",
        "/static/icons/site.webmanifest",
    ):
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_every_page_links_the_icons(client: Client, alice):
    client.force_login(alice)
    html = client.get("/preferences/").content.decode()
    for rel in ('rel="icon"', 'rel="apple-touch-icon"', 'rel="manifest"'):
        assert rel in html


@pytest.mark.django_db
def test_the_admin_wears_the_studios_name_and_colours(client: Client):
    html = client.get("/admin/login/").content.decode()
    assert ">Image Studio</a>" in html  # the header, not "Django administration"
    assert "css/admin.css" in html and "icons/favicon.svg" in html
    chinese = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert ">图像工作室</a>" in chinese
