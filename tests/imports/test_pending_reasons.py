"""Pending downloads record why each item failed, list it in import.errors, and give up on a
host that cannot be reached (issue defect 7; security A-9 row 9.2)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

import pytest

from tests.imports.pending_support import (
    channels,
    file_message,
    import_export,
    slack_file,
    users,
    wait_done,
)
from tests.imports.slack_fixtures import build_export
from tests.support.fileserver import FileServer, Route
from tests.support.server import LiveServer


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_reasons_listed_and_an_unreachable_host_given_up(
    make_server: Callable[..., LiveServer], files: FileServer
) -> None:
    dead = _closed_port()
    server = make_server(pending_download_workers=1, pending_unreachable_after=3)
    admin = server.admin()
    files.routes["/gone.pdf"] = Route(status=404)
    general = [
        file_message(
            "1600000000.000100",
            "U1",
            slack_file("F0", "gone.pdf", files.url("/gone.pdf") + "?t=xoxe-secret"),
        )
    ]
    general += [
        file_message(
            f"16000000{n:02d}.000100",
            "U1",
            slack_file(f"F{n}", f"f{n}.txt", f"http://127.0.0.1:{dead}/f{n}.txt"),
        )
        for n in range(1, 11)
    ]
    body = build_export(
        {"users.json": users(), "channels.json": channels(), "general/2020-09-13.json": general}
    )
    import_export(server, admin, files, body)
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port},127.0.0.1:{dead}")
    assert admin.post("/api/v1/downloadPendingFiles").json() == {"count": 11, "success": True}
    progress = wait_done(server, admin)
    assert progress["count"]["error"] == 11

    listing = admin.get("/api/v1/import.errors?count=100").json()
    assert listing["total"] == 11
    by_name = {item["source"]["name"]: item for item in listing["errors"]}
    gone = by_name["gone.pdf"]
    assert gone["dataType"] == "file"
    assert gone["source"]["url"] == files.url("/gone.pdf")  # no token
    assert gone["errors"] == [
        {
            "message": "importer-file-download-failed",
            "details": {"reason": "HTTP 404 from 127.0.0.1"},
        }
    ]
    tried = [
        i
        for i in listing["errors"]
        if i["errors"][0]["details"]["reason"].startswith("could not connect")
    ]
    skipped = [
        i for i in listing["errors"] if i["errors"][0]["details"]["reason"].startswith("not tried")
    ]
    assert len(tried) == 3 and len(skipped) == 7, [i["errors"] for i in listing["errors"]]
    op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    (host,) = op["unreachableHosts"]
    assert host["host"] == "127.0.0.1" and host["notTried"] == 7
    assert "3 downloads in a row failed" in host["reason"]
    assert "xoxe-secret" not in str(listing) + str(op)


def test_refused_avatar_url_is_an_ssrf_error(
    make_server: Callable[..., LiveServer], files: FileServer, caplog: pytest.LogCaptureFixture
) -> None:
    server = make_server()
    admin = server.admin()
    body = build_export(
        {
            "users.json": users({"U1": "http://127.0.0.1:8080/admin"}),
            "channels.json": channels(),
        }
    )
    import_export(server, admin, files, body)
    with caplog.at_level(logging.INFO):
        assert admin.post("/api/v1/downloadPendingAvatars").json()["count"] == 1
        wait_done(server, admin)
    (item,) = admin.get("/api/v1/import.errors").json()["errors"]
    assert item["dataType"] == "avatar"
    (error,) = item["errors"]
    assert error["message"] == "error-ssrf-validation-failed"
    assert "port 8080 is not allowed" in error["details"]["reason"]
    assert not any(r.exc_info for r in caplog.records), "no traceback for a refused URL"


def test_pending_avatar_url_is_shown_without_its_token(
    server: LiveServer, files: FileServer
) -> None:
    """A-9 row 9.6: an admin's users.info shows where the avatar will come from, never the
    Slack file token in its query."""
    admin = server.admin()
    url = "https://avatars.slack-edge.com/2020/ann_512.png?t=xoxe-1-SECRET"
    body = build_export({"users.json": users({"U1": url}), "channels.json": channels()})
    import_export(server, admin, files, body)
    info = admin.get("/api/v1/users.info?username=ann").json()["user"]
    assert info["_pendingAvatarUrl"] == "https://avatars.slack-edge.com/2020/ann_512.png"
    listed = admin.get("/api/v1/users.list").json()
    assert "SECRET" not in str(listed) and "SECRET" not in str(info)
