"""The read API over the imported workspace: rooms, messages, threads, subscriptions.

Rocket.Chat's routes, parameters, pagination (``count``, ``offset``, ``sort``, ``total``) and
answers, including its per-route wording of "not allowed".  Handlers parse, call
:class:`~chatport.workspace.service.WorkspaceReader` and shape; they hold no SQL.

Pagination and sort are :mod:`chatport.api.paging`'s.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.responses import Response

from chatport.api import envelope
from chatport.api.auth import Call, gate
from chatport.api.paging import (
    MESSAGE_FILTERS,
    PAGING,
    STR,
    forbidden,
    page_request,
    paged,
    reader,
    schema,
    since_ms,
)
from chatport.workspace.errors import MessageNotFound, NotAllowed
from chatport.workspace.read import MessageFilter

router = APIRouter(prefix="/api/v1", tags=["workspace"], route_class=envelope.EnvelopeRoute)

ROOMS_INFO = schema({"roomId": STR, "roomName": STR, "fields": STR}, closed=False)
ROOMS_GET = schema({"updatedSince": STR}, closed=False)
ADMIN_ROOMS = schema(
    {"filter": STR, "types": {"type": ["string", "array"]}, **PAGING}, closed=False
)
CHANNELS_LIST = schema({"_id": STR, **PAGING}, closed=False)
CHANNELS_MESSAGES = schema({"roomId": STR, **MESSAGE_FILTERS, **PAGING}, required=["roomId"])
GROUPS_MESSAGES = schema(
    {"roomId": STR, "roomName": STR, **MESSAGE_FILTERS, **PAGING},
    any_of=["roomId", "roomName"],
)
DM_MESSAGES = schema(
    {"roomId": STR, "username": STR, **MESSAGE_FILTERS, **PAGING},
    any_of=["roomId", "username"],
)
CHAT_GET_MESSAGE = schema({"msgId": STR}, required=["msgId"])
THREAD_MESSAGES = schema({"tmid": STR, **PAGING}, required=["tmid"])
SUBSCRIPTIONS_GET = schema({"updatedSince": STR})


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


# --- rooms -------------------------------------------------------------------------------


@router.get("/rooms.info")
def rooms_info(call: Call = Depends(gate())) -> Response:
    query = call.query(ROOMS_INFO)
    try:
        room = reader(call).room_info(query.get("roomId"), query.get("roomName"))
    except NotAllowed:
        # API.v1.failure('not-allowed', 'Not Allowed'): the two arguments land swapped.
        raise envelope.ApiError(
            400, {"success": False, "error": "not-allowed", "errorType": "Not Allowed"}
        ) from None
    return envelope.success({"room": room})


@router.get("/rooms.get")
def rooms_get(call: Call = Depends(gate())) -> Response:
    query = call.query(ROOMS_GET)
    since = since_ms(
        query.get("updatedSince"),
        "error-updatedSince-param-invalid",
        'The "updatedSince" query parameter must be a valid date.',
    )
    return envelope.success({"update": reader(call).rooms_get(since), "remove": []})


@router.get("/rooms.adminRooms")
def rooms_admin_rooms(call: Call = Depends(gate())) -> Response:
    query = call.query(ADMIN_ROOMS)
    request = page_request(query)
    types = query.get("types") or []
    page = reader(call).admin_rooms(
        request,
        text_filter=str(query.get("filter") or ""),
        types=[types] if isinstance(types, str) else [str(t) for t in types],
    )
    return paged("rooms", page, request.offset)


@router.get("/channels.list")
def channels_list(call: Call = Depends(gate())) -> Response:
    query = call.query(CHANNELS_LIST)
    request = page_request(query)
    page = reader(call).channels_list(request, room_id=query.get("_id") or None)
    return paged("channels", page, request.offset)


# --- messages ----------------------------------------------------------------------------


@router.get("/channels.messages")
def channels_messages(call: Call = Depends(gate())) -> Response:
    query = call.query(CHANNELS_MESSAGES)
    request = page_request(query)
    try:
        page = reader(call).channel_messages(query["roomId"], request, _filters(query))
    except NotAllowed:
        raise forbidden() from None
    return paged("messages", page, request.offset)


@router.get("/groups.messages")
def groups_messages(call: Call = Depends(gate())) -> Response:
    query = call.query(GROUPS_MESSAGES)
    request = page_request(query)
    page = reader(call).group_messages(
        query.get("roomId"), query.get("roomName"), request, _filters(query)
    )
    return paged("messages", page, request.offset)


def _direct_messages(call: Call) -> Response:
    query = call.query(DM_MESSAGES)
    request = page_request(query)
    try:
        page = reader(call).direct_messages(
            query.get("roomId"), query.get("username"), request, _filters(query)
        )
    except NotAllowed:
        raise forbidden() from None
    return paged("messages", page, request.offset)


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
        message = reader(call).message(query["msgId"])
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
    request = page_request(query)
    page = reader(call).thread_messages(query["tmid"], request)
    return paged("messages", page, request.offset)


# --- subscriptions -----------------------------------------------------------------------


@router.get("/subscriptions.get")
def subscriptions_get(call: Call = Depends(gate())) -> Response:
    query = call.query(SUBSCRIPTIONS_GET)
    since = since_ms(
        query.get("updatedSince"),
        "error-roomId-param-invalid",
        'The "lastUpdate" query parameter must be a valid date.',
    )
    return envelope.success({"update": reader(call).subscriptions(since), "remove": []})
