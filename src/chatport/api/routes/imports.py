"""The fifteen import routes (rest-api §4): parse, authorise, call the service, shape."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from chatport.accounts.seed import RUN_IMPORT, VIEW_IMPORT_OPERATIONS
from chatport.api import envelope, schemas
from chatport.api.auth import EMPTY_OBJECT, Call, gate
from chatport.api.disconnect import run_watching_client
from chatport.imports.download import Requester
from chatport.imports.registry import PENDING_AVATARS, PENDING_FILES
from chatport.imports.service import ImportService

router = APIRouter(prefix="/api/v1", tags=["import"], route_class=envelope.EnvelopeRoute)
run_import = Depends(gate(RUN_IMPORT))


def _body_doc(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


def _service(call: Call) -> ImportService:
    return ImportService(call.ctx)


@router.post("/uploadImportFile", openapi_extra=_body_doc(schemas.UPLOAD_IMPORT_FILE))
def upload_import_file(call: Call = run_import) -> Response:
    call.query(None)
    body = call.body(schemas.UPLOAD_IMPORT_FILE)
    _service(call).upload_file(call.uid, body)
    return envelope.success()


@router.post(
    "/downloadPublicImportFile", openapi_extra=_body_doc(schemas.DOWNLOAD_PUBLIC_IMPORT_FILE)
)
async def download_public_import_file(request: Request, call: Call = run_import) -> Response:
    # Until the answer, the download belongs to this client: its leaving cancels it
    # (security-reliability §1.5.8); once answered, the body streams on regardless.
    requester = Requester()

    def start() -> None:
        call.query(None)
        body = call.body(schemas.DOWNLOAD_PUBLIC_IMPORT_FILE)
        _service(call).download_public_file(
            call.uid, body["fileUrl"], body["importerKey"], requester
        )

    try:
        await run_watching_client(request, requester.left, start)
    finally:
        requester.answer()
    return envelope.success()


@router.get("/getImportFileData")
def get_import_file_data(call: Call = run_import) -> Response:
    call.query()
    return envelope.success(_service(call).file_data())


@router.post("/startImport", openapi_extra=_body_doc(schemas.START_IMPORT))
def start_import(call: Call = run_import) -> Response:
    call.query(None)
    body = call.body(schemas.START_IMPORT, coerce=True)
    _service(call).start_import(call.uid, body["input"])
    return envelope.success()


@router.get("/getImportProgress")
def get_import_progress(call: Call = run_import) -> Response:
    call.query()
    return envelope.success(_service(call).progress())


@router.get("/getLatestImportOperations")
def get_latest_import_operations(call: Call = Depends(gate(VIEW_IMPORT_OPERATIONS))) -> Response:
    call.query()
    return envelope.success(_service(call).latest())


@router.get("/getCurrentImportOperation")
def get_current_import_operation(call: Call = run_import) -> Response:
    call.query()
    record = _service(call).current_record()
    return envelope.success({"operation": record} if record else None)


@router.post("/downloadPendingFiles", openapi_extra=_body_doc(EMPTY_OBJECT))
def download_pending_files(call: Call = run_import) -> Response:
    call.query(None)
    call.body(EMPTY_OBJECT)
    count = _service(call).download_pending(call.uid, PENDING_FILES, "downloadPendingFiles")
    return envelope.success({"count": count})


@router.post("/downloadPendingAvatars", openapi_extra=_body_doc(EMPTY_OBJECT))
def download_pending_avatars(call: Call = run_import) -> Response:
    call.query(None)
    call.body(EMPTY_OBJECT)
    count = _service(call).download_pending(call.uid, PENDING_AVATARS, "downloadPendingAvatars")
    return envelope.success({"count": count})


@router.get("/importers.list")
def importers_list(call: Call = run_import) -> Response:
    call.query()
    return envelope.success(_service(call).importers())


@router.post("/import.clear")
def import_clear(call: Call = run_import) -> Response:
    _service(call).clear()
    return envelope.success()


@router.post("/import.new")
def import_new(call: Call = run_import) -> Response:
    return envelope.success({"operation": _service(call).new_api_operation(call.uid)})


@router.get("/import.status")
def import_status(call: Call = run_import) -> Response:
    return envelope.success(_service(call).status())


@router.post("/import.addUsers", openapi_extra=_body_doc(schemas.IMPORT_ADD_USERS))
def import_add_users(call: Call = run_import) -> Response:
    call.query(None)
    body = call.body(schemas.IMPORT_ADD_USERS, coerce=True)
    _service(call).add_users(body["users"])
    return envelope.success()


@router.post("/import.run")
def import_run(call: Call = run_import) -> Response:
    _service(call).run(call.uid)
    return envelope.success()
