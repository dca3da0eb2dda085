"""The one HTTP client every dialect uses (result files are fetched by `download.py`; what a
failure means is decided by `classify.py`; streamed answers are split into events by `sse.py`).

Every call has connect and read timeouts, and every answer is read by the hop's deadline
(`deadline.py`: past it a call raises HopTimeLimitExceeded, which is not a ProviderError). Every
other failure becomes a `ProviderError` whose message a person can read and which never contains
the API key. Polls (idempotent GETs) are retried in place a couple of times; submits (POSTs) are
not, because a retried submit may be billed twice: the engine retries them itself, recording
each attempt, by its retry policy (jobs/engine/retry.py).
"""

from __future__ import annotations

import email.utils
import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3

from jobs import messages as texts
from jobs.messages import job_text

from .base import Endpoint, InputImage, ProviderError
from .classify import MESSAGE_LIMIT, classify_error, error_details
from .deadline import check_hop_deadline, cut_off_at, read_timeout
from .origins import key_may_go_to
from .redaction import redact
from .sse import sse_data

USER_AGENT = "image-studio/0.1"
POLL_ATTEMPTS = 3  # one try plus two quick retries in place
SNIPPET_LIMIT = 200  # what is quoted of an answer that is not JSON
STREAM_CHUNK_BYTES = 64 * 1024
MAX_IN_PLACE_WAIT = 8.0  # a longer Retry-After on a poll is left to the pipeline's schedule

_local = threading.local()

# The most a provider's answer may weigh (b64 images make them large); set from the settings.
max_body_bytes = 128 * 2**20
LARGE_BODY_BYTES = 2**20


def _no_op() -> None:
    return None


# Called before a large body is read; the worker sets it to take a place that bounds how many
# large answers are in memory at once (jobs.concurrency). Plain Python here: no Django.
before_large_body: Callable[[], None] = _no_op


def session() -> requests.Session:
    """A session per thread: requests.Session is not documented as thread-safe."""
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
        _local.session.headers["User-Agent"] = USER_AGENT
    return _local.session


# ---------------------------------------------------------------------------------------------
# Calls


def post_json(
    endpoint: Endpoint,
    path: str,
    body: Mapping,
    *,
    extra_headers: Mapping[str, str] | None = None,
) -> dict:
    """POST a JSON body once and return the decoded JSON object of a 2xx answer."""
    return _send(endpoint, "POST", path, json=dict(body), extra_headers=extra_headers)


def post_multipart(
    endpoint: Endpoint,
    path: str,
    fields: Sequence[tuple[str, str]],
    files: Sequence[tuple[str, InputImage]],
) -> dict:
    """POST multipart/form-data once: text `fields` as plain parts, `files` as file parts."""
    file_parts = [(name, (img.filename, img.data, img.content_type)) for name, img in files]
    return _send(endpoint, "POST", path, data=list(fields), files=file_parts)


def post_json_events(endpoint: Endpoint, path: str, body: Mapping) -> Iterator[dict]:
    """POST a JSON body once and yield the JSON object of each server-sent event of the answer
    (`data:` lines; `[DONE]` ends it). Errors before the stream starts read as `post_json`'s.

    The stream is read as any other answer is: within the hop's deadline, after taking a memory
    slot, and no more than `max_body_bytes` of it in all.
    """
    response = _open(endpoint, "POST", path, {"Accept": "text/event-stream"}, json=dict(body))
    # Each event may come in time while the whole stream does not: it ends at the hop's deadline.
    with response, cut_off_at(None, response):
        try:
            yield from _events(response, endpoint.api_key)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            check_hop_deadline()
            raise _network_error(texts.STREAM_BROKE_OFF, exc, endpoint.api_key) from None
        except ProviderError:
            check_hop_deadline()  # an event cut in half at the deadline is not the provider's
            raise
        check_hop_deadline()  # a stream cut off may also just end


