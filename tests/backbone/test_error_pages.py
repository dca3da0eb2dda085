"""Error pages in the studio's style and words: a stale form, 404 and friends say what to do
next; the image page shows the provider's usage as a table, not a Python dict."""

from __future__ import annotations

import pytest
from django.test import Client

from jobs import engine
from jobs.models import Job

pytestmark = pytest.mark.django_db


def test_a_stale_form_gets_the_studios_page(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get("/account/tokens/")  # the page sets a token; this form sends an old one

    response = client.post("/account/tokens/", {"name": "laptop", "csrfmiddlewaretoken": "x" * 64})

    assert response.status_code == 403
    text = response.content.decode()
    assert "This form was open too long or in another tab; reload and try again." in text
    assert "/static/css/studio.css" in text
    assert "CSRF verification failed" not in text


def test_a_stale_form_is_explained_in_chinese(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.cookies["django_language"] = "zh-hans"

    response = client.post("/account/tokens/", {"name": "laptop"})

    assert response.status_code == 403
    assert "This form was open too long" not in response.content.decode()


def test_not_found_says_what_to_do_next(client, alice):
    client.force_login(alice)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    text = response.content.decode()
    assert "Not found" in text and "Check the address" in text
    assert 'href="/"' in text


def test_usage_is_a_table(client, alice, submit, sandbox):
    job = submit("a copper kettle", model="gpt-image-1")
    engine.run_job(job.pk)
    Job.objects.filter(pk=job.pk).update(
        usage={"total_tokens": 20, "input_tokens_details": {"text_tokens": 9}}
    )
    client.force_login(alice)

    text = client.get(f"/images/{job.images.first().pk}/").content.decode()

    assert '<table class="usage-table">' in text
    assert '<th scope="row">Input tokens: text tokens</th><td>9</td>' in text
    assert '<th scope="row">Total tokens</th><td>20</td>' in text
    assert "{&#x27;" not in text and "text_tokens" not in text


@pytest.mark.parametrize(
    ("status", "next_step"),
    [
        ("400", "Reload the page you came from and send the form again"),
        ("403", "ask an owner of the team (or an administrator) for a role"),
        ("500", "Try again in a minute"),
    ],
)
def test_every_error_page_is_styled_and_says_what_to_do_next(status, next_step):
    from django.template.loader import render_to_string

    page = render_to_string(f"{status}.html")

    assert next_step in page
    assert "/static/css/studio.css" in page and "Back to the studio" in page
