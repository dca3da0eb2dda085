"""The shape the code keeps: modules that fit in a few screens, functions that fit on one.

Checked by parsing the source, so a module or function that grows past its limit fails here by
name. Migrations are generated and not held to it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("jobs", "studio")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def project_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def long_functions(source: str, limit: int) -> list[tuple[str, int]]:
    """(name, lines) of every function or method in `source` longer than `limit` lines."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                found.append((node.name, length))
    return found


def test_no_module_is_longer_than_the_limit() -> None:
    modules = project_modules()
    too_long = {
        str(path.relative_to(ROOT)): count
        for path in modules
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }

    assert len(modules) > 100  # the walk found the packages
    assert too_long == {}


def test_no_function_is_longer_than_the_limit() -> None:
    too_long = {
        str(path.relative_to(ROOT)): found
        for path in project_modules()
        if (found := long_functions(path.read_text(encoding="utf-8"), MAX_FUNCTION_LINES))
    }

    assert too_long == {}


def test_the_function_check_sees_a_long_method() -> None:
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    source = f"class Grown:\n    def grown(self):\n{body}\n"

    assert long_functions(source, MAX_FUNCTION_LINES) == [("grown", MAX_FUNCTION_LINES + 1)]
