"""Rows from before codes: each job's English error, note and wait become a code and its values.

Until now a job kept only the English text of its sentences, and pages translated it back by
matching it against the templates. This matches each stored text once, here, with that old
matcher, and writes the code, the values and the provider's own words apart (the format of
jobs/stored_texts.py). A text is converted only when the result renders back to exactly the
stored English; one that matches nothing keeps only its text and is shown as it is.

The templates are frozen below as they were when this was written: later changes to
jobs/messages.py must not change what this migration did.
"""

import re

from django.db import migrations
from django.db.models import Q

# Every sentence's English template by its code, as in jobs/messages.py when this was written;
# but image_error_code ("%(error)s [%(code)s]"): it would read any text ending in "[…]" as an
# image's failure, and such texts keep the same words whether converted or not.
TEMPLATES = {
    'model_removed': 'The model %(model)s was removed by an administrator.',
    'model_disabled': 'The model %(model)s of %(provider)s is disabled by an administrator.',
    'no_answer_in_time': 'The provider did not answer within %(seconds)s seconds.',
    'task_deadline': 'The provider did not finish the task within %(minutes)s minutes.',
    'gave_up': '%(error)s (gave up after %(attempts)s attempts)',
    'gave_up_in': '%(error)s (gave up after %(attempts)s attempts in %(seconds)s s)',
    'retrying': 'Attempt %(attempt)s failed (%(error)s); trying again.',
    'task_failed': 'The provider reported that the task failed.',
    'no_usable_image': 'The provider returned no usable image: %(problems)s.',
    'empty_answer': 'the answer held no image',
    'fewer_images': '%(stored)s of %(asked)s images came back.',
    'fewer_images_because': '%(stored)s of %(asked)s images came back. %(problems)s',
    'image_problem': 'image %(index)s: %(error)s',
    'bad_base64': 'the image data was not valid base64',
    'no_url_nor_data': 'the answer held neither a URL nor image data',
    'misconfigured': 'The provider is not configured correctly: %(detail)s. Ask an administrator.',
    'abandoned_after_send': 'The worker running this job stopped while the provider was working on it. The request was not sent again, so it is not paid for twice; you were not charged. Press Retry to try again.',
    'step_time_limit': 'The job did not finish within the %(seconds)s s a step may take.',
    'wait_provider_slot': 'Waiting for a free slot at %(provider)s (%(limit)s jobs at once).',
    'wait_model_slot': 'Waiting for a free slot for %(model)s (%(limit)s jobs at once).',
    'wait_person': 'Waiting for one of your other jobs to finish (%(limit)s may run at once).',
    'wait_rate': 'Waiting for the request rate %(provider)s allows.',
    'body_too_large': "The provider's answer is larger than the %(size)s MiB the studio accepts (STUDIO_PROVIDER_BODY_MAX_BYTES).",
    'unexpected': 'Something went wrong inside the studio while running this job; it has been logged.',
    'refused_prompt': 'The provider refused the prompt: %(message)s',
    'no_credit': 'The provider account has no credit or quota left: %(message)s',
    'limiting': 'The provider is limiting requests (%(where)s): %(message)s',
    'bad_credentials': 'The provider rejected our credentials (%(where)s): %(message)s',
    'temporary_problem': 'The provider had a temporary problem (%(where)s): %(message)s',
    'reported_error': 'The provider reported an error%(code)s: %(message)s',
    'rejected_request': 'The provider rejected the request (%(where)s)%(code)s: %(message)s',
    'no_status': 'error',
    'no_details': 'no details given',
    'network_timeout': 'The provider did not answer in time (%(error)s): %(detail)s',
    'network_unreachable': 'The provider could not be reached (%(error)s): %(detail)s',
    'not_json': 'The provider answered with something that is not JSON: %(snippet)s',
    'json_not_object': 'The provider answered with JSON that is not an object.',
    'stream_broke_off': 'The provider broke off the stream (%(error)s): %(detail)s',
    'event_not_json': 'The provider streamed an event that is not JSON: %(snippet)s',
    'event_not_object': 'The provider streamed an event that is not an object.',
    'not_a_path': "Refusing the provider path %(path)s: a poll path (like any provider path) must start with one / and stay on the provider's base URL (its scheme, host and port), where its key may go.",
    'no_image_in_answer': 'The provider answered without any image.',
    'success_without_url': 'The provider reported success but returned no image URL.',
    'task_reported_as': 'The provider reported the task as %(word)s: %(message)s',
    'no_reason': 'no reason given',
    'no_task_id': 'The provider accepted the task but returned no task id.',
    'no_image_produced': 'No image was produced: %(problems)s',
    'no_image_url': 'no image URL',
    'unreadable_entry': 'The provider returned an unreadable result entry.',
    'grok_edit_inputs': 'grok edits take exactly one image and no mask.',
    'not_square': 'This model edits only square images; this one is %(size)s. Crop it to a square or choose another model.',
    'no_png_under': 'This image cannot be made into a PNG under %(size)s MB.',
    'too_many_redirects': 'The image URL redirected more than %(count)s times.',
    'bad_data_uri': 'The provider returned a malformed data: URI.',
    'bad_base64_data': 'The provider returned invalid base64 image data.',
    'not_http_url': 'Refusing to download %(url)s: not an http(s) URL.',
    'bad_port': 'Refusing to download %(url)s: a bad port.',
    'private_address': "Refusing to download from %(host)s: only the provider's own address or public addresses are fetched, and this one is non-public.",
    'unresolvable_host': 'Could not find the image host %(host)s.',
    'download_timeout': 'The image download timed out.',
    'download_failed': 'The image could not be downloaded.',
    'host_temporary_problem': 'The image host had a temporary problem.',
    'link_expired': 'The image link did not give an image; it may have expired.',
    'download_too_long': 'The image download took too long.',
    'download_broke_off': 'The image download broke off.',
    'too_large_mib': 'The image is larger than the %(size)s MiB limit.',
    'too_large_bytes': 'The image is larger than the %(size)s byte limit.',
    'file_empty': 'The file is empty.',
    'too_many_pixels': 'The image has too many pixels.',
    'not_an_image': 'The file is not a readable PNG, JPEG or WebP image.',
    'format_refused': '%(format)s images are not accepted; use PNG, JPEG or WebP.',
    'unknown_format_refused': "This image's format is not accepted; use PNG, JPEG or WebP.",
    'pixels_over_limit': 'The image is %(width)s×%(height)s pixels; the most we accept is %(limit)s pixels in all.',
}

