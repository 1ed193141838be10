"""A HipChat Enterprise export imported end to end over HTTP, then read back (importers §5)."""

from __future__ import annotations

import base64
import hashlib
import tarfile
from collections.abc import Callable
from typing import Any

import pytest

from chatport.imports import staging
from chatport.workspace import messages as messages_repo
from tests.imports.test_hipchat_reader import (
    AVATAR,
    build_tar,
    encrypt,
    example_files,
    special,
)
from tests.support import importing
from tests.support.fileserver import FileServer
from tests.support.importing import run_import
from tests.support.server import Client, LiveServer


def load(server: LiveServer, admin: Client, files: FileServer, body: bytes) -> dict[str, Any]:
    """Download the export (a tar.gz) from the loopback file server and wait for the selection."""
    return importing.load(server, admin, files, body, "hipchatenterprise", "/export.tar.gz")


PASSWORD = "hipchat export secret"


def _strip(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "_updatedAt"}


def _messages(admin: Client, path: str, room_id: str) -> list[dict[str, Any]]:
    body = admin.get(f"/api/v1/{path}.messages?roomId={room_id}&count=100").json()
    assert body["success"], body
    return [_strip(m) for m in body["messages"]]


def _message(admin: Client, message_id: str) -> dict[str, Any]:
    body = admin.get(f"/api/v1/chat.getMessage?msgId={message_id}").json()
    assert body["success"], body
    return _strip(body["message"])


def _stored(server: LiveServer, message_id: str) -> dict[str, Any]:
    """The stored document, ``_importFile`` included (the read API never returns it)."""
    with server.ctx.engine.connect() as conn:
        row = messages_repo.get_message(conn, message_id)
    assert row is not None
    return dict(row.stored())


def _failed(server: LiveServer, admin: Client, files: FileServer, body: bytes) -> dict[str, Any]:
    """Prepare ``body``; it must fail cleanly, with nothing imported and the server serving."""
    data = load(server, admin, files, body)
    assert data["errorType"] == "error-import-operation-invalid"
    op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    assert op["status"] == "importer_import_failed"
    assert op["failureReason"] == "error-import-file-invalid"
    assert admin.get("/api/v1/users.list?count=0").json()["total"] == 1  # just the admin
    assert admin.get("/api/v1/rooms.adminRooms?count=0").json()["total"] == 1  # GENERAL
    assert admin.get("/api/v1/importers.list").status_code == 200
    return op


