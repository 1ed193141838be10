"""A failed download keeps Rocket.Chat's error code and says why in words (issue defect 5):
``failureMessage`` on the operation, and the server log."""

from __future__ import annotations

import logging
import socket

import pytest

from tests.support.fileserver import FileServer, Route
from tests.support.server import Client, LiveServer

DOWNLOAD = "/api/v1/downloadPublicImportFile"


def _fail(admin: Client, url: str) -> tuple[str, str]:
    r = admin.post(DOWNLOAD, json={"fileUrl": url, "importerKey": "slack"})
    assert r.status_code == 400, r.text
    op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
    assert op["status"] == "importer_import_failed"
    assert r.json()["error"] == op["failureReason"]
    return op["failureReason"], op["failureMessage"]


def test_http_error_status_is_named(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    files.routes["/gone.zip"] = Route(status=404, body=b"secret page")
    code, words = _fail(admin, files.url("/gone.zip"))
    assert code == "error-processing-request"
    assert words == "HTTP 404 from 127.0.0.1"


def test_refused_connection_is_named(server: LiveServer) -> None:
    admin = server.admin()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{closed}")
    code, words = _fail(admin, f"http://127.0.0.1:{closed}/x.zip")
    assert code == "error-processing-request"
    assert words == f"could not connect to 127.0.0.1:{closed}: connection refused"


def test_blocked_port_says_how_to_allow_it(server: LiveServer) -> None:
    code, words = _fail(server.admin(), "http://files.test:8765/x.zip")
    assert code == "error-ssrf-validation-failed"
    assert words == "port 8765 is not allowed: add files.test:8765 to SSRF_Allowlist"


def test_internal_address_is_named(server: LiveServer) -> None:
    code, words = _fail(server.admin(), "http://files.test/x.zip")
    assert code == "error-ssrf-validation-failed"
    assert words.startswith("address 127.0.0.1 of files.test is internal")
    assert "SSRF_Allowlist" in words


def test_dns_typo_is_not_an_allowlist_problem(
    server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        code, words = _fail(server.admin(), "https://files.exampel.com/x.zip?t=xoxe-secret")
    assert code == "error-ssrf-validation-failed"
    assert words == "could not resolve host files.exampel.com: check the name"
    assert "SSRF_Allowlist" not in words
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "could not resolve host files.exampel.com" in logged
    assert "xoxe-secret" not in logged
