"""What ships: the engine and the web app, not the sandbox (an emulator for tests, `make run`)."""

import ast
import importlib
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_packages_leave_the_sandbox_out():
    # Imported here: setuptools builds pkg_resources' view of every installed distribution as it
    # is imported, and every test process collects this file.
    from setuptools import find_packages

    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    packages = set(find_packages(str(ROOT), **found["find"]))
    assert {
        "jobs",
        "jobs.providers",
        "jobs.dialects",
        "jobs.models",
        "studio",
        "studio.api",
    } <= packages
    assert {"jobs.dialects.openai", "jobs.dialects.dashscope"} <= packages
    assert not {p for p in packages if is_sandbox(p)}


def test_the_image_is_built_without_the_sandbox_tests_or_secrets():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {"jobs/sandbox", "jobs/dialects/*/sandbox", "tests", ".env", ".venv"} <= set(ignored)


def is_sandbox(module: str) -> bool:
    """The sandbox's core (jobs.sandbox) or a dialect's emulation (jobs.dialects.<name>.sandbox)."""
    parts = module.split(".")
    return parts[:2] == ["jobs", "sandbox"] or (
        parts[:2] == ["jobs", "dialects"] and parts[3:4] == ["sandbox"]
    )


def test_nothing_in_the_engine_or_the_web_app_imports_the_sandbox():
    importers = []
    for path in [*ROOT.glob("jobs/**/*.py"), *ROOT.glob("studio/**/*.py")]:
        relative = path.relative_to(ROOT).as_posix()
        if is_sandbox(".".join(path.relative_to(ROOT).with_suffix("").parts)):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                if node.level:  # `from .sandbox import ...` beside a dialect's adapter
                    names = [f"{relative.rsplit('/', 1)[0].replace('/', '.')}.{node.module or ''}"]
            if any(is_sandbox(n) for n in names):
                importers.append(relative)
    # Only the command that runs it, and it says so when the sandbox is not installed.
    assert importers == ["jobs/management/commands/sandbox.py"]


def test_the_sandbox_command_explains_itself_where_the_sandbox_is_not_installed(monkeypatch):
    monkeypatch.setitem(sys.modules, "jobs.sandbox", None)  # `import jobs.sandbox` now fails
    import jobs.management.commands.sandbox as command

    try:
        importlib.reload(command)
        with pytest.raises(CommandError, match="not part of this installation"):
            call_command("sandbox")
    finally:
        monkeypatch.undo()
        importlib.reload(command)
