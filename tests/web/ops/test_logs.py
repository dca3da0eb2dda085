"""Structured logs: one JSON object per line with the job's keys; no secrets, no whole prompts."""

import json
import logging

import pytest

from jobs.models import JobStatus
from studio.logs import JsonFormatter, PlainFormatter
from tests.fixtures.services import wait_until
from tests.project.test_settings import manage


def record(message: str, *args, **extra) -> logging.LogRecord:
    entry = logging.LogRecord("jobs.telemetry", logging.WARNING, __file__, 1, message, args, None)
    entry.__dict__.update(extra)
    return entry


def test_a_json_line_carries_the_job_keys():
    line = JsonFormatter().format(
        record("provider error: %s", "busy", job_id="j-1", provider="relay-a", attempt=2)
    )
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "provider error: busy"
    assert entry["job_id"] == "j-1"
    assert entry["provider"] == "relay-a"
    assert entry["attempt"] == 2
    assert entry["level"] == "WARNING"


def test_keys_are_masked_and_long_text_is_cut():
    message = "sent Authorization: Bearer sk-live-abcdef123456 with api_key=hunter2hunter2 " + (
        "a very long prompt " * 200
    )
    entry = json.loads(JsonFormatter().format(record(message)))
    assert "sk-live-abcdef123456" not in entry["message"]
    assert "hunter2hunter2" not in entry["message"]
    assert "[redacted]" in entry["message"]
    assert len(entry["message"]) < 1100
    plain = PlainFormatter().format(record(message, job_id="j-2"))
    assert "sk-live-abcdef123456" not in plain
    assert plain.endswith("[job_id=j-2]")


def test_an_unknown_log_format_stops_start_up_naming_the_variable():
    result = manage("check", STUDIO_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "STUDIO_LOG_FORMAT" in result.stderr


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_logs_each_job_event_as_json_without_the_prompt(celery_worker, submit):
    prompt = "a secret harbour plan " + "with many details " * 10 + "[[fault:500:1]]"
    job = submit(prompt, model="gpt-image-1")

    def ended_lines():
        lines = celery_worker.log_path.read_text().splitlines()
        mine = [json.loads(x) for x in lines if x.startswith("{") and str(job.pk) in x]
        return [x for x in mine if x.get("event") == "job_ended"] and mine

    mine = wait_until(ended_lines, 40, 0.2, message="the job_ended log line")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    events = [x["event"] for x in mine if "event" in x]
    assert events == ["job_started", "provider_error", "job_started", "job_ended"]
    for entry in mine:
        assert entry["provider"] == job.provider_name
        assert entry["model"] == "gpt-image-1"
        assert entry["user_id"] == job.owner_id
    assert [x["attempt"] for x in mine if "event" in x] == [1, 1, 2, 2]
    assert next(x for x in mine if x["event"] == "provider_error")["kind"] == "server_error"
    log = celery_worker.log_path.read_text()
    assert "many details" not in log
    assert "sandbox-key" not in log


def test_a_provider_error_quoting_the_prompt_is_logged_without_it():
    from jobs.telemetry import without_prompt

    prompt = "a castle made of secret recipe number nine"
    quoted = f"Your request was rejected: '{prompt}' is not allowed"
    assert without_prompt(quoted, prompt) == (
        "Your request was rejected: 'a castle made of sec…' is not allowed"
    )
    assert without_prompt("rejected: 'a cat'", "a cat") == "rejected: '[the prompt]'"
    assert without_prompt("busy", prompt) == "busy"


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("redis://:s3cret-Pass@redis.internal:6379/0", "s3cret-Pass"),
        ("rediss://default:Tr0ub4dor&3@cache.example:6380/1", "Tr0ub4dor&3"),
        ("postgres://studio:pg%40pass@db:5432/studio", "pg%40pass"),
        ("amqp://guest:guestpw@rabbit//", "guestpw"),
    ],
)
def test_passwords_in_urls_are_masked_in_every_line(url, password):
    message = f"could not reach {url} (retrying)"
    entry = json.loads(JsonFormatter().format(record(message)))
    plain = PlainFormatter().format(record("%s", message))
    for line in (entry["message"], plain):
        assert password not in line
        assert url.split("@")[1] in line  # the host and what follows stay readable
        assert "[redacted]@" in line
    try:
        raise ConnectionError(f"Error connecting to {url}")
    except ConnectionError:
        import sys

        failed = record("connection failed")
        failed.exc_info = sys.exc_info()
    assert password not in json.loads(JsonFormatter().format(failed))["exception"]
    assert password not in PlainFormatter().format(failed)


def test_the_rate_limiter_without_redis_logs_no_redis_password(caplog, settings):
    from studio.api import ratelimit
    from studio.models import ApiToken
    from tests.fixtures.services import free_port

    settings.REDIS_URL = f"redis://:limiter-pw-42@127.0.0.1:{free_port()}/0"
    ratelimit._redis.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="studio.api.ratelimit"):
            token = ApiToken(token_hash="0" * 64, rate_limit_per_minute=5, user_id=1)
            ratelimit.check_rate_limit(token)
    finally:
        ratelimit._redis.cache_clear()
    [warning] = caplog.records
    for line in (JsonFormatter().format(warning), PlainFormatter().format(warning)):
        assert "127.0.0.1" in line
        assert "limiter-pw-42" not in line
