"""Slack exports that carry their files (``__uploads/<file id>/<name>``) and auto-download."""

from __future__ import annotations

from collections.abc import Callable

from tests.imports.pending_support import (
    channels,
    file_message,
    import_export,
    png,
    poll,
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

PNG = png(6, 4, seed=9)
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 3


def test_uploads_in_the_export_need_no_network(server: LiveServer, files: FileServer) -> None:
    url = files.url
    general = [
        file_message("1600000000.000100", "U1", slack_file("F1", "pic.png", url("/f/F1"))),
        file_message("1600000001.000100", "U2", slack_file("F2", "spec.pdf", url("/f/F2"))),
        file_message("1600000002.000100", "U2", slack_file("F3", "not-in-zip.txt", url("/f/F3"))),
    ]
    body = build_export(
        {"users.json": users(), "channels.json": channels(), "general/2020-09-13.json": general},
        {"__uploads/F1/pic.png": PNG, "__uploads/F2/spec.pdf": PDF},
    )
    admin = server.admin()
    import_export(server, admin, files, body)
    assert [p for p, _host in files.requests] == ["/export.zip"]  # no file fetched
    shown = room_messages(admin, room_id(admin, "general"))
    pic = shown["slack-C1-1600000000-000100-file1"]
    assert pic["attachments"][0]["image_dimensions"] == {"width": 6, "height": 4}
    assert admin.get(pic["attachments"][0]["title_link"]).content == PNG
    pdf = shown["slack-C1-1600000001-000100-file1"]
    assert pdf["file"]["type"] == "application/pdf"
    assert admin.get(pdf["attachments"][0]["title_link"]).content == PDF
    assert "slack-C1-1600000002-000100-file1" not in shown  # no bytes: still pending
    assert admin.post("/api/v1/downloadPendingFiles").json() == {"count": 1, "success": True}


def test_auto_download_after_a_slack_import(
    make_server: Callable[..., LiveServer], files: FileServer
) -> None:
    server = make_server(auto_download_pending_files=True)
    files.routes["/f/pic.png"] = Route(body=PNG)
    general = [
        file_message(
            "1600000000.000100", "U1", slack_file("F1", "pic.png", files.url("/f/pic.png"))
        )
    ]
    body = build_export(
        {"users.json": users(), "channels.json": channels(), "general/2020-09-13.json": general}
    )
    admin = server.admin()
    import_export(server, admin, files, body)

    def pending_op_done() -> bool:
        op = admin.get("/api/v1/getCurrentImportOperation").json().get("operation") or {}
        return op.get("importerKey") == "pending-files" and op.get("status") == "importer_done"

    poll(pending_op_done)
    assert wait_done(server, admin)["count"]["completed"] == 1
    assert requests_for(files, "/f/pic.png") == 1
    shown = room_messages(admin, room_id(admin, "general"))
    link = shown["slack-C1-1600000000-000100-file1"]["attachments"][0]["title_link"]
    assert admin.get(link).content == PNG
