"""Invalidating an operation stops its running conversion at the next batch."""

from __future__ import annotations

import time

from tests.support.server import LiveServer


def test_clear_stops_a_running_import_between_batches(server: LiveServer) -> None:
    admin = server.admin()
    admin.post("/api/v1/import.new")
    users = [
        {"emails": [f"u{i}@example.com"], "importIds": [f"id{i}"], "username": f"u{i}"}
        for i in range(3000)
    ]
    assert admin.post("/api/v1/import.addUsers", json={"users": users}).json() == {"success": True}
    assert admin.post("/api/v1/import.run").json() == {"success": True}
    server.wait_for(admin, lambda p: p["count"]["completed"] > 0)
    assert admin.post("/api/v1/import.clear").json() == {"success": True}
    deadline = time.monotonic() + 20
    op: dict = {}  # type: ignore[type-arg]
    while time.monotonic() < deadline:
        op = admin.get("/api/v1/getCurrentImportOperation").json()["operation"]
        if op["status"] == "importer_import_cancelled":
            break
        time.sleep(0.05)
    assert op["status"] == "importer_import_cancelled"
    assert op["failureReason"] == "error-import-operation-cancelled"
    count = op["count"]
    assert 0 < count["completed"] < 3000
    assert count["completed"] % 50 == 0  # whole batches only
    created = admin.get("/api/v1/users.list?count=1").json()["total"]
    assert created == count["completed"] + 1  # plus the test admin
    time.sleep(1.5)
    assert admin.get("/api/v1/users.list?count=1").json()["total"] == created
