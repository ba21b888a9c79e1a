"""Every process logs one JSON object per line with the same fields, whether the
record comes from structlog, temporalio's loggers or uvicorn."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from temporalio import activity, workflow

from core.logging import configure_logging
from core.settings import Settings
from models.workflow_io import workflow_id_for


@pytest.fixture
def log_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """Configure logging onto a buffer, then put the test run's logging back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    info_on_message = (
        workflow.logger.workflow_info_on_message,
        activity.logger.activity_info_on_message,
    )
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    configure_logging(Settings(log_format="json", log_level="INFO"), "worker")
    try:
        yield stream
    finally:
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()
        root.handlers[:] = handlers
        root.setLevel(level)
        (
            workflow.logger.workflow_info_on_message,
            activity.logger.activity_info_on_message,
        ) = info_on_message


def _records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_structlog_line_carries_bound_ids_and_service(log_lines):
    structlog.contextvars.bind_contextvars(request_id="req-1")
    structlog.get_logger("test.logging").info("tender_started", tender_id="t-1")

    (record,) = _records(log_lines)
    assert record["event"] == "tender_started"
    assert record["tender_id"] == "t-1"
    assert record["request_id"] == "req-1"
    assert record["service"] == "worker"
    assert record["level"] == "info"
    assert record["timestamp"].endswith("Z")


def test_temporal_records_get_workflow_ids_as_fields(log_lines):
    details = {"workflow_id": workflow_id_for("t-7"), "run_id": "r-1", "attempt": 1}
    logging.getLogger("temporalio.workflow").info(
        "reminder_sent", extra={"temporal_workflow": details}
    )

    (record,) = _records(log_lines)
    assert record["event"] == "reminder_sent"
    assert record["workflow_id"] == workflow_id_for("t-7")
    assert record["run_id"] == "r-1"
    assert record["tender_id"] == "t-7"
    assert "temporal_workflow" not in record
    assert workflow.logger.workflow_info_on_message is False


def test_uvicorn_access_line_is_structured(log_lines):
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/healthz", "1.1", 200
    )

    (record,) = _records(log_lines)
    assert record["event"] == "http_request"
    assert record["method"] == "GET"
    assert record["path"] == "/healthz"
    assert record["status"] == 200
    assert "positional_args" not in record


def test_exceptions_are_rendered_into_the_line(log_lines):
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("sqlalchemy.pool").exception("checkout_failed")

    (record,) = _records(log_lines)
    assert record["level"] == "error"
    assert "ValueError: broken" in record["exception"]
