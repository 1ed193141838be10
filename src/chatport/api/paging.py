"""What the read routes share: Rocket.Chat's pagination, sort, dates, schemas and the reader.

Pagination follows ``getPaginationItems``: ``count`` defaults to 50 and is capped at 100
(``API_Upper_Count_Limit``); ``count=0`` gives the default page, as upstream does with
``API_Allow_Infinite_Count`` off, so no request can load a whole room into memory.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final

from starlette.responses import Response

from chatport.api import envelope
from chatport.api.auth import Call
from chatport.errors import CodedError
from chatport.workspace.access import READ_PERMISSIONS
from chatport.workspace.read import PageRequest
from chatport.workspace.service import DocumentPage, WorkspaceReader

DEFAULT_COUNT: Final = 50
MAX_COUNT: Final = 100
MAX_OFFSET: Final = 2**31 - 1  # beyond any result; keeps OFFSET within both backends' integers

STR: Final[dict[str, Any]] = {"type": "string"}
NUM: Final[dict[str, Any]] = {"type": "number"}
PAGING: Final[dict[str, Any]] = {
    "count": NUM,
    "offset": NUM,
    "sort": STR,
    "query": STR,
    "fields": STR,
}
MESSAGE_FILTERS: Final[dict[str, Any]] = {
    "mentionIds": STR,
    "starredIds": STR,
    "pinned": STR,
}


def schema(
    properties: dict[str, Any],
    *,
    required: list[str] | None = None,
    any_of: list[str] | None = None,
    closed: bool = True,
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if any_of:
        schema["anyOf"] = [{"required": [name]} for name in any_of]
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


def held_permissions(call: Call) -> set[str]:
    """Which of the read rules' permissions the caller holds, resolved before any read."""
    assert call.user is not None
    return {p for p in READ_PERMISSIONS if p in call.held}


def reader(call: Call) -> WorkspaceReader:
    assert call.user is not None
    return WorkspaceReader(call.ctx.engine, call.user.id, held_permissions(call))


def sort(raw: str | None) -> tuple[tuple[str, int], ...]:
    """Rocket.Chat's ``parseJsonQuery`` sort: a JSON object of ``1``/``-1``, else an error."""
    if raw is None or raw == "":
        return ()
    try:
        parsed = json.loads(raw)
        if not isinstance(parsed, dict):
            raise ValueError("not an object")
        for value in parsed.values():
            if isinstance(value, bool) or value not in (1, -1):
                raise ValueError("not 1 or -1")
    except ValueError:
        raise envelope.ApiError(
            400,
            {
                "success": False,
                "error": f'Invalid sort parameter provided: "{raw}" [error-invalid-sort]',
                "errorType": "error-invalid-sort",
                "details": {"helperMethod": "parseJsonQuery"},
            },
        ) from None
    return tuple((str(key), int(value)) for key, value in parsed.items())


def page_request(query: dict[str, Any]) -> PageRequest:
    offset = int(query.get("offset") or 0)
    count = int(query["count"]) if query.get("count") is not None else DEFAULT_COUNT
    if count <= 0:
        count = DEFAULT_COUNT
    return PageRequest(
        offset=min(max(0, offset), MAX_OFFSET),
        count=min(count, MAX_COUNT),
        sort=sort(query.get("sort")),
    )


def since_ms(raw: str | None, error: str, reason: str) -> int | None:
    """An ``updatedSince`` date as epoch milliseconds; unparsable dates are Rocket.Chat's 400."""
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise CodedError(error, reason) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def paged(key: str, page: DocumentPage, offset: int) -> Response:
    return envelope.success(
        {key: page.items, "count": len(page.items), "offset": offset, "total": page.total}
    )


def forbidden() -> envelope.ApiError:
    """``API.v1.forbidden()`` without a message, as Rocket.Chat 7.x/8.x send it."""
    return envelope.ApiError(403, {"success": False, "error": "unauthorized"})
