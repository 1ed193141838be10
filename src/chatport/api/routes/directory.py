"""Finding people and rooms: ``directory``, ``spotlight``, ``roles.list``,
``roles.getUsersInRole``, ``users.getAvatar``."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends
from starlette.responses import Response

from chatport.accounts.seed import ACCESS_PERMISSIONS, VIEW_OTHER_USER_INFO
from chatport.api import envelope, schemas
from chatport.api.auth import Call, gate
from chatport.api.paging import PAGING, STR, held_permissions, page_request, schema
from chatport.errors import CodedError
from chatport.workspace.directory import DirectoryReader, roles_list

router = APIRouter(prefix="/api/v1", tags=["directory"], route_class=envelope.EnvelopeRoute)

DIRECTORY_QUERY = schema(
    {
        "text": STR,
        "type": {"type": "string", "enum": ["users", "channels", "teams"]},
        "workspace": STR,
        **PAGING,
    }
)
SPOTLIGHT_QUERY = schema({"query": STR}, required=["query"])
USERS_IN_ROLE_QUERY = schema({"role": STR, "roomId": STR, **PAGING}, required=["role"])


def directory_reader(call: Call) -> DirectoryReader:
    assert call.user is not None
    return DirectoryReader(call.ctx.engine, call.user.id, held_permissions(call))


@router.get("/directory")
def directory(call: Call = Depends(gate())) -> Response:
    query = call.query(DIRECTORY_QUERY)
    request = page_request(query)
    kind = str(query.get("type") or "channels")
    if kind == "teams":  # chatport imports no teams
        return envelope.success({"result": [], "count": 0, "offset": request.offset, "total": 0})
    page = directory_reader(call).directory(kind, str(query.get("text") or ""), request)
    return envelope.success(
        {
            "result": page.items,
            "count": len(page.items),
            "offset": request.offset,
            "total": page.total,
        }
    )


@router.get("/spotlight")
def spotlight(call: Call = Depends(gate())) -> Response:
    query = call.query(SPOTLIGHT_QUERY)
    return envelope.success(directory_reader(call).spotlight(query["query"]))


@router.get("/roles.list")
def roles_list_route(call: Call = Depends(gate())) -> Response:
    return envelope.success({"roles": roles_list(call.ctx.engine)})


@router.get("/roles.getUsersInRole")
def roles_get_users_in_role(call: Call = Depends(gate())) -> Response:
    query = call.query(USERS_IN_ROLE_QUERY)
    request = page_request(query)
    assert call.user is not None
    if not call.ctx.accounts.granted(call.user, (ACCESS_PERMISSIONS,)) and not (
        call.ctx.accounts.granted(call.user, (VIEW_OTHER_USER_INFO,))
    ):
        raise CodedError("error-not-allowed", "Not allowed")
    users, total = directory_reader(call).users_in_role(
        query["role"], query.get("roomId") or None, request
    )
    return envelope.success({"users": users, "total": total})


@router.get("/users.getAvatar")
def users_get_avatar(call: Call = Depends(gate())) -> Response:
    query = call.query(schemas.USER_LOOKUP)
    user = call.ctx.accounts.find(user_id=query.get("userId"), username=query.get("username"))
    if user is None or not user.username:
        raise CodedError(
            "error-invalid-user",
            'The required "userId" or "username" param provided does not match any users',
        )
    location = f"/avatar/{quote(user.username)}"
    return Response(status_code=307, headers={"Location": location}, content=location)
