"""The dialect registry: one folder per dialect, its name written once, everything else reading
the registry; the request built from the parameter registry; the dialects plain Python."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from jobs.dialects import DIALECT_NAMES, REGISTRY, capabilities_for, dialect_choices, get_dialect
from jobs.dialects.grok.adapter import PER_IMAGE_FIELDS
from jobs.models import ProviderModel
from jobs.parameters import PARAMETERS_BY_NAME, VARIATION_FIELDS
from jobs.providers import ImageRequest
from jobs.providers.common import OPENAI_STYLE_FIELDS
from jobs.sandbox.emulation import emulations

ROOT = Path(__file__).resolve().parents[2]
DIALECTS_DIR = ROOT / "jobs" / "dialects"
# Modules that may spell a dialect's name for another reason, and why.
OTHER_MEANINGS = {
    ("studio/settings.py", "task"): "Celery's beat schedule names the task it runs",
}


def test_every_dialect_folder_is_registered_and_every_registered_dialect_is_a_folder():
    folders = {path.parent.name for path in DIALECTS_DIR.glob("*/__init__.py")}

    assert folders == set(DIALECT_NAMES)
    for entry in REGISTRY:
        assert entry.package == f"jobs.dialects.{entry.name}"
        assert type(entry.adapter).__module__ == f"{entry.package}.adapter"
        assert get_dialect(entry.name) is entry.adapter


def test_admin_choices_and_the_capability_lookup_follow_the_registry():
    field = ProviderModel._meta.get_field("dialect")

    assert [name for name, _label in field.choices] == list(DIALECT_NAMES)
    assert dialect_choices() == [(entry.name, entry.label) for entry in REGISTRY]
    for name in DIALECT_NAMES:
        assert capabilities_for(name, "a-model-nobody-knows") == capabilities_for(
            name, "another-model-nobody-knows"
        )


def string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_a_dialect_name_is_written_only_in_its_own_folder():
    names = set(DIALECT_NAMES)
    elsewhere = []
    for path in sorted([*ROOT.glob("jobs/**/*.py"), *ROOT.glob("studio/**/*.py")]):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts:
            continue  # history: a migration records the choices of its day
        own = relative.parts[2] if relative.parts[:2] == ("jobs", "dialects") else None
        elsewhere.extend(
            f"{relative}:{line} {value!r}"
            for line, value in string_constants(path)
            if value in names - {own} and (relative.as_posix(), value) not in OTHER_MEANINGS
        )

    assert elsewhere == []


def test_each_name_is_written_once_in_its_folder_by_its_adapter():
    for entry in REGISTRY:
        folder = DIALECTS_DIR / entry.name
        written = [
            f"{path.relative_to(folder)}:{line}"
            for path in folder.glob("*.py")  # the sandbox may spell model names such as "grok"
            for line, value in string_constants(path)
            if value == entry.name
        ]
        assert written == [next(iter(written))] and written[0].startswith("adapter.py:"), written


def test_every_registered_dialect_has_an_emulation_in_the_sandbox():
    found = emulations()

    assert len(found) == len(REGISTRY)
    assert all(emulation.submits for emulation in found)


def test_the_request_takes_the_registry_parameters_and_no_others():
    request = ImageRequest(model="m", prompt="p", params={"size": "1024x1024", "quality": "low"})

    assert request.value("size") == "1024x1024"
    assert request.value("style") is None
    assert request.value("user") is None
    with pytest.raises(ValueError, match="sise"):
        ImageRequest(model="m", prompt="p", params={"sise": "1024x1024"})
    with pytest.raises(TypeError):
        request.params["size"] = "256x256"  # frozen, as the rest of the request


@pytest.mark.parametrize("names", [OPENAI_STYLE_FIELDS, PER_IMAGE_FIELDS, VARIATION_FIELDS])
def test_the_fields_dialects_send_are_registry_parameters_or_request_fields(names):
    request_fields = {"model", "prompt", "n", "response_format", "user"}

    assert set(names) <= set(PARAMETERS_BY_NAME) | request_fields


def project_imports(path: Path) -> set[str]:
    """The modules `path` imports (absolute names; relative imports resolved)."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            name = node.module or ""
            full = f"{base}.{name}".strip(".") if node.level else name
            found.add(full)
            found.update(f"{full}.{alias.name}" for alias in node.names)
    return found


def module_path(name: str) -> Path | None:
    """The file of a project module or package, None for a name that is not one (a class)."""
    base = ROOT / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def test_the_dialects_and_their_emulations_never_reach_django():
    """Plain Python: every project module the dialect folders (adapters, defaults, emulations)
    import, directly or not, imports no Django (the messages they word errors with included)."""
    todo = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in DIALECTS_DIR.rglob("*.py")]
    seen, django_importers = set(), []
    while todo:
        name = todo.pop().removesuffix(".__init__")
        path = module_path(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        imported = project_imports(path)
        if any(n == "django" or n.startswith("django.") for n in imported):
            django_importers.append(name)
        todo.extend(n for n in imported if n.startswith(("jobs.", "studio.")))

    assert {"jobs.capabilities", "jobs.parameters", "jobs.providers.http", "jobs.messages"} <= seen
    assert django_importers == []
