"""The suite's one cast and one world builder, for the tests and for bench alike.

The cast is a team as the studio defines it (studio.models.Role) and the people around it:

    persona    username  in the world
    owner      olive     owner of the team Design: manages its members and roles
    editor     alice     editor in Design: generates, shares, organises (the suite's usual person)
    viewer     vic       viewer in Design: looks and downloads
    outsider   bob       in no team of theirs: owner of another team, Ops
    staff      sam       a staff admin (adds people, creates teams), in no team

Every person's password is PASSWORD. Nothing exists before it is asked for, and asking twice gives
the same rows: `world.editor` is alice alone, `world.team` is Design with its owner, editor and
viewer, `world.other_team` is Ops with bob, `world.build()` is all of it. The tests reach it
through the fixtures of tests/conftest.py (`world`, `alice`, `bob`, `design`, `sandbox_models`,
`submit`, `stored_image`...); a bench script calls it after `django.setup()`. People beyond the
cast (a crowd for load, someone to delete) come from `create_person`.

Jobs and images are rows made here with made-up file names (`make_job`, `make_image`, and
`fill_team_library` for a big library in bulk), or stored for real (`store_test_image`), or
submitted through the studio's submit rules (`World.submit`, studio.submit); running them is the
engine's part. An image made here in a team is filed into its library, as the job's ending has it
filed (studio.filing, after the ending commits).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Django's models are imported where they are used, never here: a drill or a benchmark imports this
# module (for PASSWORD, the cast) before it sets Django up, or in a process that never does.
if TYPE_CHECKING:
    from jobs.models import Image, Job, ProviderModel
    from studio.models import Team

PASSWORD = "pass-word-123"
SANDBOX_PROVIDERS = Path(__file__).resolve().parents[1] / "jobs" / "sandbox" / "providers.toml"


@dataclass(frozen=True)
class Persona:
    username: str
    role: str | None = None  # the role in the world's team, Design (studio.models.Role)
    is_staff: bool = False


CAST = {
    "owner": Persona("olive", "owner"),
    "editor": Persona("alice", "editor"),
    "viewer": Persona("vic", "viewer"),
    "outsider": Persona("bob"),
    "staff": Persona("sam", is_staff=True),
}
PERSONAS = tuple(CAST)  # ("owner", "editor", "viewer", "outsider", "staff")
TEAM = ("Design", "design")
OTHER_TEAM = ("Ops", "ops")  # the outsider's own team


def create_person(username: str, **extra: Any):
    """The one way to make an account: `username@example.com`, password PASSWORD."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username, f"{username}@example.com", PASSWORD, **extra
    )


class World:
    """The cast, its teams, the sandbox's models and jobs, made on first use and kept."""

    def __init__(self, models: dict[str, ProviderModel] | None = None) -> None:
        self._people: dict[str, Any] = {}
        self._teams: dict[str, Team] = {}
        self._models = models

    # --- people ---------------------------------------------------------------------------------

    def person(self, persona: str):
        """The persona's account (one of PERSONAS), made the first time it is asked for."""
        if persona not in self._people:
            from django.contrib.auth import get_user_model

            cast = CAST[persona]
            found = get_user_model().objects.filter(username=cast.username).first()
            self._people[persona] = found or create_person(cast.username, is_staff=cast.is_staff)
        return self._people[persona]

    @property
    def owner(self):
        return self.person("owner")

    @property
    def editor(self):
        return self.person("editor")

    @property
    def viewer(self):
        return self.person("viewer")

    @property
    def outsider(self):
        return self.person("outsider")

    @property
    def staff(self):
        return self.person("staff")

    def staff_with(self, *codenames: str):
        """The staff admin holding only these permissions of the engine's admin (`jobs` app)."""
        from django.contrib.auth.models import Permission

        self.staff.user_permissions.set(
            Permission.objects.filter(content_type__app_label="jobs", codename__in=codenames)
        )
        return self.staff

    def superuser(self):
        """The staff admin with every right in Django's admin, as `make run`'s first account."""
        staff = self.staff
        if not staff.is_superuser:
            staff.is_superuser = True
            staff.save(update_fields=["is_superuser"])
        return staff

    # --- teams ----------------------------------------------------------------------------------

    @property
    def team(self) -> Team:
        """Design, with the owner, the editor and the viewer in their roles."""
        return self._team(*TEAM, {name: cast.role for name, cast in CAST.items() if cast.role})

    @property
    def other_team(self) -> Team:
        """Ops, owned by the outsider: a team the others are not in."""
        return self._team(*OTHER_TEAM, {"outsider": "owner"})

    def _team(self, name: str, slug: str, roles: dict[str, str]) -> Team:
        if slug not in self._teams:
            from studio.models import Membership, Team

            team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
            for persona, role in roles.items():
                Membership.objects.get_or_create(
                    team=team, user=self.person(persona), defaults={"role": role}
                )
            self._teams[slug] = team
        return self._teams[slug]

    def build(self) -> World:
        """Everyone in place: both teams with their members, and the staff admin."""
        for persona in PERSONAS:
            self.person(persona)
        self._teams_made = (self.team, self.other_team)
        return self

    # --- provider models and jobs ---------------------------------------------------------------

    def sandbox_models(self) -> dict[str, ProviderModel]:
        """The sandbox registered as `make run` registers it (jobs/sandbox/providers.toml, at
        SANDBOX_BASE_URL); {model name: ProviderModel}."""
        from jobs.models import ProviderModel
        from jobs.providers_file import load_providers_file

        load_providers_file(SANDBOX_PROVIDERS)
        models = ProviderModel.objects.select_related("provider").filter(provider__name="sandbox")
        self._models = {model.name: model for model in models}
        return self._models

    def model(self, name: str) -> ProviderModel:
        """A sandbox model already registered (by `sandbox_models`, here or elsewhere)."""
        from jobs.models import ProviderModel

        if self._models is None or name not in self._models:
            models = ProviderModel.objects.select_related("provider")
            self._models = {m.name: m for m in models.filter(provider__name="sandbox")}
        return self._models[name]

    def submit(
        self, prompt: str, model: str = "gpt-image-1", owner=None, n: int = 1, **params: Any
    ) -> Job:
        """A queued job on a sandbox model, through the studio's submit rules (quota reserved);
        the editor's unless `owner` is given."""
        from studio.submit import JobSpec, submit_job

        spec = JobSpec(
            owner=owner or self.editor, model=self.model(model), prompt=prompt, n=n, params=params
        )
        return submit_job(spec)

    def lift_running_limit(self, person, jobs: int = 10_000) -> None:
        """Let one person have `jobs` jobs running at once (a benchmark or a drill submits
        everything as one person: it measures the hosts, not the fairness limit)."""
        from jobs.models import QuotaLimit

        QuotaLimit.objects.update_or_create(
            user=person, scope=QuotaLimit.Scope.USER, defaults={"max_running_jobs": jobs}
        )

    def fill_library(self, images: int, people: list | None = None) -> list[Image]:
        """`images` images in Design's library, made by `people` (the owner and the editor)."""
        return fill_team_library(self.team, people or [self.owner, self.editor], images)


