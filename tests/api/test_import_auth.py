"""Every import route: 401 without credentials, 403 for a plain user, before any effect."""

from __future__ import annotations

import pytest

from tests.support.server import LiveServer

ROUTES = [
    ("POST", "uploadImportFile"),
    ("POST", "downloadPublicImportFile"),
    ("GET", "getImportFileData"),
    ("POST", "startImport"),
    ("GET", "getImportProgress"),
    ("GET", "getLatestImportOperations"),
    ("GET", "getCurrentImportOperation"),
    ("POST", "downloadPendingFiles"),
    ("POST", "downloadPendingAvatars"),
    ("GET", "importers.list"),
    ("POST", "import.clear"),
    ("POST", "import.new"),
    ("GET", "import.status"),
    ("POST", "import.addUsers"),
    ("POST", "import.run"),
]

UNAUTHORIZED = {
    "success": False,
    "error": "You must be logged in to do this.",
    "status": "error",
    "message": "You must be logged in to do this.",
}
FORBIDDEN = {
    "success": False,
    "error": "User does not have the permissions required for this action [error-unauthorized]",
}


@pytest.mark.parametrize(("method", "name"), ROUTES)
def test_401_then_403_before_validation(server: LiveServer, method: str, name: str) -> None:
    anonymous = server.client()
    admin = server.admin()
    user = server.create_user(admin, "plain.user")
    bad_body = {"not": "valid", "fileUrl": 5}
    r = anonymous.http.request(
        method, f"/api/v1/{name}", json=bad_body if method == "POST" else None
    )
    assert r.status_code == 401 and r.json() == UNAUTHORIZED
    assert r.headers["content-type"] == "application/json"
    r = user.http.request(method, f"/api/v1/{name}", json=bad_body if method == "POST" else None)
    assert r.status_code == 403 and r.json() == FORBIDDEN
    # No operation was created by either request.
    assert admin.get("/api/v1/getCurrentImportOperation").json() == {"success": True}


def test_plain_user_refused_download_makes_no_connection(server: LiveServer, files) -> None:  # type: ignore[no-untyped-def]
    admin = server.admin()
    user = server.create_user(admin, "plain.user")
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    r = user.post(
        "/api/v1/downloadPublicImportFile",
        json={"fileUrl": files.url("/x.zip"), "importerKey": "pending-files"},
    )
    assert r.status_code == 403
    assert files.requests == []
