"""The one gate every route passes: authenticate (401), authorise (403), rate limit (429),
cap the body (413), in that order and before any side effect (rest-api §1.3).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from chatport.accounts.seed import API_BYPASS_RATE_LIMIT
from chatport.accounts.service import AuthUser
from chatport.accounts.settings_registry import RATE_LIMITER_ENABLED
from chatport.api import envelope
from chatport.api.nul_guard import body_has_nul, nul_error
from chatport.api.ratelimit import RateLimiter
from chatport.api.request_parsing import QueryParseError, parse_body, parse_query
from chatport.api.validation import ValidationFailure, validate
from chatport.context import Context
from chatport.workspace.access import READ_PERMISSIONS

EMPTY_OBJECT: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}


@dataclass
class Call:
    """One authorised request: who is calling, and its body and query still unparsed."""

    ctx: Context
    user: AuthUser | None
    raw_body: bytes
    content_type: str | None
    query_string: str
    base_url: str
    ip: str
    #: Which of the route's permissions, ``api-bypass-rate-limit`` and the read rules'
    #: permissions the caller holds, resolved with the authentication.
    held: frozenset[str] = frozenset()

    @property
    def uid(self) -> str:
        assert self.user is not None
        return self.user.id

    def query(self, schema: dict[str, Any] | None = EMPTY_OBJECT) -> dict[str, Any]:
        try:
            parsed = parse_query(self.query_string)
        except QueryParseError:
            raise envelope.plain_error("Invalid query parameters") from None
        if schema is None:
            return parsed
        try:
            result: dict[str, Any] = validate(schema, parsed, coerce=True)
        except ValidationFailure as exc:
            raise envelope.validation_error(exc.message, query=True) from None
        return result

    def body(self, schema: dict[str, Any] | None, *, coerce: bool = False) -> Any:
        parsed = parse_body(self.content_type, self.raw_body)
        if body_has_nul(self.raw_body, parsed):
            raise nul_error()
        if schema is None:
            return parsed
        try:
            return validate(schema, parsed, coerce=coerce)
        except ValidationFailure as exc:
            raise envelope.validation_error(exc.message) from None


def _networks(trusted: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in trusted.split(","):
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: Request, trusted: str) -> str:
    """The client address for throttling and rate limits (security §1.10.5).

    The socket peer, unless it is one of the configured trusted proxies: then the right-most
    ``X-Forwarded-For`` entry that is not itself a trusted proxy.  Entries to its left were
    written by the client and may be anything, so they are never used; ``X-Real-IP`` is
    ignored.  A malformed entry ends the walk at the last trusted address.
    """
    peer = request.client.host if request.client else ""
    networks = _networks(trusted) if trusted else []
    current = _address(peer)
    if not networks or current is None:
        return peer
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    while any(current in network for network in networks) and hops:
        previous = _address(hops.pop())
        if previous is None:
            break
        current = previous
    return str(current)


async def _read_capped(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise envelope.too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise envelope.too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def gate(*permissions: str, auth: bool = True) -> Callable[[Request], Awaitable[Call]]:
    """A FastAPI dependency for a route needing ``permissions`` (all of them)."""

    async def dependency(request: Request) -> Call:
        ctx: Context = request.app.state.ctx
        limiter: RateLimiter = request.app.state.rate_limiter
        ip = client_ip(request, ctx.config.trusted_proxies)
        user = None
        held: frozenset[str] = frozenset()
        if auth:
            route = request.scope.get("route")
            key = getattr(route, "path", None) or request.url.path
            # One trip to the thread pool for the three checks: each trip costs more than a
            # cached query, and every read request makes them.
            user, held = await run_in_threadpool(
                _admit,
                ctx,
                limiter,
                request.headers.get("x-user-id"),
                request.headers.get("x-auth-token"),
                permissions,
                ip,
                key,
            )
        raw = await _read_capped(request, ctx.config.api_max_body_bytes)
        return Call(
            ctx=ctx,
            user=user,
            raw_body=raw,
            content_type=request.headers.get("content-type"),
            query_string=request.url.query,
            base_url=(ctx.config.public_url or str(request.base_url)).rstrip("/"),
            ip=ip,
            held=held,
        )

    return dependency


def _admit(
    ctx: Context,
    limiter: RateLimiter,
    user_id: str | None,
    token: str | None,
    permissions: tuple[str, ...],
    ip: str,
    path: str,
) -> tuple[AuthUser, frozenset[str]]:
    """Authentication (401), then permissions (403), then the rate limit (429)."""
    admitted = ctx.accounts.admit(
        user_id, token, (*permissions, API_BYPASS_RATE_LIMIT, *READ_PERMISSIONS)
    )
    if admitted is None:
        raise envelope.unauthorized()
    user, held = admitted
    if not all(p in held for p in permissions):
        raise envelope.forbidden()
    if not ctx.config.test_mode and API_BYPASS_RATE_LIMIT not in held:
        _rate_limit(ctx, limiter, ip, path)
    return user, held


def _rate_limit(ctx: Context, limiter: RateLimiter, ip: str, path: str) -> None:
    if not ctx.settings.get(RATE_LIMITER_ENABLED):
        return
    allowed, remaining, reset_ms, wait = limiter.hit(ip, path)
    if not allowed:
        raise envelope.ApiError(
            429,
            {
                "success": False,
                "error": "Error, too many requests. Please slow down. You must wait "
                f"{wait} seconds before trying this endpoint again. [error-too-many-requests]",
            },
            {
                "X-RateLimit-Limit": str(limiter.calls),
                "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": str(reset_ms),
            },
        )
