"""`python -m devstack` as a developer runs it: the real dev server, worker and API
processes, on ports of their own and in a temporary data directory."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from core.settings import Settings
from core.tokens import issue_token
from models.actors import Role
from models.workflow_io import workflow_id_for
from tests.api.builders import tender_form
from workflows import search_attributes

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 120
SHUTDOWN_SECONDS = 90
PROBE_STATUS = "DEVSTACK_PROBE"
JWT_SECRET = "devstack-test-signing-key-of-enough-length"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class StackConfig:
    data_dir: Path
    temporal_port: int
    api_port: int
    env: dict[str, str]

    @property
    def temporal_address(self) -> str:
        return f"127.0.0.1:{self.temporal_port}"


class Launcher:
    """One `python -m devstack` process, its output kept in a file."""

    def __init__(self, config: StackConfig, log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("wb") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "devstack"],
                cwd=ROOT,
                env=config.env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def child_pids(self) -> dict[str, int]:
        pids = {}
        for line in self.output().splitlines():
            if not line.startswith("{"):
                continue
            event = json.loads(line)
            if event.get("event") == "child_started":
                pids[event["child"]] = event["pid"]
        return pids

    def wait_until_serving(self, api_port: int) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"launcher exited early:\n{self.output()}")
            try:
                response = httpx.get(f"http://127.0.0.1:{api_port}/healthz", timeout=2)
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        pytest.fail(f"API not healthy after {STARTUP_SECONDS}s:\n{self.output()}")

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=SHUTDOWN_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"launcher still running after SIGINT:\n{self.output()}")

    def ensure_stopped(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=SHUTDOWN_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def config(tmp_path: Path) -> StackConfig:
    temporal_port, ui_port, api_port = _free_port(), _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENDER_")}
    env.update(
        TENDER_DATA_DIR=str(tmp_path / "var"),
        TENDER_TEMPORAL_PORT=str(temporal_port),
        TENDER_TEMPORAL_UI_PORT=str(ui_port),
        TENDER_API_PORT=str(api_port),
        TENDER_SMTP_PORT=str(_free_port()),
        TENDER_LOG_FORMAT="json",
        TENDER_JWT_SECRET=JWT_SECRET,
        TENDER_WORKER_SHUTDOWN_GRACE_SECONDS="10",
    )
    return StackConfig(tmp_path / "var", temporal_port, api_port, env)


@pytest.fixture
def launch(config: StackConfig, tmp_path: Path) -> Iterator:
    started: list[Launcher] = []

    def start() -> Launcher:
        launcher = Launcher(config, tmp_path / f"launcher-{len(started)}.log")
        started.append(launcher)
        return launcher

    yield start
    for launcher in started:
        launcher.ensure_stopped()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _assert_gone(pids: dict[str, int]) -> None:
    survivors = {name: pid for name, pid in pids.items() if _alive(pid)}
    assert not survivors, f"outlived the launcher: {survivors}"


async def _registered_search_attributes(address: str) -> dict[str, int]:
    client = await Client.connect(address)
    response = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace="default")
    )
    return dict(response.custom_attributes)


async def _start_probe(address: str, workflow_id: str) -> None:
    """A run no worker picks up: it stays open, so it must survive a restart."""
    client = await Client.connect(address)
    await client.start_workflow(
        "devstack-probe",
        id=workflow_id,
        task_queue=f"devstack-probe-{workflow_id}",
        search_attributes=TypedSearchAttributes(
            [SearchAttributePair(search_attributes.TENDER_STATUS, PROBE_STATUS)]
        ),
    )


async def _probe_after_restart(address: str, workflow_id: str) -> tuple[str, list[str]]:
    client = await Client.connect(address)
    description = await client.get_workflow_handle(workflow_id).describe()
    query = f"{search_attributes.TENDER_STATUS.name} = '{PROBE_STATUS}'"
    listed = [run.id async for run in client.list_workflows(query)]
    return description.status, listed


def _broker_headers() -> dict[str, str]:
    settings = Settings(_env_file=None, jwt_secret=JWT_SECRET)
    token = issue_token(settings, sub="devstack.broker", role=Role.BROKER, org="ds-org")
    return {"Authorization": f"Bearer {token}"}


def _start_tender(api_port: int) -> dict:
    response = httpx.post(
        f"http://127.0.0.1:{api_port}/tenders",
        json=tender_form(),
        headers={**_broker_headers(), "Idempotency-Key": str(uuid.uuid4())},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _read_tender(api_port: int, tender_id: str) -> dict:
    response = httpx.get(
        f"http://127.0.0.1:{api_port}/tenders/{tender_id}",
        headers=_broker_headers(),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _workflow_status(address: str, workflow_id: str) -> WorkflowExecutionStatus:
    client = await Client.connect(address)
    description = await client.get_workflow_handle(workflow_id).describe()
    return description.status


def test_stack_starts_stops_cleanly_and_keeps_its_data(config, launch):
    first = launch()
    first.wait_until_serving(config.api_port)
    pids = first.child_pids()
    assert set(pids) == {"temporal", "mailcatcher", "worker", "api"}

    registered = asyncio.run(_registered_search_attributes(config.temporal_address))
    for key in search_attributes.ALL:
        assert registered.get(key.name) == key.indexed_value_type, key.name

    workflow_id = f"devstack-probe-{uuid.uuid4()}"
    asyncio.run(_start_probe(config.temporal_address, workflow_id))
    tender = _start_tender(config.api_port)

    assert first.interrupt() == 0, first.output()
    _assert_gone(pids)
    assert (config.data_dir / "temporal.db").exists()
    assert (config.data_dir / "tenders.db").exists()

    second = launch()
    second.wait_until_serving(config.api_port)
    status, listed = asyncio.run(
        _probe_after_restart(config.temporal_address, workflow_id)
    )
    assert status == WorkflowExecutionStatus.RUNNING
    assert listed == [workflow_id]

    tender_id = tender["tender_id"]
    detail = _read_tender(config.api_port, tender_id)
    assert detail["tender"]["status"] == tender["status"]
    assert detail["live"] is not None
    tender_workflow = workflow_id_for(tender_id)
    assert (
        asyncio.run(_workflow_status(config.temporal_address, tender_workflow))
        == WorkflowExecutionStatus.RUNNING
    )

    second_pids = second.child_pids()
    assert second.interrupt() == 0, second.output()
    _assert_gone(second_pids)


def test_stack_refuses_a_taken_port(config, launch):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", config.api_port))
        squatter.listen()
        launcher = launch()
        assert launcher.process.wait(timeout=60) == 1
    assert f"port {config.api_port} (API) is already in use" in launcher.output()
    assert launcher.child_pids() == {}
