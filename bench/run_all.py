"""Run every benchmark in bench/ (each `*.py` but this one, screenshots.py and `_*.py`), one
after the other.

    .venv/bin/python bench/run_all.py            # what `make bench` runs
    .venv/bin/python bench/run_all.py engine_throughput library_page   # only these

Each script runs in its own process with the project's virtualenv Python; its output is shown as
it comes, and a recap at the end gives each one's last line (its summary). Exits non-zero when a
benchmark exits non-zero (a failed job, a missed run, a figure over its target where the script
says so). Record the figures in bench/README.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# Scripts here that measure nothing: this one, and the reviewers' screenshots (`make screenshots`).
NOT_BENCHMARKS = {Path(__file__).name, "screenshots.py"}


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def scripts(only: list[str]) -> list[Path]:
    found = sorted(
        path
        for path in BENCH.glob("*.py")
        if path.name not in NOT_BENCHMARKS and not path.name.startswith("_")
    )
    if only:
        wanted = {name.removesuffix(".py") for name in only}
        unknown = wanted - {path.stem for path in found}
        if unknown:
            raise SystemExit(f"no such benchmark: {', '.join(sorted(unknown))}")
        found = [path for path in found if path.stem in wanted]
    return found


def run(script: Path) -> tuple[int, str, float]:
    """Run one benchmark, echoing its output; return its exit code, last line and duration."""
    started = time.monotonic()
    last = ""
    process = subprocess.Popen(
        [python(), str(script)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            print(f"  {line}", end="", flush=True)
            if line.strip():
                last = line.strip()
        code = process.wait()
    except KeyboardInterrupt:
        # The child got the same Ctrl-C from the terminal and cleans up after itself; wait for it.
        process.wait(60)
        raise
    return code, last, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="benchmark names (default: all)")
    chosen = scripts(parser.parse_args().only)
    results = []
    for script in chosen:
        print(f"== {script.name}", flush=True)
        code, last, seconds = run(script)
        results.append((script.name, code, last, seconds))
        print(f"== {script.name}: exit {code} after {seconds:.0f} s\n", flush=True)
    print("Summary")
    for name, code, last, seconds in results:
        verdict = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"  {name} [{verdict}, {seconds:.0f} s]: {last}")
    return 0 if all(code == 0 for _, code, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
