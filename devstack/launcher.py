"""Start the local stack, watch it, and stop it in reverse order.

Order matters on the way down: the API stops taking requests first, then the
worker finishes its in-flight activities while Temporal is still there to record
them, then Temporal itself stops.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import httpx
import structlog

from core.settings import Settings
from devstack.temporal import dev_server_command, wait_until_ready, worker_is_polling
from store.migrate import upgrade

log = structlog.get_logger(__name__)

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_SECONDS = 90.0
POLL_SECONDS = 0.2
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


class StackFailed(Exception):
    """A child died or did not come up; the message says which."""


class StopRequested(Exception):
    """SIGINT or SIGTERM arrived while the stack was starting."""


@dataclass(frozen=True)
class Port:
    number: int
    purpose: str
    variable: str


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    stop_timeout: float

    def alive(self) -> bool:
        return self.process.poll() is None


def catches_mail(settings: Settings) -> bool:
    """Without a real relay configured, mail goes to the catcher (data_dir/mail)."""
    return settings.smtp_host in LOCAL_HOSTS and not settings.smtp_username


def ports(settings: Settings) -> list[Port]:
    taken = [
        Port(settings.temporal_port, "Temporal frontend", "TENDER_TEMPORAL_PORT"),
        Port(settings.temporal_ui_port, "Temporal UI", "TENDER_TEMPORAL_UI_PORT"),
        Port(settings.api_port, "API", "TENDER_API_PORT"),
    ]
    if catches_mail(settings):
        taken.append(Port(settings.smtp_port, "mail catcher", "TENDER_SMTP_PORT"))
    return taken


def busy_ports(settings: Settings) -> list[Port]:
    return [port for port in ports(settings) if not _port_free(port.number)]


def _port_free(number: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", number))
        except OSError:
            return False
    return True


def _die_with_parent() -> None:
    """Runs in the child before exec: a killed launcher leaves no orphans behind."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Stack:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir = settings.data_dir.resolve()
        self.temporal_address = f"127.0.0.1:{settings.temporal_port}"
        self.api_url = f"http://127.0.0.1:{settings.api_port}"
        self.children: list[Child] = []
        self.stop_requests = 0

    def run(self) -> int:
        busy = busy_ports(self.settings)
        if busy:
            for port in busy:
                print(
                    f"devstack: port {port.number} ({port.purpose}) is already in use."
                    f" Stop whatever listens there or set {port.variable}.",
                    file=sys.stderr,
                )
            return 1

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        try:
            self.start()
        except StopRequested:
            self.stop()
            return 0
        except StackFailed as failure:
            print(f"devstack: {failure}; stopping the stack.", file=sys.stderr)
            self.stop()
            return 1

        self._print_banner()
        failure = self.supervise()
        self.stop()
        if failure:
            print(f"devstack: {failure}; stopped the stack.", file=sys.stderr)
            return 1
        return 0

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log.info("stack_starting", data_dir=str(self.data_dir))

        temporal = self._spawn(
            "temporal", dev_server_command(self.settings, self.data_dir), 20.0
        )
        try:
            wait_until_ready(
                self.temporal_address,
                self.settings.temporal_namespace,
                timeout=STARTUP_TIMEOUT_SECONDS,
                alive=lambda: temporal.alive() and not self.stop_requests,
            )
        except (RuntimeError, TimeoutError) as error:
            self._check()
            raise StackFailed(str(error)) from error
        log.info("temporal_ready", address=self.temporal_address)

        self._check()
        upgrade(self.settings.sqlalchemy_url)

        if catches_mail(self.settings):
            self._spawn("mailcatcher", [sys.executable, "-m", "core.mailcatcher"], 10.0)
            self._wait_for(
                lambda: not _port_free(self.settings.smtp_port),
                f"the mail catcher did not listen on port {self.settings.smtp_port}",
            )

        grace = self.settings.worker_shutdown_grace_seconds
        worker = self._spawn(
            "worker", [sys.executable, str(ROOT / "worker.py")], grace + 10
        )
        self._spawn("api", api_command(), 15.0)
        self._wait_for(
            lambda: self._worker_polls(worker.process.pid),
            f"the worker did not poll task queue {self.settings.task_queue}",
        )
        self._wait_for(self._api_answers, f"the API did not answer on {self.api_url}")
        self._check()

    def supervise(self) -> str | None:
        """Wait for a stop signal (None) or a child's death (what happened)."""
        while not self.stop_requests:
            for child in self.children:
                code = child.process.poll()
                if code is not None:
                    return f"{child.name} exited with code {code}"
            time.sleep(POLL_SECONDS)
        return None

    def stop(self) -> None:
        for child in reversed(self.children):
            self._terminate(child)
        log.info("stack_stopped")

    def _spawn(self, name: str, command: list[str], stop_timeout: float) -> Child:
        process = subprocess.Popen(
            command,
            env=self._child_env(),
            stdin=subprocess.DEVNULL,
            process_group=0,
            preexec_fn=_die_with_parent,
        )
        child = Child(name, process, stop_timeout)
        self.children.append(child)
        log.info("child_started", child=name, pid=process.pid)
        return child

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            TENDER_DATA_DIR=str(self.data_dir),
            TENDER_TEMPORAL_ADDRESS=self.temporal_address,
            TENDER_TEMPORAL_NAMESPACE=self.settings.temporal_namespace,
            TENDER_API_PORT=str(self.settings.api_port),
        )
        default_base_url = Settings.model_fields["public_base_url"].default
        if self.settings.public_base_url == default_base_url:
            env["TENDER_PUBLIC_BASE_URL"] = self.api_url
        return env

    def _terminate(self, child: Child) -> None:
        if child.alive():
            log.info("child_stopping", child=child.name, pid=child.process.pid)
            child.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + child.stop_timeout
            while child.alive() and time.monotonic() < deadline:
                if self.stop_requests > 1:
                    break
                time.sleep(POLL_SECONDS)
            if child.alive():
                log.warning("child_killed", child=child.name, pid=child.process.pid)
                child.process.kill()
        code = child.process.wait()
        log.info("child_stopped", child=child.name, exit_code=code)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.stop_requests += 1
        if self.stop_requests == 1:
            log.info("stop_requested", signal=signal.Signals(signum).name)
        else:
            log.warning("stop_hurried", signal=signal.Signals(signum).name)

    def _check(self) -> None:
        if self.stop_requests:
            raise StopRequested
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                raise StackFailed(f"{child.name} exited with code {code} at startup")

    def _wait_for(self, ready: Callable[[], bool], message: str) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while True:
            self._check()
            if ready():
                return
            if time.monotonic() > deadline:
                raise StackFailed(message)
            time.sleep(POLL_SECONDS * 2)

    def _worker_polls(self, pid: int) -> bool:
        settings = self.settings
        return worker_is_polling(
            self.temporal_address, settings.temporal_namespace, settings.task_queue, pid
        )

    def _api_answers(self) -> bool:
        try:
            httpx.get(f"{self.api_url}/healthz", timeout=2.0)
        except httpx.TransportError:
            return False
        return True

    def _print_banner(self) -> None:
        settings = self.settings
        ui = f"http://127.0.0.1:{settings.temporal_ui_port}"
        lines = [
            "",
            "Tender stack is running:",
            f"  API          {self.api_url}",
            f"  API docs     {self.api_url}/docs",
            f"  Temporal UI  {ui}",
            f"  Temporal     {self.temporal_address}"
            f" (namespace {settings.temporal_namespace},"
            f" task queue {settings.task_queue})",
            f"  Data         {self.data_dir}",
            "Press Ctrl-C to stop.",
            "",
        ]
        print("\n".join(lines), flush=True)


def api_command() -> list[str]:
    return [sys.executable, "-m", "devstack.api"]
