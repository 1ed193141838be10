"""downloadPublicImportFile end to end over real HTTP (rest-api §4.2, security §1.2-§1.5)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.support.fileserver import FileServer, Route
from tests.support.server import Client, LiveServer

DOWNLOAD = "/api/v1/downloadPublicImportFile"


def _current(admin: Client) -> dict | None:  # type: ignore[type-arg]
    return admin.get("/api/v1/getCurrentImportOperation").json().get("operation")


def _store(server: LiveServer) -> Path:
    return server.ctx.store.root


def _download(admin: Client, url: str, key: str = "pending-files"):  # type: ignore[no-untyped-def]
    return admin.post(DOWNLOAD, json={"fileUrl": url, "importerKey": key})


def test_seed_unknown_importer_example(server: LiveServer) -> None:
    admin = server.admin()
    r = _download(admin, "https://www.freepik.com/photos/dog", key="png")
    assert r.status_code == 400
    assert r.content == (
        b'{"success":false,"error":"The importer (png) has no import class defined. '
        b'[error-importer-not-defined]","errorType":"error-importer-not-defined",'
        b'"details":"uploadImportFile"}'
    )
    assert r.headers["content-type"] == "application/json"
    assert _current(admin) is None


@pytest.mark.parametrize("key", ["api", "", "../slack", "unknown", "CSV"])
def test_a1_10_unknown_keys_create_nothing(server: LiveServer, key: str) -> None:
    admin = server.admin()
    r = _download(admin, "https://example.com/x.zip", key=key)
    assert r.status_code == 400
    assert r.json()["errorType"] == "error-importer-not-defined"
    assert _current(admin) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://h/x.zip",
        "/etc/passwd",
        "../../etc/passwd",
        "file:///etc/passwd",
        "C:\\Windows\\win.ini",
        "~/.ssh/id_rsa",
        "gopher://127.0.0.1:6379/_x",
        "data:application/zip;base64,UEsFBg==",
        " http://127.0.0.1/",
        "http://exa\nmple.test/",
        "http://user:pass@host.test/x.zip",
        "http://good.test#@evil.test/",
        "http://evil.test\\@good.test/",
        "http://",
        "/var/lib/",
    ],
)
def test_a1_refused_urls_create_no_operation(server: LiveServer, url: str) -> None:
    admin = server.admin()
    r = _download(admin, url)
    assert r.status_code == 400
    assert r.json() == {
        "success": False,
        "error": f"{url} [error-invalid-import-file-url]",
        "errorType": "error-invalid-import-file-url",
        "details": "downloadPublicImportFile",
    }
    assert _current(admin) is None


def test_empty_url_error_text(server: LiveServer) -> None:
    admin = server.admin()
    r = _download(admin, "")
    assert r.json() == {
        "success": False,
        "error": "[error-invalid-import-file-url]",
        "errorType": "error-invalid-import-file-url",
        "details": "downloadPublicImportFile",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "must have required property 'fileUrl'"),
        ({"fileUrl": "x"}, "must have required property 'importerKey'"),
        ({"fileUrl": 5, "importerKey": "csv"}, "must be string"),
        ({"fileUrl": "x", "importerKey": "csv", "extra": 1}, "must NOT have additional properties"),
        ({"fileUrl": "h" * 8193, "importerKey": "csv"}, "must NOT have more than 8192 characters"),
        ([], "must be object"),
    ],
)
def test_a1_12_validation(server: LiveServer, body: object, message: str) -> None:
    r = server.admin().post(DOWNLOAD, json=body)
    assert r.status_code == 400
    assert r.json() == {"success": False, "errorType": "invalid-params", "error": message}


def test_loopback_refused_then_allowlisted(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    files.routes["/export.zip"] = Route(body=b"PK\x05\x06" + b"\0" * 18)
    url = files.url("/export.zip")
    r = _download(admin, url)
    assert r.status_code == 400
    assert r.json() == {"success": False, "error": "error-ssrf-validation-failed"}
    op = _current(admin)
    assert op is not None
    assert op["status"] == "importer_import_failed"
    assert op["failureReason"] == "error-ssrf-validation-failed"
    assert files.requests == []

    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    r = _download(admin, url)
    assert r.status_code == 200 and r.json() == {"success": True}
    progress = server.wait_for(admin, lambda p: p["step"] != "importer_downloading_file")
    assert progress["step"] == "importer_file_loaded"
    op = _current(admin)
    assert op is not None
    assert re.fullmatch(rf"\d{{14}}_{admin.user_id}_export\.zip", op["file"])
    assert "contentType" not in op
    stored = list(_store(server).glob("*.import"))
    assert len(stored) == 1 and stored[0].read_bytes() == files.routes["/export.zip"].body
    assert stored[0].name == f"{op['_id']}.import"
    assert not list(_store(server).glob("*.part"))


def test_pending_key_file_is_never_parsed(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    files.routes["/avatar.png"] = Route(body=b"\x89PNG not an archive")
    assert _download(admin, files.url("/avatar.png"), "pending-avatars").status_code == 200
    server.wait_for(admin, lambda p: p["step"] == "importer_file_loaded")
    first = admin.get("/api/v1/getImportFileData").json()
    assert first in ({"waiting": True, "success": True},) or "users" in first
    deadline = time.monotonic() + 10
    while "users" not in first and time.monotonic() < deadline:
        time.sleep(0.05)
        first = admin.get("/api/v1/getImportFileData").json()
    assert first["name"] == "Pending Avatars" and first["users"] == []
    assert admin.get("/api/v1/import.status").json()["state"] == "ready"
    r = admin.post("/api/v1/startImport", json={"input": {"users": {"all": True}}})
    assert r.json() == {"success": True}
    progress = server.wait_for(admin, lambda p: p["step"] == "importer_done")
    assert progress["count"]["total"] == 0


def test_a3_redirect_to_refused_host(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"files.example.test:{files.port}")
    files.routes["/start"] = Route(
        status=302, headers={"Location": f"http://internal.example.test:{files.port}/secret"}
    )
    files.routes["/secret"] = Route(body=b"secret")
    r = _download(admin, f"http://files.example.test:{files.port}/start")
    assert r.json() == {"success": False, "error": "error-ssrf-validation-failed"}
    assert [p for p, _ in files.requests] == ["/start"]
    assert _current(admin)["status"] == "importer_import_failed"  # type: ignore[index]


def test_redirect_within_allowed_host_is_followed(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"files.example.test:{files.port}")
    files.routes["/start"] = Route(status=301, headers={"Location": "/final.zip"})
    files.routes["/final.zip"] = Route(body=b"final-bytes")
    assert _download(admin, f"http://files.example.test:{files.port}/start").status_code == 200
    server.wait_for(admin, lambda p: p["step"] == "importer_file_loaded")
    assert ("/final.zip", f"files.example.test:{files.port}") in files.requests


def test_a3_02_redirect_loop(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    files.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    r = _download(admin, files.url("/loop"))
    assert r.json() == {"success": False, "error": "error-too-many-redirects"}
    assert _current(admin)["failureReason"] == "error-too-many-redirects"  # type: ignore[index]


def test_redirect_without_location(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    files.routes["/r"] = Route(status=302)
    r = _download(admin, files.url("/r"))
    assert r.json() == {"success": False, "error": "redirect-response-location-header-missing"}


@pytest.mark.parametrize("status", [403, 404, 500])
def test_a4_07_error_status_generic(server: LiveServer, files: FileServer, status: int) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    files.routes["/x"] = Route(status=status, body=b"upstream secret page")
    r = _download(admin, files.url("/x"))
    assert r.json() == {"success": False, "error": "error-processing-request"}
    assert not list(_store(server).iterdir())


def test_a11_01_closed_port_same_answer(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{closed}")
    r = _download(admin, f"http://127.0.0.1:{closed}/x.zip")
    assert r.json() == {"success": False, "error": "error-processing-request"}


def test_a4_02_declared_size_over_cap(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    server.set_setting(admin, "import_max_file_bytes", 1000)
    files.routes["/big"] = Route(body=b"x" * 5000)
    r = _download(admin, files.url("/big"))
    assert r.json() == {"success": False, "error": "error-import-file-too-large"}
    assert _current(admin)["failureReason"] == "error-import-file-too-large"  # type: ignore[index]


def test_a4_01_undeclared_size_over_cap(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    server.set_setting(admin, "import_max_file_bytes", 10_000)
    files.routes["/endless"] = Route(
        body=b"y" * 200_000, content_length=-1, chunk=4096, headers={"Connection": "close"}
    )
    assert _download(admin, files.url("/endless")).status_code == 200
    progress = server.wait_for(admin, lambda p: p["step"] == "importer_import_failed")
    assert progress["step"] == "importer_import_failed"
    op = _current(admin)
    assert op["failureReason"] == "error-import-file-too-large"  # type: ignore[index]
    assert not list(_store(server).iterdir())


def test_a4_idle_timeout(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    server.set_setting(admin, "import_download_idle_timeout", 1)
    files.routes["/stall"] = Route(body=b"a" * 20, chunk=10, delay=3.0)
    started = time.monotonic()
    r = _download(admin, files.url("/stall"))
    assert r.json() == {"success": True}
    server.wait_for(admin, lambda p: p["step"] == "importer_import_failed", timeout=15)
    assert time.monotonic() - started < 10
    op = _current(admin)
    assert op["failureReason"] == "error-import-file-download-failed"  # type: ignore[index]
    assert "stopped sending data" in op["failureMessage"]  # type: ignore[index]
    assert not list(_store(server).iterdir())


def test_a4_03_total_deadline_stops_a_trickle(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    server.set_setting(admin, "import_download_deadline", 2)
    files.routes["/trickle"] = Route(body=b"t" * 40, chunk=1, delay=0.3)
    started = time.monotonic()
    assert _download(admin, files.url("/trickle")).json() == {"success": True}
    server.wait_for(admin, lambda p: p["step"] == "importer_import_failed", timeout=15)
    assert time.monotonic() - started < 8
    op = _current(admin)
    assert op["failureReason"] == "error-import-file-download-failed"  # type: ignore[index]


def test_short_body_fails(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    files.routes["/short"] = Route(body=b"abc", content_length=100, headers={"Connection": "close"})
    assert _download(admin, files.url("/short")).json() == {"success": True}
    server.wait_for(admin, lambda p: p["step"] == "importer_import_failed")


def test_a1_09_stored_name_is_generated(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    files.routes["/a/..%2F..%2Fetc%2Fpasswd"] = Route(body=b"data")
    assert _download(admin, files.url("/a/..%2F..%2Fetc%2Fpasswd")).status_code == 200
    server.wait_for(admin, lambda p: p["step"] == "importer_file_loaded")
    op = _current(admin)
    assert op is not None
    assert op["file"].endswith("_passwd")
    assert "/" not in op["file"]
    assert [p.name for p in _store(server).iterdir()] == [f"{op['_id']}.import"]


def test_new_download_cancels_a_running_one(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    files.routes["/slow"] = Route(body=b"s" * 400, chunk=10, delay=0.2)
    assert _download(admin, files.url("/slow")).status_code == 200
    first = _current(admin)
    assert admin.post("/api/v1/import.clear").json() == {"success": True}
    deadline = time.monotonic() + 10
    record = None
    while time.monotonic() < deadline:
        ops = admin.get("/api/v1/getLatestImportOperations").json()
        record = next(o for o in ops if o["_id"] == first["_id"])  # type: ignore[index]
        if record["status"] == "importer_import_cancelled":
            break
        time.sleep(0.1)
    assert record is not None and record["status"] == "importer_import_cancelled"
    assert record["failureReason"] == "error-import-operation-cancelled"
    assert record["valid"] is False
    assert not list(_store(server).iterdir())
