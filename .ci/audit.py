"""`make audit`: the dependency audit. Two reports over what `make install` put in .venv (the pins
of pyproject.toml, with [dev], and what they pulled in):

1. Known vulnerabilities: pip-audit against PyPI's advisory data (the OSV records PyPI shows for
   each release). A package it could not look up counts as a failure, not as clean.
2. Pins behind a patch release (same major.minor): fixes, security ones included, land there
   first, and taking one is the cheapest upgrade. Reported, not fatal.

Exit status 1 when (1) found a vulnerability or could not audit every package. Apart from
`make test` on purpose: it needs the network, and a new advisory must not turn the tests red.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
PIP_AUDIT = ROOT / ".venv-audit" / "bin" / "pip-audit"


def run(command: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    # Our own fixed commands: pip of the studio's venv and pip-audit of the audit's.
    return subprocess.run(command, capture_output=True, text=True, check=check)  # noqa: S603


def pip(*args: str) -> str:
    return run([*PIP, *args]).stdout


def installed_requirements() -> Path:
    frozen = pip("freeze", "--exclude-editable")
    path = ROOT / "var" / "audit" / "requirements.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(frozen)
    return path


def known_vulnerabilities() -> bool:
    """Prints what pip-audit found; True when every package was audited and none is affected."""
    print("== Known vulnerabilities: pip-audit against PyPI's advisory data ==")
    command = [str(PIP_AUDIT), "--requirement", str(installed_requirements()), "--no-deps"]
    command += ["--disable-pip", "--vulnerability-service", "pypi", "--format", "json"]
    command += ["--progress-spinner", "off"]
    answer = run(command, check=False)
    try:
        packages = json.loads(answer.stdout)["dependencies"]
    except (json.JSONDecodeError, KeyError):
        print(f"pip-audit did not run (exit {answer.returncode}):\n{answer.stderr[-2000:]}")
        return False
    affected = [p for p in packages if p.get("vulns")]
    skipped = [p for p in packages if p.get("skip_reason")]
    for package in affected:
        for vuln in package["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            name = f"{package['name']} {package['version']}"
            print(f"{name}: {vuln['id']} ({aliases}) fixed in {fixed}")
    audited = len(packages) - len(skipped)
    print(f"{audited} of {len(packages)} packages audited, {len(affected)} affected.")
    if skipped:
        names = ", ".join(p["name"] for p in skipped[:8]) + (", …" if len(skipped) > 8 else "")
        print(
            f"Not audited: {len(skipped)} ({names}): {skipped[0]['skip_reason']}\n"
            "PyPI's advisory data is read from pypi.org/pypi/NAME/VERSION/json; "
            "where that is out of reach the audit cannot vouch for these packages."
        )
    return not affected and not skipped


def pins() -> dict[str, Version]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        lines += extra
    found = {}
    for line in lines:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^;\s]+).*", line)
        if match:
            found[canonicalize_name(match[1])] = Version(match[3])
    return found


def releases(name: str) -> list[Version]:
    listed = re.search(r"Available versions: (.*)", pip("index", "versions", name))
    versions = []
    for text in listed[1].split(", ") if listed else []:
        try:
            versions.append(Version(text))
        except InvalidVersion:
            continue
    return versions


def newest_patch(pinned: Version, latest: Version, name: str) -> Version | None:
    # `pip list --outdated` names only the newest release; the pinned line is asked for only
    # when that one is a minor or major release ahead.
    candidates = [latest] if latest.release[:2] == pinned.release[:2] else releases(name)
    newer = [
        v
        for v in candidates
        if v.release[:2] == pinned.release[:2] and v > pinned and not v.is_prerelease
    ]
    return max(newer, default=None)


def patch_releases() -> None:
    print("== Pins of pyproject.toml behind a patch release ==")
    pinned = pins()
    outdated = pip("list", "--outdated", "--format=json")
    behind = []
    for package in json.loads(outdated):
        name = canonicalize_name(package["name"])
        if name in pinned:
            patch = newest_patch(pinned[name], Version(package["latest_version"]), name)
            if patch:
                behind.append(f"{name}=={pinned[name]} -> {patch}")
    print("\n".join(behind) if behind else "none: every pin is its line's newest patch release")


def main() -> int:
    clean = known_vulnerabilities()
    try:
        patch_releases()
    except (subprocess.CalledProcessError, json.JSONDecodeError) as error:
        print(f"(could not ask the package index: {error})")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
