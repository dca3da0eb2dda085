"""Malformed requests get OpenAI-shaped 4xx answers that say what is wrong (no server needed)."""

from __future__ import annotations

import base64

import pytest

from jobs.models import Job
from tests.api.client_helpers import error, post_json

pytestmark = pytest.mark.django_db


def test_no_authorization_header_is_401(client):
    response = client.get("/v1/models")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in error(response)["message"]


def test_the_wrong_method_is_405(client, bearer):
    assert client.get("/v1/images/generations", **bearer).status_code == 405


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        ("not json", None, "not valid JSON"),
        ([1, 2], None, "JSON object"),
        ({"prompt": "a cat"}, "model", "'model' is required"),
        ({"model": "nope", "prompt": "a cat"}, "model", "does not exist"),
        ({"model": "gpt-image-1", "prompt": 3}, "prompt", "must be a string"),
        ({"model": "gpt-image-1", "prompt": "a", "size": ["1024x1024"]}, "size", "string or a"),
        ({"model": "dall-e-3", "prompt": "a", "n": 2}, "n", "exactly 1 image"),
        ({"model": "gpt-image-1", "prompt": "a", "output_compression": 50}, "output_compression",
         "JPEG or WebP"),
    ],
)  # fmt: skip
def test_bad_generation_bodies(client, bearer, body, param, words):
    response = post_json(client, "/v1/images/generations", body, bearer)
    assert response.status_code in (400, 404)
    assert error(response)["param"] == param and words in error(response)["message"]
    assert not Job.objects.exists()


def test_dall_e_3_cannot_edit(client, bearer, png_bytes):
    data_uri = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    body = {"model": "dall-e-3", "prompt": "a", "images": [{"image_url": data_uri}]}
    response = post_json(client, "/v1/images/edits", body, bearer)
    assert response.status_code == 400 and "cannot edit" in error(response)["message"]


@pytest.mark.parametrize(
    ("images", "param", "words"),
    [
        ([], "images", "must be a list"),
        ([{"image_url": "x", "file_id": "y"}], "images[0]", "exactly one"),
        ([{"image_url": "data:image/png;base64,bm90IGFuIGltYWdl"}], "images", "not a readable"),
        ([{"file_id": "00000000-0000-0000-0000-000000000000"}], "images[0].file_id", "available"),
        ([{"image_url": "http://testserver/somewhere/else.png"}], "images[0].image_url", "link"),
        ([{"image_url": "ftp://elsewhere/a.png"}], "images[0].image_url", "data: URI"),
    ],
)
def test_bad_json_edit_images(client, bearer, images, param, words):
    body = {"model": "gpt-image-1", "prompt": "a hat", "images": images}
    response = post_json(client, "/v1/images/edits", body, bearer)
    assert response.status_code == 400, response.content
    assert error(response)["param"] == param and words in error(response)["message"]


def test_a_multipart_edit_refuses_unknown_parts_and_a_bad_mask(client, bearer, png_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(name: str, data: bytes) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, data, "image/png")

    fields = {"model": "gpt-image-1", "prompt": "a hat"}
    extra = {
        **fields,
        "image": upload("a.png", png_bytes()),
        "overlay": upload("b.png", png_bytes()),
    }
    response = client.post("/v1/images/edits", extra, **bearer)
    assert response.status_code == 400 and "overlay" in error(response)["message"]
    wrong_size = {**fields, "image": upload("a.png", png_bytes(64, 64)),
                  "mask": upload("m.png", png_bytes(32, 32))}  # fmt: skip
    response = client.post("/v1/images/edits", wrong_size, **bearer)
    assert response.status_code == 400 and error(response)["param"] == "mask"
    assert "size of the image" in error(response)["message"]


def test_a_name_two_providers_serve_needs_the_provider(client, bearer, sandbox_models):
    from jobs.models import Provider, ProviderModel

    other = Provider.objects.create(name="relay-b", base_url="https://relay-b.example")
    ProviderModel.objects.create(provider=other, name="gpt-image-1", dialect="openai")
    ids = [model["id"] for model in client.get("/v1/models", **bearer).json()["data"]]
    assert {"sandbox/gpt-image-1", "relay-b/gpt-image-1", "dall-e-2"} <= set(ids)
    assert "gpt-image-1" not in ids
    body = {"model": "gpt-image-1", "prompt": "a cat", "aspect_ratio": "1:1"}
    response = post_json(client, "/v1/images/generations", body, bearer)
    assert response.status_code == 400 and error(response)["code"] == "ambiguous_model"
    assert "relay-b/gpt-image-1" in error(response)["message"]
    # With the provider named, the request reaches the model's own checks.
    response = post_json(
        client, "/v1/images/generations", {**body, "model": "sandbox/gpt-image-1"}, bearer
    )
    assert error(response)["param"] == "aspect_ratio"


def test_other_openai_paths_are_a_json_404(client, bearer):
    response = client.post("/v1/chat/completions", {}, content_type="application/json", **bearer)
    assert response.status_code == 404
    assert "/v1/images/generations" in error(response)["message"]


DEEP_BUT_PARSEABLE = "[" * 500 + "]" * 500


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,
        '{"prompt": ' + "[" * 100_000,
        '{"a":' * 50_000,
        '{"model": "gpt-image-1", "prompt": "a", "images": [{"file_id": '
        + DEEP_BUT_PARSEABLE
        + "}]}",
        '{"model": ' + DEEP_BUT_PARSEABLE + ', "prompt": "a"}',
    ],
)
def test_json_nested_beyond_any_depth_is_a_400_not_a_500(client, bearer, body):
    for path in ("/v1/images/generations", "/v1/images/edits"):
        response = client.post(path, body, content_type="application/json", **bearer)
        assert response.status_code == 400, response.status_code
        assert set(error(response)) == {"message", "type", "param", "code"}
        assert "not valid JSON" in error(response)["message"]


def test_json_edit_images_are_counted_before_any_is_decoded(client, bearer, png_bytes, monkeypatch):
    from studio.api import inputs

    decoded = []
    real = inputs._decoded_upload
    monkeypatch.setattr(inputs, "_decoded_upload", lambda *a: decoded.append(1) or real(*a))
    data_uri = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    body = {"model": "grok-3-image", "prompt": "a hat", "images": [{"image_url": data_uri}] * 12}
    response = post_json(client, "/v1/images/edits", body, bearer)
    assert response.status_code == 400
    assert error(response)["param"] == "images"
    assert error(response)["message"] == "This model accepts at most 1 image."
    assert decoded == [] and not Job.objects.exists()
