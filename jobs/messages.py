"""The sentences the engine writes on a job (its error and its note), in every language.

A job's `error_message` and `note` are stored as English text, because the engine writes them in
a worker that serves everyone and the rows are read by admins, logs and the API alike. Each
sentence the studio itself writes is a template below with named placeholders; the engine fills
it with `job_text()`. A page shows a stored text with `localize_job_text()`, which recognises the
template the text came from and renders its translation with the same values. What fills a
placeholder is kept exactly as written (a provider's own words stay as the provider wrote them),
except the placeholders in NESTED, which may hold another of these sentences and are translated
in turn. Text that matches no template (an old row, a provider's raw words) is shown as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext, gettext_noop

# --- the pipeline ------------------------------------------------------------------------------
MODEL_REMOVED = gettext_noop("The model %(model)s was removed by an administrator.")
MODEL_DISABLED = gettext_noop(
    "The model %(model)s of %(provider)s is disabled by an administrator."
)
NO_ANSWER_IN_TIME = gettext_noop("The provider did not answer within %(seconds)s seconds.")
TASK_DEADLINE = gettext_noop("The provider did not finish the task within %(minutes)s minutes.")
GAVE_UP = gettext_noop("%(error)s (gave up after %(attempts)s attempts)")
GAVE_UP_IN = gettext_noop("%(error)s (gave up after %(attempts)s attempts in %(seconds)s s)")
RETRYING = gettext_noop("Attempt %(attempt)s failed (%(error)s); trying again.")
TASK_FAILED = gettext_noop("The provider reported that the task failed.")
NO_USABLE_IMAGE = gettext_noop("The provider returned no usable image: %(problems)s.")
EMPTY_ANSWER = gettext_noop("the answer held no image")
FEWER_IMAGES = gettext_noop("%(stored)s of %(asked)s images came back.")
FEWER_IMAGES_BECAUSE = gettext_noop("%(stored)s of %(asked)s images came back. %(problems)s")
IMAGE_PROBLEM = gettext_noop("image %(index)s: %(error)s")
BAD_BASE64 = gettext_noop("the image data was not valid base64")
NO_URL_NOR_DATA = gettext_noop("the answer held neither a URL nor image data")
MISCONFIGURED = gettext_noop(
    "The provider is not configured correctly: %(detail)s. Ask an administrator."
)
ABANDONED_AFTER_SEND = gettext_noop(
    "The worker running this job stopped while the provider was working on it. The request was "
    "not sent again, so it is not paid for twice; you were not charged. Press Retry to try again."
)
STEP_TIME_LIMIT = gettext_noop("The job did not finish within the %(seconds)s s a step may take.")
WAIT_PROVIDER_SLOT = gettext_noop(
    "Waiting for a free slot at %(provider)s (%(limit)s jobs at once)."
)
WAIT_MODEL_SLOT = gettext_noop("Waiting for a free slot for %(model)s (%(limit)s jobs at once).")
WAIT_PERSON = gettext_noop(
    "Waiting for one of your other jobs to finish (%(limit)s may run at once)."
)
WAIT_RATE = gettext_noop("Waiting for the request rate %(provider)s allows.")
BODY_TOO_LARGE = gettext_noop(
    "The provider's answer is larger than the %(size)s MiB the studio accepts "
    "(STUDIO_PROVIDER_BODY_MAX_BYTES)."
)
UNEXPECTED = gettext_noop(
    "Something went wrong inside the studio while running this job; it has been logged."
)

# --- provider answers (jobs/providers/http.py: classify_error) --------------------------------
REFUSED_PROMPT = gettext_noop("The provider refused the prompt: %(message)s")
NO_CREDIT = gettext_noop("The provider account has no credit or quota left: %(message)s")
LIMITING = gettext_noop("The provider is limiting requests (%(where)s): %(message)s")
BAD_CREDENTIALS = gettext_noop("The provider rejected our credentials (%(where)s): %(message)s")
TEMPORARY_PROBLEM = gettext_noop("The provider had a temporary problem (%(where)s): %(message)s")
REPORTED_ERROR = gettext_noop("The provider reported an error%(code)s: %(message)s")
REJECTED_REQUEST = gettext_noop(
    "The provider rejected the request (%(where)s)%(code)s: %(message)s"
)
NO_STATUS = gettext_noop("error")
NO_DETAILS = gettext_noop("no details given")
NETWORK_TIMEOUT = gettext_noop("The provider did not answer in time (%(error)s): %(detail)s")
NETWORK_UNREACHABLE = gettext_noop("The provider could not be reached (%(error)s): %(detail)s")
NOT_JSON = gettext_noop("The provider answered with something that is not JSON: %(snippet)s")
JSON_NOT_OBJECT = gettext_noop("The provider answered with JSON that is not an object.")
STREAM_BROKE_OFF = gettext_noop("The provider broke off the stream (%(error)s): %(detail)s")
EVENT_NOT_JSON = gettext_noop("The provider streamed an event that is not JSON: %(snippet)s")
EVENT_NOT_OBJECT = gettext_noop("The provider streamed an event that is not an object.")
NOT_A_PATH = gettext_noop(
    "Refusing the provider path %(path)s: a poll path (like any provider path) must start with "
    "one / and stay on the provider's base URL (its scheme, host and port), where its key may go."
)

# --- result downloads (jobs/providers/download.py) ---------------------------------------------
TOO_MANY_REDIRECTS = gettext_noop("The image URL redirected more than %(count)s times.")
BAD_DATA_URI = gettext_noop("The provider returned a malformed data: URI.")
BAD_BASE64_DATA = gettext_noop("The provider returned invalid base64 image data.")
NOT_HTTP_URL = gettext_noop("Refusing to download %(url)s: not an http(s) URL.")
BAD_PORT = gettext_noop("Refusing to download %(url)s: a bad port.")
PRIVATE_ADDRESS = gettext_noop(
    "Refusing to download from %(host)s: only the provider's own address or public addresses "
    "are fetched, and this one is non-public."
)
UNRESOLVABLE_HOST = gettext_noop("Could not find the image host %(host)s.")
DOWNLOAD_TIMEOUT = gettext_noop("The image download timed out.")
# No addresses, statuses or exception names: a download error must not map anyone's network.
DOWNLOAD_FAILED = gettext_noop("The image could not be downloaded.")
HOST_TEMPORARY_PROBLEM = gettext_noop("The image host had a temporary problem.")
LINK_EXPIRED = gettext_noop("The image link did not give an image; it may have expired.")
DOWNLOAD_TOO_LONG = gettext_noop("The image download took too long.")
DOWNLOAD_BROKE_OFF = gettext_noop("The image download broke off.")
TOO_LARGE_MIB = gettext_noop("The image is larger than the %(size)s MiB limit.")
TOO_LARGE_BYTES = gettext_noop("The image is larger than the %(size)s byte limit.")

# --- stored images (jobs/storage.py: inspect_image) --------------------------------------------
FILE_EMPTY = gettext_noop("The file is empty.")
TOO_MANY_PIXELS = gettext_noop("The image has too many pixels.")
NOT_AN_IMAGE = gettext_noop("The file is not a readable PNG, JPEG or WebP image.")
FORMAT_REFUSED = gettext_noop("%(format)s images are not accepted; use PNG, JPEG or WebP.")
UNKNOWN_FORMAT_REFUSED = gettext_noop("This image's format is not accepted; use PNG, JPEG or WebP.")
PIXELS_OVER_LIMIT = gettext_noop(
    "The image is %(width)s×%(height)s pixels; the most we accept is %(limit)s pixels in all."
)

# Placeholders that hold the provider's own words (or a cut of its answer): shown apart, under
# "Details" (split_job_text), because a person cannot act on a raw JSON fragment.
RAW = frozenset({"message", "detail", "snippet"})
# How a sentence ends in the reader's language, once the raw words after its colon are gone.
SENTENCE_END = gettext_noop("%(sentence)s.")
_SENTENCE_ENDS = ".\u3002!\uff01?\uff1f)\uff09"  # and their full-width forms
_RAW_MARK = "\x00raw\x00"

# Placeholders that may hold another sentence of this module; "; " separates several.
NESTED = frozenset({"error", "problems", "where", "detail", "message"})
_SEPARATOR = "; "


def job_text(template: str, **values: object) -> str:
    """The English sentence to store: `template` filled with `values` (kept as given)."""
    return template % {name: str(value) for name, value in values.items()}


def localize_job_text(text: str) -> str:
    """`text` (as stored) in the active language: its template translated, its values kept."""
    if not text:
        return text
    matched = _match(text)
    if matched is None:
        return text
    template, groups = matched
    values = {
        name: _localize_nested(value) if name in NESTED else value for name, value in groups.items()
    }
    return gettext(template) % values


def _localize_nested(value: str) -> str:
    # Each part is translated when it is one of our sentences and kept verbatim otherwise, so a
    # provider message that happens to contain "; " comes back exactly as it was.
    return _SEPARATOR.join(localize_job_text(part) for part in value.split(_SEPARATOR))


@dataclass(frozen=True)
class JobTextParts:
    """A stored text split for a person: our sentence, and the provider's raw words apart."""

    sentence: str
    details: tuple[str, ...] = ()


