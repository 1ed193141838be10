"""Login, logout, me, and personal access tokens (rest-api §2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from chatport import __version__
from chatport.accounts.repository import UserRow
from chatport.accounts.seed import CREATE_PERSONAL_ACCESS_TOKENS
from chatport.api import envelope, schemas
from chatport.api.auth import Call, gate

router = APIRouter(tags=["accounts"], route_class=envelope.EnvelopeRoute)
authenticated = Depends(gate())
anonymous = Depends(gate(auth=False))
pat = Depends(gate(CREATE_PERSONAL_ACCESS_TOKENS))


def _doc(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


@router.get("/api/info")
async def info() -> Response:
    return envelope.success({"version": __version__})


def me_object(user: UserRow, base_url: str) -> dict[str, Any]:
    doc = user.doc
    out: dict[str, Any] = {
        "_id": user.id,
        "username": user.username,
        "name": doc.get("name"),
        "emails": doc.get("emails", []),
        "status": doc.get("status", "offline"),
        "active": user.active,
        "roles": list(user.roles),
        "type": doc.get("type", "user"),
    }
    verified = [e["address"] for e in doc.get("emails", []) if e.get("verified")]
    if verified:
        out["email"] = verified[0]
    out["avatarUrl"] = f"{base_url}/avatar/{user.username}"
    return {k: v for k, v in out.items() if v is not None}


@router.post("/api/v1/login", openapi_extra=_doc(schemas.LOGIN))
async def login(call: Call = anonymous) -> Response:
    body = call.body(None)
    user, token = await run_in_threadpool(call.ctx.accounts.login, body, call.ip)
    return envelope.success(
        {
            "status": "success",
            "data": {
                "userId": user.id,
                "authToken": token,
                "me": me_object(user, call.base_url),
            },
        }
    )


def _logout(call: Call) -> Response:
    assert call.user is not None
    call.ctx.accounts.logout(call.user)
    return envelope.success({"status": "success", "data": {"message": "You've been logged out!"}})


@router.post("/api/v1/logout")
def logout(call: Call = authenticated) -> Response:
    return _logout(call)


@router.get("/api/v1/logout", deprecated=True)
def logout_get(call: Call = authenticated) -> Response:
    return _logout(call)


@router.get("/api/v1/me")
def me(call: Call = authenticated) -> Response:
    user = call.ctx.accounts.get(call.uid)
    if user is None:
        raise envelope.unauthorized()
    return envelope.success(me_object(user, call.base_url))


@router.post("/api/v1/users.generatePersonalAccessToken", openapi_extra=_doc(schemas.PAT_GENERATE))
def generate_pat(call: Call = pat) -> Response:
    body = call.body(schemas.PAT_GENERATE)
    assert call.user is not None
    token = call.ctx.accounts.generate_personal_token(
        call.user, body["tokenName"], bool(body.get("bypassTwoFactor", False))
    )
    return envelope.success({"token": token})


@router.post("/api/v1/users.regeneratePersonalAccessToken", openapi_extra=_doc(schemas.PAT_NAME))
def regenerate_pat(call: Call = pat) -> Response:
    body = call.body(schemas.PAT_NAME)
    assert call.user is not None
    return envelope.success(
        {"token": call.ctx.accounts.regenerate_personal_token(call.user, body["tokenName"])}
    )


@router.post("/api/v1/users.removePersonalAccessToken", openapi_extra=_doc(schemas.PAT_NAME))
def remove_pat(call: Call = pat) -> Response:
    body = call.body(schemas.PAT_NAME)
    assert call.user is not None
    call.ctx.accounts.remove_personal_token(call.user, body["tokenName"])
    return envelope.success()


@router.get("/api/v1/users.getPersonalAccessTokens")
def list_pats(call: Call = pat) -> Response:
    assert call.user is not None
    return envelope.success({"tokens": call.ctx.accounts.personal_tokens(call.user)})
