"""Rooms and members: ``channels/groups.info``, ``channels.list.joined``, ``groups.list``,
``groups.listAll``, ``im/dm.list``, ``im/dm.list.everyone``, ``*.members``, ``*.counters``,
``channels/groups.roles``, ``channels/groups.moderators``, ``subscriptions.getOne``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from fastapi import APIRouter, Depends
from starlette.responses import Response

from chatport.accounts.seed import VIEW_ROOM_ADMINISTRATION
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
from chatport.workspace.errors import NotAllowed
from chatport.workspace.room_details import RoomDetailsReader

router = APIRouter(prefix="/api/v1", tags=["rooms"], route_class=envelope.EnvelopeRoute)

_BY_ROOM: Final[dict[str, Any]] = {"roomId": STR, "roomName": STR}
_BY_DM: Final[dict[str, Any]] = {"roomId": STR, "username": STR}
ROOM_QUERY = schema({**_BY_ROOM, **PAGING}, closed=False)
DM_QUERY = schema({**_BY_DM, **PAGING}, closed=False)
LIST_QUERY = schema(PAGING, closed=False)
MEMBERS_QUERY = schema(
    {**_BY_ROOM, **_BY_DM, "filter": STR, "status": {"type": ["string", "array"]}, **PAGING},
    closed=False,
)
COUNTERS_QUERY = schema({**_BY_ROOM, **_BY_DM, "userId": STR}, closed=False)
SUBSCRIPTION_QUERY = schema({"roomId": STR}, required=["roomId"])

_KINDS: Final = {"channels": "c", "groups": "p", "im": "d", "dm": "d"}


def details_reader(call: Call) -> RoomDetailsReader:
    assert call.user is not None
    return RoomDetailsReader(call.ctx.engine, call.user.id, held_permissions(call))


def _refused(action: Callable[[], Response]) -> Response:
    try:
        return action()
    except NotAllowed:
        raise forbidden() from None


def _info(family: str, key: str) -> Callable[[Call], Response]:
    def handler(call: Call = Depends(gate())) -> Response:
        query = call.query(ROOM_QUERY)
        return _refused(
            lambda: envelope.success({key: details_reader(call).info(_KINDS[family], query)})
        )

    return handler


router.add_api_route("/channels.info", _info("channels", "channel"), methods=["GET"])
router.add_api_route("/groups.info", _info("groups", "group"), methods=["GET"])


def _joined(t: str, key: str, *, everyone: bool = False) -> Callable[[Call], Response]:
    permissions = (VIEW_ROOM_ADMINISTRATION,) if everyone else ()

    def handler(call: Call = Depends(gate(*permissions))) -> Response:
        request = page_request(call.query(LIST_QUERY))
        reader = details_reader(call)
        page = reader.everyone(t, request) if everyone else reader.joined(t, request)
        return paged(key, page, request.offset)

    return handler


router.add_api_route("/channels.list.joined", _joined("c", "channels"), methods=["GET"])
router.add_api_route("/groups.list", _joined("p", "groups"), methods=["GET"])
router.add_api_route("/groups.listAll", _joined("p", "groups", everyone=True), methods=["GET"])
for _prefix in ("im", "dm"):
    router.add_api_route(f"/{_prefix}.list", _joined("d", "ims"), methods=["GET"])
    router.add_api_route(
        f"/{_prefix}.list.everyone", _joined("d", "ims", everyone=True), methods=["GET"]
    )


def _statuses(raw: Any) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, list):
        return [str(s) for s in raw]
    text = str(raw)
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return [str(s) for s in parsed]
    return [text]


def _members(family: str) -> Callable[[Call], Response]:
    def handler(call: Call = Depends(gate())) -> Response:
        query = call.query(MEMBERS_QUERY)
        request = page_request(query)

        def run() -> Response:
            page = details_reader(call).members(
                _KINDS[family],
                query,
                request,
                text_filter=str(query.get("filter") or ""),
                statuses=_statuses(query.get("status")),
            )
            return paged("members", page, request.offset)

        return _refused(run)

    return handler


def _counters(family: str) -> Callable[[Call], Response]:
    def handler(call: Call = Depends(gate())) -> Response:
        query = call.query(COUNTERS_QUERY)
        return _refused(
            lambda: envelope.success(
                details_reader(call).counters(_KINDS[family], query, query.get("userId") or None)
            )
        )

    return handler


for _family in ("channels", "groups", "im", "dm"):
    router.add_api_route(f"/{_family}.members", _members(_family), methods=["GET"])
    router.add_api_route(f"/{_family}.counters", _counters(_family), methods=["GET"])


def _roles(family: str) -> Callable[[Call], Response]:
    def handler(call: Call = Depends(gate())) -> Response:
        query = call.query(ROOM_QUERY)
        return _refused(
            lambda: envelope.success({"roles": details_reader(call).roles(_KINDS[family], query)})
        )

    return handler


def _moderators(family: str) -> Callable[[Call], Response]:
    def handler(call: Call = Depends(gate())) -> Response:
        query = call.query(ROOM_QUERY)

        def run() -> Response:
            found = details_reader(call).roles(_KINDS[family], query, only=("moderator",))
            return envelope.success({"moderators": [s["u"] for s in found]})

        return _refused(run)

    return handler


for _family in ("channels", "groups"):
    router.add_api_route(f"/{_family}.roles", _roles(_family), methods=["GET"])
    router.add_api_route(f"/{_family}.moderators", _moderators(_family), methods=["GET"])


@router.get("/subscriptions.getOne")
def subscriptions_get_one(call: Call = Depends(gate())) -> Response:
    query = call.query(SUBSCRIPTION_QUERY)
    return envelope.success({"subscription": details_reader(call).subscription(query["roomId"])})
