"""The read API over the imported workspace: rooms, messages, threads, subscriptions.

Rocket.Chat's routes, parameters, pagination (``count``, ``offset``, ``sort``, ``total``) and
answers, including its per-route wording of "not allowed".  Handlers parse, call
:class:`~chatport.workspace.service.WorkspaceReader` and shape; they hold no SQL.

Pagination follows ``getPaginationItems``: ``count`` defaults to 50 and is capped at 100
(``API_Upper_Count_Limit``); ``count=0`` gives the default page, as upstream does with
``API_Allow_Infinite_Count`` off, so no request can load a whole room into memory.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final

from fastapi import APIRouter, Depends
from starlette.responses import Response

from chatport.api import envelope
from chatport.api.auth import Call, gate
from chatport.errors import CodedError
from chatport.workspace.access import READ_PERMISSIONS
from chatport.workspace.errors import MessageNotFound, NotAllowed
from chatport.workspace.read import MessageFilter, PageRequest
from chatport.workspace.service import DocumentPage, WorkspaceReader

router = APIRouter(prefix="/api/v1", tags=["workspace"], route_class=envelope.EnvelopeRoute)

DEFAULT_COUNT: Final = 50
MAX_COUNT: Final = 100
MAX_OFFSET: Final = 2**31 - 1  # beyond any result; keeps OFFSET within both backends' integers

_STR: Final[dict[str, Any]] = {"type": "string"}
_NUM: Final[dict[str, Any]] = {"type": "number"}
_PAGING: Final[dict[str, Any]] = {
    "count": _NUM,
    "offset": _NUM,
    "sort": _STR,
    "query": _STR,
    "fields": _STR,
}
_MESSAGE_FILTERS: Final[dict[str, Any]] = {
    "mentionIds": _STR,
    "starredIds": _STR,
    "pinned": _STR,
}


def _schema(
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


ROOMS_INFO = _schema({"roomId": _STR, "roomName": _STR, "fields": _STR}, closed=False)
ROOMS_GET = _schema({"updatedSince": _STR}, closed=False)
ADMIN_ROOMS = _schema(
    {"filter": _STR, "types": {"type": ["string", "array"]}, **_PAGING}, closed=False
)
CHANNELS_LIST = _schema({"_id": _STR, **_PAGING}, closed=False)
CHANNELS_MESSAGES = _schema({"roomId": _STR, **_MESSAGE_FILTERS, **_PAGING}, required=["roomId"])
GROUPS_MESSAGES = _schema(
    {"roomId": _STR, "roomName": _STR, **_MESSAGE_FILTERS, **_PAGING},
    any_of=["roomId", "roomName"],
)
DM_MESSAGES = _schema(
    {"roomId": _STR, "username": _STR, **_MESSAGE_FILTERS, **_PAGING},
    any_of=["roomId", "username"],
)
CHAT_GET_MESSAGE = _schema({"msgId": _STR}, required=["msgId"])
THREAD_MESSAGES = _schema({"tmid": _STR, **_PAGING}, required=["tmid"])
SUBSCRIPTIONS_GET = _schema({"updatedSince": _STR})


def _reader(call: Call) -> WorkspaceReader:
    user = call.user
    assert user is not None
    held = {p for p in READ_PERMISSIONS if call.ctx.accounts.granted(user, (p,))}
    return WorkspaceReader(call.ctx.engine, user.id, held)


def _sort(raw: str | None) -> tuple[tuple[str, int], ...]:
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


def _page_request(query: dict[str, Any]) -> PageRequest:
    offset = int(query.get("offset") or 0)
    count = int(query["count"]) if query.get("count") is not None else DEFAULT_COUNT
    if count <= 0:
        count = DEFAULT_COUNT
    return PageRequest(
        offset=min(max(0, offset), MAX_OFFSET),
        count=min(count, MAX_COUNT),
        sort=_sort(query.get("sort")),
    )


def _filters(query: dict[str, Any]) -> MessageFilter:
    def ids(name: str) -> tuple[str, ...]:
        raw = query.get(name)
        if not raw:
            return ()
        return tuple(part.strip() for part in str(raw).split(","))

    return MessageFilter(
        mention_ids=ids("mentionIds"),
        starred_ids=ids("starredIds"),
        pinned=str(query.get("pinned") or "").lower() == "true",
    )


def _since(raw: str | None, error: str, reason: str) -> int | None:
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


def _paged(key: str, page: DocumentPage, offset: int) -> Response:
    return envelope.success(
        {key: page.items, "count": len(page.items), "offset": offset, "total": page.total}
    )


def _forbidden() -> envelope.ApiError:
    """``API.v1.forbidden()`` without a message, as Rocket.Chat 7.x/8.x send it."""
    return envelope.ApiError(403, {"success": False, "error": "unauthorized"})


# --- rooms -------------------------------------------------------------------------------


@router.get("/rooms.info")
def rooms_info(call: Call = Depends(gate())) -> Response:
    query = call.query(ROOMS_INFO)
    try:
        room = _reader(call).room_info(query.get("roomId"), query.get("roomName"))
    except NotAllowed:
        # API.v1.failure('not-allowed', 'Not Allowed'): the two arguments land swapped.
        raise envelope.ApiError(
            400, {"success": False, "error": "not-allowed", "errorType": "Not Allowed"}
        ) from None
    return envelope.success({"room": room})


@router.get("/rooms.get")
def rooms_get(call: Call = Depends(gate())) -> Response:
    query = call.query(ROOMS_GET)
    since = _since(
        query.get("updatedSince"),
        "error-updatedSince-param-invalid",
        'The "updatedSince" query parameter must be a valid date.',
    )
    return envelope.success({"update": _reader(call).rooms_get(since), "remove": []})


@router.get("/rooms.adminRooms")
def rooms_admin_rooms(call: Call = Depends(gate())) -> Response:
    query = call.query(ADMIN_ROOMS)
    request = _page_request(query)
    types = query.get("types") or []
    page = _reader(call).admin_rooms(
        request,
        text_filter=str(query.get("filter") or ""),
        types=[types] if isinstance(types, str) else [str(t) for t in types],
    )
    return _paged("rooms", page, request.offset)


@router.get("/channels.list")
def channels_list(call: Call = Depends(gate())) -> Response:
    query = call.query(CHANNELS_LIST)
    request = _page_request(query)
    page = _reader(call).channels_list(request, room_id=query.get("_id") or None)
    return _paged("channels", page, request.offset)


# --- messages ----------------------------------------------------------------------------


@router.get("/channels.messages")
def channels_messages(call: Call = Depends(gate())) -> Response:
    query = call.query(CHANNELS_MESSAGES)
    request = _page_request(query)
    try:
        page = _reader(call).channel_messages(query["roomId"], request, _filters(query))
    except NotAllowed:
        raise _forbidden() from None
    return _paged("messages", page, request.offset)


@router.get("/groups.messages")
def groups_messages(call: Call = Depends(gate())) -> Response:
    query = call.query(GROUPS_MESSAGES)
    request = _page_request(query)
    page = _reader(call).group_messages(
        query.get("roomId"), query.get("roomName"), request, _filters(query)
    )
    return _paged("messages", page, request.offset)


def _direct_messages(call: Call) -> Response:
    query = call.query(DM_MESSAGES)
    request = _page_request(query)
    try:
        page = _reader(call).direct_messages(
            query.get("roomId"), query.get("username"), request, _filters(query)
        )
    except NotAllowed:
        raise _forbidden() from None
    return _paged("messages", page, request.offset)


@router.get("/im.messages")
def im_messages(call: Call = Depends(gate())) -> Response:
    return _direct_messages(call)


@router.get("/dm.messages")
def dm_messages(call: Call = Depends(gate())) -> Response:
    return _direct_messages(call)


@router.get("/chat.getMessage")
def chat_get_message(call: Call = Depends(gate())) -> Response:
    query = call.query(CHAT_GET_MESSAGE)
    if not query["msgId"]:
        raise envelope.plain_error('The "msgId" query parameter must be provided.')
    try:
        message = _reader(call).message(query["msgId"])
    except MessageNotFound:
        # API.v1.failure() with no argument.
        raise envelope.ApiError(400, {"success": False}) from None
    except NotAllowed:
        raise envelope.ApiError(
            400,
            {
                "success": False,
                "error": "Not allowed [error-not-allowed]",
                "errorType": "error-not-allowed",
                "details": {"method": "getSingleMessage"},
            },
        ) from None
    return envelope.success({"message": message})


@router.get("/chat.getThreadMessages")
def chat_get_thread_messages(call: Call = Depends(gate())) -> Response:
    query = call.query(THREAD_MESSAGES)
    request = _page_request(query)
    page = _reader(call).thread_messages(query["tmid"], request)
    return _paged("messages", page, request.offset)


# --- subscriptions -----------------------------------------------------------------------


@router.get("/subscriptions.get")
def subscriptions_get(call: Call = Depends(gate())) -> Response:
    query = call.query(SUBSCRIPTIONS_GET)
    since = _since(
        query.get("updatedSince"),
        "error-roomId-param-invalid",
        'The "lastUpdate" query parameter must be a valid date.',
    )
    return envelope.success({"update": _reader(call).subscriptions(since), "remove": []})
