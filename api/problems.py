"""RFC 9457 problem details for every error the API answers.

Each problem carries a stable `code` extension that clients switch on; `type`
is a URN built from it. Responses never contain exception text or tracebacks.
"""

from __future__ import annotations

import traceback
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.refusals import Refusal

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:tender-orchestrator:problem:"

log = structlog.get_logger(__name__)

_TITLES: dict[str, str] = {
    "validation_error": "The request is not valid",
    "unauthenticated": "Authentication required",
    "forbidden": "Not allowed",
    "not_found": "Not found",
    "tender_not_found": "Tender not found",
    "method_not_allowed": "Method not allowed",
    "tender_already_started": "Tender already started",
    "temporal_unavailable": "Tender engine unavailable",
    "tender_unavailable": "Tender unavailable",
    "malformed_request": "Malformed request",
    "payload_too_large": "Request body too large",
    "internal_error": "Internal error",
}

_CODES_BY_STATUS: dict[int, str] = {
    400: "malformed_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    422: "validation_error",
    500: "internal_error",
    503: "temporal_unavailable",
}


class FieldError(BaseModel):
    field: str = Field(examples=["body.policyholder.address.postal_code"])
    message: str = Field(examples=["String should match pattern '^\\d{5}$'"])
    type: str = Field(examples=["string_pattern_mismatch"])


class Problem(BaseModel):
    """An error, as application/problem+json (RFC 9457)."""

    type: str = Field(examples=[f"{TYPE_PREFIX}tender_already_claimed"])
    title: str = Field(examples=["Tender already claimed"])
    status: int = Field(examples=[409])
    detail: str | None = Field(default=None, examples=["the tender has an assignee"])
    instance: str | None = Field(default=None, examples=["/tenders/4f1c…/claim"])
    code: str = Field(examples=["tender_already_claimed"])
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str | None = None,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        errors: list[FieldError] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title
        self.headers = headers
        self.errors = errors


def title_for(code: str, status: int) -> str:
    if code in _TITLES:
        return _TITLES[code]
    if code in Refusal.__members__.values():
        return code.replace("_", " ").capitalize()
    return HTTPStatus(status).phrase


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str | None = None,
    *,
    title: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    problem = Problem(
        type=f"{TYPE_PREFIX}{code}",
        title=title or title_for(code, status),
        status=status,
        detail=detail,
        instance=request.url.path,
        code=code,
        errors=errors,
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def field_errors(error: RequestValidationError) -> list[FieldError]:
    """Where and why, without echoing the rejected input back."""
    return [
        FieldError(
            field=".".join(str(part) for part in item.get("loc", ())),
            message=str(item.get("msg", "invalid value")),
            type=str(item.get("type", "value_error")),
        )
        for item in error.errors()
    ]


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        request,
        exc.status,
        exc.code,
        exc.detail,
        title=exc.title,
        headers=exc.headers,
        errors=exc.errors,
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc)
    log.info("request_invalid", error_count=len(errors))
    return problem_response(
        request,
        422,
        "validation_error",
        "The request does not match the schema; see errors.",
        errors=errors,
    )


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = code_for_status(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = None
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem_response(request, exc.status_code, code, detail, headers=headers)


def code_for_status(status: int) -> str:
    """The stable code of an HTTP error that no handler named more precisely."""
    if status in _CODES_BY_STATUS:
        return _CODES_BY_STATUS[status]
    try:
        return HTTPStatus(status).name.lower()
    except ValueError:
        return "http_error"


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only one)."""
    path = request.url.path
    methods = {
        method
        for route in request.app.state.api_routes
        if route.path_regex.match(path)
        for method in route.methods or ()
    }
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("request_failed", error_type=type(exc).__name__, stack=plain_stack(exc))
    return internal_error(request)


def plain_stack(error: BaseException) -> str:
    """Where it failed: frames and the exception type, without local variables or
    the message, either of which may carry tokens, names or SQL parameters."""
    frames = traceback.extract_tb(error.__traceback__, limit=-30)
    return "".join(frames.format()) + type(error).__qualname__


def internal_error(request: Request) -> JSONResponse:
    return problem_response(
        request, 500, "internal_error", "The request failed; it has been logged."
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers of a route."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for status in statuses
    }