def split_job_text(text: str) -> JobTextParts:
    """`text` in the active language with the provider's own words (RAW placeholders) taken out.

    The sentence stays readable ("The provider answered with something that is not JSON."); what
    the provider wrote goes to `details`, for a "Details" disclosure. Text that matches none of
    our templates is kept whole as the sentence: we cannot tell which part is whose.
    """
    if not text or _match(text) is None:
        return JobTextParts(text)
    details: list[str] = []
    sentence = _split_into(text, details).rstrip()
    if sentence and sentence[-1] not in _SENTENCE_ENDS:
        sentence = gettext(SENTENCE_END) % {"sentence": sentence}
    return JobTextParts(sentence, tuple(details))


def _split_into(text: str, details: list[str]) -> str:
    matched = _match_explaining_most(text)
    if matched is None:
        return text
    template, groups = matched
    values = {}
    for name, value in groups.items():
        if name in NESTED or name in RAW:
            values[name] = _split_value(name, value, details)
        else:
            values[name] = value
    sentence = gettext(template) % values
    # Where the raw words stood, drop the marker with the colon or space that led to it.
    return re.sub(r"[\s:：]*" + re.escape(_RAW_MARK), "", sentence)


def _split_value(name: str, value: str, details: list[str]) -> str:
    if _match(value) is not None:  # one sentence of ours, whose own words may hold "; "
        return _split_into(value, details)
    parts = value.split(_SEPARATOR)
    if name in RAW and not value.strip():
        return _RAW_MARK
    if name in RAW and all(_match(part) is None for part in parts):
        details.append(value)  # the provider's words whole, "; " and all
        return _RAW_MARK
    kept = []
    for part in parts:
        if _match(part) is not None:
            kept.append(_split_into(part, details))
        elif name in RAW:
            details.append(part)
        else:
            kept.append(part)
    return _SEPARATOR.join(kept) if kept else _RAW_MARK


