"""Rocket.Chat's response envelopes, byte for byte.

Clients compare bodies, key order and ``Content-Type`` exactly, so every response of the API
is built here and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import orjson
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger("chatport.api")

HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    merged = dict(HEADERS)
    if headers:
        merged.update(headers)
    response = Response(content=orjson.dumps(body), status_code=status, headers=merged)
    # Exactly application/json: no charset (Rocket.Chat's own test suite asserts it).
    response.headers["content-type"] = "application/json"
    return response


def success(result: Mapping[str, Any] | Sequence[Any] | None = None) -> Response:
    """Objects get ``success: true`` as their last key; arrays are sent bare."""
    if result is None:
        return json_response({"success": True})
    if isinstance(result, Mapping):
        body = dict(result)
        body.pop("success", None)
        body["success"] = True
        return json_response(body)
    return json_response(list(result))


class ApiError(Exception):
    """A failure answered with a fixed status and body."""

    def __init__(
        self, status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ):
        super().__init__(body.get("error", ""))
        self.status = status
        self.body = dict(body)
        self.headers = dict(headers or {})

    def response(self) -> Response:
        return json_response(self.body, self.status, self.headers)


def coded_error(error: str, reason: str | None = None, details: str | None = None) -> ApiError:
    """Meteor.Error(error, reason, details) rendered as Rocket.Chat's REST layer does."""
    text = f"{reason} [{error}]" if reason else f"[{error}]"
    body: dict[str, Any] = {"success": False, "error": text, "errorType": error}
    if details is not None:
        body["details"] = details
    return ApiError(400, body)


def plain_error(message: str, status: int = 400) -> ApiError:
    return ApiError(status, {"success": False, "error": message})


def validation_error(message: str, *, query: bool = False) -> ApiError:
    error_type = "error-invalid-params" if query else "invalid-params"
    return ApiError(400, {"success": False, "errorType": error_type, "error": message})


UNAUTHORIZED_MESSAGE = "You must be logged in to do this."
FORBIDDEN_MESSAGE = (
    "User does not have the permissions required for this action [error-unauthorized]"
)


def unauthorized() -> ApiError:
    return ApiError(
        401,
        {
            "success": False,
            "error": UNAUTHORIZED_MESSAGE,
            "status": "error",
            "message": UNAUTHORIZED_MESSAGE,
        },
    )


def forbidden() -> ApiError:
    return ApiError(403, {"success": False, "error": FORBIDDEN_MESSAGE})


def not_found() -> ApiError:
    return ApiError(404, {"success": False, "error": "Resource not found"})


def too_large() -> ApiError:
    return ApiError(413, {"success": False, "error": "request entity too large"})


def internal_error() -> ApiError:
    return ApiError(500, {"success": False, "error": "Internal server error"})


class EnvelopeRoute(APIRoute):
    """A route whose unexpected exceptions end as the §1.6.6 500, answered right here.

    An ``Exception`` handler registered on the application runs in Starlette's outermost
    middleware, which re-raises after answering; the server then drops the connection, so a
    keep-alive client (the admin UI polls) fails on its *next* request.  Exceptions the
    application has a handler for (``ApiError``, domain errors, HTTP errors) still go to it.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                if _has_handler(request, exc):
                    raise
                log.error(
                    "unexpected error on %s %s", request.method, request.url.path, exc_info=exc
                )
                return internal_error().response()

        return guarded


def _has_handler(request: Request, exc: Exception) -> bool:
    handlers = getattr(request.app, "exception_handlers", {})
    return any(
        cls in handlers for cls in type(exc).__mro__ if cls not in (Exception, BaseException)
    )
