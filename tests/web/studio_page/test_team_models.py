"""Models per team: admins choose the models a team may use; the form and the server enforce it."""

from __future__ import annotations

import pytest

from jobs.models import Job
from jobs.services import JobSpec, ModelNotAllowed, submit_job
from studio.models import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def design(design, sandbox_models) -> Team:
    """The world's team, allowed dall-e-3 only."""
    design.allowed_models.set([sandbox_models["dall-e-3"]])
    return design


def test_the_form_offers_only_the_teams_models_in_its_workspace(client, alice, design):
    client.force_login(alice)
    team_form = client.get("/generate/fields/", {"operation": "generate", "workspace": "design"})
    assert team_form.context["form"].fields["model"].choices == [
        (design.allowed_models.get().pk, "Sandbox · dall-e-3 (openai, answers with URLs)")
    ]
    personal = client.get("/generate/fields/", {"operation": "generate", "workspace": "personal"})
    assert len(personal.context["form"].fields["model"].choices) > 1


def test_a_model_outside_the_team_is_refused_by_the_form_and_the_service(
    client, alice, design, sandbox_models
):
    client.force_login(alice)
    gpt = sandbox_models["gpt-image-1"]
    response = client.post(
        "/generate/", {"prompt": "a fox", "model": gpt.pk, "workspace": "design"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["model"] == [
        "This model is not available in the chosen workspace."
    ]
    with pytest.raises(ModelNotAllowed, match="not available in the team 'Design'"):
        submit_job(JobSpec(owner=alice, model=gpt, prompt="a fox", team=design))
    assert not Job.objects.exists()
    allowed = client.post(
        "/generate/",
        {"prompt": "a fox", "model": sandbox_models["dall-e-3"].pk, "workspace": "design"},
    )
    assert allowed.status_code == 302
    assert Job.objects.get().team == design
