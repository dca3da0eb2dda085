"""A provider's words never carry the key to people: text is cleaned, usage keeps known counters."""

from __future__ import annotations

import base64
import binascii
import logging
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs import engine
from jobs.models import Job, JobStatus
from jobs.provider_text import clean_provider_text, clean_usage
from jobs.providers.classify import classify_error, error_details
from studio.api.tokens import create_token
from studio.logs import JsonFormatter

# Not shaped like any well-known key, so only knowing the key itself can hide it.
RELAY_KEY = "relay7f3a9c2e1b4d8e6f"


def test_the_key_is_redacted_wherever_it_appears():
    text = f"denied for {RELAY_KEY} (header Authorization: Bearer {RELAY_KEY})"
    cleaned = clean_provider_text(text, api_key=RELAY_KEY)
    assert RELAY_KEY not in cleaned
    assert cleaned.startswith("denied for [redacted]")


def test_a_key_cut_off_at_the_end_is_still_redacted():
    cleaned = clean_provider_text(f"status {RELAY_KEY[:12]}", api_key=RELAY_KEY)
    assert cleaned == "status [redacted]"


@pytest.mark.parametrize(
    "secret",
    [
        "Bearer abc.def-ghi",
        "sk-proj-0123456789abcdef",
        "api_key=zzzz9999",
        '"authorization": "Basic dXNlcjpwYXNz"',
    ],
)
def test_other_tokens_are_redacted_too(secret):
    cleaned = clean_provider_text(f"failed: {secret} !", api_key="")
    assert "[redacted]" in cleaned
    for part in ("abc.def-ghi", "0123456789abcdef", "zzzz9999", "dXNlcjpwYXNz"):
        assert part not in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "The provider refused the prompt: unsafe content [policy].",
        "a slice of key-lime-pie on a blue plate",
    ],
)
def test_ordinary_words_are_kept(text):
    assert clean_provider_text(text, api_key=RELAY_KEY) == text


def test_usage_keeps_only_known_numeric_counters():
    usage = {
        "input_tokens": 10,
        "output_tokens": "sk-leaked-0123456789",
        "total_tokens": 10.5,
        "api_key": RELAY_KEY,
        "images": True,
        "input_tokens_details": {"text_tokens": 3, "note": RELAY_KEY},
        "output_tokens_details": "nope",
    }
    assert clean_usage(usage) == {
        "input_tokens": 10,
        "total_tokens": 10.5,
        "input_tokens_details": {"text_tokens": 3},
    }
    assert clean_usage(["not", "a", "dict"]) == {}


# --- end to end through the sandbox, which echoes the key when told `[[echo_key]]` ----------------


@pytest.fixture
def relay_models(sandbox_models):
    provider = sandbox_models["gpt-image-1"].provider
    provider.set_api_key(RELAY_KEY)
    provider.save()
    return sandbox_models


def run_to_the_end(job: Job) -> Job:
    engine.run_job(job.pk)
    for _poll in range(40):
        job.refresh_from_db()
        if job.is_final:
            return job
        time.sleep(0.1)
        Job.objects.filter(pk=job.pk).update(due_at=timezone.now())
        engine.poll_job(job.pk)
    raise AssertionError(f"job still {job.status}")


def pages_of(client, job: Job) -> str:
    pages = [reverse("job-detail", args=[job.pk]), reverse("job-status", args=[job.pk])]
    pages += [reverse("image-detail", args=[image.pk]) for image in job.images.all()]
    return "".join(client.get(page).content.decode() for page in pages)


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["gpt-image-1.5", "wanx2.1-t2i-turbo"])
def test_a_failure_reason_and_usage_that_echo_the_key_never_reach_the_page(
    client, alice, relay_models, submit, model
):
    job = run_to_the_end(submit("a quiet bay [[pending:0]] [[final:failed]] [[echo_key]]", model))
    assert job.status == JobStatus.FAILED
    assert "[redacted]" in job.error_message
    assert RELAY_KEY not in job.error_message + repr(job.usage) + repr(job.error_details)
    client.force_login(alice)
    assert RELAY_KEY not in pages_of(client, job)


@pytest.mark.django_db
def test_per_image_errors_and_usage_that_echo_the_key_never_reach_the_image_page(
    client, alice, relay_models, submit
):
    job = run_to_the_end(
        submit("two boats [[pending:0]] [[fewer:1]] [[echo_key]]", "wanx2.1-t2i-turbo", n=2)
    )
    assert job.status == JobStatus.SUCCEEDED and job.images.count() == 1
    assert "[redacted]" in job.note
    assert job.usage == {"image_count": 1}
    client.force_login(alice)
    assert RELAY_KEY not in pages_of(client, job)


# --- any piece of the key, in any case or base64, before any cut ------------------------------

PIECE = 8
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{12,}={0,2}")