def test_export_reads_back_exactly_and_reimports_nothing(
    server: LiveServer, files: FileServer
) -> None:
    admin = server.admin()
    body = build_tar(example_files())
    selection = load(server, admin, files, body)
    assert selection["name"] == "HipChat (tar.gz)"
    assert [(u["user_id"], u["username"]) for u in selection["users"]] == [
        ("1", "ann"),
        ("2", "bob"),
        ("3", "cy"),
    ]
    assert [c["channel_id"] for c in selection["channels"]] == ["10", "11", "__directMessages__"]
    assert selection["message_count"] == 11  # each private message once, not twice
    progress = run_import(server, admin)
    assert progress["step"] == "importer_done", progress
    # 3 users + 4 rooms (2 DMs) + 11 messages; the ArchiveRoomMessage is skipped.
    assert progress["count"] == {"completed": 17, "total": 18, "error": 0, "skipped": 1}

    users = {u["username"]: u for u in admin.get("/api/v1/users.list?count=100").json()["users"]}
    ann, bob, cy = users["ann"], users["bob"], users["cy"]
    assert {k: ann[k] for k in ann if k not in ("_id", "createdAt", "_updatedAt")} == {
        "username": "ann",
        "emails": [{"address": "ann@example.org", "verified": False}],
        "type": "user",
        "status": "offline",
        "name": "Ann Admin",
        "importIds": ["1"],
        "bio": "Boss",
        # Applied during the import (importers §5.2): test_hipchat_avatars.py has the detail.
        "avatarOrigin": "upload",
        "avatarETag": hashlib.sha256(base64.b64decode(AVATAR)).hexdigest()[:24],
        "requirePasswordChange": True,
        "active": True,
        "roles": ["user"],
    }
    assert cy["active"] is False and cy["emails"] == [] and cy["importIds"] == ["3"]

    def who(user: dict[str, Any]) -> dict[str, Any]:
        return {"_id": user["_id"], "username": user["username"], "name": user["name"]}

    rooms = admin.get("/api/v1/rooms.adminRooms?count=100").json()["rooms"]
    by_name = {r.get("fname"): r for r in rooms}
    dev, secret = by_name["Dev Room"], by_name["secret"]
    # Numeric owner and members matched the string user ids.
    assert _strip(dev) == {
        "_id": dev["_id"],
        "fname": "Dev Room",
        "name": "Dev-Room",
        "t": "c",
        "u": {"_id": ann["_id"], "username": "ann"},
        "usersCount": 2,
        "ro": False,
        "default": False,
        "topic": "shipping",
        "msgs": 6,
        "ts": "2016-04-11T16:42:47.000Z",
    }
    assert secret["t"] == "p" and secret["archived"] is True and secret["usersCount"] == 2
    assert secret["u"] == {"_id": bob["_id"], "username": "bob"}
    dms = {tuple(r["usernames"]): r for r in rooms if r["t"] == "d"}
    assert set(dms) == {("ann", "bob"), ("bob", "cy")}
    ann_bob = dms[("ann", "bob")]
    assert ann_bob["_id"] == "".join(sorted((ann["_id"], bob["_id"])))
    assert ann_bob["ts"] == "2018-11-02T09:00:00.000Z" and ann_bob["msgs"] == 2

    rid = dev["_id"]
    assert _messages(admin, "channels", rid) == [
        {
            "_id": "hipchatenterprise-10-topic-t1",
            "rid": rid,
            "ts": "2018-11-01T10:40:00.000Z",
            "msg": "new topic",
            "u": who(bob),
            "t": "room_changed_topic",
            "groupable": False,
        },
        {
            "_id": "hipchatenterprise-10-notif-n1",
            "rid": rid,
            "ts": "2018-11-01T10:39:00.000Z",
            "msg": "*Build* passed",
            "u": {"_id": "rocket.cat", "username": "rocket.cat", "name": "Rocket.Cat"},
            "alias": "Jenkins",
        },
        {
            "_id": "hipchatenterprise-10-user-m3",
            "rid": rid,
            "ts": "2018-11-01T10:38:27.500Z",
            "msg": "_waves_",
            "u": who(ann),
        },
        {
            "_id": "hipchatenterprise-10-user-m2",
            "rid": rid,
            "ts": "2018-11-01T10:38:26.000Z",
            "msg": "*bold* & [link](https://x.test/a)",  # the script is gone with its text
            "u": who(bob),
            "urls": [{"url": "https://x.test/a"}],
        },
        {
            "_id": "hipchatenterprise-10-user-m1",
            "rid": rid,
            "ts": "2018-11-01T10:38:25.135Z",  # microseconds truncated to milliseconds
            "msg": "hello @bob",
            "u": who(ann),
        },
    ]
    # The attachment is a pending file: hidden until downloaded, never shown with its URL.
    attachment = "hipchatenterprise-10-user-f1"
    assert _message(admin, attachment) == {
        "_id": attachment,
        "rid": rid,
        "ts": "2018-11-01T10:41:00.000Z",
        "msg": "spec.pdf",
        "u": who(bob),
        "_hidden": True,
    }
    assert _stored(server, attachment)["_importFile"] == {
        "downloadUrl": "https://files.test/spec.pdf",
        "id": "hipchatenterprise-10-user-f1-spec.pdf",
        "size": 1234,
        "name": "spec.pdf",
        "external": False,
        "source": "hipchat-enterprise",
        "original": {"url": "https://files.test/spec.pdf", "name": "spec.pdf", "size": 1234},
    }
    assert _message(admin, "hipchatenterprise-11-user-s1")["u"] == who(cy)

    # Private messages: stored twice in the export, once here, in the pair's DM.
    assert _messages(admin, "im", ann_bob["_id"]) == [
        {
            "_id": "hipchatenterprise-private-p2",
            "rid": ann_bob["_id"],
            "ts": "2018-11-02T09:01:00.250Z",
            "msg": "_hi_ ann",
            "u": who(bob),
        },
        {
            "_id": "hipchatenterprise-private-p1",
            "rid": ann_bob["_id"],
            "ts": "2018-11-02T09:00:00.000Z",
            "msg": "hi bob",
            "u": who(ann),
        },
    ]
    bob_cy = dms[("bob", "cy")]
    assert [m["msg"] for m in _messages(admin, "im", bob_cy["_id"])] == ["_nods_"]

    # The same export again: every record updates in place; nothing is added.
    load(server, admin, files, body)
    again = run_import(server, admin)
    assert again["count"] == progress["count"]
    assert admin.get("/api/v1/users.list?count=0").json()["total"] == len(users)
    after = admin.get("/api/v1/rooms.adminRooms?count=100").json()["rooms"]
    assert sorted((r["_id"], r["msgs"]) for r in after) == sorted(
        (r["_id"], r["msgs"]) for r in rooms
    )
    assert len(_messages(admin, "channels", rid)) == 5
    assert len(_messages(admin, "im", ann_bob["_id"])) == 2