def _events(response: requests.Response, api_key: str) -> Iterator[dict]:
    if not 200 <= response.status_code < 300 or not response.headers.get(
        "Content-Type", ""
    ).startswith("text/event-stream"):
        _read_body(response)  # an error, or a relay that ignored `stream`: one whole answer
        if not 200 <= response.status_code < 300:
            raise error_from_response(response, api_key)
        yield _json_object(response, api_key)
        return
    before_large_body()  # an event stream declares no length: it may be as large as any answer
    for data in sse_data(_capped_chunks(response)):
        if data == "[DONE]":
            return
        if data:
            yield _event_object(data, api_key)


def _capped_chunks(response: requests.Response) -> Iterator[bytes]:
    """The answer's bytes as they come, refusing more than `max_body_bytes` in all."""
    received = 0
    while chunk := response.raw.read1(STREAM_CHUNK_BYTES, decode_content=True):
        received += len(chunk)
        if received > max_body_bytes:
            raise _body_too_large(response.status_code)
        yield chunk


def _event_object(data: str, api_key: str) -> dict:
    try:
        event = json.loads(data)
    except ValueError:
        snippet = redact(data, api_key, limit=SNIPPET_LIMIT)
        raise ProviderError(
            job_text(texts.EVENT_NOT_JSON, snippet=repr(snippet)), permanent=True
        ) from None
    if not isinstance(event, dict):
        raise ProviderError(job_text(texts.EVENT_NOT_OBJECT), permanent=True)
    return event


def get_json(endpoint: Endpoint, path: str, *, attempts: int = POLL_ATTEMPTS) -> dict:
    """GET (a poll) with a few quick retries in place for transient failures."""
    for attempt in range(1, attempts + 1):
        try:
            return _send(endpoint, "GET", path)
        except ProviderError as error:
            wait = _in_place_wait(attempt, error)
            if error.permanent or attempt == attempts or wait is None:
                raise
            time.sleep(wait)
    raise AssertionError("unreachable")


def _in_place_wait(attempt: int, error: ProviderError) -> float | None:
    if error.retry_after is not None and error.retry_after > MAX_IN_PLACE_WAIT:
        return None
    step = 0.25 * 2 ** (attempt - 1)
    return max(error.retry_after or 0.0, step) + random.uniform(0, step)  # noqa: S311


def _send(endpoint: Endpoint, method: str, path: str, **kwargs) -> dict:
    extra_headers = kwargs.pop("extra_headers", None) or {}
    response = _open(
        endpoint, method, path, {"Accept": "application/json", **extra_headers}, **kwargs
    )
    try:
        with response:
            _read_body(response)
    except requests.Timeout as exc:
        check_hop_deadline()  # out of time is the hop's ending, not a provider error to retry
        raise _network_error(texts.NETWORK_TIMEOUT, exc, endpoint.api_key) from None
    except requests.RequestException as exc:
        raise _network_error(texts.NETWORK_UNREACHABLE, exc, endpoint.api_key) from None
    if not 200 <= response.status_code < 300:
        raise error_from_response(response, endpoint.api_key)
    return _json_object(response, endpoint.api_key)


def _open(
    endpoint: Endpoint, method: str, path: str, headers: Mapping[str, str], **kwargs
) -> requests.Response:
    """Send a request with the key to `path` on the endpoint's provider; the answer's headers
    are in, its body not yet read. A path that would take the key elsewhere is never sent."""
    try:
        url = provider_url(endpoint.base_url, path)
    except ValueError as error:
        raise ProviderError(error.args[0], permanent=True) from None  # its sentence (NOT_A_PATH)
    try:
        return session().request(
            method,
            url,
            headers={**headers, "Authorization": f"Bearer {endpoint.api_key}"},
            timeout=_timeouts(endpoint),
            allow_redirects=False,
            stream=True,
            **kwargs,
        )
    except requests.Timeout as exc:
        check_hop_deadline()  # out of time is the hop's ending, not a provider error to retry
        raise _network_error(texts.NETWORK_TIMEOUT, exc, endpoint.api_key) from None
    except requests.RequestException as exc:
        raise _network_error(texts.NETWORK_UNREACHABLE, exc, endpoint.api_key) from None


