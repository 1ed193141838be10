"""The preparation backstop (security-reliability §1.6 item 15, §5.6, A-6.8) over HTTP.

Preparation runs in a child process with a wall-clock deadline, ``RLIMIT_CPU`` and an optional
``RLIMIT_AS``. A child that never returns, spins, runs out of memory, crashes or is killed
fails its operation with a reason; what it staged is gone; the server keeps answering and the
next import prepares normally. The misbehaviour comes from the child's test hook
(``CHATPORT_PREPARE_FAULT``, ``CHATPORT_CRASH_AT=prepare.staged``), armed after the records
are staged, so there is something to clean up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatport.imports import staging
from chatport.imports.prepare_child import FAULT_ENV
from chatport.jobs import processes
from tests.imports.slack_fixtures import zulip_export
from tests.imports.test_slack_import import EVERYTHING, load, run_import
from tests.support.fileserver import FileServer, Route
from tests.support.process import ServerProcess
from tests.support.server import ADMIN, Client, LiveServer

MakeServer = Callable[..., LiveServer]


def _operation(admin: Client) -> dict[str, Any]:
    return dict(admin.get("/api/v1/getCurrentImportOperation").json()["operation"])


def _staged(server: LiveServer, op_id: str) -> int:
    with server.ctx.engine.connect() as conn:
        return staging.count(conn, op_id)


def _fails_cleanly(server: LiveServer, admin: Client, files: FileServer, message: str) -> None:
    """Preparation ends failed with ``message``; nothing staged stays; the server still works."""
    data = load(server, admin, files, zulip_export())
    assert data.get("errorType") == "error-import-operation-invalid", data
    _failed_cleanly(server, admin, message)


def _failed_cleanly(server: LiveServer, admin: Client, message: str) -> None:
    op = _operation(admin)
    assert op["status"] == "importer_import_failed"
    assert op["failureReason"] == "error-import-file-invalid"
    assert op["failureMessage"] == message
    assert _staged(server, op["_id"]) == 0
    assert admin.get("/api/v1/getImportFileData").json()["errorType"] == (
        "error-import-operation-invalid"
    )
    assert admin.get("/api/v1/users.list?count=0").json()["total"] == 1  # nothing imported


def _prepares_normally(
    server: LiveServer, admin: Client, files: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(FAULT_ENV, raising=False)
    monkeypatch.delenv("CHATPORT_CRASH_AT", raising=False)
    assert server.client().get("/api/info").status_code == 200
    selection = load(server, admin, files, zulip_export())
    assert selection["message_count"] == 14, selection
    progress = run_import(server, admin, EVERYTHING)
    assert progress["step"] == "importer_done", progress


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"import_parallel_min_bytes": 0},  # the child counts day files in children of its own
        {"prepare_in_child": False},  # the backstop off: a thread of the server
    ],
    ids=["child", "child-with-member-workers", "in-process"],
)
def test_preparation_stages_the_selection(
    make_server: MakeServer, files: FileServer, overrides: dict[str, Any]
) -> None:
    server = make_server(**overrides)
    admin = server.admin()
    selection = load(server, admin, files, zulip_export())
    assert {u["username"] for u in selection["users"]} >= {"rheaparekh12", "showell30"}
    op = _operation(admin)
    assert op["status"] == "importer_user_selection"
    assert op["count"]["messages"] == 14
    assert _staged(server, op["_id"]) >= len(selection["users"])
    assert op.get("failureReason") is None
    assert processes.started_pids() == []
    progress = run_import(server, admin, EVERYTHING)
    assert progress["step"] == "importer_done", progress


def test_deadline_kills_a_parse_that_never_returns(
    make_server: MakeServer, files: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A lease far shorter than the deadline, swept often: only the parent's heartbeat keeps
    # the sweep from taking the operation over while the child hangs.
    server = make_server(
        prepare_deadline_seconds=3,
        lease_seconds=1,
        heartbeat_seconds=0.2,
        sweep_interval_seconds=0.2,
    )
    admin = server.admin()
    monkeypatch.setenv(FAULT_ENV, "hang")
    started = time.monotonic()
    _hanging(server, admin, files)
    children = processes.started_pids()
    assert len(children) == 1
    server.wait_for(admin, lambda p: p["step"] == "importer_import_failed", timeout=20)
    assert time.monotonic() - started < 20
    _failed_cleanly(server, admin, "preparation took longer than 3 s")
    _assert_gone(children)
    _prepares_normally(server, admin, files, monkeypatch)


def test_cpu_limit_ends_a_spinning_parse(
    make_server: MakeServer, files: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_server(prepare_cpu_seconds=1)
    admin = server.admin()
    monkeypatch.setenv(FAULT_ENV, "cpu")
    _fails_cleanly(server, admin, files, "preparation used more than 1 s of CPU time")
    _prepares_normally(server, admin, files, monkeypatch)


def test_memory_limit_turns_memory_error_into_a_failure(
    make_server: MakeServer, files: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_server(prepare_memory_bytes=768 << 20)
    admin = server.admin()
    monkeypatch.setenv(FAULT_ENV, "memory")  # allocates until RLIMIT_AS refuses
    _fails_cleanly(server, admin, files, "preparation ran out of memory")
    _prepares_normally(server, admin, files, monkeypatch)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CHATPORT_CRASH_AT", "prepare.staged", "preparation crashed (exit code 137)"),
        (FAULT_ENV, "kill", "preparation crashed (killed by signal 9, SIGKILL)"),
    ],
)
def test_a_crashed_or_killed_child_fails_the_operation(
    server: LiveServer,
    files: FileServer,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    message: str,
) -> None:
    admin = server.admin()
    monkeypatch.setenv(variable, value)
    _fails_cleanly(server, admin, files, message)
    _prepares_normally(server, admin, files, monkeypatch)


def _assert_gone(pids: list[int]) -> None:
    """The processes ended (the forkserver reaps them, so no zombie stays either)."""
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in pids) or processes.started_pids():
        assert time.monotonic() < deadline, f"still running: {pids}, {processes.started_pids()}"
        time.sleep(0.05)


def _hanging(server: LiveServer, admin: Client, files: FileServer) -> str:
    """Start a preparation whose child hangs once it has staged; the operation id."""
    files.routes["/export.zip"] = Route(body=zulip_export())
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    r = admin.post(
        "/api/v1/downloadPublicImportFile",
        json={"fileUrl": files.url("/export.zip"), "importerKey": "slack"},
    )
    assert r.json() == {"success": True}
    server.wait_for(admin, lambda p: p["step"] == "importer_file_loaded")
    assert admin.get("/api/v1/getImportFileData").json()["waiting"] is True
    op_id = str(_operation(admin)["_id"])
    deadline = time.monotonic() + 30
    while _staged(server, op_id) == 0:
        assert time.monotonic() < deadline, "nothing was staged"
        time.sleep(0.05)
    return op_id


def test_invalidating_the_operation_kills_a_hung_child(
    make_server: MakeServer, files: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_server(heartbeat_seconds=0.2)
    admin = server.admin()
    monkeypatch.setenv(FAULT_ENV, "hang")
    op_id = _hanging(server, admin, files)
    children = processes.started_pids()
    assert admin.post("/api/v1/import.clear").json() == {"success": True}
    op = server.wait_for(admin, lambda p: p["step"] == "importer_import_cancelled", timeout=15)
    assert op["step"] == "importer_import_cancelled"
    assert _staged(server, op_id) == 0  # import.clear emptied staging; nothing wrote it again
    _assert_gone(children)
    _prepares_normally(server, admin, files, monkeypatch)


def test_shutdown_kills_the_child_and_the_next_start_prepares_again(
    make_server: MakeServer, files: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_server(heartbeat_seconds=0.2)
    admin = first.admin()
    monkeypatch.setenv(FAULT_ENV, "hang")
    op_id = _hanging(first, admin, files)
    children = processes.started_pids()
    stopping = time.monotonic()
    first.stop()
    assert not first.thread.is_alive()
    _assert_gone(children)
    assert time.monotonic() - stopping < 10
    monkeypatch.delenv(FAULT_ENV)
    second = make_server(lease_seconds=1, sweep_interval_seconds=0.2)
    admin = second.admin()
    second.wait_for(admin, lambda p: p["step"] == "importer_user_selection", timeout=30)
    assert _operation(admin)["_id"] == op_id
    assert _staged(second, op_id) > 0


def _processes_with(variable: str) -> set[int]:
    """Processes started with ``variable`` (``NAME=value``) in their environment."""
    found = set()
    wanted = variable.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if wanted in environ.split(b"\0"):
            found.add(int(entry.name))
    return found


def test_a_killed_server_takes_its_preparation_child_along(
    database_url: str, tmp_path: Path, files: FileServer
) -> None:
    data_dir = tmp_path / "data"
    files.routes["/export.zip"] = Route(body=zulip_export())
    server = ServerProcess(
        database_url,
        data_dir,
        CHATPORT_SSRF_ALLOWLIST=f"127.0.0.1:{files.port}",
        CHATPORT_PREPARE_FAULT="hang",
    )
    server.start()
    try:
        r = httpx.post(f"{server.base_url}/api/v1/login", json={"user": ADMIN, "password": ADMIN})
        data = r.json()["data"]
        admin = Client(server.base_url, data["userId"], data["authToken"])
        r = admin.post(
            "/api/v1/downloadPublicImportFile",
            json={"fileUrl": files.url("/export.zip"), "importerKey": "slack"},
        )
        assert r.json() == {"success": True}
        # Generous: the first preparation of a server process also starts its forkserver,
        # which takes seconds on a loaded CI machine.
        deadline = time.monotonic() + 90
        while admin.get("/api/v1/getImportFileData").json().get("waiting") is not True:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        step = ""
        while step != "importer_preparing_messages":
            # getImportFileData starts preparation only once the file is loaded: a first
            # call during a slow download answers "waiting" without starting it, so ask again.
            admin.get("/api/v1/getImportFileData")
            step = admin.get("/api/v1/getImportProgress").json()["step"]
            assert time.monotonic() < deadline, step
            time.sleep(0.05)
        assert server.proc is not None
        # The forkserver and the preparation child, hanging after its staging.
        marker = f"CHATPORT_DATA_DIR={data_dir}"
        assert len(_processes_with(marker) - {server.proc.pid}) >= 2
    finally:
        server.kill()
    deadline = time.monotonic() + 10
    while _processes_with(marker):
        assert time.monotonic() < deadline, f"left behind: {_processes_with(marker)}"
        time.sleep(0.1)
