"""One log format per process, set up once by each entrypoint.

Our code logs through structlog; stdlib records (temporalio's workflow and activity
loggers, uvicorn, SQLAlchemy) go through the same processors, so every line carries
the service name, the ids bound with ``structlog.contextvars`` and, for Temporal
records, the workflow and activity ids as separate fields.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from structlog.typing import EventDict, Processor
from temporalio import activity, workflow
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)

from core.settings import Settings
from models.workflow_io import workflow_id_for

_TENDER_WORKFLOW_PREFIX = workflow_id_for("")
_TEMPORAL_EXTRAS = ("temporal_workflow", "temporal_activity")
_DROPPED_EXTRAS = ("color_message", "temporal_log")
_QUIET_LOGGERS = {"httpx": logging.WARNING, "httpcore": logging.WARNING}
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def configure_logging(settings: Settings, service: str) -> None:
    """Route structlog and stdlib logging to one handler on stderr."""
    as_json = _wants_json(settings.log_format)
    level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)

    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            structlog.stdlib.PositionalArgumentsFormatter(),
            timestamper,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

    foreign_pre_chain: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.ExtraAdder(),
        _flatten_temporal_details,
        _structure_access_log,
        timestamper,
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    final: list[Processor] = [
        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
        _add_service(service),
        _drop_extras,
    ]
    if as_json:
        final.append(structlog.processors.format_exc_info)
    final.append(renderer)

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=foreign_pre_chain,
            processors=final,
            pass_foreign_args=True,
        )
    )
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)

    for name in _UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    for name, quiet_level in _QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(quiet_level, level))

    # The ids travel as fields (see _flatten_temporal_details), not in the text.
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False


def forward_temporal_core_logs() -> None:
    """Send the SDK core's (Rust) warnings through stdlib logging as well.

    Must run before the first Temporal client of the process is created.
    """
    forwarding = LogForwardingConfig(logger=logging.getLogger("temporalio.core"))
    filter_ = TelemetryFilter(core_level="WARN", other_level="ERROR")
    runtime = Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(filter=filter_, forwarding=forwarding)
        )
    )
    Runtime.set_default(runtime, error_if_already_set=True)


def _wants_json(log_format: str) -> bool:
    if log_format == "auto":
        return not sys.stderr.isatty()
    return log_format == "json"


def _add_service(service: str) -> Processor:
    def add_service(_: Any, __: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return add_service


def _flatten_temporal_details(_: Any, __: str, event_dict: EventDict) -> EventDict:
    for key in _TEMPORAL_EXTRAS:
        details = event_dict.pop(key, None)
        if isinstance(details, dict):
            for field, value in details.items():
                event_dict.setdefault(field, value)
    workflow_id = event_dict.get("workflow_id")
    if isinstance(workflow_id, str) and workflow_id.startswith(_TENDER_WORKFLOW_PREFIX):
        event_dict.setdefault(
            "tender_id", workflow_id.removeprefix(_TENDER_WORKFLOW_PREFIX)
        )
    return event_dict


def _structure_access_log(_: Any, __: str, event_dict: EventDict) -> EventDict:
    args = event_dict.pop("positional_args", None)
    record = event_dict.get("_record")
    if record is None or record.name != "uvicorn.access":
        return event_dict
    if isinstance(args, tuple) and len(args) == 5:
        client, method, path, http_version, status = args
        event_dict.update(
            event="http_request",
            client=client,
            method=method,
            path=path,
            http_version=http_version,
            status=status,
        )
    return event_dict


def _drop_extras(_: Any, __: str, event_dict: EventDict) -> EventDict:
    for key in _DROPPED_EXTRAS:
        event_dict.pop(key, None)
    return event_dict
