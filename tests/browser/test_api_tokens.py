"""A person in a real browser on the ASGI server: make a token, use it from a script, see the job
marked "via API", revoke it."""

from __future__ import annotations

import openai
import pytest

from jobs.models import Job
from tests.fixtures.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_make_a_token_use_it_and_revoke_it(api_world, new_page, api_client, alice):
    url = api_world["url"]
    page = new_page()
    log_in(page, url, "alice")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("laptop")
    page.get_by_label("sandbox/gpt-image-1", exact=True).check()
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token").inner_text()
    assert secret.startswith("sk-studio-")

    client = api_client(secret)
    assert [model.id for model in client.models.list()] == ["gpt-image-1"]
    answer = client.images.generate(model="gpt-image-1", prompt="a paper boat")
    assert answer.data[0].b64_json
    page.goto(f"{url}/jobs/{Job.objects.get().pk}/")
    assert page.get_by_text("via API (laptop)").is_visible()

    page.goto(f"{url}/account/tokens/")
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke laptop").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirm").click()
    page.get_by_text("The token 'laptop' is revoked.").wait_for()
    with pytest.raises(openai.AuthenticationError):
        client.models.list()
