"""The FastAPI application: routers, Rocket.Chat error rendering, and the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from chatport import __version__
from chatport.api import envelope, offline_docs
from chatport.api.nul_guard import NulGuard, nul_error
from chatport.api.ratelimit import RateLimiter
from chatport.api.routes import (
    accounts,
    admin_settings,
    directory,
    history,
    import_errors,
    imports,
    message_lists,
    room_details,
    users,
    workspace,
)
from chatport.api.routes import files as file_routes
from chatport.bootstrap import start_background, stop_background
from chatport.clock import iso_ms
from chatport.context import Context
from chatport.errors import CodedError, LoginBlocked, LoginFailed, PlainError
from chatport.fetch import logsafe
from chatport.web import routes as web

log = logging.getLogger("chatport.api")

LOGIN_FAILED = {
    "success": False,
    "error": "Unauthorized",
    "status": "error",
    "message": "Unauthorized",
}


def login_blocked(exc: LoginBlocked) -> dict[str, object]:
    """Rocket.Chat's login error shape (rest-api §2.2) for a running block."""
    minutes = -(-exc.seconds // 60)
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    whom = "this account" if exc.scope == "user" else "this address"
    return {
        "success": False,
        "error": f"error-login-blocked-for-{exc.scope}",
        "status": "error",
        "details": {"willBeBlockedUntil": iso_ms(exc.until_ms), "retryAfterSeconds": exc.seconds},
        "message": f"Too many failed sign-in attempts for {whom}: try again in {wait}.",
    }


def create_app(ctx: Context, *, worker: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if worker:
            start_background(ctx)
        yield
        stop_background(ctx)

    app = FastAPI(
        title="chatport",
        version=__version__,
        description="Rocket.Chat-compatible import server.",
        lifespan=lifespan,
        redirect_slashes=False,
        docs_url=None,
        redoc_url=None,
    )
    offline_docs.install(app)
    app.state.ctx = ctx
    logsafe.install()  # no query string (rc_token, Slack file tokens) in any access log line
    app.state.rate_limiter = RateLimiter(
        ctx.config.rate_limit_calls, ctx.config.rate_limit_window_seconds
    )
    for module in (
        accounts,
        users,
        admin_settings,
        imports,
        import_errors,
        workspace,
        history,
        room_details,
        message_lists,
        directory,
        web,
    ):
        app.include_router(module.router)
    app.include_router(file_routes.router)  # /file-upload and /avatar (issue 5)
    _install_error_handlers(app)
    app.add_middleware(NulGuard)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(envelope.ApiError)
    async def api_error(_r: Request, exc: envelope.ApiError) -> Response:
        return exc.response()

    @app.exception_handler(CodedError)
    async def coded(_r: Request, exc: CodedError) -> Response:
        return envelope.coded_error(exc.error, exc.reason, exc.details).response()

    @app.exception_handler(PlainError)
    async def plain(_r: Request, exc: PlainError) -> Response:
        return envelope.plain_error(exc.message, exc.status).response()

    @app.exception_handler(LoginFailed)
    async def login_failed(_r: Request, exc: LoginFailed) -> Response:
        if isinstance(exc, LoginBlocked):
            return envelope.json_response(
                login_blocked(exc), 401, {"Retry-After": str(exc.seconds)}
            )
        return envelope.json_response(LOGIN_FAILED, 401)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_r: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code in (404, 405):
            return envelope.not_found().response()
        return envelope.json_response({"success": False, "error": str(exc.detail)}, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_r: Request, _exc: RequestValidationError) -> Response:
        return envelope.plain_error("Invalid request").response()

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        if "NUL" in str(exc.orig) or "\\u0000" in str(exc.orig):
            return nul_error().response()  # a NUL the edge did not see (PostgreSQL only)
        return await unexpected(request, exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return envelope.internal_error().response()
