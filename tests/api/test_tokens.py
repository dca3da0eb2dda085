"""Tokens: the /account/tokens/ page, `manage.py apitoken`, and how API jobs show on pages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone

from jobs.models import Provider, ProviderModel
from studio.api.errors import ApiError
from studio.api.tokens import authenticate, create_token, hash_token
from studio.models import ApiToken, Membership, Role, Team
from studio.submit import JobSpec, submit_job

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> HttpRequest:
    return RequestFactory().get("/v1/models", HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def model(db) -> ProviderModel:
    provider = Provider.objects.create(name="relay", base_url="https://relay.example")
    return ProviderModel.objects.create(provider=provider, name="gpt-image-1", dialect="openai")


@pytest.fixture
def teams(alice, design) -> dict[str, Team]:
    """The world's team, where alice is an editor, and one where she only looks."""
    board = Team.objects.create(name="Board", slug="board")
    Membership.objects.create(team=board, user=alice, role=Role.VIEWER)
    return {"design": design, "board": board}


def test_the_page_creates_a_token_shown_once_and_kept_as_a_hash(client, alice, teams, model):
    client.force_login(alice)
    page = client.get("/account/tokens/").content.decode()
    assert "Create token" in page and 'value="design"' in page and 'value="board"' not in page
    created_response = client.post(
        "/account/tokens/",
        {"name": "laptop", "workspace": "design", "models": [model.pk], "credits_cap": 50},
    )
    created = created_response.content.decode()
    token = ApiToken.objects.get()
    assert created_response["Cache-Control"] == "no-store"
    secret = created.split('<code id="new-token" class="token">')[1].split("</code>")[0]
    assert secret.startswith("sk-studio-") and token.token_hash == hash_token(secret)
    assert (token.name, token.team, token.credits_cap) == ("laptop", teams["design"], 50)
    assert list(token.allowed_models.all()) == [model]
    assert not ApiToken.objects.filter(token_hash__contains=secret[10:]).exists()
    again = client.get("/account/tokens/").content.decode()
    assert secret not in again and token.prefix in again and "Never" in again
    assert authenticate(bearer(secret)) == token


def test_revoke_from_the_page_and_nobody_elses(client, alice, bob):
    token, secret = create_token(alice, name="old")
    client.force_login(bob)
    assert client.post(f"/account/tokens/{token.pk}/revoke/", {"confirm": "yes"}).status_code == 404
    client.force_login(alice)
    client.post(f"/account/tokens/{token.pk}/revoke/", {"confirm": "yes"})
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(ApiError) as raised:
        authenticate(bearer(secret))
    assert raised.value.status == 401


def test_the_form_refuses_a_past_expiry(client, alice):
    client.force_login(alice)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = client.post(
        "/account/tokens/", {"name": "x", "workspace": "personal", "expires": yesterday}
    )
    assert "Choose a day from today on." in page.content.decode()
    assert not ApiToken.objects.exists()


def test_last_used_is_recorded(alice):
    token, secret = create_token(alice, name="ci")
    authenticate(bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_apitoken_create_prints_the_token_alone_on_its_last_line(alice, teams, model, capsys):
    call_command(
        "apitoken", "create", "--user", "alice", "--name", "ci", "--workspace", "design",
        "--models", "relay/gpt-image-1", "--expires-days", "7",
    )  # fmt: skip
    secret = capsys.readouterr().out.rstrip("\n").splitlines()[-1]
    token = authenticate(bearer(secret))
    assert (token.name, token.team.slug) == ("ci", "design")
    assert list(token.allowed_models.all()) == [model]
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)

    call_command("apitoken", "list", "--user", "alice")
    listing = capsys.readouterr().out
    assert f"{token.pk}\talice\tci\t{token.prefix}" in listing and secret not in listing
    call_command("apitoken", "revoke", str(token.pk))
    with pytest.raises(ApiError):
        authenticate(bearer(secret))


def test_apitoken_create_refuses_a_team_where_the_person_may_not_create(alice, teams):
    with pytest.raises(CommandError, match="may not create images"):
        call_command("apitoken", "create", "--user", "alice", "--workspace", "board")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("apitoken", "create", "--user", "alice", "--models", "no-such-model")


def test_api_jobs_say_so_on_their_page_and_the_report_groups_by_token(
    client, admin_client, alice, model
):
    token, _ = create_token(alice, name="nightly")
    job = submit_job(JobSpec(owner=alice, model=model, prompt="a moon", api_token=token))
    submit_job(JobSpec(owner=alice, model=model, prompt="by hand"))
    client.force_login(alice)
    assert "via API (nightly)" in client.get(f"/jobs/{job.pk}/").content.decode()
    today = timezone.localdate().isoformat()
    report = admin_client.get(
        "/admin/jobs/ledgerentry/report/",
        {
            "date_from": today,
            "date_to": today,
            "group_by": "token",
            "metric": "images",
            "format": "csv",
        },
    )
    rows = list(csv.reader(io.StringIO(report.content.decode())))
    assert [row[:3] for row in rows] == [  # then the tokens the provider reported, per group
        ["API token", "Images", "Credits"],
        ["alice: nightly", "1", "1"],
        ["(not through the API)", "1", "1"],
    ]
    assert rows[0][3] == "Provider tokens"


def test_an_admin_sets_a_tokens_rate_limit(admin_client, alice):
    token, secret = create_token(alice, name="ci")
    page = admin_client.get(f"/admin/studio/apitoken/{token.pk}/change/").content.decode()
    assert token.prefix in page and token.token_hash not in page and secret not in page
    admin_client.post(
        f"/admin/studio/apitoken/{token.pk}/change/",
        {"name": "ci", "rate_limit_per_minute": 5, "credits_cap": "", "expires_at_0": "",
         "expires_at_1": "", "revoked_at_0": "", "revoked_at_1": ""},
    )  # fmt: skip
    token.refresh_from_db()
    assert token.rate_limit_per_minute == 5