# Placeholders holding the provider's own words, and those that may hold another sentence.
RAW = frozenset({"message", "detail", "snippet"})
NESTED = frozenset({"error", "problems", "where", "detail", "message"})
SEPARATOR = "; "
BATCH = 500
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class Said(str):
    """The provider's own words: kept apart, in the details."""


def _pattern(template):
    parts, position = [], 0
    for placeholder in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : placeholder.start()]))
        parts.append(f"(?P<{placeholder.group(1)}>.*?)")
        position = placeholder.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts), re.DOTALL)


# The most literal templates first: the old matcher's order.
PATTERNS = sorted(
    ((code, _pattern(template)) for code, template in TEMPLATES.items()),
    key=lambda pair: -len(_PLACEHOLDER.sub("", TEMPLATES[pair[0]])),
)


def _matches(text):
    return [(code, m.groupdict()) for code, pattern in PATTERNS if (m := pattern.fullmatch(text))]


def parse(text):
    """(code, values) for a text, or None; of several matches, the one that leaves the least to
    the provider's words ("…: %(message)s" also matches "…: busy (gave up after 3 attempts)")."""
    matches = _matches(text)
    if not matches:
        return None
    code, groups = min(matches, key=lambda m: sum(len(v) for k, v in m[1].items() if k in RAW))
    values = {}
    for name, value in sorted(groups.items()):
        values[name] = _value(name, value) if name in NESTED | RAW else value
    return code, values


def _value(name, value):
    whole = parse(value)
    if whole is not None:
        return whole
    parts = value.split(SEPARATOR)
    parsed = [parse(part) for part in parts]
    if all(part is None for part in parsed):
        return Said(value) if name in RAW else value
    return [
        sentence if sentence is not None else (Said(part) if name in RAW else part)
        for part, sentence in zip(parts, parsed, strict=True)
    ]


def render(node):
    if isinstance(node, tuple):
        code, values = node
        return TEMPLATES[code] % {name: render(value) for name, value in values.items()}
    if isinstance(node, list):
        return SEPARATOR.join(render(part) for part in node)
    return str(node)


def encode(value, details):
    if isinstance(value, tuple):
        code, values = value
        return {"code": code, "params": {k: encode(v, details) for k, v in values.items()}}
    if isinstance(value, list):
        return [encode(part, details) for part in value]
    if isinstance(value, Said):
        details.append(str(value))
        return {"said": len(details) - 1}
    return value


def convert(text):
    """(code, params, details) for a stored English text, or None to keep it as it is."""
    node = parse(text) if text else None
    if node is None or render(node) != text:
        return None
    details = []
    params = encode(node, details)["params"]
    return node[0], params, details


COLUMNS = (
    ("error_message", "error_code", "error_params", "error_details"),
    ("note", "note_code", "note_params", "note_details"),
    ("waiting_for", "waiting_code", "waiting_params", None),
)


def _convert_row(job):
    changed = set()
    for english, code_field, params_field, details_field in COLUMNS:
        if getattr(job, code_field) or not getattr(job, english):
            continue
        converted = convert(getattr(job, english))
        if converted is None or (details_field is None and converted[2]):
            continue
        code, params, details = converted
        setattr(job, code_field, code)
        setattr(job, params_field, params)
        changed |= {code_field, params_field}
        if details_field:
            setattr(job, details_field, details)
            changed.add(details_field)
    return changed


def forwards(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    texts = (
        (Q(error_code="") & ~Q(error_message=""))
        | (Q(note_code="") & ~Q(note=""))
        | (Q(waiting_code="") & ~Q(waiting_for=""))
    )
    batch, fields = [], set()
    for job in Job.objects.filter(texts).order_by("pk").iterator(chunk_size=BATCH):
        changed = _convert_row(job)
        if changed:
            batch.append(job)
            fields |= changed
        if len(batch) >= BATCH:
            Job.objects.bulk_update(batch, sorted(fields))
            batch, fields = [], set()
    if batch:
        Job.objects.bulk_update(batch, sorted(fields))


class Migration(migrations.Migration):
    dependencies = [("jobs", "0017_job_texts_as_codes")]

    # Backwards the codes are simply left: the English copies were never changed.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
