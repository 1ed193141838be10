"""A room's files, pins, mentions, stars, threads, discussions and search: ``channels/groups/
im/dm.files``, ``chat.getPinnedMessages``, ``chat.getMentionedMessages``,
``chat.getStarredMessages``, ``chat.getThreadsList``, ``chat.getDiscussions``, ``chat.search``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from fastapi import APIRouter, Depends
from starlette.responses import Response

from chatport.accounts.settings_registry import SEARCH_ALWAYS_REGEXP, THREADS_ENABLED
from chatport.api import envelope
from chatport.api.auth import Call, gate
from chatport.api.paging import (
    PAGING,
    STR,
    forbidden,
    held_permissions,
    page_request,
    paged,
    schema,
)
from chatport.api.routes.room_details import details_reader
from chatport.errors import CodedError
from chatport.workspace.errors import NotAllowed
from chatport.workspace.message_lists import MessageListReader
from chatport.workspace.search_query import InvalidSearch

router = APIRouter(prefix="/api/v1", tags=["messages"], route_class=envelope.EnvelopeRoute)

FILES_QUERY = schema(
    {"roomId": STR, "roomName": STR, "username": STR, "name": STR, "typeGroup": STR, **PAGING},
    closed=False,
)
ROOM_LIST_QUERY = schema({"roomId": STR, **PAGING}, required=["roomId"])
THREADS_QUERY = schema(
    {
        "rid": STR,
        "type": {"type": "string", "enum": ["following", "unread", "all"]},
        "text": STR,
        **PAGING,
    },
    required=["rid"],
)
DISCUSSIONS_QUERY = schema({"roomId": STR, "text": STR, **PAGING}, required=["roomId"])
SEARCH_QUERY = schema({"roomId": STR, "searchText": STR, **PAGING})

_FAMILIES: Final = {"channels": "c", "groups": "p", "im": "d", "dm": "d"}


def lists_reader(call: Call) -> MessageListReader:
    assert call.user is not None
    return MessageListReader(call.ctx.engine, call.user.id, held_permissions(call))


def _files(family: str) -> Callable[[Call], Response]:
    def handler(call: Call = Depends(gate())) -> Response:
        query = call.query(FILES_QUERY)
        request = page_request(query)
        try:
            room = details_reader(call).room(_FAMILIES[family], query, archived_ok=True)
        except NotAllowed:
            raise forbidden() from None
        page = lists_reader(call).files(
            room,
            request,
            name=str(query.get("name") or ""),
            type_group=str(query.get("typeGroup") or ""),
        )
        return paged("files", page, request.offset)

    return handler


for _family in _FAMILIES:
    router.add_api_route(f"/{_family}.files", _files(_family), methods=["GET"])


def _room_list(method: str) -> Callable[[Call], Response]:
    def handler(call: Call = Depends(gate())) -> Response:
        query = call.query(ROOM_LIST_QUERY)
        request = page_request(query)
        page = getattr(lists_reader(call), method)(query["roomId"], request)
        return paged("messages", page, request.offset)

    return handler


router.add_api_route("/chat.getPinnedMessages", _room_list("pinned"), methods=["GET"])
router.add_api_route("/chat.getMentionedMessages", _room_list("mentioned"), methods=["GET"])
router.add_api_route("/chat.getStarredMessages", _room_list("starred"), methods=["GET"])


@router.get("/chat.getThreadsList")
def chat_get_threads_list(call: Call = Depends(gate())) -> Response:
    query = call.query(THREADS_QUERY)
    request = page_request(query)
    if call.ctx.settings.get(THREADS_ENABLED) is False:
        raise CodedError("error-not-allowed", "Threads Disabled")
    page = lists_reader(call).threads(
        query["rid"],
        request,
        kind=str(query.get("type") or "all"),
        text=str(query.get("text") or ""),
    )
    return paged("threads", page, request.offset)


@router.get("/chat.getDiscussions")
def chat_get_discussions(call: Call = Depends(gate())) -> Response:
    query = call.query(DISCUSSIONS_QUERY)
    request = page_request(query)
    page = lists_reader(call).discussions(
        query["roomId"], request, text=str(query.get("text") or "")
    )
    return paged("messages", page, request.offset)


@router.get("/chat.search")
def chat_search(call: Call = Depends(gate())) -> Response:
    query: dict[str, Any] = call.query(SEARCH_QUERY)
    request = page_request({**query, "sort": None})
    if not query.get("roomId"):
        raise CodedError(
            "error-roomId-param-not-provided", 'The required "roomId" query param is missing.'
        )
    if not query.get("searchText"):
        raise CodedError(
            "error-searchText-param-not-provided",
            'The required "searchText" query param is missing.',
        )
    try:
        found = lists_reader(call).search(
            query["roomId"],
            query["searchText"],
            offset=request.offset,
            count=request.count,
            always_regexp=call.ctx.settings.get(SEARCH_ALWAYS_REGEXP) is True,
        )
    except InvalidSearch as exc:
        raise CodedError("error-invalid-search", str(exc)) from None
    if found is None:
        raise envelope.ApiError(400, {"success": False})
    return envelope.success({"messages": found})
