"""The qwen dialect in the sandbox: Qwen wanx-v1 in the DGrid "messages" format, a JSON body on
OpenAI's edits path (one message whose content is a list of {text} and {image} parts), answered
in OpenAI's shapes with one picture per request."""

from __future__ import annotations

from jobs.dialects.openai.sandbox import (
    EDITS_PATH,
    ENVELOPE,
    image_entries,
    openai_answer,
    produced,
    token_usage,
)
from jobs.sandbox import checks
from jobs.sandbox.core import Incoming, Reply, SandboxState
from jobs.sandbox.directives import Directives
from jobs.sandbox.emulation import Emulation, Submit
from jobs.sandbox.images import parse_size, render_edit, render_generated


def qwen_prompt(fields: object) -> str:
    """The text part of the first message, tolerant of any shape (for directives only)."""
    try:
        content = fields["input"]["messages"][0]["content"]  # type: ignore[index]
        return next(part["text"] for part in content if isinstance(part, dict) and "text" in part)
    except (KeyError, IndexError, TypeError, StopIteration):
        return ""


def qwen_edit(state: SandboxState, incoming: Incoming, directives: Directives) -> Reply:
    fields = checks.json_object(incoming)
    checks.only_known_keys(
        fields, {"model", "input", "n", "size", "response_format"}, allow_null=True
    )
    checks.text(fields, "model")
    prompt, sources = qwen_content(fields.get("input"))
    size = parse_size(fields.get("size")) if fields.get("size") else None
    if sources:
        picture = render_edit(sources[0], None, directives.text, size, 0)
    else:
        picture = render_generated(directives.text, size or (1024, 1024), 0)
    pictures = [picture][: produced(1, directives)]  # n is ignored: one picture per request
    entries = image_entries(state, incoming, pictures, as_base64=False)
    for entry in entries:  # DGrid sends an empty b64_json beside the url
        entry.update(b64_json="", revised_prompt=f"Edited as asked: {directives.text}")
    return openai_answer(entries, token_usage(prompt, len(sources), len(pictures)))


def qwen_content(prompt_input: object) -> tuple[str, list[bytes]]:
    """The one accepted shape: input.messages[0] = {role: user, content: [{text}, {image}...]}."""
    if not isinstance(prompt_input, dict) or not isinstance(prompt_input.get("messages"), list):
        raise checks.invalid("'input.messages' must be a list.", "input.messages")
    messages = prompt_input["messages"]
    if len(messages) != 1 or not isinstance(messages[0], dict) or messages[0].get("role") != "user":
        raise checks.invalid("Send exactly one message, with role 'user'.", "input.messages")
    content = messages[0].get("content")
    if not isinstance(content, list) or not content:
        raise checks.invalid("'content' must be a list of {text} and {image} parts.", "content")
    texts, sources = [], []
    for part in content:
        if (
            not isinstance(part, dict)
            or len(part) != 1
            or next(iter(part)) not in ("text", "image")
        ):
            raise checks.invalid('Each content part is {"text": ...} or {"image": ...}.', "content")
        if "text" in part:
            texts.append(part["text"])
        elif (data := checks.image_reference(part["image"], "image")) is not None:
            sources.append(data)
    if len(texts) != 1 or not isinstance(texts[0], str) or not texts[0].strip():
        raise checks.invalid("'content' needs exactly one non-empty text part.", "content")
    return texts[0], sources


# OpenAI's edits are multipart: a JSON body on the same path is this format.
EMULATION = Emulation(
    envelope=ENVELOPE,
    submits=(
        Submit(
            EDITS_PATH,
            qwen_edit,
            lambda incoming: qwen_prompt(incoming.json if isinstance(incoming.json, dict) else {}),
            accepts=lambda incoming: incoming.json is not None,
        ),
    ),
)
