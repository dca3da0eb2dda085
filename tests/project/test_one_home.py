"""One home per concept: a job status and a request parameter are each written in one place.

A status is spelled only in `JobStatus` (jobs/models/job.py); everything else names it through
that enum (templates through the job's `is_…` properties). A list of request parameters lives only
in the registry (jobs/parameters.py); other code derives its lists from it. (A dialect's name is
held to the same rule in tests/dialects/test_registry.py, the Celery task names in
tests/engine/test_engine_worker.py.) Places that use the same words with another meaning are
named below with the reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from jobs.models import JobStatus
from jobs.parameters import PARAMETERS

ROOT = Path(__file__).resolve().parents[2]
STATUSES = frozenset(status.value for status in JobStatus)
PARAMETER_NAMES = frozenset(parameter.name for parameter in PARAMETERS)

# Where a status word means something else, and why.
STATUS_WORDS_ELSEWHERE = {
    "jobs/models/job.py": "the home: JobStatus",
    "jobs/dialects": "a provider's own task words (its wire vocabulary), mapped to TaskState",
    "jobs/sandbox": "the provider emulator speaks the providers' words",
    "jobs/providers/base.py": "TaskState: a remote task's state as an adapter reports it",
}
# Where several parameter names are written together for another reason, and why.
PARAMETER_LISTS_ELSEWHERE = {
    "jobs/parameters.py": "the home: the registry",
    "jobs/dialects": "each dialect's wire fields, in its wire order, and its emulation's",
    "jobs/providers/common.py": "OPENAI_STYLE_FIELDS: the wire order openai-style dialects share",
    "jobs/capabilities.py": "model rows: a model's default values, keyed by parameter",
    "studio/api/answers.py": "OpenAI's response object has fields of the same names",
    "studio/api/streaming.py": "OpenAI's streamed events have fields of the same names",
}


def python_modules() -> Iterator[tuple[str, ast.AST]]:
    for path in sorted([*ROOT.glob("jobs/**/*.py"), *ROOT.glob("studio/**/*.py")]):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" not in relative:
            yield relative, ast.parse(path.read_text(encoding="utf-8"))


def excused(relative: str, places: dict[str, str]) -> bool:
    return any(relative == place or relative.startswith(place + "/") for place in places)


def status_literals(tree: ast.AST) -> list[tuple[int, str]]:
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in STATUSES
    ]


def parameter_lists(tree: ast.AST) -> list[tuple[int, list[str]]]:
    """Collections, dict literals and classes that write two or more parameter names."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            words = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        elif isinstance(node, ast.Dict):
            words = [k.value for k in node.keys if isinstance(k, ast.Constant)]
        elif isinstance(node, ast.ClassDef):
            words = [
                s.target.id
                for s in node.body
                if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
            ]
        else:
            continue
        named = [word for word in words if word in PARAMETER_NAMES]
        if len(named) >= 2:
            found.append((node.lineno, named))
    return found


def test_a_status_is_spelled_only_in_jobstatus_in_python() -> None:
    elsewhere = [
        f"{relative}:{line} {word!r}"
        for relative, tree in python_modules()
        if not excused(relative, STATUS_WORDS_ELSEWHERE)
        for line, word in status_literals(tree)
    ]

    assert elsewhere == []


def test_templates_and_scripts_name_no_status() -> None:
    alternatives = "|".join(sorted(STATUSES))
    quoted = re.compile(f"[\"']({alternatives})[\"']")
    files = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("static/js/**/*.js")]
    elsewhere = [
        f"{path.relative_to(ROOT)}:{number} {match.group(1)!r}"
        for path in sorted(files)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in quoted.finditer(line)
    ]

    assert len(files) > 20
    assert elsewhere == []


def test_a_list_of_parameters_is_written_only_in_the_registry() -> None:
    elsewhere = [
        f"{relative}:{line} {names}"
        for relative, tree in python_modules()
        if not excused(relative, PARAMETER_LISTS_ELSEWHERE)
        for line, names in parameter_lists(tree)
    ]

    assert elsewhere == []


def test_the_checks_see_a_second_home() -> None:
    copy = ast.parse(
        'FINAL = {"succeeded", "failed"}\n'
        'PRICED = ("size", "quality")\n'
        "class Request:\n    size: str\n    quality: str\n"
    )

    assert [word for _, word in status_literals(copy)] == ["succeeded", "failed"]
    assert [names for _, names in parameter_lists(copy)] == [
        ["size", "quality"],
        ["size", "quality"],
    ]
