"""A file that is clearly another importer's fails at preparation, naming the right one
(issue defect 4)."""

from __future__ import annotations

import io
import tarfile

import pytest

from tests.imports.slack_fixtures import build_export
from tests.support.fileserver import FileServer
from tests.support.importing import load
from tests.support.server import LiveServer

SLACK = build_export(
    {
        "users.json": [{"id": "U1", "name": "ann", "profile": {"email": "ann@x.io"}}],
        "channels.json": [{"id": "C1", "name": "dev", "members": ["U1"], "created": 1}],
        "dev/2020-01-01.json": [{"type": "message", "user": "U1", "text": "hi", "ts": "1.0"}],
    }
)
CSV = build_export({}, raw={"users.csv": b"ann,ann@x.io,Ann\n", "channels.csv": b""})
SLACK_USERS = b"username,email,status\nann,ann@x.io,Member\n"


def _tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        data = b"[]"
        info = tarfile.TarInfo("users.json")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("body", "chosen", "right"),
    [
        (SLACK, "csv", "slack"),
        (CSV, "slack", "csv"),
        (SLACK, "hipchatenterprise", "slack"),
        (SLACK_USERS, "slack", "slack-users"),
        (_tar(), "slack", "hipchatenterprise"),
    ],
)
def test_wrong_importer_names_the_right_one(
    server: LiveServer, files: FileServer, body: bytes, chosen: str, right: str
) -> None:
    admin = server.admin()
    data = load(server, admin, files, body, importer=chosen)
    assert data["success"] is False
    op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    assert op["status"] == "importer_import_failed"
    assert op["failureReason"] == "error-import-file-invalid"
    assert f"import it with the importer '{right}'" in op["failureMessage"]


def test_the_right_importer_is_not_refused(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    assert load(server, admin, files, SLACK, importer="slack")["name"] == "Slack"
