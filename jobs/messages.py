"""The catalogue of sentences the engine writes on a job (its error, its note, what it waits for).

Each is a `Message`: a stable code, which a job row stores with the values that fill it
(`jobs/stored_texts.py`) and which the API and the metrics decide by, and its English template.
`job_text(MESSAGE, **values)` makes the `JobText` the engine passes around (`jobs/sentences.py`);
a page, the API or a log line renders it in its reader's language only when it reads it.

Plain Python, no Django, so that provider adapters use it too: `gettext_noop` here is a local
identity function, and `makemessages` still extracts every template by that keyword.
A code, once stored on rows, is never renamed or reused for another sentence.
"""

from __future__ import annotations

from jobs.sentences import (
    RAW,
    JobText,
    JobTextParts,
    Message,
    as_job_text,
    codes_in,
    gettext_noop,
    job_text,
    verbatim,
)

__all__ = [
    "MESSAGES",
    "RAW",
    "JobText",
    "JobTextParts",
    "Message",
    "as_job_text",
    "codes_in",
    "job_text",
    "verbatim",
]

# --- the pipeline ------------------------------------------------------------------------------
MODEL_REMOVED = Message(
    "model_removed", gettext_noop("The model %(model)s was removed by an administrator.")
)
MODEL_DISABLED = Message(
    "model_disabled",
    gettext_noop("The model %(model)s of %(provider)s is disabled by an administrator."),
)
NO_ANSWER_IN_TIME = Message(
    "no_answer_in_time", gettext_noop("The provider did not answer within %(seconds)s seconds.")
)
TASK_DEADLINE = Message(
    "task_deadline",
    gettext_noop("The provider did not finish the task within %(minutes)s minutes."),
)
GAVE_UP = Message("gave_up", gettext_noop("%(error)s (gave up after %(attempts)s attempts)"))
GAVE_UP_IN = Message(
    "gave_up_in", gettext_noop("%(error)s (gave up after %(attempts)s attempts in %(seconds)s s)")
)
RETRYING = Message(
    "retrying", gettext_noop("Attempt %(attempt)s failed (%(error)s); trying again.")
)
TASK_FAILED = Message("task_failed", gettext_noop("The provider reported that the task failed."))
NO_USABLE_IMAGE = Message(
    "no_usable_image", gettext_noop("The provider returned no usable image: %(problems)s.")
)
EMPTY_ANSWER = Message("empty_answer", gettext_noop("the answer held no image"))
FEWER_IMAGES = Message("fewer_images", gettext_noop("%(stored)s of %(asked)s images came back."))
FEWER_IMAGES_BECAUSE = Message(
    "fewer_images_because", gettext_noop("%(stored)s of %(asked)s images came back. %(problems)s")
)
IMAGE_PROBLEM = Message("image_problem", gettext_noop("image %(index)s: %(error)s"))
BAD_BASE64 = Message("bad_base64", gettext_noop("the image data was not valid base64"))
NO_URL_NOR_DATA = Message(
    "no_url_nor_data", gettext_noop("the answer held neither a URL nor image data")
)
MISCONFIGURED = Message(
    "misconfigured",
    gettext_noop("The provider is not configured correctly: %(detail)s. Ask an administrator."),
)
ABANDONED_AFTER_SEND = Message(
    "abandoned_after_send",
    gettext_noop(
        "The worker running this job stopped while the provider was working on it. The request "
        "was not sent again, so it is not paid for twice; you were not charged. Press Retry to "
        "try again."
    ),
)
STEP_TIME_LIMIT = Message(
    "step_time_limit",
    gettext_noop("The job did not finish within the %(seconds)s s a step may take."),
)
WAIT_PROVIDER_SLOT = Message(
    "wait_provider_slot",
    gettext_noop("Waiting for a free slot at %(provider)s (%(limit)s jobs at once)."),
)
WAIT_MODEL_SLOT = Message(
    "wait_model_slot",
    gettext_noop("Waiting for a free slot for %(model)s (%(limit)s jobs at once)."),
)
WAIT_PERSON = Message(
    "wait_person",
    gettext_noop("Waiting for one of your other jobs to finish (%(limit)s may run at once)."),
)
WAIT_RATE = Message("wait_rate", gettext_noop("Waiting for the request rate %(provider)s allows."))
BODY_TOO_LARGE = Message(
    "body_too_large",
    gettext_noop(
        "The provider's answer is larger than the %(size)s MiB the studio accepts "
        "(STUDIO_PROVIDER_BODY_MAX_BYTES)."
    ),
)
UNEXPECTED = Message(
    "unexpected",
    gettext_noop(
        "Something went wrong inside the studio while running this job; it has been logged."
    ),
)

