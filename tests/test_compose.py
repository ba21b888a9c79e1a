"""The compose stack stays wired as documented: pinned images, jobs in order, and
the search attributes the workflow upserts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from devstack.temporal import cli_type
from workflows import search_attributes

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.temporal.yml"


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def _images(services: dict[str, Any]) -> dict[str, str]:
    return {name: spec["image"] for name, spec in services.items() if "image" in spec}


def _conditions(service: dict[str, Any]) -> dict[str, str]:
    return {name: dep["condition"] for name, dep in service["depends_on"].items()}


def _published(service: dict[str, Any]) -> set[str]:
    return {str(port) for port in service.get("ports", [])}


def test_stack_has_every_service(services):
    assert set(services) >= {
        "postgresql",
        "temporal-schema",
        "temporal",
        "temporal-namespace",
        "temporal-search-attributes",
        "temporal-ui",
        "worker",
        "api",
    }


def test_images_are_pinned_and_not_auto_setup(services):
    for name, image in _images(services).items():
        repository, _, tag = image.rpartition(":")
        assert repository and tag, f"{name}: {image} has no tag"
        assert tag != "latest", f"{name}: {image} is not pinned"
        assert "auto-setup" not in repository, f"{name}: auto-setup is deprecated"

    assert _images(services)["temporal"].startswith("temporalio/server:")
    assert _images(services)["temporal-ui"].startswith("temporalio/ui:")
    for job in ("temporal-schema", "temporal-namespace", "temporal-search-attributes"):
        assert _images(services)[job].startswith("temporalio/admin-tools:")


def test_ports_are_published(services):
    assert "7233:7233" in _published(services["temporal"])
    assert "8080:8080" in _published(services["temporal-ui"])
    assert "8000:8000" in _published(services["api"])


def test_servers_have_healthchecks(services):
    for name in ("postgresql", "temporal", "api"):
        assert services[name]["healthcheck"]["test"], name


def test_jobs_run_in_order(services):
    assert _conditions(services["temporal-schema"]) == {"postgresql": "service_healthy"}
    assert _conditions(services["temporal"]) == {
        "temporal-schema": "service_completed_successfully"
    }
    assert _conditions(services["temporal-namespace"]) == {
        "temporal": "service_healthy"
    }
    assert _conditions(services["temporal-search-attributes"]) == {
        "temporal-namespace": "service_completed_successfully"
    }
    for app in ("worker", "api"):
        assert _conditions(services[app]) == {
            "migrate": "service_completed_successfully",
            "temporal-search-attributes": "service_completed_successfully",
        }


def test_job_scripts_exist(services):
    for job in ("temporal-schema", "temporal-namespace", "temporal-search-attributes"):
        (script,) = services[job]["command"]
        assert script.startswith("/deploy/")
        assert (ROOT / "deploy" / script.removeprefix("/deploy/")).is_file()


def test_namespace_gets_explicit_retention(services):
    environment = services["temporal-namespace"]["environment"]
    assert environment["NAMESPACE"] == "default"
    assert environment["RETENTION"]


def test_search_attributes_match_the_workflow(services):
    pairs = services["temporal-search-attributes"]["environment"]["SEARCH_ATTRIBUTES"]
    created = dict(pair.split("=", 1) for pair in pairs.split())

    expected = {key.name: cli_type(key) for key in search_attributes.ALL}
    assert created == expected


def test_worker_and_api_share_image_and_read_model_database(services):
    worker, api = services["worker"], services["api"]
    assert worker["image"] == api["image"]
    assert worker["build"] == api["build"] == "."
    assert worker["command"] == ["python", "worker.py"]
    assert "command" not in api

    url = worker["environment"]["TENDER_DATABASE_URL"]
    assert url == api["environment"]["TENDER_DATABASE_URL"]
    assert url.startswith("postgresql://")
    database = url.rsplit("/", 1)[1]
    assert database not in {"temporal", "temporal_visibility"}
    assert services["temporal-schema"]["environment"]["READ_MODEL_DATABASE"] == database
    assert worker["environment"]["TENDER_TEMPORAL_ADDRESS"] == "temporal:7233"
