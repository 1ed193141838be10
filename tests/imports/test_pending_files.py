"""downloadPendingFiles / downloadPendingAvatars over HTTP after a Slack import (issue 5).

A loopback file server stands in for Slack's file hosts; it counts requests, so "each file
once" is observed on the wire, and it scripts the failures (404, a 302 to an HTML login page,
a body over the cap, a stalled server); a link-local address stands for a refused target.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

from chatport.accounts import repository as accounts_repo
from chatport.workspace import messages as messages_repo
from tests.imports.pending_support import (
    channels,
    file_message,
    import_export,
    png,
    requests_for,
    room_id,
    room_messages,
    slack_file,
    users,
    wait_done,
)
from tests.imports.slack_fixtures import build_export
from tests.support.fileserver import FileServer, Route
from tests.support.server import LiveServer

PNG = png(3, 2, seed=7)
TXT = b"plain notes\n" * 20
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4
AVATAR_ANN = png(5, 5, seed=1)
AVATAR_BOB = b"GIF89a\x04\x00\x04\x00" + bytes(range(40))
CAP = 50_000


def _routes(files: FileServer) -> None:
    files.routes["/f/pic.png"] = Route(body=PNG, headers={"Content-Type": "image/png"})
    files.routes["/f/notes.txt"] = Route(body=TXT, headers={"Content-Type": "text/plain"})
    files.routes["/f/song.mp3"] = Route(body=MP3)
    files.routes["/f/revoked"] = Route(status=302, headers={"Location": "/login"})
    files.routes["/login"] = Route(
        body=b"<!DOCTYPE html><html>sign in</html>", headers={"Content-Type": "text/html"}
    )
    files.routes["/f/big.bin"] = Route(body=b"\x00\x01" * CAP)
    files.routes["/f/stall"] = Route(body=b"never", hang=20)
    files.routes["/a/ann.png"] = Route(body=AVATAR_ANN, headers={"Content-Type": "image/png"})
    files.routes["/a/bob.gif"] = Route(body=AVATAR_BOB)


def _export(files: FileServer) -> bytes:
    url = files.url
    general = [
        file_message("1600000000.000100", "U1", slack_file("F1", "pic.png", url("/f/pic.png"))),
        file_message("1600000001.000100", "U2", slack_file("F2", "notes.txt", url("/f/notes.txt"))),
        file_message("1600000002.000100", "U1", slack_file("F3", "song.mp3", url("/f/song.mp3"))),
        file_message("1600000003.000100", "U1", slack_file("F4", "gone.pdf", url("/f/missing"))),
        file_message("1600000004.000100", "U1", slack_file("F5", "doc.pdf", url("/f/revoked"))),
        file_message("1600000005.000100", "U1", slack_file("F6", "big.bin", url("/f/big.bin"))),
        file_message(
            "1600000006.000100", "U1", slack_file("F7", "meta.txt", "http://169.254.169.254/x")
        ),
        file_message("1600000007.000100", "U1", slack_file("F8", "slow.bin", url("/f/stall"))),
    ]
    # The same Slack file shared again, in another channel: one item, fetched once.
    dev = [file_message("1600000010.000100", "U2", slack_file("F1", "pic.png", url("/f/pic.png")))]
    avatars = {"U1": url("/a/ann.png"), "U2": url("/a/bob.gif")}
    return build_export(
        {
            "users.json": users(avatars),
            "channels.json": channels(),
            "general/2020-09-13.json": general,
            "dev/2020-09-13.json": dev,
        }
    )


def _server(make_server: Callable[..., LiveServer], files: FileServer) -> LiveServer:
    server = make_server(download_header_timeout=1.0, pending_download_workers=3)
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    server.set_setting(admin, "FileUpload_MaxFileSize", CAP)
    server.set_setting(admin, "import_download_idle_timeout", 1)
    return server


def _stored_error(server: LiveServer, message_id: str) -> Any:
    with server.ctx.engine.connect() as conn:
        found = messages_repo.get_message(conn, message_id)
    assert found is not None
    return found.doc["_importFile"].get("error", {}).get("message")


def test_pending_files_and_avatars_end_to_end(
    make_server: Callable[..., LiveServer], files: FileServer
) -> None:
    _routes(files)
    server = _server(make_server, files)
    admin = server.admin()
    import_export(server, admin, files, _export(files))
    general, dev = room_id(admin, "general"), room_id(admin, "dev")
    assert not any("file" in m for m in room_messages(admin, general).values())

    # Rocket.Chat counts the messages waiting for a file (rest-api §4.8): the picture shared
    # in two channels counts twice, and is fetched once.
    r = admin.post("/api/v1/downloadPendingFiles")
    assert r.json() == {"count": 9, "success": True}
    progress = wait_done(server, admin)
    assert progress["step"] == "importer_done"
    assert progress["count"]["total"] == 9
    assert progress["count"]["completed"] == 4 and progress["count"]["error"] == 5
    for path in ("/f/pic.png", "/f/notes.txt", "/f/song.mp3"):
        assert requests_for(files, path) == 1, path

    shown = room_messages(admin, general)
    pic = shown["slack-C1-1600000000-000100-file1"]
    assert pic["file"]["type"] == "image/png" and pic["file"]["size"] == len(PNG)
    (attachment,) = pic["attachments"]
    assert attachment["image_type"] == "image/png"
    assert attachment["image_dimensions"] == {"width": 3, "height": 2}
    assert attachment["title_link"] == attachment["image_url"]
    assert attachment["title_link_download"] is True
    song = shown["slack-C1-1600000002-000100-file1"]["attachments"][0]
    assert song["audio_type"] == "audio/mpeg" and song["audio_size"] == len(MP3)
    notes = shown["slack-C1-1600000001-000100-file1"]["attachments"][0]
    assert notes["type"] == "file" and "image_url" not in notes and "audio_url" not in notes
    for message_id, body in (
        ("slack-C1-1600000000-000100-file1", PNG),
        ("slack-C1-1600000001-000100-file1", TXT),
        ("slack-C1-1600000002-000100-file1", MP3),
    ):
        served = admin.get(shown[message_id]["attachments"][0]["title_link"])
        assert served.status_code == 200 and served.content == body
    shared = room_messages(admin, dev)["slack-C2-1600000010-000100-file1"]
    assert admin.get(shared["attachments"][0]["title_link"]).content == PNG

    failed = {
        "slack-C1-1600000003-000100-file1": "importer-file-download-failed",  # 404
        "slack-C1-1600000004-000100-file1": "importer-file-html-response",  # 302 to HTML
        "slack-C1-1600000005-000100-file1": "importer-file-too-large",
        "slack-C1-1600000006-000100-file1": "error-ssrf-validation-failed",
        "slack-C1-1600000007-000100-file1": "importer-file-download-failed",  # stalled
    }
    for message_id, code in failed.items():
        assert message_id not in shown  # still hidden
        assert _stored_error(server, message_id) == code, message_id

    r = admin.post("/api/v1/downloadPendingAvatars")
    assert r.json() == {"count": 2, "success": True}
    assert wait_done(server, admin)["count"]["completed"] == 2
    for username, body, kind in (
        ("ann", AVATAR_ANN, "image/png"),
        ("bob", AVATAR_BOB, "image/gif"),
    ):
        served = server.client().get(f"/avatar/{username}")
        assert served.status_code == 200 and served.content == body
        assert served.headers["content-type"] == kind
    info = admin.get("/api/v1/users.info?username=ann").json()["user"]
    assert "_pendingAvatarUrl" not in info and info.get("avatarETag")

    # A second run retries only the failures; finished files are never fetched again.
    r = admin.post("/api/v1/downloadPendingFiles")
    assert r.json() == {"count": 5, "success": True}
    wait_done(server, admin)
    assert requests_for(files, "/f/pic.png") == 1
    assert admin.post("/api/v1/downloadPendingAvatars").json() == {"count": 0, "success": True}


def test_avatar_data_uris_and_bad_avatar_urls(server: LiveServer) -> None:
    """``data:`` avatars (HipChat) are decoded locally; other schemes and non-images fail."""
    admin = server.admin()
    good = "data:image/png;base64," + base64.b64encode(AVATAR_ANN).decode()
    not_image = "data:image/png;base64," + base64.b64encode(b"<script>x</script>").decode()
    people = [
        ("dana", good),
        ("eve", not_image),
        ("finn", "ftp://files.test/a.png"),
    ]
    assert admin.post("/api/v1/import.new").json()["success"]
    body = {
        "users": [
            {"emails": [f"{u}@x.io"], "importIds": [u], "username": u, "avatarUrl": url}
            for u, url in people
        ]
    }
    assert admin.post("/api/v1/import.addUsers", json=body).json() == {"success": True}
    assert admin.post("/api/v1/import.run").json() == {"success": True}
    wait_done(server, admin)

    assert admin.post("/api/v1/downloadPendingAvatars").json() == {"count": 3, "success": True}
    progress = wait_done(server, admin)
    assert progress["count"]["completed"] == 1 and progress["count"]["error"] == 2
    served = server.client().get("/avatar/dana")
    assert served.content == AVATAR_ANN and served.headers["content-type"] == "image/png"
    dana = admin.get("/api/v1/users.info?username=dana").json()["user"]
    assert dana["avatarOrigin"] == "upload" and "_pendingAvatarUrl" not in dana
    errors = {}
    for username in ("eve", "finn"):
        with server.ctx.engine.connect() as conn:
            user = accounts_repo.find_by_username(conn, username)
        assert user is not None
        assert user.doc["_pendingAvatarUrl"]  # kept for a later run
        errors[username] = user.doc["_pendingAvatarError"]["message"]
    assert errors == {
        "eve": "importer-avatar-invalid-image",
        "finn": "importer-file-unsupported-url",
    }


def test_clear_cancels_a_running_download_and_allowed_hosts_narrow(
    make_server: Callable[..., LiveServer], files: FileServer
) -> None:
    _routes(files)
    files.routes["/f/slow.bin"] = Route(body=b"s" * 4000, chunk=200, delay=0.2)
    server = _server(make_server, files)
    admin = server.admin()
    general = [
        file_message(
            "1600000000.000100", "U1", slack_file("F1", "slow.bin", files.url("/f/slow.bin"))
        ),
        file_message(
            "1600000001.000100", "U1", slack_file("F2", "pic.png", files.url("/f/pic.png"))
        ),
    ]
    body = build_export(
        {"users.json": users(), "channels.json": channels(), "general/2020-09-13.json": general}
    )
    import_export(server, admin, files, body)
    server.set_setting(admin, "Import_Pending_AllowedHosts", "files.slack.test")
    assert admin.post("/api/v1/downloadPendingFiles").json() == {"count": 2, "success": True}
    progress = wait_done(server, admin)
    assert progress["count"]["error"] == 2  # 127.0.0.1 is not an allowed host
    assert (
        _stored_error(server, "slack-C1-1600000001-000100-file1") == "error-ssrf-validation-failed"
    )
    assert requests_for(files, "/f/pic.png") == 0

    server.set_setting(admin, "Import_Pending_AllowedHosts", "")
    assert admin.post("/api/v1/downloadPendingFiles").json() == {"count": 2, "success": True}
    time.sleep(0.5)
    assert admin.post("/api/v1/import.clear").json() == {"success": True}
    progress = server.wait_for(admin, lambda p: p["step"] == "importer_import_cancelled")
    assert progress["count"]["completed"] <= 1  # the small file may have finished
    shown = room_messages(admin, room_id(admin, "general"))
    assert "slack-C1-1600000000-000100-file1" not in shown  # the slow one never attached
