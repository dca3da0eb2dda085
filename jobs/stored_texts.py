"""How a job keeps its sentences: a code, its values as JSON, and the provider's words apart.

A job row holds three sentences: its error, its note and what a queued job waits for. Each is
stored as columns (see `Job`):

- `<text>_code`: the sentence's code (`jobs/messages.py`); "" for text the studio did not write.
- `<text>_params`: the values, as JSON. A value is text, a list of values, another sentence
  `{"code": …, "params": {…}}`, or `{"said": i}`: item i of the details below.
- `<text>_details`: the provider's own words (cleaned by `jobs/provider_text.py` like every
  provider text), kept apart so a page can show them under "Details", untranslated. The wait
  has none: it never quotes a provider.
- the English copy (`error_message`, `note`, `waiting_for`): the same sentence rendered in
  English when it was written. Admins, SQL, logs and tests read it; no reader parses it. It is
  what a row without a code (one from before codes, that matched none of our sentences) shows.

Plain Python: the engine writes `error_fields(...)` and friends, the model reads `stored_text`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobs.messages import MESSAGES
from jobs.sentences import RAW, JobText, Value, job_text, render, verbatim

WAITING_FOR_LENGTH = 200  # Job.waiting_for's max_length

ERROR_COLUMNS = ("error_message", "error_code", "error_params", "error_details")
NOTE_COLUMNS = ("note", "note_code", "note_params", "note_details")
WAITING_COLUMNS = ("waiting_for", "waiting_code", "waiting_params", None)


def error_fields(text: JobText | None) -> dict[str, Any]:
    """The columns of a job's error for `text` (None: no error)."""
    return _fields(ERROR_COLUMNS, text)


def note_fields(text: JobText | None) -> dict[str, Any]:
    """The columns of a job's note for `text` (None: no note)."""
    return _fields(NOTE_COLUMNS, text)


def waiting_fields(text: JobText | None) -> dict[str, Any]:
    """The columns of what a queued job waits for (None: it waits for nothing)."""
    fields = _fields(WAITING_COLUMNS, text)
    fields["waiting_for"] = fields["waiting_for"][:WAITING_FOR_LENGTH]
    return fields


def _fields(columns: tuple[str, str, str, str | None], text: JobText | None) -> dict[str, Any]:
    english, code_column, params_column, details_column = columns
    code, params, details = ("", {}, []) if text is None else encode(text)
    fields: dict[str, Any] = {
        english: "" if text is None else render(text),
        code_column: code,
        params_column: params,
    }
    if details_column:
        fields[details_column] = details
    elif details:
        raise ValueError(f"{code}: the provider's words cannot be kept in {params_column}")
    return fields


def encode(text: JobText) -> tuple[str, dict[str, Any], list[str]]:
    """(code, params as JSON, the provider's words) of `text`; verbatim text has no code and no
    params (its words are the English copy)."""
    if text.is_verbatim:
        return "", {}, []
    details: list[str] = []
    return text.code, _encode_params(text, details), details


def _encode_params(text: JobText, details: list[str]) -> dict[str, Any]:
    return {name: _encode(name in RAW, value, details) for name, value in text.params.items()}


def _encode(raw: bool, value: Value, details: list[str]) -> Any:
    if isinstance(value, JobText) and value.is_verbatim:
        value = render(value)
    if isinstance(value, JobText):
        return {"code": value.code, "params": _encode_params(value, details)}
    if isinstance(value, tuple):
        return [_encode(raw, part, details) for part in value]
    if raw:
        details.append(value)
        return {"said": len(details) - 1}
    return value


def stored_text(code: str, params: object, details: object, english: str) -> JobText | None:
    """The sentence kept in these columns; None when there is none.

    A row without a code, or with a code this version does not know or values that no longer
    fit it, is its English copy shown as it is.
    """
    if not code:
        return verbatim(english) if english else None
    try:
        said = [str(words) for words in details] if isinstance(details, list) else []
        return _decode_text(code, params, said)
    except (KeyError, ValueError, TypeError, IndexError):
        return verbatim(english) if english else None


def _decode_text(code: str, params: object, said: list[str]) -> JobText:
    if not isinstance(params, Mapping):
        raise TypeError(f"{code}: params are not an object")
    values = {name: _decode(value, said) for name, value in params.items()}
    return job_text(MESSAGES[code], **values)


def _decode(value: object, said: list[str]) -> Value:
    if isinstance(value, Mapping) and "said" in value:
        return said[int(value["said"])]
    if isinstance(value, Mapping):
        return _decode_text(str(value["code"]), value.get("params", {}), said)
    if isinstance(value, list):
        return tuple(_decode(part, said) for part in value)
    return str(value)