@pytest.mark.parametrize("md", ["md5", "sha256"])
def test_encrypted_export_imports(
    make_server: Callable[..., LiveServer], files: FileServer, md: str
) -> None:
    server = make_server(hipchat_export_password=PASSWORD)
    admin = server.admin()
    body = encrypt(build_tar(example_files()), PASSWORD, md)
    assert body.startswith(b"Salted__")
    assert load(server, admin, files, body)["message_count"] == 11
    progress = run_import(server, admin)
    assert progress["count"] == {"completed": 17, "total": 18, "error": 0, "skipped": 1}
    assert _message(admin, "hipchatenterprise-10-notif-n1")["alias"] == "Jenkins"


def test_wrong_password(make_server: Callable[..., LiveServer], files: FileServer) -> None:
    server = make_server(hipchat_export_password="not it")
    admin = server.admin()
    op = _failed(server, admin, files, encrypt(build_tar(example_files()), PASSWORD, "md5"))
    assert op["failureMessage"] == (
        "cannot decrypt the export: wrong password (hipchat_export_password) "
        "or not an aes-256-cbc export"
    )


def test_encrypted_export_without_password(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    op = _failed(server, admin, files, encrypt(build_tar(example_files()), PASSWORD, "sha256"))
    assert op["failureMessage"] == (
        "the export is encrypted (.tar.gz.aes): configure hipchat_export_password "
        "(CHATPORT_HIPCHAT_EXPORT_PASSWORD) to import it"
    )


def _truncated() -> bytes:
    body = build_tar(example_files())
    return body[: len(body) * 2 // 3]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            lambda: build_tar(example_files(), [special("../evil.json", tarfile.REGTYPE)]),
            "member ../evil.json: unsafe name",
        ),
        (
            lambda: build_tar(
                example_files(), [special("rooms/12/history.json", tarfile.SYMTYPE, "/etc/passwd")]
            ),
            "member rooms/12/history.json: symbolic links are not allowed",
        ),
        (_truncated, "invalid archive: truncated gzip data"),
        (lambda: b"PK\x03\x04 a zip file", "not a tar.gz file (nor an encrypted .tar.gz.aes)"),
    ],
    ids=["dotdot", "symlink", "truncated", "not-gzip"],
)
def test_broken_archive_fails_cleanly(
    server: LiveServer, files: FileServer, body: Callable[[], bytes], message: str
) -> None:
    admin = server.admin()
    op = _failed(server, admin, files, body())
    assert op["failureMessage"] == message
    # The users and rooms read before the bad member were not staged either.
    with server.ctx.engine.connect() as conn:
        assert staging.count(conn, op["_id"]) == 0
