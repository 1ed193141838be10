"""Rocket.Chat's own import API test (import.spec.ts, rest-api §6), step by step, in order."""

from __future__ import annotations

import time

from tests.support.fileserver import FileServer, Route
from tests.support.server import LiveServer

FORBIDDEN = {
    "success": False,
    "error": "User does not have the permissions required for this action [error-unauthorized]",
}


def test_rocketchat_import_spec_flow(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()

    # 1. current operation: 200, success true (no operation yet: key absent).
    r = admin.get("/api/v1/getCurrentImportOperation")
    assert r.status_code == 200 and r.json() == {"success": True}

    # 2. downloadPendingFiles, no body.
    r = admin.post("/api/v1/downloadPendingFiles")
    assert r.status_code == 200 and r.json() == {"count": 0, "success": True}

    # 3. downloadPendingAvatars: on a fresh server the operation ends importer_done.
    r = admin.post("/api/v1/downloadPendingAvatars")
    assert r.status_code == 200 and r.json() == {"count": 0, "success": True}
    op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    assert op["status"] == "importer_done" and op["importerKey"] == "pending-avatars"

    # 4. getLatestImportOperations: plain user 403, admin a bare array.
    user = server.create_user(admin, f"user.test.{int(time.time())}.1")
    r = user.get("/api/v1/getLatestImportOperations")
    assert r.status_code == 403 and r.json() == FORBIDDEN
    r = admin.get("/api/v1/getLatestImportOperations")
    assert r.status_code == 200 and isinstance(r.json(), list) and len(r.json()) == 2

    # 5. getImportProgress.
    body = admin.get("/api/v1/getImportProgress").json()
    assert body == {
        "key": "pending-avatars",
        "name": "Pending Avatars",
        "step": "importer_done",
        "count": {"completed": 0, "total": 0, "error": 0},
        "success": True,
    }

    # 6. getImportFileData on the finished pending-avatars operation: its empty selection.
    body = admin.get("/api/v1/getImportFileData").json()
    assert body == {
        "name": "Pending Avatars",
        "users": [],
        "channels": [],
        "message_count": 0,
        "contacts": [],
        "success": True,
    }

    # 7a. SSRF: a loopback URL is refused and the operation ends failed.
    server.set_setting(admin, "SSRF_Allowlist", "")
    r = admin.post(
        "/api/v1/downloadPublicImportFile",
        json={"fileUrl": f"{server.base_url}/api/v1/info", "importerKey": "slack-users"},
    )
    assert r.status_code == 400
    assert r.json() == {"success": False, "error": "error-ssrf-validation-failed"}
    assert admin.get("/api/v1/getImportProgress").json()["step"] == "importer_import_failed"

    # 7b. The allowlisted mock server serves JSON that is not a zip: it still loads.
    files.routes["/import-test.zip"] = Route(body=b'{"not":"a zip"}')
    server.set_setting(admin, "SSRF_Allowlist", f"mock-server.dev:{files.port}")
    url = f"http://mock-server.dev:{files.port}/import-test.zip"
    r = admin.post(
        "/api/v1/downloadPublicImportFile",
        json={"fileUrl": url, "importerKey": "csv"},
    )
    assert r.status_code == 200 and r.json() == {"success": True}
    deadline = time.monotonic() + 10
    step = ""
    while time.monotonic() < deadline:
        step = admin.get("/api/v1/getImportProgress").json()["step"]
        assert step != "importer_import_failed"
        if step == "importer_file_loaded":
            break
        time.sleep(0.1)
    assert step == "importer_file_loaded"

    # 8. uploadImportFile by a non-admin: 403.
    r = user.post(
        "/api/v1/uploadImportFile",
        json={
            "binaryContent": "ZXJzLmNzdlBLBQYAAAAAAQABADcAAAAmAQAAAAA=",
            "contentType": "application/zip",
            "fileName": "users11.zip",
            "importerKey": "csv",
        },
    )
    assert r.status_code == 403 and r.json() == FORBIDDEN
