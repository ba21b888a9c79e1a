from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.testing import ActivityEnvironment

from activities.delivery import DeliveryActivities
from models.projection import DeliveryResult
from tests.activities import builders
from tests.fixtures.smtp import LOCALHOST, free_port

ROOT = Path(__file__).resolve().parents[2]


class Catcher:
    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.folder = data_dir / "mail"
        environment = {
            **os.environ,
            "TENDER_DATA_DIR": str(data_dir),
            "TENDER_SMTP_HOST": LOCALHOST,
            "TENDER_SMTP_PORT": str(self.port),
            "TENDER_LOG_FORMAT": "json",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "core.mailcatcher"],
            cwd=ROOT,
            env=environment,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_until_listening(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"mail catcher exited: {self.process.stderr.read()}")
            try:
                socket.create_connection((LOCALHOST, self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail("mail catcher did not listen in time")

    def stop(self) -> tuple[int, list[dict]]:
        self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=15)
        lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
        return self.process.returncode, lines


@pytest.fixture
def catcher(tmp_path: Path) -> Iterator[Catcher]:
    running = Catcher(tmp_path / "var")
    try:
        running.wait_until_listening()
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.communicate()


async def test_caught_mails_land_as_eml_files_and_the_log_names_ids_only(
    engine: Engine, catcher: Catcher
) -> None:
    job = builders.seed(engine)
    activities = DeliveryActivities(engine, builders.settings(smtp_port=catcher.port))

    result = await ActivityEnvironment().run(activities.deliver_notifications, job)
    exit_code, logs = catcher.stop()

    assert result == DeliveryResult(sent=2)
    files = sorted(catcher.folder.glob("*.eml"))
    messages = [
        BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        for path in files
    ]
    assert sorted(m["Message-ID"] for m in messages) == [
        "<n-t-1-confirmation@tenders.example>",
        "<n-t-1-invitation@tenders.example>",
    ]
    assert exit_code == 0
    caught = [line for line in logs if line["event"] == "mail_caught"]
    assert sorted(line["file"] for line in caught) == [path.name for path in files]
    assert builders.INSURER_EMAIL not in json.dumps(logs)
    assert builders.BROKER_EMAIL not in json.dumps(logs)


def test_a_taken_port_exits_with_an_error(catcher: Catcher, tmp_path: Path) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "core.mailcatcher"],
        cwd=ROOT,
        env={
            **os.environ,
            "TENDER_DATA_DIR": str(tmp_path / "other"),
            "TENDER_SMTP_HOST": LOCALHOST,
            "TENDER_SMTP_PORT": str(catcher.port),
            "TENDER_LOG_FORMAT": "json",
        },
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert second.returncode == 1
    assert "mailcatcher_failed" in second.stderr
