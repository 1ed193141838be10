"""Settings and permissions routes (rest-api §2.6, §5)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from chatport.accounts.seed import EDIT_PRIVILEGED_SETTING, VIEW_PRIVILEGED_SETTING
from chatport.accounts.settings_registry import SETTINGS, WrongType, normalize
from chatport.api import envelope
from chatport.api.auth import Call, gate

router = APIRouter(prefix="/api/v1", tags=["settings"], route_class=envelope.EnvelopeRoute)


@router.get("/permissions.listAll")
def permissions_list_all(call: Call = Depends(gate())) -> Response:
    return envelope.success({"update": call.ctx.accounts.permissions(), "remove": []})


@router.get("/settings")
def list_settings(call: Call = Depends(gate(VIEW_PRIVILEGED_SETTING))) -> Response:
    """Every run-time setting in Rocket.Chat's paged shape, with its type, default
    (``packageValue``) and, a chatport addition, its label and description in words."""
    items = [
        {
            "_id": d.id,
            "value": call.ctx.settings.get(d.id),
            "type": d.type,
            "packageValue": d.default,
            "i18nLabel": d.label or d.id,
            "i18nDescription": d.description,
        }
        for d in SETTINGS.values()
    ]
    return envelope.success(
        {"settings": items, "count": len(items), "offset": 0, "total": len(items)}
    )


@router.get("/import.options")
def import_options(call: Call = Depends(gate(VIEW_PRIVILEGED_SETTING))) -> Response:
    """chatport's deploy-time import options (environment ``CHATPORT_*``), read-only: they
    apply at start, so the settings page shows them and where to change them."""
    return envelope.success({"options": call.ctx.config.import_options()})


@router.get("/settings/{setting_id}")
def get_setting(setting_id: str, call: Call = Depends(gate(VIEW_PRIVILEGED_SETTING))) -> Response:
    if setting_id not in SETTINGS:
        raise envelope.ApiError(400, {"success": False})
    return envelope.success({"_id": setting_id, "value": call.ctx.settings.get(setting_id)})


@router.post("/settings/{setting_id}")
def set_setting(setting_id: str, call: Call = Depends(gate(EDIT_PRIVILEGED_SETTING))) -> Response:
    definition = SETTINGS.get(setting_id)
    body = call.body(None)
    if definition is None or not isinstance(body, dict) or "value" not in body:
        raise envelope.ApiError(400, {"success": False})
    try:
        value = normalize(definition, body["value"])
    except WrongType:
        raise envelope.validation_error(f"must be {definition.type}") from None
    call.ctx.settings.set(setting_id, value)
    return envelope.success()