def provider_url(base_url: str, path: str) -> str:
    """The URL of `path` on the provider at `base_url`: the path (and query) is added to the base
    URL's own path, built from parts, never glued as text. ValueError when `path` is not a plain
    absolute path, or when the result would not be the base URL's origin (where the key may go).
    """
    if (
        not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or any(ord(char) <= 32 or ord(char) == 127 for char in path)
    ):
        raise ValueError(job_text(texts.NOT_A_PATH, path=repr(path[:100])))
    base = urlsplit(base_url)
    own = urlsplit(path)
    if own.scheme or own.netloc or own.fragment:
        raise ValueError(job_text(texts.NOT_A_PATH, path=repr(path[:100])))
    url = urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + own.path, own.query, ""))
    if not key_may_go_to(url, base_url):
        raise ValueError(job_text(texts.NOT_A_PATH, path=repr(path[:100])))
    return url


def _timeouts(endpoint: Endpoint) -> tuple[float, float]:
    """(connect, read) timeouts, neither longer than what is left of the hop."""
    return read_timeout(endpoint.connect_timeout), read_timeout(endpoint.read_timeout)


def _read_body(response: requests.Response) -> None:
    """Read the answer into `response.content`, refusing one larger than `max_body_bytes`.

    The read timeout bounds each socket read only, so a provider trickling its answer is cut
    off at the hop's deadline instead (HopTimeLimitExceeded).
    """
    declared = response.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > LARGE_BODY_BYTES:
        before_large_body()
    if declared.isdigit() and int(declared) > max_body_bytes:
        raise _body_too_large(response.status_code)
    with cut_off_at(None, response):
        try:
            data = response.raw.read(max_body_bytes + 1, decode_content=True)
        except (urllib3.exceptions.HTTPError, OSError):
            check_hop_deadline()
            raise
    check_hop_deadline()  # a cut-off answer may also just end early
    if len(data) > max_body_bytes:
        raise _body_too_large(response.status_code)
    response._content = data  # what requests itself does once a body is read


def _body_too_large(status: int) -> ProviderError:
    return ProviderError(
        job_text(texts.BODY_TOO_LARGE, size=max_body_bytes // 2**20),
        permanent=True,
        status=status,
    )


def _network_error(template: texts.Message, exc: Exception, api_key: str) -> ProviderError:
    detail = redact(str(exc), api_key, limit=MESSAGE_LIMIT)
    return ProviderError(
        job_text(template, error=type(exc).__name__, detail=detail), permanent=False
    )


def _json_object(response: requests.Response, api_key: str) -> dict:
    try:
        body = response.json()
    except ValueError:
        snippet = redact(response.text, api_key, limit=SNIPPET_LIMIT)
        raise ProviderError(
            job_text(texts.NOT_JSON, snippet=repr(snippet)),
            permanent=True,
            status=response.status_code,
        ) from None
    if not isinstance(body, dict):
        raise ProviderError(
            job_text(texts.JSON_NOT_OBJECT),
            permanent=True,
            status=response.status_code,
        )
    return body


# ---------------------------------------------------------------------------------------------
# Errors


def error_from_response(response: requests.Response, api_key: str) -> ProviderError:
    """Turn a non-2xx answer into a ProviderError, honouring the retry headers."""
    try:
        body = response.json()
    except ValueError:
        body = response.text
    code, message = error_details(body)
    return classify_error(
        status=response.status_code,
        code=code,
        message=message,
        api_key=api_key,
        retry_after=parse_retry_after(response.headers),
        should_retry=_should_retry_header(response.headers),
    )


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms` or `Retry-After` (seconds or an HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _should_retry_header(headers: Mapping[str, str]) -> bool | None:
    value = (headers.get("x-should-retry") or "").strip().lower()
    return {"true": True, "false": False}.get(value)


# ---------------------------------------------------------------------------------------------
# Downloading result images
