"""The engine package's front door: every name it offers resolves, and importing it (as the
settings do, for the task names) loads no model before Django is ready."""

from __future__ import annotations

import subprocess
import sys

import jobs.engine as engine
from jobs.engine import hooks, queue
from tests.fixtures.services import ROOT


def test_every_entry_point_resolves_to_the_module_that_defines_it():
    for name in engine.__all__:
        value = getattr(engine, name)
        if name == "job_succeeded":  # a Signal instance: its class is Django's
            assert value is hooks.job_succeeded
        elif name.endswith("_TASK"):  # a task name
            assert value == getattr(queue, name)
        else:
            assert value.__module__.startswith("jobs.engine."), (name, value.__module__)


def test_the_task_names_import_without_django():
    code = (
        "import sys; from jobs.engine import RUN_TASK, POLL_TASK, SWEEP_TASK; "
        "assert 'jobs.models' not in sys.modules; print(RUN_TASK, POLL_TASK, SWEEP_TASK)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == [
        "jobs.tasks.run_job",
        "jobs.tasks.poll_job",
        "jobs.tasks.sweep_due_jobs",
    ]
