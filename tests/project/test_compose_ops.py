"""The compose file wires the probes in and lets workers scale out and stop gracefully."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_the_web_healthcheck_asks_readyz():
    assert "/readyz" in " ".join(services()["web"]["healthcheck"]["test"])


def test_workers_can_be_scaled_out_and_get_time_to_stop():
    worker = services()["worker"]
    # A fixed container name or a published port would make `--scale worker=3` fail.
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker["restart"] == "unless-stopped"
    assert worker["stop_grace_period"] == "330s"
