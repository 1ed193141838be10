"""Shared assertions for the authentication and accounts HTTP tests (no tests of its own).

Rocket.Chat clients compare bodies byte for byte, so the helpers here check the exact bytes
on the wire, the status and the fixed headers of every answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

UNAUTHORIZED = (
    b'{"success":false,"error":"You must be logged in to do this.",'
    b'"status":"error","message":"You must be logged in to do this."}'
)
FORBIDDEN = (
    b'{"success":false,"error":"User does not have the permissions required for this action'
    b' [error-unauthorized]"}'
)
LOGIN_FAILED = b'{"success":false,"error":"Unauthorized","status":"error","message":"Unauthorized"}'
NOT_FOUND = b'{"success":false,"error":"Resource not found"}'
TOO_LARGE = b'{"success":false,"error":"request entity too large"}'
INTERNAL = b'{"success":false,"error":"Internal server error"}'

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
USER_ID_RE = re.compile(r"[23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz]{17}")
ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def wire(body: Any) -> bytes:
    """The compact, non-ASCII-preserving serialisation chatport must send."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def check_headers(r: httpx.Response) -> None:
    assert r.headers["content-type"] == "application/json", r.headers
    assert r.headers["cache-control"] == "no-store", r.headers
    assert r.headers["pragma"] == "no-cache", r.headers


def exact(r: httpx.Response, status: int, body: bytes | Any, case: Any = None) -> None:
    """Status, headers and body bytes all exactly as expected (``case`` labels failures)."""
    assert r.status_code == status, (case, r.status_code, r.text)
    check_headers(r)
    expected = body if isinstance(body, bytes) else wire(body)
    assert r.content == expected, (case, r.content)


def blocked(r: httpx.Response, scope: str, minutes: int = 5) -> None:
    """A login refused while a block runs: Rocket.Chat's error shape, saying when to retry."""
    assert r.status_code == 401, (r.status_code, r.text)
    check_headers(r)
    body = r.json()
    assert list(body) == ["success", "error", "status", "details", "message"]
    assert body["success"] is False and body["status"] == "error"
    assert body["error"] == f"error-login-blocked-for-{scope}"
    whom = "this account" if scope == "user" else "this address"
    unit = "minute" if minutes == 1 else "minutes"
    assert body["message"] == (
        f"Too many failed sign-in attempts for {whom}: try again in {minutes} {unit}."
    )
    assert ISO_RE.fullmatch(body["details"]["willBeBlockedUntil"])
    assert int(r.headers["retry-after"]) == body["details"]["retryAfterSeconds"]


def ok(r: httpx.Response) -> Any:
    """A 200 with the fixed headers; the body must be compact and end with success:true."""
    assert r.status_code == 200, (r.status_code, r.text)
    check_headers(r)
    data = r.json()
    assert r.content == wire(data)
    if isinstance(data, dict):
        assert list(data)[-1] == "success"
        assert data["success"] is True
    return data


def coded(error: str, reason: str | None = None, details: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "success": False,
        "error": f"{reason} [{error}]" if reason else f"[{error}]",
        "errorType": error,
    }
    if details is not None:
        body["details"] = details
    return body


def invalid(message: str, *, query: bool = False) -> dict[str, Any]:
    return {
        "success": False,
        "errorType": "error-invalid-params" if query else "invalid-params",
        "error": message,
    }