def key_pieces_in(text: str, key: str = RELAY_KEY) -> list[str]:
    """Every 8-character piece of `key` found in `text`: as written, in any letter case, or
    inside anything that decodes as base64 (at any alignment)."""
    wanted = {key[i : i + PIECE].lower() for i in range(len(key) - PIECE + 1)}
    found = [piece for piece in wanted if piece in text.lower()]
    for run in _BASE64_RUN.findall(text):
        for start in range(4):
            chunk = run[start:].rstrip("=")
            chunk = chunk[: len(chunk) - len(chunk) % 4]
            try:
                decoded = base64.b64decode(chunk, altchars=b"-_" if "-" in chunk else None)
            except (binascii.Error, ValueError):
                continue
            plain = decoded.decode("latin-1").lower()
            found += [f"base64:{piece}" for piece in wanted if piece in plain]
    return found


@pytest.mark.parametrize("cut", [3, 5, 8, 12])
def test_a_key_cut_at_either_end_leaves_no_piece_of_it(cut):
    text = f"began {RELAY_KEY[cut:]} and ended {RELAY_KEY[:-cut]}!"
    assert key_pieces_in(clean_provider_text(text, api_key=RELAY_KEY)) == []


def test_the_key_in_other_letter_cases_or_base64_is_redacted():
    basic = base64.b64encode(f"api:{RELAY_KEY}".encode()).decode()
    for shift in ("", "x", "xy"):  # the key at each of base64's three alignments
        alone = base64.b64encode(f"{shift}{RELAY_KEY}".encode()).decode()
        text = f"KEY={RELAY_KEY.upper()} key={RELAY_KEY.title()} creds={alone} Basic {basic}"
        cleaned = clean_provider_text(text, api_key=RELAY_KEY)
        assert key_pieces_in(cleaned) == [], cleaned
        assert cleaned.startswith("KEY=[redacted]")


@pytest.mark.parametrize("before", range(270, 300, 3))
def test_a_long_provider_message_is_redacted_before_it_is_cut(before):
    """Wherever the cut falls, no piece of the key is left before it (finding 2 of issue 19)."""
    body = {"error": {"message": "r" * before + f" key={RELAY_KEY} " + "r" * 50, "code": "x"}}
    code, message = error_details(body)
    error = classify_error(status=400, code=code, message=message, api_key=RELAY_KEY)
    assert key_pieces_in(error.message) == []
    plain_code, plain = error_details("p" * before + RELAY_KEY + "p" * 50)
    error = classify_error(status=500, code=plain_code, message=plain, api_key=RELAY_KEY)
    assert key_pieces_in(error.message) == []


# Each form a careless relay echoes the key in (the sandbox's `[[echo_key:FORM]]`); `long:N` puts
# N characters of a retry sentence first, so that a length cut falls inside the key: the 300
# characters kept of a plain-text error (long:224) or the 2,000 of a stored text (long:1900).
ECHO_FORMS = ["whole", "cut", "upper", "base64", "long:224", "long:1900"]


def api_error_of(client, job: Job, owner) -> str:
    _, secret = create_token(owner, name="redaction")
    answer = client.get(f"/v1/images/jobs/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    return answer.content.decode()


def everything_shown(client, job: Job, owner, caplog) -> str:
    client.force_login(owner)
    written = JsonFormatter()  # the log line as a log shipper receives it, cut to length
    logged = "\n".join(
        record.getMessage() + "\n" + written.format(record) for record in caplog.records
    )
    stored = job.error_message + job.note + job.remote_status + repr(job.usage)
    stored += repr([job.error_params, job.error_details, job.note_params, job.note_details])
    return "\n".join([stored, pages_of(client, job), api_error_of(client, job, owner), logged])


@pytest.mark.django_db
@pytest.mark.parametrize("form", ECHO_FORMS)
def test_a_refusal_that_echoes_the_key_shows_no_piece_of_it_anywhere(
    client, alice, relay_models, submit, caplog, form
):
    caplog.set_level(logging.INFO)
    job = run_to_the_end(submit(f"a red boat [[fault:400]] [[echo_key:{form}]]", "gpt-image-1"))
    assert job.status == JobStatus.FAILED and "HTTP 400" in job.error_message
    assert key_pieces_in(everything_shown(client, job, alice, caplog)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("form", ECHO_FORMS)
@pytest.mark.parametrize("fault", ["500:5", "plain"])  # a JSON error, a proxy's plain text
def test_a_retry_note_around_an_echoed_key_shows_no_piece_of_it(
    client, alice, relay_models, submit, caplog, fault, form
):
    caplog.set_level(logging.INFO)
    job = submit(f"a green boat [[fault:{fault}]] [[echo_key:{form}]]", "gpt-image-1")
    engine.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and "trying again" in job.note
    assert key_pieces_in(everything_shown(client, job, alice, caplog)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("form", ECHO_FORMS)
@pytest.mark.parametrize("model", ["gpt-image-1.5", "wanx2.1-t2i-turbo"])
def test_a_failed_task_that_echoes_the_key_shows_no_piece_of_it(
    client, alice, relay_models, submit, caplog, form, model
):
    caplog.set_level(logging.INFO)
    prompt = f"a blue boat [[pending:0]] [[final:failed]] [[echo_key:{form}]]"
    job = run_to_the_end(submit(prompt, model))
    assert job.status == JobStatus.FAILED
    assert key_pieces_in(everything_shown(client, job, alice, caplog)) == []