# --- provider answers (jobs/providers/http.py: classify_error) --------------------------------
REFUSED_PROMPT = Message(
    "refused_prompt", gettext_noop("The provider refused the prompt: %(message)s")
)
NO_CREDIT = Message(
    "no_credit", gettext_noop("The provider account has no credit or quota left: %(message)s")
)
LIMITING = Message(
    "limiting", gettext_noop("The provider is limiting requests (%(where)s): %(message)s")
)
BAD_CREDENTIALS = Message(
    "bad_credentials",
    gettext_noop("The provider rejected our credentials (%(where)s): %(message)s"),
)
TEMPORARY_PROBLEM = Message(
    "temporary_problem",
    gettext_noop("The provider had a temporary problem (%(where)s): %(message)s"),
)
REPORTED_ERROR = Message(
    "reported_error", gettext_noop("The provider reported an error%(code)s: %(message)s")
)
REJECTED_REQUEST = Message(
    "rejected_request",
    gettext_noop("The provider rejected the request (%(where)s)%(code)s: %(message)s"),
)
NO_STATUS = Message("no_status", gettext_noop("error"))
NO_DETAILS = Message("no_details", gettext_noop("no details given"))
NETWORK_TIMEOUT = Message(
    "network_timeout", gettext_noop("The provider did not answer in time (%(error)s): %(detail)s")
)
NETWORK_UNREACHABLE = Message(
    "network_unreachable", gettext_noop("The provider could not be reached (%(error)s): %(detail)s")
)
NOT_JSON = Message(
    "not_json", gettext_noop("The provider answered with something that is not JSON: %(snippet)s")
)
JSON_NOT_OBJECT = Message(
    "json_not_object", gettext_noop("The provider answered with JSON that is not an object.")
)
STREAM_BROKE_OFF = Message(
    "stream_broke_off", gettext_noop("The provider broke off the stream (%(error)s): %(detail)s")
)
EVENT_NOT_JSON = Message(
    "event_not_json", gettext_noop("The provider streamed an event that is not JSON: %(snippet)s")
)
EVENT_NOT_OBJECT = Message(
    "event_not_object", gettext_noop("The provider streamed an event that is not an object.")
)
NOT_A_PATH = Message(
    "not_a_path",
    gettext_noop(
        "Refusing the provider path %(path)s: a poll path (like any provider path) must start "
        "with one / and stay on the provider's base URL (its scheme, host and port), where its "
        "key may go."
    ),
)

# --- what the dialects say about an answer (jobs/providers/*) -----------------------------------
NO_IMAGE_IN_ANSWER = Message(
    "no_image_in_answer", gettext_noop("The provider answered without any image.")
)
SUCCESS_WITHOUT_URL = Message(
    "success_without_url",
    gettext_noop("The provider reported success but returned no image URL."),
)
TASK_REPORTED_AS = Message(
    "task_reported_as", gettext_noop("The provider reported the task as %(word)s: %(message)s")
)
NO_REASON = Message("no_reason", gettext_noop("no reason given"))
NO_TASK_ID = Message(
    "no_task_id", gettext_noop("The provider accepted the task but returned no task id.")
)
NO_IMAGE_PRODUCED = Message(
    "no_image_produced", gettext_noop("No image was produced: %(problems)s")
)
NO_IMAGE_URL = Message("no_image_url", gettext_noop("no image URL"))
UNREADABLE_ENTRY = Message(
    "unreadable_entry", gettext_noop("The provider returned an unreadable result entry.")
)
# One image's failure: the provider's words (or NO_DETAILS) and the provider's code for it.
IMAGE_ERROR_CODE = Message("image_error_code", gettext_noop("%(error)s [%(code)s]"))
GROK_EDIT_INPUTS = Message(
    "grok_edit_inputs", gettext_noop("grok edits take exactly one image and no mask.")
)
# The edit inputs of a model that takes only square PNGs (jobs/inputs.py), when they cannot be
# made to fit while the job's request is built.
NOT_SQUARE = Message(
    "not_square",
    gettext_noop(
        "This model edits only square images; this one is %(size)s. "
        "Crop it to a square or choose another model."
    ),
)
NO_PNG_UNDER = Message(
    "no_png_under", gettext_noop("This image cannot be made into a PNG under %(size)s MB.")
)

