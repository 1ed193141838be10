"""No U+0000 in what a request names: PostgreSQL can hold none in text, so a NUL in a path,
a query parameter or a body value is refused with Rocket.Chat's 400 shape on both backends,
instead of a 500 from the database on one of them (issue defect 14)."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from chatport.api import envelope

MESSAGE = "Request parameters must not contain NUL characters (U+0000)"


def nul_error() -> envelope.ApiError:
    return envelope.plain_error(MESSAGE)


class NulGuard:
    """ASGI middleware: paths and query strings, before routing and authentication."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope.get("path", "")
            query: bytes = scope.get("query_string", b"")
            if "\x00" in path or b"%00" in query or b"\x00" in query:
                await nul_error().response()(scope, receive, send)
                return
        await self.app(scope, receive, send)


def body_has_nul(raw: bytes, parsed: Any) -> bool:
    """True when a parsed body carries a NUL in a key or string value (raw bytes first: most
    bodies hold no byte that could become one)."""
    if b"\x00" not in raw and b"\\u0000" not in raw and b"%00" not in raw:
        return False
    stack = [parsed]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return True
        elif isinstance(node, dict):
            for key, value in node.items():
                if "\x00" in str(key):
                    return True
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return False
