"""GET/POST /api/v1/settings/:_id, defaults, types and environment precedence (rest-api §5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.test_auth_support import exact, invalid
from tests.support.server import LiveServer

DEFAULTS: list[tuple[str, Any]] = [
    ("SSRF_Allowlist", ""),
    ("Accounts_Registration_Users_Default_Roles", "user"),
    ("DirectMesssage_maxUsers", 8),
    ("import_max_file_bytes", 1073741824),
    ("import_download_idle_timeout", 60),
    ("import_download_deadline", 1800),
]
NUMBER_SETTINGS = [
    "DirectMesssage_maxUsers",
    "import_max_file_bytes",
    "import_download_idle_timeout",
    "import_download_deadline",
]
BAD_REQUEST = b'{"success":false}'


def test_ssrf_allowlist_default_bytes(server: LiveServer) -> None:
    r = server.admin().get("/api/v1/settings/SSRF_Allowlist")
    exact(r, 200, b'{"_id":"SSRF_Allowlist","value":"","success":true}')


def test_defaults(server: LiveServer) -> None:
    admin = server.admin()
    for setting_id, value in DEFAULTS:
        r = admin.get(f"/api/v1/settings/{setting_id}")
        exact(r, 200, {"_id": setting_id, "value": value, "success": True}, setting_id)


def test_set_and_read_string(server: LiveServer) -> None:
    admin = server.admin()
    r = admin.post("/api/v1/settings/SSRF_Allowlist", json={"value": "mock-server.dev:8080"})
    exact(r, 200, {"success": True})
    exact(
        admin.get("/api/v1/settings/SSRF_Allowlist"),
        200,
        {"_id": "SSRF_Allowlist", "value": "mock-server.dev:8080", "success": True},
    )
    exact(admin.post("/api/v1/settings/SSRF_Allowlist", json={"value": ""}), 200, {"success": True})
    exact(
        admin.get("/api/v1/settings/SSRF_Allowlist"),
        200,
        {"_id": "SSRF_Allowlist", "value": "", "success": True},
    )


@pytest.mark.parametrize("setting_id", NUMBER_SETTINGS)
def test_set_and_read_number(server: LiveServer, setting_id: str) -> None:
    admin = server.admin()
    for value in (5, 0, 12.5, 123456789012):
        exact(
            admin.post(f"/api/v1/settings/{setting_id}", json={"value": value}),
            200,
            {"success": True},
        )
        exact(
            admin.get(f"/api/v1/settings/{setting_id}"),
            200,
            {"_id": setting_id, "value": value, "success": True},
        )


def test_setting_change_applies_to_the_running_server(server: LiveServer) -> None:
    admin = server.admin()
    server.set_setting(admin, "import_max_file_bytes", 4096)
    assert server.ctx.download_limits().max_bytes == 4096
    server.set_setting(admin, "SSRF_Allowlist", "files.test")
    assert server.ctx.settings.get("SSRF_Allowlist") == "files.test"


NOT_STRINGS: list[Any] = [5, True, None, [], {}, ["a"], {"a": "b"}, 1.5]


def test_wrong_type_for_string(server: LiveServer) -> None:
    admin = server.admin()
    for value in NOT_STRINGS:
        r = admin.post("/api/v1/settings/SSRF_Allowlist", json={"value": value})
        exact(r, 400, invalid("must be string"), value)
        assert server.ctx.settings.get("SSRF_Allowlist") == ""


def test_wrong_type_for_number(server: LiveServer) -> None:
    admin = server.admin()
    for setting_id in NUMBER_SETTINGS:
        for value in ("5", True, False, None, [], {}, [5]):
            r = admin.post(f"/api/v1/settings/{setting_id}", json={"value": value})
            exact(r, 400, invalid("must be number"), (setting_id, value))


def test_numbers_json_cannot_hold_are_refused(server: LiveServer) -> None:
    """Overflowing literals are no finite JSON number: refused, never stored, never a 500."""
    admin = server.admin()
    for literal in (b"1e400", b"-1e400", b"1" + b"0" * 400, b"-" + b"9" * 4000):
        r = admin.post(
            "/api/v1/settings/import_max_file_bytes",
            content=b'{"value":' + literal + b"}",
            headers={"Content-Type": "application/json"},
        )
        exact(r, 400, invalid("must be number"), literal[:20])
    exact(
        admin.get("/api/v1/settings/import_max_file_bytes"),
        200,
        {"_id": "import_max_file_bytes", "value": 1073741824, "success": True},
    )


def test_form_encoded_number_is_a_string(server: LiveServer) -> None:
    admin = server.admin()
    r = admin.post("/api/v1/settings/DirectMesssage_maxUsers", data={"value": "5"})
    exact(r, 400, invalid("must be number"))
    r = admin.post("/api/v1/settings/SSRF_Allowlist", data={"value": "a.test"})
    exact(r, 200, {"success": True})


UNKNOWN_IDS: list[Any] = [
    "Nope",
    "ssrf_allowlist",
    "SSRF_Allowlist ",
    "Site_Url",
    "FileUpload_MaxFileSize2",
]


def test_unknown_id(server: LiveServer) -> None:
    admin = server.admin()
    for setting_id in UNKNOWN_IDS:
        exact(admin.get(f"/api/v1/settings/{setting_id}"), 400, BAD_REQUEST, setting_id)
        r = admin.post(f"/api/v1/settings/{setting_id}", json={"value": "x"})
        exact(r, 400, BAD_REQUEST, setting_id)


NO_VALUE_BODIES: list[Any] = [{}, {"val": ""}, [], ["value"], None, "value"]


def test_missing_value(server: LiveServer) -> None:
    admin = server.admin()
    for body in NO_VALUE_BODIES:
        exact(admin.post("/api/v1/settings/SSRF_Allowlist", json=body), 400, BAD_REQUEST, body)


def test_environment_override_at_start(
    make_server: Callable[..., LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATPORT_SSRF_ALLOWLIST", "mock-server.dev:8080,files.test")
    monkeypatch.setenv("CHATPORT_IMPORT_MAX_FILE_BYTES", "2048")
    monkeypatch.setenv("CHATPORT_DIRECTMESSSAGE_MAXUSERS", "12")
    server = make_server()
    admin = server.admin()
    exact(
        admin.get("/api/v1/settings/SSRF_Allowlist"),
        200,
        {"_id": "SSRF_Allowlist", "value": "mock-server.dev:8080,files.test", "success": True},
    )
    exact(
        admin.get("/api/v1/settings/import_max_file_bytes"),
        200,
        {"_id": "import_max_file_bytes", "value": 2048, "success": True},
    )
    exact(
        admin.get("/api/v1/settings/DirectMesssage_maxUsers"),
        200,
        {"_id": "DirectMesssage_maxUsers", "value": 12, "success": True},
    )
    # The settings API changes it while the server runs.
    server.set_setting(admin, "SSRF_Allowlist", "changed.test")
    assert admin.get("/api/v1/settings/SSRF_Allowlist").json()["value"] == "changed.test"
    server.set_setting(admin, "import_download_deadline", 99)
    server.stop()
    # At the next start the environment wins again; other stored values are kept.
    again = make_server()
    admin = again.admin()
    assert admin.get("/api/v1/settings/SSRF_Allowlist").json()["value"] == (
        "mock-server.dev:8080,files.test"
    )
    assert admin.get("/api/v1/settings/import_download_deadline").json()["value"] == 99
    # Without the variable the stored value stays.
    monkeypatch.delenv("CHATPORT_SSRF_ALLOWLIST")
    again.set_setting(admin, "SSRF_Allowlist", "kept.test")
    again.stop()
    third = make_server()
    assert third.admin().get("/api/v1/settings/SSRF_Allowlist").json()["value"] == "kept.test"


def test_bad_environment_number_fails_at_start(
    make_server: Callable[..., LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    for raw in ("abc", "inf", "nan", "-inf", "1e400", ""):
        monkeypatch.setenv("CHATPORT_IMPORT_MAX_FILE_BYTES", raw)
        with pytest.raises(ValueError, match="CHATPORT_IMPORT_MAX_FILE_BYTES"):
            make_server()
