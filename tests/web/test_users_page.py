"""The users page: an imported user gets a password from the page (issue defect 12)."""

from __future__ import annotations

import os

import httpx
import pytest

if os.environ.get("CI") != "true":  # in CI a missing package fails instead
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from tests.imports.slack_fixtures import build_export  # noqa: E402
from tests.support.fileserver import FileServer  # noqa: E402
from tests.support.importing import EVERYTHING, load, run_import  # noqa: E402
from tests.support.server import ADMIN, LiveServer  # noqa: E402
from tests.web.helpers import shot, sign_in  # noqa: E402


def test_set_password_of_an_imported_user(
    server: LiveServer, files: FileServer, page: Page
) -> None:
    admin = server.admin()
    body = build_export(
        {
            "users.json": [{"id": "U1", "name": "ann", "profile": {"email": "ann@x.io"}}],
            "channels.json": [{"id": "C1", "name": "dev", "members": ["U1"], "created": 1}],
        }
    )
    load(server, admin, files, body)
    assert run_import(server, admin, EVERYTHING)["step"] == "importer_done"

    sign_in(page, server.base_url, ADMIN, ADMIN)
    expect(page).to_have_url(f"{server.base_url}/admin")  # signed in: the token is kept
    page.goto(f"{server.base_url}/admin/users")
    row = page.locator("#users tbody tr", has_text="ann@x.io")
    row.get_by_role("button", name="Set password").click()
    row.get_by_label("New password for ann").fill("fresh-pass-1")
    shot(page, "users-set-password")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#users-notice")).to_have_text(
        "Password set for ann: they can sign in with it now."
    )
    r = httpx.post(
        f"{server.base_url}/api/v1/login", json={"user": "ann", "password": "fresh-pass-1"}
    )
    assert r.status_code == 200, r.text


def test_users_update_refuses_plain_users_and_unknown_keys(server: LiveServer) -> None:
    admin = server.admin()
    eve = server.create_user(admin, "eve")
    target = admin.get("/api/v1/users.info?username=eve").json()["user"]["_id"]
    denied = eve.post("/api/v1/users.update", json={"userId": target, "data": {"password": "x"}})
    assert denied.status_code == 403
    other = admin.post("/api/v1/users.update", json={"userId": target, "data": {"name": "E"}})
    assert other.status_code == 400 and other.json()["success"] is False
    ok = admin.post(
        "/api/v1/users.update",
        json={"userId": target, "data": {"password": "n3w", "requirePasswordChange": True}},
    )
    assert ok.status_code == 200 and ok.json()["user"]["requirePasswordChange"] is True