def _match_explaining_most(text: str) -> tuple[str, dict[str, str]] | None:
    """The match that leaves the least to the provider's words.

    "…: %(message)s" also matches "…: busy (gave up after 3 attempts)", taking our own ending for
    the provider's; the wrapper GAVE_UP, holding the sentence in `error`, tells them apart.
    """
    matches = [
        (template, match.groupdict())
        for template, pattern in _patterns()
        if (match := pattern.fullmatch(text))
    ]
    if not matches:
        return None
    return min(matches, key=lambda m: sum(len(v) for k, v in m[1].items() if k in RAW))


def _match(text: str) -> tuple[str, dict[str, str]] | None:
    for template, pattern in _patterns():
        match = pattern.fullmatch(text)
        if match:
            return template, match.groupdict()
    return None


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every template as a regular expression, the most literal text first (the best match)."""
    templates = [
        value
        for name, value in globals().items()
        if name.isupper()
        and isinstance(value, str)
        and name not in {"_SEPARATOR", "SENTENCE_END", "_SENTENCE_ENDS", "_RAW_MARK"}
    ]
    compiled = [(template, _pattern(template)) for template in templates]
    return sorted(compiled, key=lambda pair: -len(_PLACEHOLDER.sub("", pair[0])))


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(template: str) -> re.Pattern[str]:
    parts, position = [], 0
    for placeholder in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : placeholder.start()]))
        parts.append(f"(?P<{placeholder.group(1)}>.*?)")
        position = placeholder.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts), re.DOTALL)
