"""What happens to a job, told once: one structured log line and the matching metrics.

(Pages learn of changes through jobs/events.py, the push channel; this module is for operators.)

The pipeline calls these at its turning points; the log line carries `job_id`, `provider`,
`model`, `user_id` and `attempt` as keys (studio/logs.py writes them as JSON), and never the
prompt or a key.
"""

from __future__ import annotations

import logging

from jobs import messages as texts
from jobs import metrics
from jobs.models import Job
from jobs.provider_text import clean_provider_text, provider_key_of
from jobs.providers.base import ProviderError

logger = logging.getLogger(__name__)


def job_fields(job: Job) -> dict:
    """The keys every log line about this job carries (pass as `extra=`)."""
    return {
        "job_id": str(job.pk),
        "provider": job.provider_name,
        "model": job.model_name,
        "user_id": job.owner_id,
        "attempt": job.attempts,
    }


def job_started(job: Job) -> None:
    """A worker took the job for an attempt."""
    logger.info("job started", extra={**job_fields(job), "event": "job_started"})
    if job.attempts == 1 and job.started_at:
        waited = (job.started_at - job.created_at).total_seconds()
        metrics.observe(metrics.JOB_QUEUED, max(waited, 0.0), job.provider_name, job.model_name)


def provider_failed(job: Job, error: ProviderError) -> None:
    """A provider call failed: its message is logged redacted (whole) first, then shortened."""
    kind = error_kind(error)
    permanence = "permanent" if error.permanent else "transient"
    message = clean_provider_text(error.message, api_key=provider_key_of(job))
    logger.warning(
        "provider error (%s, %s): %s",
        kind,
        permanence,
        without_prompt(message, job.prompt),
        extra={**job_fields(job), "event": "provider_error", "kind": kind},
    )
    metrics.increment(metrics.PROVIDER_ERRORS, job.provider_name, kind)


def job_ended(job: Job) -> None:
    """The job became final: its duration and polls."""
    seconds = None
    if job.started_at and job.finished_at:
        seconds = max((job.finished_at - job.started_at).total_seconds(), 0.0)
    logger.info(
        "job %s after %s s, %d polls",
        job.status,
        "?" if seconds is None else f"{seconds:.2f}",
        job.poll_count,
        extra={**job_fields(job), "event": "job_ended", "status": job.status},
    )
    if seconds is not None:
        provider, model = job.provider_name, job.model_name
        metrics.observe(metrics.JOB_DURATION, seconds, provider, model, job.status)
    if job.remote_task_id:
        metrics.observe(metrics.POLLS_PER_JOB, job.poll_count, job.provider_name, job.model_name)


def quota_refused(period: str, unit: str, user_id: int | None) -> None:
    logger.info(
        "quota refused a submit (%s per %s)",
        unit,
        period,
        extra={"user_id": user_id, "event": "quota_refused"},
    )
    metrics.increment(metrics.QUOTA_REFUSALS, period, unit)


def without_prompt(text: str, prompt: str) -> str:
    """`text` with the prompt, if a provider quoted it, cut to its first words."""
    prompt = prompt.strip()
    if not prompt or prompt not in text:
        return text
    shown = f"{prompt[:20]}…" if len(prompt) > 20 else "[the prompt]"
    return text.replace(prompt, shown)


def error_kind(error: ProviderError) -> str:
    """The kind of a provider failure, as counted in `studio_provider_errors`: by its code."""
    code = error.text.code
    if error.status == 429 or code == texts.LIMITING.code:
        return "rate_limit"
    if code == texts.REFUSED_PROMPT.code:
        return "refusal"
    if code == texts.NETWORK_TIMEOUT.code or error.status in (408, 504):
        return "timeout"
    if error.status is not None and error.status >= 500:
        return "server_error"
    if code == texts.NETWORK_UNREACHABLE.code:
        return "network"
    return "other"
