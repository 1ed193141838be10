"""Operation semantics: upload, current/latest, status mapping, clear, the API importer."""

from __future__ import annotations

import base64
import re

import pytest

from tests.support.server import Client, LiveServer

UPLOAD = "/api/v1/uploadImportFile"


def _upload(admin: Client, data: bytes, key: str = "pending-files", name: str = "x.zip"):  # type: ignore[no-untyped-def]
    return admin.post(
        UPLOAD,
        json={
            "binaryContent": base64.b64encode(data).decode(),
            "contentType": "application/zip",
            "fileName": name,
            "importerKey": key,
        },
    )


def test_upload_stores_file_and_loads(server: LiveServer) -> None:
    admin = server.admin()
    r = _upload(admin, b"PK\x05\x06" + b"\0" * 18, name="../../etc/my export.zip")
    assert r.status_code == 200 and r.json() == {"success": True}
    op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    assert list(op) == [
        "_id",
        "type",
        "importerKey",
        "ts",
        "status",
        "valid",
        "user",
        "_updatedAt",
        "file",
        "contentType",
    ]
    assert re.fullmatch(r"[0-9a-f]{24}", op["_id"])
    assert op["type"] == "Pending Files" and op["importerKey"] == "pending-files"
    assert op["status"] == "importer_file_loaded" and op["valid"] is True
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", op["ts"])
    assert re.fullmatch(rf"\d{{14}}_{admin.user_id}_my_export\.zip", op["file"])
    assert op["contentType"] == "application/zip"
    stored = server.ctx.store.final_path(op["_id"])
    assert stored.read_bytes() == b"PK\x05\x06" + b"\0" * 18


def test_upload_lenient_base64_and_caps(server: LiveServer) -> None:
    admin = server.admin()
    r = admin.post(
        UPLOAD,
        json={
            "binaryContent": "aGVs bG8",
            "contentType": "x",
            "fileName": "a",
            "importerKey": "pending-files",
        },
    )
    assert r.json() == {"success": True}
    op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    assert server.ctx.store.final_path(op["_id"]).read_bytes() == b"hello"
    server.set_setting(admin, "import_max_file_bytes", 3)
    r = _upload(admin, b"four")
    assert r.status_code == 400 and r.json() == {
        "success": False,
        "error": "error-import-file-too-large",
    }
    assert admin.get("/api/v1/getCurrentImportOperation").json()["operation"]["_id"] == op["_id"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "must have required property 'binaryContent'"),
        (
            {"binaryContent": "", "fileName": "", "importerKey": ""},
            "must have required property 'contentType'",
        ),
        (
            {"binaryContent": "", "contentType": "", "fileName": "", "importerKey": "", "x": 1},
            "must NOT have additional properties",
        ),
    ],
)
def test_upload_validation(server: LiveServer, body: dict, message: str) -> None:  # type: ignore[type-arg]
    r = server.admin().post(UPLOAD, json=body)
    assert r.json() == {"success": False, "errorType": "invalid-params", "error": message}


def test_upload_unknown_importer(server: LiveServer) -> None:
    r = _upload(server.admin(), b"x", key="api")
    assert r.json() == {
        "success": False,
        "error": "The importer (api) has no import class defined. [error-importer-not-defined]",
        "errorType": "error-importer-not-defined",
        "details": "uploadImportFile",
    }


@pytest.mark.parametrize("route", ["getImportFileData", "getImportProgress"])
def test_no_operation_errors(server: LiveServer, route: str) -> None:
    r = server.admin().get(f"/api/v1/{route}")
    assert r.status_code == 400
    assert r.json() == {
        "success": False,
        "error": "Import Operation Not Found [error-operation-not-found]",
        "errorType": "error-operation-not-found",
        "details": route,
    }


