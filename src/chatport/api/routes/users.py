"""User administration routes used by Rocket.Chat's API tests (rest-api §5)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.responses import Response

from chatport.accounts.repository import UserRow
from chatport.accounts.seed import (
    CREATE_USER,
    DELETE_USER,
    EDIT_OTHER_USER_PASSWORD,
    VIEW_D_ROOM,
    VIEW_FULL_OTHER_USER_INFO,
    VIEW_OTHER_USER_CHANNELS,
)
from chatport.accounts.settings_registry import DEFAULT_USER_ROLES
from chatport.api import envelope, schemas
from chatport.api.auth import Call, gate
from chatport.errors import CodedError
from chatport.workspace.directory import DirectoryReader, user_by_import_id

router = APIRouter(prefix="/api/v1", tags=["users"], route_class=envelope.EnvelopeRoute)

MAX_PAGE = 2**31 - 1
PUBLIC_FIELDS = ("username", "name", "status", "type", "utcOffset", "statusText", "bio")


def _doc(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


def created_user(user: UserRow) -> dict[str, Any]:
    return {
        "_id": user.id,
        "username": user.username,
        "name": user.doc.get("name"),
        "emails": user.doc.get("emails", []),
        "roles": list(user.roles),
        "active": user.active,
        "type": user.doc.get("type", "user"),
        "createdAt": user.document()["createdAt"],
    }


def user_view(user: UserRow, full: bool) -> dict[str, Any]:
    doc = user.document()
    if full:
        return _without_url_queries(doc)
    out: dict[str, Any] = {"_id": user.id}
    for key in PUBLIC_FIELDS:
        if key in doc:
            out[key] = doc[key]
    out["active"] = user.active
    return out


def _without_url_queries(doc: dict[str, Any]) -> dict[str, Any]:
    """A pending avatar URL without its query: Slack's carries the file token (``?t=xoxe-…``,
    security A-9 row 9.6), which no API answer shows."""
    pending = doc.get("_pendingAvatarUrl")
    if isinstance(pending, str) and not pending.startswith("data:"):
        doc["_pendingAvatarUrl"] = pending.split("?", 1)[0].split("#", 1)[0]
    return doc


def default_roles(call: Call) -> list[str]:
    """``Accounts_Registration_Users_Default_Roles``, comma-separated (default ``user``)."""
    configured = str(call.ctx.settings.get(DEFAULT_USER_ROLES) or "")
    roles = [role.strip() for role in configured.split(",") if role.strip()]
    return roles or ["user"]


@router.post("/users.create", openapi_extra=_doc(schemas.USERS_CREATE))
def users_create(call: Call = Depends(gate(CREATE_USER))) -> Response:
    body = call.body(schemas.USERS_CREATE)
    user = call.ctx.accounts.create_user(
        username=body["username"],
        email=body["email"],
        name=body["name"],
        password=body["password"],
        roles=body.get("roles") or default_roles(call),
        active=body.get("active") is not False,
        verified=body.get("verified") is True,
        require_password_change=body.get("requirePasswordChange") is True,
    )
    return envelope.success({"user": created_user(user)})


@router.post("/users.update", openapi_extra=_doc(schemas.USERS_UPDATE))
def users_update(call: Call = Depends(gate(EDIT_OTHER_USER_PASSWORD))) -> Response:
    body = call.body(schemas.USERS_UPDATE)
    data = body["data"]
    user = call.ctx.accounts.set_password(
        body["userId"], data["password"], require_change=data.get("requirePasswordChange") is True
    )
    return envelope.success({"user": user_view(user, True)})


@router.post("/users.delete", openapi_extra=_doc(schemas.USERS_DELETE))
def users_delete(call: Call = Depends(gate(DELETE_USER))) -> Response:
    body = call.body(schemas.USERS_DELETE, coerce=True)
    call.ctx.accounts.delete_user(user_id=body.get("userId"), username=body.get("username"))
    return envelope.success()


@router.get("/users.info")
def users_info(call: Call = Depends(gate())) -> Response:
    """By ``userId``, ``username`` or ``importId`` (the source's id, in any import's namespace);
    ``includeUserRooms=true`` adds ``rooms`` for oneself, or with ``view-other-user-channels``."""
    query = call.query(schemas.USERS_INFO)
    if not query.get("userId") and not query.get("username") and not query.get("importId"):
        raise envelope.validation_error("must have required property 'userId'", query=True)
    if query.get("userId") or query.get("username"):
        user = call.ctx.accounts.find(user_id=query.get("userId"), username=query.get("username"))
    else:
        user = user_by_import_id(call.ctx.engine, query["importId"])
    if user is None:
        raise CodedError(
            "error-invalid-user",
            'The required "userId" or "username" param provided does not match any users',
        )
    assert call.user is not None
    own = user.id == call.user.id
    full = own or call.ctx.accounts.granted(call.user, (VIEW_FULL_OTHER_USER_INFO,))
    view = user_view(user, full)
    if query.get("includeUserRooms") == "true" and (
        own or call.ctx.accounts.granted(call.user, (VIEW_OTHER_USER_CHANNELS,))
    ):
        view["rooms"] = DirectoryReader(call.ctx.engine, call.user.id, set()).user_rooms(user.id)
    return envelope.success({"user": view})


@router.get("/users.list")
def users_list(call: Call = Depends(gate(VIEW_D_ROOM))) -> Response:
    query = call.query(schemas.PAGINATION)
    # Clamp to what a database integer holds: ``count=1e30`` must not reach the SQL.
    offset = min(max(0, int(query.get("offset", 0))), MAX_PAGE)
    count = min(int(query.get("count", 50)), MAX_PAGE)
    rows, total = call.ctx.accounts.list_users(offset, None if count <= 0 else count)
    assert call.user is not None
    full = call.ctx.accounts.granted(call.user, (VIEW_FULL_OTHER_USER_INFO,))
    return envelope.success(
        {
            "users": [user_view(u, full) for u in rows],
            "count": len(rows),
            "offset": offset,
            "total": total,
        }
    )
