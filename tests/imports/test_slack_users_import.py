"""slack-users end to end over HTTP: download, prepare, select, import, read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.fileserver import FileServer
from tests.support.importing import load
from tests.support.server import Client, LiveServer

FIXTURE = Path(__file__).parents[2] / ".." / "shared" / "fixtures" / "rocketchat"
HEADER = (
    "username,email,status,billing-active,has-2fa,has-sso,userid,fullname,displayname,"
    "expiration-timestamp\n"
)


def _load(server: LiveServer, admin: Client, files: FileServer, body: bytes) -> dict[str, Any]:
    return load(server, admin, files, body, "slack-users", "/members.csv")


def test_member_list_fixture_end_to_end(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    body = (FIXTURE / "slack_export_users.csv").read_bytes()
    selection = _load(server, admin, files, body)
    assert selection["name"] == "Slack_Users"
    assert selection["users"][0] == {
        "user_id": "user4@email.com.br",
        "username": "user4.test",
        "email": "user4@email.com.br",
        "is_deleted": False,
        "is_bot": False,
        "do_import": True,
        "is_email_taken": False,
    }
    assert selection["channels"] == [] and selection["message_count"] == 0
    total = len(selection["users"])
    r = admin.post("/api/v1/startImport", json={"input": {"users": {"all": True}}})
    assert r.json() == {"success": True}
    progress = server.wait_for(
        admin, lambda p: p["step"] in ("importer_done", "importer_import_failed")
    )
    assert progress["step"] == "importer_done"
    assert progress["count"] == {"completed": total, "total": total, "error": 0, "skipped": 0}
    user = admin.get("/api/v1/users.info?username=user5.test").json()["user"]
    assert user["emails"] == [{"address": "user5@email.com.br", "verified": False}]
    assert user["importIds"] == ["user5@email.com.br", "U0G9QF9C6"]
    assert user["roles"] == ["user"]

    # The same list again: nothing new, the same counts.
    before = admin.get("/api/v1/users.list?count=0").json()["total"]
    _load(server, admin, files, body)
    admin.post("/api/v1/startImport", json={"input": {"users": {"all": True}}})
    progress = server.wait_for(admin, lambda p: p["step"] == "importer_done")
    assert progress["count"] == {"completed": total, "total": total, "error": 0, "skipped": 0}
    assert admin.get("/api/v1/users.list?count=0").json()["total"] == before


def test_statuses_selection_and_protected_accounts(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.create_user(admin, "existing", roles=["user"])
    rows = [
        "boss,boss@x.io,Admin,0,0,0,U1,Big Boss,,",
        "robot,robot@x.io,Bot,0,0,0,U2,,Robo,",
        "gone,gone@x.io,Deactivated,0,0,0,U3,,,",
        "visitor,visitor@x.io,Single-Channel Guest,0,0,0,U4,,,",
        "noemail,,Member,0,0,0,U5,,,",
        "rocket.chat.admin,rocketchat.internal.admin.test@rocket.chat,Admin,0,0,0,U6,,,",
        "left.out,left@x.io,Member,0,0,0,U7,,,",
    ]
    selection = _load(server, admin, files, (HEADER + "\n".join(rows) + "\n").encode())
    listed = [u["user_id"] for u in selection["users"]]
    assert "noemail" not in str(listed)
    assert len(listed) == 6
    chosen = [i for i in listed if i != "left@x.io"]
    r = admin.post("/api/v1/startImport", json={"input": {"users": {"all": False, "list": chosen}}})
    assert r.json() == {"success": True}
    progress = server.wait_for(admin, lambda p: p["step"] == "importer_done")
    assert progress["count"] == {"completed": 5, "total": 7, "error": 0, "skipped": 2}
    boss = admin.get("/api/v1/users.info?username=boss").json()["user"]
    assert boss["roles"] == ["user"]  # archive "Admin" never grants admin by default
    assert boss["name"] == "Big Boss"
    robot = admin.get("/api/v1/users.info?username=robot").json()["user"]
    assert robot["type"] == "bot" and robot["roles"] == ["bot"] and robot["name"] == "Robo"
    assert admin.get("/api/v1/users.info?username=gone").json()["user"]["active"] is False
    assert admin.get("/api/v1/users.info?username=visitor").json()["user"]["roles"] == ["guest"]
    r = admin.get("/api/v1/users.info?username=left.out")
    assert r.status_code == 400
    test_admin = admin.get("/api/v1/me").json()
    assert test_admin["roles"] == ["admin"] and test_admin["active"] is True
    assert server.login("rocketchat.internal.admin.test", "rocketchat.internal.admin.test")


def test_not_a_csv_fails_preparation(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    data = _load(server, admin, files, b"PK\x03\x04\x00\x00binary")
    assert data["errorType"] == "error-import-operation-invalid"
    op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    assert op["status"] == "importer_import_failed"
    assert op["failureReason"] == "error-import-file-invalid"
    assert op["failureMessage"] == "not a CSV file"


def test_header_only_fails_preparation(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    _load(server, admin, files, HEADER.encode())
    op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    assert op["failureMessage"] == "the member list holds no users"