# --- result downloads (jobs/providers/download.py) ---------------------------------------------
TOO_MANY_REDIRECTS = Message(
    "too_many_redirects", gettext_noop("The image URL redirected more than %(count)s times.")
)
BAD_DATA_URI = Message("bad_data_uri", gettext_noop("The provider returned a malformed data: URI."))
BAD_BASE64_DATA = Message(
    "bad_base64_data", gettext_noop("The provider returned invalid base64 image data.")
)
NOT_HTTP_URL = Message(
    "not_http_url", gettext_noop("Refusing to download %(url)s: not an http(s) URL.")
)
BAD_PORT = Message("bad_port", gettext_noop("Refusing to download %(url)s: a bad port."))
PRIVATE_ADDRESS = Message(
    "private_address",
    gettext_noop(
        "Refusing to download from %(host)s: only the provider's own address or public addresses "
        "are fetched, and this one is non-public."
    ),
)
UNRESOLVABLE_HOST = Message(
    "unresolvable_host", gettext_noop("Could not find the image host %(host)s.")
)
DOWNLOAD_TIMEOUT = Message("download_timeout", gettext_noop("The image download timed out."))
# No addresses, statuses or exception names: a download error must not map anyone's network.
DOWNLOAD_FAILED = Message("download_failed", gettext_noop("The image could not be downloaded."))
HOST_TEMPORARY_PROBLEM = Message(
    "host_temporary_problem", gettext_noop("The image host had a temporary problem.")
)
LINK_EXPIRED = Message(
    "link_expired", gettext_noop("The image link did not give an image; it may have expired.")
)
DOWNLOAD_TOO_LONG = Message("download_too_long", gettext_noop("The image download took too long."))
DOWNLOAD_BROKE_OFF = Message("download_broke_off", gettext_noop("The image download broke off."))
TOO_LARGE_MIB = Message(
    "too_large_mib", gettext_noop("The image is larger than the %(size)s MiB limit.")
)
TOO_LARGE_BYTES = Message(
    "too_large_bytes", gettext_noop("The image is larger than the %(size)s byte limit.")
)

# --- stored images (jobs/storage.py: inspect_image) --------------------------------------------
FILE_EMPTY = Message("file_empty", gettext_noop("The file is empty."))
TOO_MANY_PIXELS = Message("too_many_pixels", gettext_noop("The image has too many pixels."))
NOT_AN_IMAGE = Message(
    "not_an_image", gettext_noop("The file is not a readable PNG, JPEG or WebP image.")
)
FORMAT_REFUSED = Message(
    "format_refused", gettext_noop("%(format)s images are not accepted; use PNG, JPEG or WebP.")
)
UNKNOWN_FORMAT_REFUSED = Message(
    "unknown_format_refused",
    gettext_noop("This image's format is not accepted; use PNG, JPEG or WebP."),
)
PIXELS_OVER_LIMIT = Message(
    "pixels_over_limit",
    gettext_noop(
        "The image is %(width)s×%(height)s pixels; the most we accept is %(limit)s pixels in all."
    ),
)


# Every sentence by its code: what a stored row is read back with.
MESSAGES: dict[str, Message] = {
    value.code: value
    for value in list(globals().values())
    if isinstance(value, Message) and value.code
}
