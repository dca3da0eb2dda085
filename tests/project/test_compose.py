"""docker-compose.yml checked against the Compose specification, offline (no Docker engine)."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def test_compose_file_matches_the_compose_specification():
    check = Path(sys.executable).with_name("check-jsonschema")
    assert check.exists() or shutil.which("check-jsonschema")
    result = subprocess.run(
        [str(check), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_web_worker_and_beat_share_one_service_block_and_wait_for_healthy_services():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    images = {services[name]["image"] for name in ("web", "worker", "beat")}
    assert images == {"image-studio:latest"}
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["minio-bucket"]["condition"] == "service_completed_successfully"
    for name in ("redis", "postgres", "minio", "web"):
        assert "healthcheck" in services[name], name
    assert "gunicorn" in services["web"]["command"]
    assert services["web"]["environment"]["AWS_STORAGE_BUCKET_NAME"] == "studio"


def test_the_image_collects_hashed_static_files_at_build_time():
    web = yaml.safe_load(COMPOSE.read_text())["services"]["web"]
    assert "manage.py collectstatic --noinput" in web["build"]["dockerfile_inline"]
    assert web["environment"]["STUDIO_STATIC_MANIFEST"] == "true"