def test_start_import_errors(server: LiveServer) -> None:
    admin = server.admin()
    r = admin.post("/api/v1/startImport", json={"input": {}})
    assert r.json()["errorType"] == "error-operation-not-found"
    assert r.json()["details"] == "startImport"
    r = admin.post("/api/v1/startImport", json={})
    assert r.json() == {
        "success": False,
        "errorType": "invalid-params",
        "error": "must have required property 'input'",
    }
    admin.post("/api/v1/downloadPendingAvatars")  # ends importer_done
    r = admin.post("/api/v1/startImport", json={"input": {"users": {"all": True}}})
    assert r.json() == {
        "success": False,
        "error": "Invalid Import Operation [error-import-operation-invalid]",
        "errorType": "error-import-operation-invalid",
        "details": "startImport",
    }


def test_file_data_of_failed_operation(server: LiveServer) -> None:
    admin = server.admin()
    admin.post(
        "/api/v1/downloadPublicImportFile",
        json={"fileUrl": "http://127.0.0.1/x", "importerKey": "pending-files"},
    )
    r = admin.get("/api/v1/getImportFileData")
    assert r.json() == {
        "success": False,
        "error": "Invalid Import Operation [error-import-operation-invalid]",
        "errorType": "error-import-operation-invalid",
        "details": "getImportFileData",
    }


def test_query_keys_refused(server: LiveServer) -> None:
    r = server.admin().get("/api/v1/getImportProgress?any=test")
    assert r.json() == {
        "success": False,
        "errorType": "error-invalid-params",
        "error": "must NOT have additional properties",
    }


def test_importers_list_shows_registered_visible_importers(server: LiveServer) -> None:
    body = server.admin().get("/api/v1/importers.list").json()
    # rest-api §4.9: every visible importer, in registration order, names untranslated.
    assert body == [
        {"key": "csv", "name": "CSV"},
        {"key": "slack", "name": "Slack"},
        {"key": "slack-users", "name": "Slack_Users"},
        {"key": "hipchatenterprise", "name": "HipChat (tar.gz)"},
    ]


def test_api_importer_end_to_end(server: LiveServer) -> None:
    admin = server.admin()
    assert admin.get("/api/v1/import.status").json() == {"state": "none", "success": True}
    r = admin.post("/api/v1/import.addUsers", json={"users": []})
    assert r.json() == {"success": True}
    r = admin.post(
        "/api/v1/import.addUsers", json={"users": [{"emails": ["a@x.io"], "importIds": ["1"]}]}
    )
    assert r.json() == {"success": False, "error": "Import operation not initialized."}

    op = admin.post("/api/v1/import.new").json()["operation"]
    assert op["type"] == "api" and op["importerKey"] == "api" and op["status"] == "importer_new"
    assert list(op) == ["_id", "type", "importerKey", "ts", "status", "valid", "user", "_updatedAt"]
    assert admin.get("/api/v1/import.status").json()["state"] == "new"

    r = admin.post(
        "/api/v1/import.addUsers", json={"users": [{"emails": [""], "importIds": ["1"]}]}
    )
    assert r.json() == {"success": False, "error": "Users are missing required data."}
    r = admin.post(
        "/api/v1/import.addUsers",
        json={"users": [{"emails": ["a@x.io"], "importIds": ["1"], "roles": ["nope"]}]},
    )
    assert r.json() == {
        "success": False,
        "error": "One or more of the users have been assigned invalid roles.",
    }
    r = admin.post("/api/v1/import.addUsers", json={"users": [{"importIds": ["1"]}]})
    assert r.json()["error"] == "must have required property 'emails'"

    users = [
        {
            "emails": ["Alice@Example.com"],
            "importIds": ["u1"],
            "username": "alice",
            "name": "Alice A",
            "roles": ["bot"],
        },
        {"emails": ["bob@example.com"], "importIds": ["u2"], "username": "bob"},
    ]
    assert admin.post("/api/v1/import.addUsers", json={"users": users}).json() == {"success": True}
    status = admin.get("/api/v1/import.status").json()
    assert status["state"] == "ready"
    assert status["operation"]["status"] == "importer_user_selection"
    assert status["operation"]["count"] == {"total": 2, "users": 2}

    # An existing account matched by email keeps its roles; it is skipped, import id bound.
    server.create_user(admin, "carol", roles=["user"])
    more = [
        {
            "emails": ["carol@rocket.chat"],
            "importIds": ["u3"],
            "username": "carol2",
            "roles": ["admin"],
        }
    ]
    assert admin.post("/api/v1/import.addUsers", json={"users": more}).json() == {"success": True}

    selection = admin.get("/api/v1/getImportFileData").json()
    assert selection["name"] == "API"
    assert selection["users"][0] == {
        "user_id": "u1",
        "username": "alice",
        "email": "Alice@Example.com",
        "is_deleted": False,
        "is_bot": False,
        "do_import": True,
        "is_email_taken": False,
    }

    assert admin.post("/api/v1/import.run").json() == {"success": True}
    progress = server.wait_for(admin, lambda p: p["step"] == "importer_done")
    assert progress["key"] == "api" and progress["name"] == "API"
    assert progress["count"] == {"completed": 2, "total": 3, "error": 0, "skipped": 1}
    assert admin.get("/api/v1/import.status").json()["state"] == "done"

    alice = admin.get("/api/v1/users.info?username=alice").json()["user"]
    assert alice["roles"] == ["bot", "user"]
    assert alice["emails"] == [{"address": "alice@example.com", "verified": False}]
    assert alice["name"] == "Alice A"
    carol = admin.get("/api/v1/users.info?username=carol").json()["user"]
    assert carol["roles"] == ["user"]

    r = admin.post("/api/v1/import.run")
    assert r.json() == {"success": False, "error": "error-invalid-operation-status"}
    r = admin.post("/api/v1/import.addUsers", json={"users": users})
    assert r.json() == {
        "success": False,
        "error": "The current import operation is already finished.",
    }


