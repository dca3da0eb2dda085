"""Validation the emulated services perform; each failure is a 400 in the caller's envelope."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection, Mapping

from .core import Incoming, SandboxError
from .images import looks_like_image


def invalid(message: str, param: str | None = None, code: str = "invalid_value") -> SandboxError:
    return SandboxError(400, code, message, param)


def json_object(incoming: Incoming) -> dict:
    if not isinstance(incoming.json, dict):
        raise invalid("The body must be a JSON object.", code="invalid_json")
    return incoming.json


def text(body: Mapping, name: str, *, required: bool = True, max_length: int | None = None) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise invalid(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
    if max_length is not None and len(value) > max_length:
        raise invalid(
            f"'{name}' is too long: {len(value)} characters, maximum {max_length}.",
            name,
            "string_above_max_length",
        )
    return value


def whole_number(
    body: Mapping, name: str, low: int, high: int, *, default: int = 1, from_form: bool = False
) -> int:
    """An integer field; multipart sends it as text ("2"), JSON must send a number."""
    value = body.get(name)
    if value is None:
        return default
    if from_form and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(f"Invalid type for '{name}': expected an integer.", name, "invalid_type")
    if not low <= value <= high:
        raise invalid(f"'{name}' must be between {low} and {high}, got {value}.", name)
    return value


def choice(body: Mapping, name: str, allowed: Collection[str]) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if allowed and value not in allowed:
        options = ", ".join(sorted(allowed))
        raise invalid(f"Invalid value for '{name}': {value!r}. Supported: {options}.", name)
    return value


def only_known_keys(body: Mapping, allowed: Collection[str], *, allow_null: bool = False) -> None:
    for key, value in body.items():
        if key not in allowed:
            raise invalid(f"Unknown parameter: '{key}'.", key, "unknown_parameter")
        if value is None and not allow_null:
            raise invalid(f"Invalid type for '{key}': got null.", key, "invalid_type")


def image_reference(reference: object, name: str) -> bytes | None:
    """Bytes of a data: URI that must hold an image; None for an http(s) URL (not fetched)."""
    if not isinstance(reference, str) or not reference:
        raise invalid(f"'{name}' must be a URL or a data URI.", name)
    if reference.startswith(("http://", "https://")):
        return None
    header, sep, payload = reference.partition(",")
    if not (sep and header.startswith("data:image/") and header.endswith(";base64")):
        raise invalid(f"'{name}' must be an http(s) URL or a data:image/...;base64 URI.", name)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"'{name}' holds invalid base64.", name) from None
    if looks_like_image(data) is None:
        raise invalid(f"'{name}' is not a readable image.", name, "invalid_image")
    return data


def no_text_part_named(incoming: Incoming, names: Collection[str]) -> None:
    """Files sent as plain text fields are a classic multipart bug; services reject them."""
    for name in names:
        if name in incoming.form:
            raise invalid(
                f"'{name}' must be sent as a file, not a text field.", name, "invalid_type"
            )


def require_multipart(incoming: Incoming) -> None:
    content_type = incoming.header("Content-Type") or ""
    if not content_type.startswith("multipart/form-data"):
        raise invalid("This endpoint takes multipart/form-data.", code="invalid_content_type")
