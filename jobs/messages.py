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
    for template, pattern in _patterns():
        match = pattern.fullmatch(text)
        if match:
            values = {
                name: _localize_nested(value) if name in NESTED else value
                for name, value in match.groupdict().items()
            }
            return gettext(template) % values
    return text


def _localize_nested(value: str) -> str:
    # Each part is translated when it is one of our sentences and kept verbatim otherwise, so a
    # provider message that happens to contain "; " comes back exactly as it was.
    return _SEPARATOR.join(localize_job_text(part) for part in value.split(_SEPARATOR))


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every template as a regular expression, the most literal text first (the best match)."""
    templates = [
        value
        for name, value in globals().items()
        if name.isupper() and isinstance(value, str) and name not in {"_SEPARATOR"}
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
