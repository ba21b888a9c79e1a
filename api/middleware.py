"""Per-request context: a request id on every log line and response, and a last
line of defence that turns an unexpected exception into a 500 problem."""

from __future__ import annotations

import logging
import re
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import internal_error, plain_stack, problem_response

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,100}$")
_SECRET_PATH = re.compile(r"^(/insurer/access/)[^/?\s]+")

log = structlog.get_logger(__name__)


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request = Request(scope)
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as error:
                log.error(
                    "request_failed",
                    method=scope.get("method"),
                    route=_route_template(scope),
                    error_type=type(error).__name__,
                    stack=plain_stack(error),
                )
                if started:
                    raise
                await internal_error(request)(scope, receive, send_with_id)


class BodyLimitMiddleware:
    """Refuses request bodies over `max_bytes` with a 413 problem before they
    are read: at once by Content-Length, or while counting the bytes of a
    chunked body as the application receives them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Request(scope).headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            log.info("request_too_large", content_length=int(declared))
            await self._too_large(scope)(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    log.info("request_too_large", received=received)
                    raise HTTPException(413, self._detail())
            return message

        await self.app(scope, counting_receive, send)

    def _detail(self) -> str:
        return f"The request body may hold at most {self.max_bytes} bytes."

    def _too_large(self, scope: Scope) -> ASGIApp:
        return problem_response(
            Request(scope),
            413,
            "payload_too_large",
            self._detail(),
            headers={"Connection": "close"},
        )


def _route_template(scope: Scope) -> str | None:
    route = scope.get("route")
    return getattr(route, "path", None)


class RedactAccessTokens(logging.Filter):
    """Keeps insurers' link tokens out of the server's access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path = _SECRET_PATH.sub(r"\1***", args[2])
            record.args = (*args[:2], path, *args[3:])
        return True


def redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactAccessTokens) for f in access.filters):
        access.addFilter(RedactAccessTokens())
