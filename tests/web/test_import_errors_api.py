"""GET /api/v1/import.errors: the current operation's per-record errors (the admin page's list)."""

from __future__ import annotations

import pytest

from tests.support.databases import backends
from tests.support.fileserver import FileServer
from tests.support.importing import load, run_import
from tests.support.server import LiveServer
from tests.web.export import export


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    """An API route: every backend, unlike the browser tests of this folder."""
    return str(request.param)


def test_lists_records_that_failed(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    assert admin.get("/api/v1/import.errors").json() == {
        "errors": [],
        "count": 0,
        "offset": 0,
        "total": 0,
        "success": True,
    }
    load(server, admin, files, export())
    progress = run_import(server, admin, {"users": {"all": True}, "channels": {"all": True}})
    assert progress["count"]["error"] == 1
    body = admin.get("/api/v1/import.errors").json()
    operation = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    assert body["operation"] == operation["_id"]
    assert body["total"] == 1 and body["count"] == 1 and body["offset"] == 0
    (item,) = body["errors"]
    assert item["dataType"] == "message"
    assert item["source"] == {"entry": "ghost/2020-09-13.json", "index": 0}
    assert item["errors"] == [
        {"message": "importer-message-unknown-folder", "details": {"folder": "ghost"}}
    ]
    assert list(body) == ["operation", "errors", "count", "offset", "total", "success"]
    past = admin.get("/api/v1/import.errors?offset=1&count=500").json()
    assert past["errors"] == [] and past["total"] == 1 and past["offset"] == 1


def test_auth_and_validation(server: LiveServer) -> None:
    anonymous = server.client().get("/api/v1/import.errors")
    assert anonymous.status_code == 401
    user = server.create_user(server.admin(), "eve")
    denied = user.get("/api/v1/import.errors")
    assert denied.status_code == 403
    assert "error-unauthorized" in denied.json()["error"]
    bad = server.admin().get("/api/v1/import.errors?other=1")
    assert bad.status_code == 400
    assert bad.json()["errorType"] == "error-invalid-params"
