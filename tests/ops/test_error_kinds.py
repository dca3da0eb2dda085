"""Provider failures are counted (`studio_provider_errors{kind}`) by their code and status, not by
the words of their message."""

from __future__ import annotations

import pytest

from jobs import messages as texts
from jobs.messages import job_text
from jobs.providers import ProviderError
from jobs.telemetry import error_kind


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ProviderError(job_text(texts.LIMITING, where="error", message="busy"), permanent=False),
         "rate_limit"),
        (ProviderError("anything", permanent=False, status=429), "rate_limit"),
        (ProviderError(job_text(texts.REFUSED_PROMPT, message="no"), permanent=True),
         "refusal"),
        (ProviderError(job_text(texts.NETWORK_TIMEOUT, error="ReadTimeout", detail="slow"),
                       permanent=False), "timeout"),
        (ProviderError(job_text(texts.TEMPORARY_PROBLEM, where="HTTP 503", message="down"),
                       permanent=False, status=503), "server_error"),
        (ProviderError(job_text(texts.NETWORK_UNREACHABLE, error="ConnectionError", detail="x"),
                       permanent=False), "network"),
        # Words that merely look like ours count as nothing in particular.
        (ProviderError("The provider refused the prompt: limiting requests", permanent=True),
         "other"),
    ],
)  # fmt: skip
def test_each_failure_is_counted_by_its_code(error, kind):
    assert error_kind(error) == kind
