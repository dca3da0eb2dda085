"""Results: the bytes of each image a provider answered with, checked and written as files before
the ending that records them (endings.py). No database work happens here.

Each result is written under a key made from the job and its position (jobs.storage); a result
that cannot be used (an error entry, bad base64, too large, not an image) becomes a "problem"
line instead, and the job keeps the others.
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings

from jobs import messages as texts
from jobs.messages import JobText, job_text
from jobs.models import Image, ImageOrigin, Job, JobKind
from jobs.provider_text import clean_provider_text, provider_key_of
from jobs.providers import ProviderError, ResultImage
from jobs.providers.download import download_image
from jobs.storage import ImageRejected, ResultDraft, discard_result_files, write_result_files

FROM_SOURCES = (JobKind.EDIT, JobKind.VARIATION)  # the kinds whose images derive from sources


def origin(job: Job) -> ImageOrigin:
    return ImageOrigin.EDITED if job.kind in FROM_SOURCES else ImageOrigin.GENERATED


def sources(job: Job) -> list[Image]:
    return list(job.source_images.all()) if job.kind in FROM_SOURCES else []


def prepare_results(
    job: Job, results: tuple[ResultImage, ...]
) -> tuple[list[ResultDraft], list[JobText]]:
    """Fetch, verify and write each result's files; no database work happens here."""
    drafts: list[ResultDraft] = []
    problems: list[JobText] = []
    for index, item in enumerate(results[: job.n]):
        try:
            data = _result_bytes(job, item)
            revised = clean_provider_text(item.revised_prompt, api_key=provider_key_of(job))
            drafts.append(write_result_files(job, index, data, revised_prompt=revised))
        except (ProviderError, ImageRejected) as error:
            problems.append(job_text(texts.IMAGE_PROBLEM, index=index + 1, error=error.text))
        except BaseException:
            discard_result_files(drafts)
            raise
    return drafts, problems


def shortfall_note(job: Job, drafts: list[ResultDraft], problems: list[JobText]) -> JobText | None:
    """The job's note when it kept fewer images than it asked for (and why, when known)."""
    if len(drafts) >= job.n:
        return None
    if problems:
        return job_text(
            texts.FEWER_IMAGES_BECAUSE,
            stored=len(drafts),
            asked=job.n,
            problems=problems,
        )
    return job_text(texts.FEWER_IMAGES, stored=len(drafts), asked=job.n)


def _result_bytes(job: Job, item: ResultImage) -> bytes:
    limit = settings.STUDIO_RESULT_MAX_BYTES
    if item.error:
        raise ProviderError(item.error, permanent=True)
    if item.b64_json:
        # Base64 is 4 characters for 3 bytes: refuse an oversized one before decoding it.
        if len(item.b64_json) > limit * 4 // 3 + 4:
            raise ProviderError(job_text(texts.TOO_LARGE_MIB, size=limit // 2**20), permanent=True)
        try:
            return base64.b64decode(item.b64_json, validate=False)
        except (binascii.Error, ValueError) as error:
            raise ProviderError(job_text(texts.BAD_BASE64), permanent=True) from error
    if item.url:
        return download_image(
            item.url,
            provider_base_url=job.provider_model().provider.base_url,
            max_bytes=limit,
            timeout=settings.STUDIO_DOWNLOAD_SECONDS,
        )
    raise ProviderError(job_text(texts.NO_URL_NOR_DATA), permanent=True)