def test_api_importer_again_adds_nothing(server: LiveServer) -> None:
    """The same import.addUsers batch in a new operation: every user is known, none is added,
    none is changed (importers §1.7: existing accounts keep everything)."""
    admin = server.admin()
    users = [
        {"emails": ["dana@example.com"], "importIds": ["d1"], "username": "dana", "name": "Dana"},
        {"emails": ["eve@example.com"], "importIds": ["e1"], "username": "eve"},
    ]

    def run_once() -> dict:  # type: ignore[type-arg]
        assert admin.post("/api/v1/import.new").json()["success"] is True
        assert admin.post("/api/v1/import.addUsers", json={"users": users}).json() == {
            "success": True
        }
        assert admin.post("/api/v1/import.run").json() == {"success": True}
        return server.wait_for(admin, lambda p: p["step"] == "importer_done")

    first = run_once()
    assert first["count"] == {"completed": 2, "total": 2, "error": 0, "skipped": 0}
    listed = admin.get("/api/v1/users.list?count=100").json()
    before = {u["username"]: u for u in listed["users"]}
    second = run_once()
    assert second["count"]["total"] == 2 and second["count"]["completed"] == 0
    assert second["count"]["skipped"] == 2
    again = admin.get("/api/v1/users.list?count=100").json()
    assert again["total"] == listed["total"]
    after = {u["username"]: u for u in again["users"]}
    for name in ("dana", "eve"):
        for key in ("_id", "roles", "emails", "name"):
            assert after[name].get(key) == before[name].get(key), (name, key)


def test_import_run_without_operation(server: LiveServer) -> None:
    r = server.admin().post("/api/v1/import.run")
    assert r.json() == {"success": False, "error": "error-operation-not-found"}


def test_clear_invalidates_and_status_maps_to_error(server: LiveServer) -> None:
    admin = server.admin()
    admin.post("/api/v1/import.new")
    assert admin.post("/api/v1/import.clear").json() == {"success": True}
    status = admin.get("/api/v1/import.status").json()
    assert status["state"] == "error"
    assert status["operation"]["valid"] is False
    assert status["operation"]["status"] == "importer_new"


def test_latest_operations_order_and_limit(server: LiveServer) -> None:
    admin = server.admin()
    ids = [admin.post("/api/v1/import.new").json()["operation"]["_id"] for _ in range(22)]
    latest = admin.get("/api/v1/getLatestImportOperations").json()
    assert len(latest) == 20
    assert latest[0]["_id"] == ids[-1]
    assert sum(1 for op in latest if op["valid"]) == 1
