"""GET /file-upload/<id>/<name> and GET /avatar/<username> (issue 5).

The files come from a Slack export's ``__uploads/`` members, so no pending run is needed; the
bytes, headers, access rules, ETag and ranges are what is under test.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.imports.pending_support import (
    channels,
    file_message,
    import_export,
    png,
    room_id,
    room_messages,
    slack_file,
    users,
)
from tests.imports.slack_fixtures import build_export
from tests.support.fileserver import FileServer
from tests.support.server import Client, LiveServer

PNG = png(4, 3, seed=3)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _export() -> bytes:
    group = {"id": "G1", "name": "secret", "creator": "U1", "members": ["U1", "U2"], "created": 1}
    return build_export(
        {
            "users.json": users(),
            "channels.json": channels(),
            "groups.json": [group],
            "general/2020-09-13.json": [
                file_message("1600000000.000100", "U1", slack_file("F1", "pic.png", ""))
            ],
            "secret/2020-09-13.json": [
                file_message("1600000001.000100", "U2", slack_file("F2", "x.svg", ""))
            ],
        },
        {"__uploads/F1/pic.png": PNG, "__uploads/F2/x.svg": SVG},
    )


def _urls(server: LiveServer, files: FileServer) -> tuple[Client, str, str]:
    admin = server.admin()
    import_export(server, admin, files, _export())
    pic = room_messages(admin, room_id(admin, "general"))["slack-C1-1600000000-000100-file1"]
    secret = room_id(admin, "secret")
    body = admin.get(f"/api/v1/groups.messages?roomId={secret}&count=10").json()
    svg = next(m for m in body["messages"] if "file" in m)
    return admin, pic["attachments"][0]["title_link"], svg["attachments"][0]["title_link"]


def test_file_upload_access_headers_etag_and_ranges(server: LiveServer, files: FileServer) -> None:
    admin, pic_url, svg_url = _urls(server, files)
    anonymous = server.client()
    assert anonymous.get(pic_url).status_code == 403

    r = admin.get(pic_url)
    assert r.status_code == 200 and r.content == PNG
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"].startswith('inline; filename="pic.png"')
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["accept-ranges"] == "bytes"
    etag = r.headers["etag"]

    cookies = {"rc_uid": admin.user_id or "", "rc_token": admin.token or ""}
    by_cookie = httpx.get(f"{server.base_url}{pic_url}", cookies=cookies)
    assert by_cookie.status_code == 200 and by_cookie.content == PNG

    assert admin.get(pic_url, headers={"If-None-Match": etag}).status_code == 304
    part = admin.get(pic_url, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == PNG[:10]
    assert part.headers["content-range"] == f"bytes 0-9/{len(PNG)}"
    tail = admin.get(pic_url, headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == PNG[-5:]
    beyond = admin.get(pic_url, headers={"Range": f"bytes={len(PNG)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(PNG)}"

    svg = admin.get(svg_url)
    assert svg.content == SVG and svg.headers["content-type"] == "image/svg+xml"
    assert svg.headers["content-disposition"].startswith("attachment;")

    outsider = server.create_user(admin, "outsider")
    assert outsider.get(pic_url).status_code == 200  # public channel
    assert outsider.get(svg_url).status_code == 403  # private group, not a member
    assert admin.get("/file-upload/nosuchupload/x.png").status_code == 404


def test_avatar_is_public_and_falls_back_to_initials(server: LiveServer) -> None:
    r = server.client().get("/avatar/nobody.here")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/svg+xml"
    assert b">N</text>" in r.content
    again: Any = server.client().get(
        "/avatar/nobody.here", headers={"If-None-Match": r.headers["etag"]}
    )
    assert again.status_code == 304
