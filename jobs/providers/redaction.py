"""The one place that removes secrets from a provider's text, before anything cuts it.

Whatever a provider says may reach a job page (which team viewers see), an event, the API's
errors and the logs. Some relays echo the request's headers, in whole or in part, upper-cased,
or base64-encoded as Basic credentials, and a text cut to length first can leave most of a key
at its end. So `redact` looks at the whole text (up to SCAN_LIMIT characters, far beyond any
length shown) and removes:

- every run of our key's 8-character pieces (so also any prefix or suffix of 8 or more), in any
  letter case, as written or in base64 (standard or URL-safe, at any alignment);
- anything that looks like a credential: `Bearer …`, `sk-…`-style keys, `api_key=…` pairs;

and only then cuts it to the length asked for. Plain Python, like the rest of `jobs.providers`.
"""

from __future__ import annotations

import base64
import re

REDACTED = "[redacted]"
PIECE = 8  # no run of this many characters of the key survives
SCAN_LIMIT = 64 * 1024  # a provider's text is looked at up to here; shown texts are far shorter

_BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"',;]+")
# Key-like: a known prefix, then a run with a digit in it (so "key-lime-pie" in a prompt stays).
_KEY_LIKE = re.compile(r"\b(?:sk|pk|rk|key|tok)-(?=[A-Za-z_\-]*\d)[A-Za-z0-9_\-]{8,}")
# `api_key=…`, `"authorization": "…"` and `Authorization: Basic …`: the value goes.
_KEY_PAIR = re.compile(
    r"(?i)(\b(?:api[_-]?key|access[_-]?token|secret|authorization|x-api-key|password)"
    r"[\"']?\s*[:=]\s*(?:(?:basic|bearer|token)\s+)?)(?:\"[^\"]*\"|'[^']*'|[^\s\"',;}]+)"
)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def redact(text: object, api_key: str = "", *, limit: int | None = None) -> str:
    """`text` without our key (in any of the forms above) or anything credential-like, then
    cut to `limit` characters ("…" marks a cut)."""
    cleaned = str(text or "")
    overflow = len(cleaned) > SCAN_LIMIT
    cleaned = cleaned[:SCAN_LIMIT]
    if api_key:
        cleaned = _without_key(cleaned, api_key)
    if overflow:
        # The last few characters may begin a key that went on past the scan; they go too.
        cleaned = cleaned[: len(cleaned) - (PIECE - 1)] + "…"
    cleaned = _BEARER.sub(f"Bearer {REDACTED}", cleaned)
    cleaned = _KEY_LIKE.sub(REDACTED, cleaned)
    cleaned = _KEY_PAIR.sub(lambda match: match.group(1) + REDACTED, cleaned)
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)] + "…"
    return cleaned


def _without_key(text: str, api_key: str) -> str:
    if len(api_key) < PIECE:  # too short for pieces to mean anything: only the whole key
        return text.replace(api_key, REDACTED) if len(api_key) >= 4 else text
    folded = text.translate(_ASCII_LOWER)  # same length as `text`, so positions carry over
    spans: list[tuple[int, int]] = []
    for piece in _pieces(api_key):
        start = folded.find(piece)
        while start != -1:
            spans.append((start, start + PIECE))
            start = folded.find(piece, start + 1)
    return _replace_spans(text, spans)


def _pieces(api_key: str) -> set[str]:
    """Every 8-character piece of the key and of its base64 forms, letter case folded."""
    pieces: set[str] = set()
    for form in (api_key, *_base64_forms(api_key.encode())):
        folded = form.translate(_ASCII_LOWER)
        pieces.update(folded[i : i + PIECE] for i in range(len(folded) - PIECE + 1))
    return pieces


def _base64_forms(key: bytes) -> list[str]:
    """The characters of the key's base64 encoding that do not depend on its neighbours, for
    each of the three alignments it can have inside a longer encoded text (e.g. `user:key`)."""
    forms = []
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + key + bytes(2)).decode()
        first = -(-offset * 8 // 6)  # the first character made of key bits only
        last = (offset + len(key)) * 8 // 6  # one past the last such character
        stable = encoded[first:last]
        forms += [stable, stable.translate(str.maketrans("+/", "-_"))]
    return forms


def _replace_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each run of overlapping or touching spans replaced by one REDACTED."""
    if not spans:
        return text
    parts, kept_until = [], 0
    run_start, run_end = None, -1
    for start, end in sorted(spans):
        if run_start is not None and start <= run_end:
            run_end = max(run_end, end)
            continue
        if run_start is not None:
            parts += [text[kept_until:run_start], REDACTED]
            kept_until = run_end
        run_start, run_end = start, end
    parts += [text[kept_until:run_start], REDACTED, text[run_end:]]
    return "".join(parts)
