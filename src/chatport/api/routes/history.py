"""History and sync routes: ``channels.history``, ``groups.history``, ``im.history`` /
``dm.history``, ``chat.syncMessages``, ``chat.getDeletedMessages``, ``chat.syncThreadMessages``,
``chat.syncThreadsList`` (Rocket.Chat's parameters, answers and errors)."""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Depends
from starlette.responses import Response

from chatport.accounts.settings_registry import THREADS_ENABLED
from chatport.api import envelope
from chatport.api.auth import Call, gate
from chatport.api.paging import (
    NUM,
    PAGING,
    STR,
    forbidden,
    held_permissions,
    page_request,
    schema,
    since_ms,
)
from chatport.clock import SystemClock
from chatport.errors import CodedError
from chatport.workspace.errors import NotAllowed
from chatport.workspace.history import Cursor, HistoryReader, HistoryRequest, parse_cursor

router = APIRouter(prefix="/api/v1", tags=["history"], route_class=envelope.EnvelopeRoute)

_HISTORY: Final[dict[str, Any]] = {
    "latest": STR,
    "oldest": STR,
    "inclusive": STR,
    "unreads": STR,
    "showThreadMessages": STR,
    **PAGING,
}
CHANNELS_HISTORY = schema(
    {"roomId": STR, "roomName": STR, **_HISTORY}, any_of=["roomId", "roomName"]
)
GROUPS_HISTORY = CHANNELS_HISTORY
DM_HISTORY = schema({"roomId": STR, **_HISTORY}, required=["roomId"])
SYNC_MESSAGES = schema(
    {
        "roomId": STR,
        "lastUpdate": STR,
        "count": NUM,
        "next": STR,
        "previous": STR,
        "type": {"type": "string", "enum": ["UPDATED", "DELETED"]},
    }
)
DELETED_MESSAGES = schema({"roomId": STR, "since": STR, **PAGING}, required=["roomId", "since"])
SYNC_THREAD_MESSAGES = schema(
    {"tmid": STR, "updatedSince": STR, **PAGING}, required=["tmid", "updatedSince"]
)
SYNC_THREADS_LIST = schema(
    {"rid": STR, "updatedSince": STR, **PAGING}, required=["rid", "updatedSince"]
)


def history_reader(call: Call) -> HistoryReader:
    assert call.user is not None
    return HistoryReader(call.ctx.engine, call.user.id, held_permissions(call))


def _date(raw: str | None) -> int | None:
    return since_ms(raw, "error-invalid-date", "Invalid date")


def _history_request(query: dict[str, Any]) -> HistoryRequest:
    paging = page_request(query)
    latest = _date(query.get("latest"))
    return HistoryRequest(
        latest=latest if latest is not None else SystemClock().now_ms(),
        oldest=_date(query.get("oldest")),
        inclusive=query.get("inclusive") == "true",
        offset=paging.offset,
        count=paging.count,
        unreads=query.get("unreads") == "true",
        show_thread_messages=query.get("showThreadMessages") == "true",
    )


@router.get("/channels.history")
def channels_history(call: Call = Depends(gate())) -> Response:
    query = call.query(CHANNELS_HISTORY)
    request = _history_request(query)
    room_id = query.get("roomId")
    try:
        result = history_reader(call).channel_history(
            room_id, None if room_id is not None else query.get("roomName"), request
        )
    except NotAllowed:
        raise forbidden() from None
    return envelope.success(result)


@router.get("/groups.history")
def groups_history(call: Call = Depends(gate())) -> Response:
    query = call.query(GROUPS_HISTORY)
    request = _history_request(query)
    try:
        result = history_reader(call).group_history(
            query.get("roomId"), query.get("roomName"), request
        )
    except NotAllowed:
        raise forbidden() from None
    return envelope.success(result)


def _direct_history(call: Call) -> Response:
    query = call.query(DM_HISTORY)
    request = _history_request(query)
    try:
        result = history_reader(call).direct_history(query["roomId"], request)
    except NotAllowed:
        raise forbidden() from None
    return envelope.success(result)


@router.get("/im.history")
def im_history(call: Call = Depends(gate())) -> Response:
    return _direct_history(call)


@router.get("/dm.history")
def dm_history(call: Call = Depends(gate())) -> Response:
    return _direct_history(call)


# --- sync --------------------------------------------------------------------------------


def _cursor(raw: str | None, name: str) -> Cursor | None:
    if raw is None or raw == "":
        return None
    try:
        return parse_cursor(raw)
    except ValueError:
        raise CodedError(
            "error-param-invalid", f'The "{name}" query parameter must be a cursor'
        ) from None


@router.get("/chat.syncMessages")
def chat_sync_messages(call: Call = Depends(gate())) -> Response:
    query = call.query(SYNC_MESSAGES)
    if not query.get("roomId"):
        raise CodedError("error-param-required", 'The required "roomId" query param is missing')
    if not query.get("lastUpdate") and not query.get("type"):
        raise CodedError(
            "error-param-required", 'The "type" or "lastUpdate" parameters must be provided'
        )
    last_update = since_ms(
        query.get("lastUpdate"),
        "error-lastUpdate-param-invalid",
        'The "lastUpdate" query parameter must be a valid date',
    )
    count = page_request({"count": query.get("count")}).count
    result = history_reader(call).sync_messages(
        query["roomId"],
        last_update=last_update,
        kind=query.get("type"),
        next_cursor=_cursor(query.get("next"), "next"),
        previous_cursor=_cursor(query.get("previous"), "previous"),
        count=count,
    )
    if result is None:
        raise envelope.ApiError(400, {"success": False})
    return envelope.success({"result": result})


@router.get("/chat.getDeletedMessages")
def chat_get_deleted_messages(call: Call = Depends(gate())) -> Response:
    query = call.query(DELETED_MESSAGES)
    request = page_request(query)
    since_ms(
        query["since"],
        "error-roomId-param-invalid",
        'The "since" query parameter must be a valid date.',
    )
    history_reader(call).deleted_messages(query["roomId"])
    return envelope.success({"messages": [], "count": 0, "offset": request.offset, "total": 0})


def _threads_enabled(call: Call) -> None:
    if call.ctx.settings.get(THREADS_ENABLED) is False:
        raise CodedError("error-not-allowed", "Threads Disabled")


def _updated_since(raw: str) -> int:
    parsed = since_ms(
        raw,
        "error-updatedSince-param-invalid",
        'The "updatedSince" query parameter must be a valid date.',
    )
    if parsed is None:
        raise CodedError(
            "error-updatedSince-param-invalid",
            'The "updatedSince" query parameter must be a valid date.',
        )
    return parsed


@router.get("/chat.syncThreadMessages")
def chat_sync_thread_messages(call: Call = Depends(gate())) -> Response:
    query = call.query(SYNC_THREAD_MESSAGES)
    _threads_enabled(call)
    since = _updated_since(query["updatedSince"])
    result = history_reader(call).sync_thread_messages(query["tmid"], since)
    return envelope.success({"messages": result})


@router.get("/chat.syncThreadsList")
def chat_sync_threads_list(call: Call = Depends(gate())) -> Response:
    query = call.query(SYNC_THREADS_LIST)
    _threads_enabled(call)
    since = _updated_since(query["updatedSince"])
    result = history_reader(call).sync_threads_list(query["rid"], since)
    return envelope.success({"threads": result})
