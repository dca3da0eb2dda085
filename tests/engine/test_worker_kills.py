"""A worker killed in the middle of each kind of hop: the job ends exactly once, never sent twice.

Workers here take over a dead one's job within seconds (QUICK_TAKEOVER). In a file of its own so
that these waits run beside test_engine_worker.py's, in another test process.
"""

from __future__ import annotations

import pytest

from jobs.models import JobStatus
from tests.engine.helpers import assert_books_balance, provider_submits
from tests.fixtures.polling import wait_for_final
from tests.fixtures.services import QUICK_TAKEOVER, wait_until

pytestmark = [pytest.mark.long, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("hop", "model", "prompt", "started"),
    [
        ("submit", "gpt-image-1", "killed mid-submit [[delay:4]]", "submit"),
        ("download", "dall-e-2", "killed while saving [[slowfile:4]]", "file"),
        ("poll", "gpt-image-1.5", "killed while polling [[pending:4]]", "poll"),
    ],
)
def test_a_worker_killed_during_a_hop_ends_the_job_exactly_once(
    worker_pool, submit, sandbox, url_answers, hop, model, prompt, started
):
    worker_pool.ensure(QUICK_TAKEOVER)
    params = {"size": "256x256"} if model == "dall-e-2" else {}
    job = submit(prompt, model=model, n=2, **params)

    def hop_started() -> bool:
        paths = [r["path"] for r in sandbox.requests()]
        if started == "file":
            return any(p.startswith("/files/") for p in paths)
        if started == "poll":
            return any(
                r["method"] == "GET" and "/generation/" in r["path"] for r in sandbox.requests()
            )
        return bool(provider_submits(sandbox))

    wait_until(hop_started, 30, 0.05, message=f"the {hop} hop to start")
    worker_pool.current.kill()
    worker_pool.ensure(QUICK_TAKEOVER)
    job = wait_for_final(job, 90)
    assert job.attempts == 1  # never sent to the provider twice
    if hop == "poll":  # the remote task is still there: another worker polls it to the end
        assert job.status == JobStatus.SUCCEEDED, job.error_message
        assert_books_balance(job, sandbox, images=2)
    else:  # the provider may have done the work: not sent again, ended and refunded
        assert job.status == JobStatus.FAILED
        assert "not sent again" in job.error_message
        assert_books_balance(job, sandbox, images=0)
