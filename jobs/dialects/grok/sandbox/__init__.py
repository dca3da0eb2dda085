"""The grok dialect in the sandbox: grok-3-image behind an OpenAI-style relay, whose per-image
choices (`aspect_ratio`, `quality`, `resolution`) travel as arrays of length n on generations.
It answers JPEG pictures in OpenAI's shapes; a request goes here when its model is a grok one."""

from __future__ import annotations

from PIL import Image

from jobs.dialects.openai.sandbox import (
    EDITS_PATH,
    ENVELOPE,
    GENERATIONS_PATH,
    RESPONSE_FORMATS,
    check_edit_images,
    image_entries,
    openai_answer,
    produced,
)
from jobs.sandbox import checks
from jobs.sandbox.core import Incoming, Reply, SandboxState
from jobs.sandbox.directives import Directives
from jobs.sandbox.emulation import Emulation, Submit, form_prompt, json_model, json_prompt
from jobs.sandbox.images import parse_size, render_edit, render_generated
from jobs.sandbox.images import size_for_aspect as grok_size

GROK_SIZES = frozenset({"960x960", "720x1280", "1280x720", "1168x784", "784x1168"})
GROK_ASPECT_RATIOS = frozenset(
    [
        "1:1",
        "3:4",
        "4:3",
        "9:16",
        "16:9",
        "2:3",
        "3:2",
        "9:19.5",
        "19.5:9",
        "9:20",
        "20:9",
        "1:2",
        "2:1",
        "auto",
    ]
)
GROK_CHOICES = {
    "aspect_ratio": GROK_ASPECT_RATIOS,
    "quality": frozenset({"low", "medium", "high"}),
    "resolution": frozenset({"1k", "2k"}),
}


def grok_generate(state: SandboxState, incoming: Incoming, directives: Directives) -> Reply:
    fields = checks.json_object(incoming)
    allowed = {"model", "prompt", "n", "size", "response_format", "user", *GROK_CHOICES}
    checks.only_known_keys(fields, allowed)
    checks.text(fields, "model")
    checks.text(fields, "prompt", max_length=1000)
    n = checks.whole_number(fields, "n", 1, 10)
    checks.choice(fields, "size", GROK_SIZES)
    checks.choice(fields, "response_format", RESPONSE_FORMATS)
    per_image = {name: grok_array(fields, name, n) for name in GROK_CHOICES}
    default_size = parse_size(fields.get("size"), default=(960, 960))
    pictures = []
    for index in range(produced(n, directives)):
        ratio, resolution = per_image["aspect_ratio"][index], per_image["resolution"][index]
        size = grok_size(ratio, resolution) if ratio or resolution else default_size
        pictures.append(render_generated(directives.text, size, index))
    return grok_reply(state, incoming, pictures, fields)


def grok_array(fields: dict, name: str, n: int) -> list[str | None]:
    """The relay wants one entry per image: an array of length n, null = default."""
    value = fields.get(name)
    if value is None:
        return [None] * n
    if not isinstance(value, list) or len(value) != n:
        raise checks.invalid(f"'{name}' must be an array with n={n} entries.", name)
    for entry in value:
        if entry is not None and entry not in GROK_CHOICES[name]:
            raise checks.invalid(f"Invalid value in '{name}': {entry!r}.", name)
    return value


def grok_edit(state: SandboxState, incoming: Incoming, directives: Directives) -> Reply:
    checks.require_multipart(incoming)
    checks.no_text_part_named(incoming, ("image",))
    fields = dict(incoming.form)
    checks.only_known_keys(
        fields, {"model", "prompt", "n", "response_format", "user", *GROK_CHOICES}
    )
    checks.text(fields, "model")
    checks.text(fields, "prompt", max_length=1000)
    n = checks.whole_number(fields, "n", 1, 10, from_form=True)
    checks.choice(fields, "response_format", RESPONSE_FORMATS)
    for name, allowed in GROK_CHOICES.items():
        checks.choice(fields, name, allowed)
    if [f.field for f in incoming.files] != ["image"]:
        raise checks.invalid("Send exactly one file, in the field 'image'.", "image")
    check_edit_images(incoming.files, None, png_square=False)
    size = None
    if fields.get("aspect_ratio") not in (None, "auto") or fields.get("resolution"):
        size = grok_size(fields.get("aspect_ratio"), fields.get("resolution"))
    source = incoming.files[0].data
    pictures = [
        render_edit(source, None, directives.text, size, i) for i in range(produced(n, directives))
    ]
    return grok_reply(state, incoming, pictures, fields)


def grok_reply(
    state: SandboxState, incoming: Incoming, pictures: list[Image.Image], fields: dict
) -> Reply:
    # Like xAI, the relay's pictures are JPEG, whether as URL or base64.
    as_base64 = fields.get("response_format") == "b64_json"
    entries = image_entries(state, incoming, pictures, as_base64=as_base64, output_format="jpeg")
    count = len(pictures)
    usage = {
        "generated_images": count,
        "output_tokens": 16384 * count,
        "total_tokens": 16384 * count,
        "cost_in_usd_ticks": 700_000_000 * count,
    }
    return openai_answer(entries, usage)


# The relay shares OpenAI's paths: a request whose model is a grok one is the relay's.
EMULATION = Emulation(
    envelope=ENVELOPE,
    submits=(
        Submit(
            GENERATIONS_PATH,
            grok_generate,
            json_prompt,
            accepts=lambda incoming: json_model(incoming).startswith("grok"),
        ),
        Submit(
            EDITS_PATH,
            grok_edit,
            form_prompt,
            accepts=lambda incoming: incoming.form.get("model", "").startswith("grok"),
        ),
    ),
)
