"""Models per team: admins choose the models a team may use; the form and the server enforce it."""

from __future__ import annotations

import pytest

from jobs.models import Job
from studio.models import Team
from studio.submit import JobSpec, ModelNotAllowed, submit_job

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


def test_the_forms_the_api_and_the_submit_give_one_answer_on_usable_models(
    client, alice, design, sandbox_models
):
    """`studio.usable_models` answers for every asker: a disabled model is missing from Generate,
    Compare and the API's list and refused at submit; in the team, only the team's model."""
    from studio.api.tokens import create_token
    from studio.submit import SubmitRefused
    from studio.usable_models import usable_models

    disabled = sandbox_models["dall-e-2"]
    disabled.enabled = False
    disabled.save()
    usable = usable_models(None)
    assert disabled not in usable and len(usable) > 1

    client.force_login(alice)
    generate = client.get("/generate/fields/", {"operation": "generate"}).context["form"]
    assert [pk for pk, _ in generate.fields["model"].choices] == [
        model.pk for model in usable_models(None, operation="generate")
    ]
    compare = client.get("/compare/").context["form"]
    slot_choices = [pk for pk, _ in compare.slots[0].fields["model"].choices if pk != ""]
    assert slot_choices == [model.pk for model in usable_models(None, operation="generate")]
    _token, secret = create_token(alice, name="personal")
    listed = client.get("/v1/models", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["data"]
    assert {model["id"] for model in listed} == {model.name for model in usable}
    with pytest.raises(SubmitRefused, match="is not available any more"):
        submit_job(JobSpec(owner=alice, model=disabled, prompt="a fox"))

    _team_token, team_secret = create_token(alice, name="team", team=design)
    in_team = client.get("/v1/models", HTTP_AUTHORIZATION=f"Bearer {team_secret}").json()["data"]
    assert (
        [model["id"] for model in in_team]
        == ["dall-e-3"]
        == [model.name for model in usable_models(design)]
    )