# --- rows: jobs and images with made-up file names (no provider, no storage) ----------------------

_serial = itertools.count()


def make_job(
    owner,
    *,
    prompt: str = "a quiet harbour",
    team=None,
    model_name: str = "gpt-image-1",
    provider_name: str = "sandbox",
    **fields: Any,
) -> Job:
    """A job row; any other Job field (status, n, credits_reserved...) as a keyword."""
    from jobs.models import Job

    return Job.objects.create(
        owner=owner,
        team=team,
        prompt=prompt,
        model_name=model_name,
        provider_name=provider_name,
        **fields,
    )


def make_image(
    owner,
    *,
    team=None,
    origin: str = "generated",
    created_at=None,
    revised_prompt: str = "",
    **job_fields: Any,
) -> Image:
    """An image row of a succeeded job (made with `job_fields`), with made-up file names; in its
    team's library when it has a team."""
    from jobs.models import Image
    from studio.library import add_to_library

    job = make_job(owner, team=team, status="succeeded", **job_fields)
    number = next(_serial)
    image = Image.objects.create(
        owner=owner,
        team=team,
        job=job,
        origin=origin,
        file=f"fake/{number}.png",
        thumbnail=f"fake/{number}-thumb.webp",
        width=64,
        height=64,
        format="PNG",
        bytes=100,
        sha256=f"{number:064d}",
        revised_prompt=revised_prompt,
    )
    if created_at is not None:
        Image.objects.filter(pk=image.pk).update(created_at=created_at)
        image.refresh_from_db()
    if team is not None:
        add_to_library(team, [image], added_by=owner)
    return image


def store_test_image(
    owner, *, team=None, prompt: str = "a quiet harbour", color=(20, 120, 200)
) -> Image:
    """An image stored for real (file and thumbnail), made by a succeeded job (and so, made in a
    team, in its library)."""
    from jobs.models import ImageOrigin
    from jobs.storage import store_image
    from studio.library import add_to_library
    from tests.fixtures.images import png

    job = make_job(owner, team=team, prompt=prompt, status="succeeded")
    image = store_image(
        png(32, 32, color), owner=owner, origin=ImageOrigin.GENERATED, job=job, team=team
    )
    if team is not None:
        add_to_library(team, [image], added_by=owner)
    return image


def fill_team_library(team, people: list, images: int, images_per_job: int = 4) -> list[Image]:
    """`images` images made in `team` by `people`, in its library; some starred, tagged, collected
    (rows in bulk, made-up file names: a big library made fast, for query counts and bench).

    Prompts read "a harbour at dawn, study N"; one in 7 is the first person's favourite, one in 5 is
    tagged "blue", one in 3 is in the collection "Best".
    """
    from jobs.models import Image, ImageOrigin, Job
    from studio.models import Collection, Favourite, LibraryItem, Tag

    jobs = Job.objects.bulk_create(
        [
            Job(
                owner=people[n % len(people)],
                team=team,
                prompt=f"a harbour at dawn, study {n}",
                model_name="gpt-image-1",
                provider_name="sandbox",
                status="succeeded",
                params={"size": "1024x1024"},
            )
            for n in range(images // images_per_job)
        ],
        batch_size=2000,
    )
    rows = Image.objects.bulk_create(
        [
            Image(
                owner=job.owner,
                team=team,
                job=job,
                index=index,
                origin=ImageOrigin.GENERATED,
                file=f"bulk/{job.pk.hex}-{index}.png",
                thumbnail=f"bulk/{job.pk.hex}-{index}.webp",
                width=1024,
                height=1024,
                format="PNG",
                bytes=1,
                sha256="0" * 64,
            )
            for job in jobs
            for index in range(images_per_job)
        ],
        batch_size=2000,
    )
    items = LibraryItem.objects.bulk_create(
        [LibraryItem(team=team, image=image, added_by=image.owner) for image in rows],
        batch_size=2000,
    )
    Favourite.objects.bulk_create([Favourite(user=people[0], image=image) for image in rows[::7]])
    Tag.objects.create(team=team, name="blue").items.add(*items[::5])
    Collection.objects.create(team=team, name="Best").items.add(*items[::3])
    return rows
