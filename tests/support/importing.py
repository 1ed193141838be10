"""An import driven over HTTP as a Rocket.Chat client drives it: download, prepare, import.

Every end-to-end importer test walks the same three calls; one copy keeps the polling (and its
timeouts) the same for every format.
"""

from __future__ import annotations

import time
from typing import Any

from tests.support.fileserver import FileServer, Route
from tests.support.server import Client, LiveServer

#: The selection that takes every user and every channel.
EVERYTHING = {"users": {"all": True}, "channels": {"all": True}}


def load(
    server: LiveServer,
    admin: Client,
    files: FileServer,
    body: bytes,
    importer: str = "slack",
    path: str = "/export.zip",
) -> dict[str, Any]:
    """Serve ``body`` at ``path`` on the loopback file server, have the server download it
    with ``importer``, and return the selection once ``getImportFileData`` stops waiting (its
    error body, when preparing fails)."""
    files.routes[path] = Route(body=body)
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    r = admin.post(
        "/api/v1/downloadPublicImportFile",
        json={"fileUrl": files.url(path), "importerKey": importer},
    )
    assert r.json() == {"success": True}
    server.wait_for(admin, lambda p: p["step"] == "importer_file_loaded")
    deadline = time.monotonic() + 30
    data: dict[str, Any] = {"waiting": True}
    while data.get("waiting") and time.monotonic() < deadline:
        data = admin.get("/api/v1/getImportFileData").json()
        time.sleep(0.05)
    return data


def run_import(
    server: LiveServer, admin: Client, selection: dict[str, Any] = EVERYTHING
) -> dict[str, Any]:
    """Start the import of ``selection`` and return the progress once it has ended."""
    r = admin.post("/api/v1/startImport", json={"input": selection})
    assert r.json() == {"success": True}
    return server.wait_for(
        admin, lambda p: p["step"] in ("importer_done", "importer_import_failed"), timeout=60
    )
