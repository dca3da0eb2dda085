"""OpenAI's whole Images API parameter set: a parameter the model does not take is dropped and
named in `x-studio-ignored-params`; an unknown one is still a 400; `response_format` defaults as
OpenAI's (url for DALL-E, b64_json for gpt-image, the model's own setting otherwise)."""

from __future__ import annotations

import openai
import pytest
import requests

from jobs.models import Job
from tests.fixtures.sandbox import decode_image

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_style_on_a_model_without_styles_is_dropped_and_named(alice_api, sandbox):
    raw = alice_api.images.with_raw_response.generate(
        model="gpt-image-1", prompt="a fox", style="vivid", size="1024x1024", quality="low"
    )
    assert raw.headers["x-studio-ignored-params"] == "style"
    assert decode_image(raw.parse().data[0].b64_json).format == "PNG"
    assert "style" not in Job.objects.get().params
    sent = [r for r in sandbox.requests() if r["path"].endswith("/images/generations")]
    assert "style" not in sent[0]["json"]


def test_style_reaches_a_model_that_takes_it(alice_api, sandbox):
    raw = alice_api.images.with_raw_response.generate(
        model="dall-e-3", prompt="a fox", style="natural", size="1024x1024"
    )
    assert "x-studio-ignored-params" not in raw.headers
    assert raw.parse().data[0].url
    assert Job.objects.get().params["style"] == "natural"
    sent = [r for r in sandbox.requests() if r["path"].endswith("/images/generations")]
    assert sent[0]["json"]["style"] == "natural"


def test_several_dropped_parameters_are_all_named(alice_api):
    raw = alice_api.images.with_raw_response.generate(
        model="dall-e-2",
        prompt="a fox",
        size="256x256",
        style="vivid",
        background="transparent",
        partial_images=2,
        extra_body={"input_fidelity": "high"},  # an edit parameter, sent on a generation
    )
    names = raw.headers["x-studio-ignored-params"].split(", ")
    assert set(names) == {"style", "background", "input_fidelity", "partial_images"}


def test_an_unknown_parameter_is_still_a_400(alice_api):
    with pytest.raises(openai.BadRequestError) as refused:
        alice_api.images.generate(model="dall-e-2", prompt="a fox", extra_body={"colour": "red"})
    assert refused.value.body["param"] == "colour"
    assert refused.value.body["code"] == "unknown_parameter"
    assert not Job.objects.exists()


def test_a_bad_value_of_a_parameter_the_model_takes_is_still_a_400(alice_api):
    with pytest.raises(openai.BadRequestError) as refused:
        alice_api.images.generate(model="dall-e-3", prompt="a fox", style="loud")
    assert refused.value.body["param"] == "style"


def test_dall_e_answers_urls_unless_asked_for_base64(alice_api, api_world):
    answer = alice_api.images.generate(model="dall-e-2", prompt="a fox", size="256x256")
    assert answer.data[0].url.startswith(f"{api_world['url']}/v1/files/")
    assert answer.data[0].b64_json is None
    asked = alice_api.images.generate(
        model="dall-e-2", prompt="a fox", size="256x256", response_format="b64_json"
    )
    assert decode_image(asked.data[0].b64_json).size == (256, 256)


def test_gpt_image_answers_base64_and_drops_a_url_request(alice_api):
    raw = alice_api.images.with_raw_response.generate(
        model="gpt-image-1", prompt="a fox", quality="low", response_format="url"
    )
    assert raw.headers["x-studio-ignored-params"] == "response_format"
    answer = raw.parse()
    assert answer.data[0].b64_json and answer.data[0].url is None


def test_an_admin_sets_another_models_default_format(alice_api, sandbox_models):
    grok = sandbox_models["grok-3-image"]
    assert alice_api.images.generate(model="grok-3-image", prompt="a fox").data[0].url
    grok.limits = {**grok.limits, "api_response_formats": ["b64_json", "url"]}
    grok.save()
    answer = alice_api.images.generate(model="grok-3-image", prompt="a fox")
    assert answer.data[0].b64_json and answer.data[0].url is None


def test_stream_must_be_a_boolean(api_world, alice_api):
    token_header = {"Authorization": f"Bearer {alice_api.api_key}"}
    answer = requests.post(
        f"{api_world['url']}/v1/images/generations",
        json={"model": "dall-e-2", "prompt": "a fox", "stream": "sometimes"},
        headers=token_header,
        timeout=30,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "stream"
