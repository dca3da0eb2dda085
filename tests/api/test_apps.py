"""Each app's own request, as its source builds it, and what that app reads from the answer.

The sources were read at the commits named in each test (GitHub); where an app leaves a value to
its settings, the test uses the app's default. `/v1/models` and "nearest size" are here too,
since Open WebUI's default 512x512 is what the latter is for.
"""

from __future__ import annotations

import base64

import openai
import pytest
import requests

from jobs.models import Job
from tests.fixtures.asgi import openai_client
from tests.fixtures.images import png
from tests.fixtures.sandbox import decode_image

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _bearer(client) -> dict:
    return {"Authorization": f"Bearer {client.api_key}"}


# --- Open WebUI -----------------------------------------------------------------------------


def test_open_webui_generation_with_its_default_size(api_world, make_token, alice):
    """open-webui/open-webui backend/open_webui/routers/images.py at 02530d50,
    `image_generations`: POST {IMAGES_OPENAI_API_BASE_URL}/images/generations with JSON
    {model, prompt, n, size (IMAGE_SIZE, 512x512 by default), response_format: "b64_json"};
    it reads `data[i].url` or else `data[i].b64_json`. gpt-image models lack 512x512: a token
    with nearest size gets 1024x1024 and says so; one without gets a 400 listing the sizes."""
    body = {
        "model": "gpt-image-1",
        "prompt": "a red fox",
        "n": 1,
        "size": "512x512",
        "response_format": "b64_json",
    }
    url = f"{api_world['url']}/v1/images/generations"
    _, strict = make_token(alice)
    refused = requests.post(
        url, json=body, headers={"Authorization": f"Bearer {strict}"}, timeout=30
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["param"] == "size" and "1024x1024, 1536x1024, 1024x1536" in error["message"]
    _, fitting = make_token(alice, nearest_size=True)
    answer = requests.post(
        url, json=body, headers={"Authorization": f"Bearer {fitting}"}, timeout=60
    )
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["x-studio-size-used"] == "1024x1024"
    assert answer.json()["size"] == "1024x1024"
    assert decode_image(answer.json()["data"][0]["b64_json"]).size == (1024, 1024)
    assert Job.objects.get().params["size"] == "1024x1024"


def test_open_webui_edit(api_world, alice_api):
    """Same file, `image_edits`: multipart to {IMAGES_EDIT_OPENAI_API_BASE_URL}/images/edits
    with form fields model, prompt, n (when set), size (when set), background (when set),
    response_format "b64_json", and the image as `image` (one) or `image[]` (several)."""
    form = {"model": "gpt-image-1", "prompt": "add a hat", "n": "1", "size": "1024x1024"}
    form["response_format"] = "b64_json"
    files = [
        ("image[]", ("a.png", png(64, 64), "image/png")),
        ("image[]", ("b.png", png(64, 64, (200, 10, 10)), "image/png")),
    ]
    answer = requests.post(
        f"{api_world['url']}/v1/images/edits",
        data=form,
        files=files,
        headers=_bearer(alice_api),
        timeout=60,
    )
    assert answer.status_code == 200, answer.text[:300]
    assert decode_image(answer.json()["data"][0]["b64_json"]).format == "PNG"
    assert Job.objects.get().source_images.count() == 2


# --- LobeChat / LobeHub ---------------------------------------------------------------------


def test_lobechat_generation_and_edit(api_world, alice_api):
    """lobehub/lobe-chat packages/model-runtime/src/core/openaiCompatibleFactory/createImage.ts
    at d05cf920, `generateByImageMode`: the openai JS SDK's images.generate / images.edit with
    {model, n: 1, response_format: "b64_json" for dall-e models, input_fidelity: "high" on
    edits, prompt, size (dropped when "auto"), image (a File; an array for several)}; it reads
    `data[0].b64_json`, else `data[0].url`."""
    generated = alice_api.images.generate(
        model="dall-e-2", n=1, response_format="b64_json", prompt="a fox", size="256x256"
    )
    assert decode_image(generated.data[0].b64_json).size == (256, 256)
    raw = alice_api.images.with_raw_response.edit(
        model="dall-e-2",
        n=1,
        response_format="b64_json",
        extra_body={"input_fidelity": "high"},
        prompt="add a hat",
        image=("source.png", png(64, 64), "image/png"),
    )
    assert raw.headers["x-studio-ignored-params"] == "input_fidelity"
    assert decode_image(raw.parse().data[0].b64_json).format == "PNG"


# --- Dify -------------------------------------------------------------------------------------


def test_dify_dalle3_tool(api_world, alice_api):
    """langgenius/dify api/core/tools/provider/builtin/dalle/tools/dalle3.py at c605d31e: the
    openai SDK with base_url = str(URL(openai_base_url) / 'v1') and images.generate(prompt,
    model='dall-e-3', size (1024x1024 for "square"), n, style (always sent, 'vivid' by
    default), quality ('standard'), response_format='b64_json'); it reads `data[i].b64_json`.
    The base URL typed as docs/api.md says (the studio's root) and as OpenAI's habit has it
    (with /v1, making /v1/v1) both work."""
    for typed in (api_world["url"], f"{api_world['url']}/v1"):
        client = openai_client(f"{typed.rstrip('/')}/v1", alice_api.api_key)
        answer = client.images.generate(
            prompt="a lighthouse",
            model="dall-e-3",
            size="1024x1024",
            n=1,
            style="vivid",
            quality="standard",
            response_format="b64_json",
        )
        assert decode_image(answer.data[0].b64_json).size == (1024, 1024)
    assert {job.params["style"] for job in Job.objects.all()} == {"vivid"}


# --- LibreChat --------------------------------------------------------------------------------


def test_librechat_dalle3_tool_reads_a_url(api_world, alice_api):
    """danny-avila/LibreChat api/app/clients/tools/structured/DALLE3.js at 37d31ec2: the openai
    JS SDK (baseURL from DALLE_REVERSE_PROXY) with images.generate({model: 'dall-e-3', quality,
    style, size, prompt, n: 1}) and no response_format; it reads `resp.data[0].url` and
    downloads it."""
    answer = alice_api.images.generate(
        model="dall-e-3", quality="standard", style="vivid", size="1024x1024", prompt="a fox", n=1
    )
    url = answer.data[0].url
    assert url, "LibreChat finds nothing without a URL"
    downloaded = requests.get(url, timeout=10)
    assert downloaded.status_code == 200
    assert decode_image(downloaded.content).size == (1024, 1024)


def test_librechat_image_tools_generate_and_edit(api_world, alice_api):
    """LibreChat api/app/clients/tools/structured/OpenAIImageTools.js at 8731432f: generation
    through the openai SDK with {model (IMAGE_GEN_OAI_MODEL, gpt-image-1), prompt, n,
    background 'auto', output_format 'png', output_compression undefined for png, quality
    'auto', size 'auto'}; the edit tool posts multipart to {baseURL}/images/edits with model,
    prompt, quality 'auto', size 'auto' and each image as `image[]`. Both read
    `data[0].b64_json`."""
    generated = alice_api.images.generate(
        model="gpt-image-1",
        prompt="a fox",
        n=1,
        background="auto",
        output_format="png",
        quality="auto",
        size="auto",
    )
    assert decode_image(generated.data[0].b64_json).format == "PNG"
    answer = requests.post(
        f"{api_world['url']}/v1/images/edits",
        data={"model": "gpt-image-1", "prompt": "add a hat", "quality": "auto", "size": "auto"},
        files=[("image[]", ("img.png", png(64, 64), "image/png"))],
        headers=_bearer(alice_api),
        timeout=60,
    )
    assert answer.status_code == 200, answer.text[:300]
    assert base64.b64decode(answer.json()["data"][0]["b64_json"])[:4] == b"\x89PNG"


# --- /v1/models and the openai SDK ----------------------------------------------------------------


def test_models_keep_openai_s_shape_and_say_what_each_accepts(alice_api):
    listed = {model.id: model for model in alice_api.models.list()}
    dall_e_2 = listed["dall-e-2"].model_extra["studio"]
    assert dall_e_2["sizes"] == ["256x256", "512x512", "1024x1024"]
    assert dall_e_2["variations"] and dall_e_2["masks"] and dall_e_2["edits"]
    assert dall_e_2["n_max"] == 10 and dall_e_2["response_formats"][0] == "url"
    gpt = listed["gpt-image-1"].model_extra["studio"]
    assert gpt["partial_images_max"] == 3 and not gpt["variations"]
    assert gpt["response_formats"] == ["b64_json"]
    grok = listed["grok-3-image"].model_extra["studio"]
    assert "16:9" in grok["aspect_ratios"] and not grok["masks"]
    assert listed["dall-e-3"].model_extra["studio"]["styles"] == ["vivid", "natural"]


def test_a_model_may_opt_in_to_nearest_size(alice_api, sandbox_models):
    with pytest.raises(openai.BadRequestError):
        alice_api.images.generate(model="dall-e-3", prompt="a fox", size="1024x1536")
    model = sandbox_models["dall-e-3"]
    model.limits = {**model.limits, "nearest_size": True}
    model.save()
    raw = alice_api.images.with_raw_response.generate(
        model="dall-e-3", prompt="a fox", size="1024x1536"
    )
    assert raw.headers["x-studio-size-used"] == "1024x1792"
    assert raw.parse().size == "1024x1792"
