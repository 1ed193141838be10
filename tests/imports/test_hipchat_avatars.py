"""HipChat avatars are applied during the import itself, with no fetch (importers §5.2, §6.3).

A base64 ``avatar`` is decoded, capped by ``FileUpload_MaxFileSize`` and sniffed as the users
are created; one that fails stays ``_pendingAvatarUrl`` with ``_pendingAvatarError`` for
``downloadPendingAvatars``. Observed over HTTP, and in the store for what HTTP cannot show.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from chatport.db import tables
from tests.imports.pending_support import wait_done
from tests.imports.test_hipchat_import import load
from tests.imports.test_hipchat_reader import AVATAR, build_tar, example_files
from tests.imports.test_hipchat_resume import _SETTINGS, _cli
from tests.support.databases import fresh_database
from tests.support.dump import canonical_dump
from tests.support.fileserver import FileServer
from tests.support.importing import run_import
from tests.support.operations import wait_for_status
from tests.support.process import ServerProcess
from tests.support.server import Client, LiveServer

pytestmark = pytest.mark.timeout(180)

ANN = base64.b64decode(AVATAR)  # example_files(): a 1x1 PNG, split over two lines
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(64))  # declared png: sniffed
SCRIPT = b"<script>alert(1)</script>"
BIG_GIF = b"GIF89a\x04\x00\x04\x00" + bytes(3000)
CAP = 2000
NOT_AN_IMAGE = "importer-avatar-invalid-image"
TOO_LARGE = "importer-file-too-large"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _uri(avatar: str) -> str:
    return "data:image/png;base64," + avatar


def _export(**avatars: str) -> bytes:
    """The example export (ann's PNG avatar, bob and cy without) plus users with ``avatars``."""
    files = example_files()
    for n, (mention, avatar) in enumerate(avatars.items(), start=4):
        entry = {"id": n, "mention_name": mention, "name": mention.title(), "avatar": avatar}
        files["users.json"].append({"User": entry})
    return build_tar(files)


def _user(admin: Client, username: str) -> dict[str, Any]:
    body = admin.get(f"/api/v1/users.info?username={username}").json()
    assert body["success"], body
    return dict(body["user"])


def _blobs(data_dir: Path) -> set[str]:
    return {p.name for p in (data_dir / "uploads" / "blobs").glob("*/*")}


def _stored(server: LiveServer) -> dict[str, Any]:
    """Every user row and avatar row as stored, and each blob's write time."""
    with server.ctx.engine.connect() as conn:
        users = conn.execute(sa.select(tables.users).order_by(tables.users.c.id)).mappings()
        avatars = conn.execute(sa.select(tables.avatars).order_by(tables.avatars.c.user_id))
        rows = {"users": [dict(u) for u in users], "avatars": [tuple(a) for a in avatars]}
    blobs = Path(server.ctx.config.resolved_upload_dir()) / "blobs"
    rows["mtimes"] = {p.name: p.stat().st_mtime_ns for p in blobs.glob("*/*")}
    return rows


def test_avatars_are_applied_at_import_and_failures_stay_pending(
    server: LiveServer, files: FileServer
) -> None:
    admin = server.admin()
    export = _export(dee=_b64(JPEG), eve=_b64(SCRIPT), fay=_b64(BIG_GIF), gus="@@notbase64@@")
    load(server, admin, files, export)
    server.set_setting(admin, "FileUpload_MaxFileSize", CAP)
    progress = run_import(server, admin)
    assert progress["step"] == "importer_done", progress
    assert progress["count"]["error"] == 0  # a failed avatar never fails its user

    # Applied during the import: served as the exact decoded bytes, typed by their content.
    client = server.client()
    for username, data, kind in (("ann", ANN, "image/png"), ("dee", JPEG, "image/jpeg")):
        served = client.get(f"/avatar/{username}")
        assert served.status_code == 200
        assert served.content == data
        assert served.headers["content-type"] == kind
        user = _user(admin, username)
        etag = hashlib.sha256(data).hexdigest()[:24]
        assert served.headers["etag"] == f'"{etag}"'
        assert user["avatarOrigin"] == "upload" and user["avatarETag"] == etag
        assert "_pendingAvatarUrl" not in user and "_pendingAvatarError" not in user
        cached = client.get(f"/avatar/{username}", headers={"If-None-Match": f'"{etag}"'})
        assert cached.status_code == 304

    # Failed: kept for pending-avatars, with the code it would give, and nothing served.
    failed = {"eve": (_b64(SCRIPT), NOT_AN_IMAGE), "fay": (_b64(BIG_GIF), TOO_LARGE)}
    failed["gus"] = ("@@notbase64@@", NOT_AN_IMAGE)
    for username, (avatar, code) in failed.items():
        user = _user(admin, username)
        assert user["_pendingAvatarUrl"] == _uri(avatar)
        assert set(user["_pendingAvatarError"]) == {"message", "at"}
        assert user["_pendingAvatarError"]["message"] == code, username
        assert "avatarOrigin" not in user and "avatarETag" not in user
        served = client.get(f"/avatar/{username}")
        assert served.headers["content-type"].startswith("image/svg+xml")  # the initial
    bob = _user(admin, "bob")  # no avatar in the export: nothing at all
    assert not {"_pendingAvatarUrl", "_pendingAvatarError", "avatarOrigin"} & set(bob)
    # Only accepted images reached the store; nothing half-written is left.
    data_dir = server.ctx.config.data_dir
    assert _blobs(data_dir) == {hashlib.sha256(d).hexdigest() for d in (ANN, JPEG)}
    assert not list((data_dir / "uploads" / "tmp").glob("*"))

    # The same export again: matched users, nothing rewritten, not even the blobs.
    before = _stored(server)
    load(server, admin, files, export)
    again = run_import(server, admin)
    assert again["count"] == progress["count"]
    assert _stored(server) == before

    # pending-avatars counts only the failures; with the cap raised the large one goes through.
    assert admin.post("/api/v1/downloadPendingAvatars").json() == {"count": 3, "success": True}
    done = wait_done(server, admin)
    assert (done["count"]["completed"], done["count"]["error"]) == (0, 3)
    server.set_setting(admin, "FileUpload_MaxFileSize", 104857600)
    assert admin.post("/api/v1/downloadPendingAvatars").json() == {"count": 3, "success": True}
    done = wait_done(server, admin)
    assert (done["count"]["completed"], done["count"]["error"]) == (1, 2)
    served = client.get("/avatar/fay")
    assert served.content == BIG_GIF and served.headers["content-type"] == "image/gif"
    fay = _user(admin, "fay")
    assert fay["avatarOrigin"] == "upload" and "_pendingAvatarError" not in fay
    assert "_pendingAvatarUrl" not in fay
    assert _user(admin, "eve")["_pendingAvatarError"]["message"] == NOT_AN_IMAGE


def _without_error_times(dump: dict[str, Any]) -> list[dict[str, Any]]:
    users = []
    for doc in dump["users"]:
        error = doc.get("_pendingAvatarError")
        users.append({**doc, "_pendingAvatarError": {**error, "at": None}} if error else doc)
    return users


def _avatars(database_url: str) -> dict[str, tuple[Any, ...]]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    tables.users.c.username,
                    tables.avatars.c.blob_sha256,
                    tables.avatars.c.content_type,
                    tables.avatars.c.size,
                    tables.avatars.c.etag,
                ).join(tables.users, tables.users.c.id == tables.avatars.c.user_id)
            ).all()
    finally:
        engine.dispose()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_crash_in_the_users_batch_resumes_to_the_same_avatars(
    backend: str, database_url: str, tmp_path: Path
) -> None:
    """Killed after the avatars are written but before the users batch commits."""
    export = tmp_path / "export.tar.gz"
    export.write_bytes(_export(dee=_b64(JPEG), eve=_b64(SCRIPT)))
    with fresh_database(backend, tmp_path / "ref") as reference_url:
        assert _cli(reference_url, tmp_path / "ref-data", export) == 0
        reference = canonical_dump(reference_url)
        reference_avatars = _avatars(reference_url)
    assert set(reference_avatars) == {"ann", "dee"}

    data_dir = tmp_path / "data"
    # Commits: the status change into the users phase, then the (only) users batch.
    crashed = _cli(database_url, data_dir, export, CHATPORT_CRASH_AT="convert.before_commit:2")
    assert crashed == 137
    assert _avatars(database_url) == {}  # the batch rolled back; its blobs are on disk
    assert _blobs(data_dir) == {hashlib.sha256(d).hexdigest() for d in (ANN, JPEG)}

    restarted = ServerProcess(database_url, data_dir, **_SETTINGS)
    restarted.start()
    try:
        op = wait_for_status(database_url, "importer_done")
        assert op["status"] == "importer_done", "the sweep did not resume the import"
    finally:
        restarted.stop()
    assert _avatars(database_url) == reference_avatars
    resumed = canonical_dump(database_url)
    assert _without_error_times(resumed) == _without_error_times(reference)
