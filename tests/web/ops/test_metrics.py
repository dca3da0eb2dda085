"""/metrics: Prometheus text with the studio's series, guarded by a token or internal addresses."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from jobs.models import Job, JobStatus, QuotaLimit
from tests.fixtures.polling import wait_for_final
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def scrape(client) -> dict[str, dict[tuple, float]]:
    """{sample name: {sorted label items: value}} from /metrics."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            samples.setdefault(sample.name, {})[labels] = sample.value
    return samples


def test_metrics_show_jobs_durations_polls_errors_and_queue(client, celery_worker, submit):
    synced = wait_for_final(submit("a lighthouse [[fault:429:1]]"))
    polled = wait_for_final(submit("[[pending:2]] a kite", model="gpt-image-1.5"))
    refused = wait_for_final(submit("a forbidden thing [[fault:policy]]"))
    assert synced.status == polled.status == JobStatus.SUCCEEDED
    assert refused.status == JobStatus.FAILED

    samples = scrape(client)
    by_status = {dict(labels)["status"]: value for labels, value in samples["studio_jobs"].items()}
    assert by_status["succeeded"] == 2
    assert by_status["failed"] == 1
    assert by_status["queued"] == 0

    sandbox = polled.provider_name
    errors = {dict(k)["kind"]: v for k, v in samples["studio_provider_errors_total"].items()}
    assert errors == {"rate_limit": 1, "refusal": 1}

    durations = samples["studio_job_duration_seconds_count"]
    key = (("model", "gpt-image-1.5"), ("provider", sandbox), ("status", "succeeded"))
    assert durations[key] == 1
    queued = samples["studio_job_queued_seconds_count"]
    assert sum(queued.values()) == 3
    polls = samples["studio_job_polls_count"]
    assert polls[(("model", "gpt-image-1.5"), ("provider", sandbox))] == 1
    assert samples["studio_job_polls_sum"][(("model", "gpt-image-1.5"), ("provider", sandbox))] >= 1

    assert list(samples["studio_queue_depth"].values()) == [0]
    assert samples["studio_workers_answering"][()] >= 1


def test_metrics_count_quota_refusals(client, alice, sandbox_models):
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, images_per_day=0)
    client.login(username="alice", password=PASSWORD)
    response = client.post(
        "/generate/", {"prompt": "one more", "model": sandbox_models["gpt-image-1"].pk}
    )
    assert response.status_code == 200
    assert "left" in response.content.decode()
    assert not Job.objects.exists()
    client.logout()
    refusals = scrape(client)["studio_quota_refusals_total"]
    assert refusals == {(("period", "day"), ("unit", "images")): 1}


def test_metrics_refuse_outside_addresses_and_proxied_requests(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    proxied = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_FORWARDED": "for=203.0.113.9"},
        {"HTTP_X_REAL_IP": "203.0.113.9"},
        {"HTTP_X_FORWARDED_HOST": "studio.example"},
        {"HTTP_X_FORWARDED_PROTO": "https"},
        {"HTTP_VIA": "1.1 proxy.example"},
        {"HTTP_TRUE_CLIENT_IP": "203.0.113.9"},
        {"HTTP_CF_CONNECTING_IP": "203.0.113.9"},
        {"HTTP_X_CLIENT_IP": "203.0.113.9"},
    ],
    ids=lambda header: next(iter(header)),
)
def test_metrics_refuse_any_request_a_proxy_passed_on(client, header):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", **header).status_code == 403


def test_metrics_with_a_token_require_it_from_everyone(client, settings):
    settings.STUDIO_METRICS_TOKEN = "scrape-secret"
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-it")
    assert wrong.status_code == 401
    right = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer scrape-secret"
    )
    assert right.status_code == 200
    assert b"studio_jobs" in right.content
