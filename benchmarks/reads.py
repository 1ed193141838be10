"""``make bench-reads``: the read routes over a 1M-message import, on SQLite and PostgreSQL.

``python -m benchmarks.reads [--messages 1000000] [--backends sqlite,postgresql] [--readers 50]``

For each backend it

1. imports :mod:`benchmarks.generate_reads`' export (cached in ``bench-out/``) with
   ``python -m chatport import`` into a fresh database (PostgreSQL: a new database on
   ``--pg-url``'s server, dropped afterwards);
2. starts ``python -m chatport serve`` on it and signs in as the admin;
3. **alone**: times each read ``--samples`` times over loopback HTTP, one at a time, after a
   warm-up: the newest page of ``channels.history`` (50 messages) of ``big``, a page 900,000
   messages deep (``latest`` = the ``ts`` of the 900,000th newest message), ``chat.search``
   for the rare word and for the common word's first page;
4. **under load**: starts a second import (``--load-messages`` into new rooms) and, while it
   runs, ``--readers`` threads each repeat the same four reads, pausing ``--think`` seconds
   between requests as people reading do, for ``--load-seconds``.

Targets (issue 13): p95 at most 20 ms (both history pages), 100 ms (rare word), 200 ms
(common word) alone; under load at most three times those. The figures go to
``bench-out/reads.json``; the exit status is 0 only if every target held.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from benchmarks.generate_reads import COMMON, RARE, VERSION, generate
from benchmarks.run import _chatport_env, _chatport_python

ROOT = Path(__file__).resolve().parent.parent
TARGETS_MS = {
    "history newest": 20.0,
    "history 900k deep": 20.0,
    "search rare": 100.0,
    "search common": 200.0,
}
LOAD_FACTOR = 3.0


@dataclass
class Figures:
    samples: int
    p50_ms: float
    p95_ms: float
    max_ms: float


@dataclass
class BackendResult:
    backend: str
    import_seconds: float
    alone: dict[str, Figures] = field(default_factory=dict)
    loaded: dict[str, Figures] = field(default_factory=dict)
    load_import_running_s: float = 0.0
    load_requests: int = 0
    passed: bool = False


def _figures(values: list[float]) -> Figures:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return Figures(len(values), statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000)


def _env(data_dir: Path, database_url: str) -> dict[str, str]:
    """The import benchmark's clean environment (its own admin, defaults), on this database."""
    env = _chatport_env(data_dir)
    env["CHATPORT_DATABASE_URL"] = database_url
    return env


def _export(out_dir: Path, messages: int, prefix: str) -> Path:
    path = out_dir / f"reads-{messages}-{prefix}-v{VERSION}.zip"
    if not path.exists():
        print(f"generating {path.name} ...", flush=True)
        generate(messages, path, prefix=prefix)
    return path


class Database:
    """A fresh database for one backend: a SQLite file, or a new PostgreSQL database."""

    def __init__(self, backend: str, pg_url: str, run_dir: Path) -> None:
        self.backend = backend
        self._admin: sa.Engine | None = None
        if backend == "sqlite":
            self.url = f"sqlite:///{run_dir / 'chatport.db'}"
            return
        base = sa.make_url(pg_url)
        self._name = f"chatport_bench_{secrets.token_hex(4)}"
        self._admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self._name}"')
        self.url = base.set(database=self._name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self._admin is not None:
            with self._admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)')
            self._admin.dispose()


def _import(export: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [
                _chatport_python(),
                "-m",
                "chatport",
                "import",
                str(export),
                "--importer",
                "slack",
                "--replace",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


class Server:
    def __init__(self, env: dict[str, str], log: Path, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [
                    _chatport_python(),
                    "-m",
                    "chatport",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/info", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise SystemExit(f"the server did not start: see {log}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


Read = tuple[str, str, dict[str, str]]


def _reads(client: httpx.Client, database_url: str) -> list[Read]:
    room = client.get("/api/v1/channels.info", params={"roomName": "cbig"}).json()["channel"]
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            deep = conn.execute(
                sa.text(
                    "SELECT ts FROM messages WHERE rid = :rid ORDER BY ts DESC LIMIT 1 "
                    "OFFSET 900000"
                ),
                {"rid": room["_id"]},
            ).scalar_one()
    finally:
        engine.dispose()
    from chatport.clock import iso_ms

    rid = room["_id"]
    return [
        ("history newest", "/api/v1/channels.history", {"roomId": rid, "count": "50"}),
        (
            "history 900k deep",
            "/api/v1/channels.history",
            {"roomId": rid, "count": "50", "latest": iso_ms(int(deep))},
        ),
        ("search rare", "/api/v1/chat.search", {"roomId": rid, "searchText": RARE}),
        (
            "search common",
            "/api/v1/chat.search",
            {"roomId": rid, "searchText": COMMON, "count": "50"},
        ),
    ]


def _timed(client: httpx.Client, path: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    r = client.get(path, params=params)
    elapsed = time.perf_counter() - started
    if r.status_code != 200 or not r.json().get("messages"):
        raise SystemExit(f"{path} {params}: {r.status_code} {r.text[:300]}")
    return elapsed


def _alone(client: httpx.Client, reads: list[Read], samples: int) -> dict[str, Figures]:
    out: dict[str, Figures] = {}
    for name, path, params in reads:
        for _ in range(5):
            _timed(client, path, params)
        out[name] = _figures([_timed(client, path, params) for _ in range(samples)])
    return out


def _loaded(
    make_client: Callable[[], httpx.Client],
    reads: list[Read],
    readers: int,
    seconds: float,
    think: float,
) -> tuple[dict[str, Figures], int]:
    stop = time.monotonic() + seconds
    latencies: dict[str, list[float]] = {name: [] for name, _, _ in reads}
    lock = threading.Lock()
    failures: list[str] = []

    def reader(n: int) -> None:
        client = make_client()
        i = n
        try:
            while time.monotonic() < stop:
                name, path, params = reads[i % len(reads)]
                i += 1
                try:
                    elapsed = _timed(client, path, params)
                except SystemExit as exc:
                    failures.append(str(exc))
                    return
                with lock:
                    latencies[name].append(elapsed)
                time.sleep(think)
        finally:
            client.close()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
    for t in threads:
        t.start()
        time.sleep(think / readers)  # spread the readers over one think time
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(failures[0])
    return {k: _figures(v) for k, v in latencies.items()}, sum(len(v) for v in latencies.values())


def bench_backend(backend: str, args: argparse.Namespace, out_dir: Path) -> BackendResult:
    run_dir = out_dir / f"reads-{backend}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    db = Database(backend, args.pg_url, run_dir)
    env = _env(run_dir / "data", db.url)
    password = env["ADMIN_PASS"]
    try:
        export = _export(out_dir, args.messages, "C")
        print(f"[{backend}] importing {export.name} ...", flush=True)
        started = time.monotonic()
        code = _import(export, env, run_dir / "import.log").wait()
        import_seconds = time.monotonic() - started
        if code != 0:
            raise SystemExit(f"[{backend}] import failed ({code}): see {run_dir / 'import.log'}")
        print(f"[{backend}] imported in {import_seconds:.1f} s", flush=True)
        server = Server(env, run_dir / "server.log", _free_port())
        try:
            login = httpx.post(
                f"{server.base}/api/v1/login", json={"user": "bench.admin", "password": password}
            ).json()["data"]
            headers = {"X-User-Id": login["userId"], "X-Auth-Token": login["authToken"]}

            def make_client() -> httpx.Client:
                return httpx.Client(base_url=server.base, headers=headers, timeout=60)

            with make_client() as client:
                reads = _reads(client, db.url)
                result = BackendResult(backend, import_seconds)
                result.alone = _alone(client, reads, args.samples)
            _print(backend, "alone", result.alone)
            load_export = _export(out_dir, args.load_messages, "L")
            load = _import(load_export, env, run_dir / "load-import.log")
            time.sleep(2.0)  # past its start-up, into its writes
            began = time.monotonic()
            result.loaded, result.load_requests = _loaded(
                make_client, reads, args.readers, args.load_seconds, args.think
            )
            ended = time.monotonic()
            running = load.poll() is None
            load_code = load.wait()
            result.load_import_running_s = (ended - began) if running else 0.0
            if load_code != 0:
                raise SystemExit(f"[{backend}] the load import failed: see {run_dir}")
            if not running:
                print(f"[{backend}] warning: the load import ended before the readers did")
            _print(backend, f"{args.readers} readers, import running", result.loaded)
        finally:
            server.stop()
    finally:
        db.drop()
    result.passed = (
        all(
            result.alone[k].p95_ms <= TARGETS_MS[k]
            and result.loaded[k].p95_ms <= TARGETS_MS[k] * LOAD_FACTOR
            for k in TARGETS_MS
        )
        and result.load_import_running_s > 0
    )
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return result


def _print(backend: str, title: str, figures: dict[str, Figures]) -> None:
    print(f"\n[{backend}] {title}")
    print(f"  {'read':<20} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'target':>7}")
    for name, f in figures.items():
        print(
            f"  {name:<20} {f.samples:>5} {f.p50_ms:>8.1f} {f.p95_ms:>8.1f} {f.max_ms:>8.1f} "
            f"{TARGETS_MS[name]:>7.0f}"
        )
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.reads", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "CHATPORT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds between a reader's requests"
    )
    parser.add_argument("--load-seconds", type=float, default=30.0)
    parser.add_argument("--load-messages", type=int, default=1_000_000)
    parser.add_argument("--out-dir", type=Path, default=ROOT / "bench-out")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    if args.messages < 950_000:
        raise SystemExit("--messages must be at least 950,000: the deep page is 900,000 down")
    out_dir: Path = args.out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    results = [bench_backend(b.strip(), args, out_dir) for b in args.backends.split(",")]
    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "messages": args.messages,
        "readers": args.readers,
        "think_seconds": args.think,
        "targets_ms": TARGETS_MS,
        "load_factor": LOAD_FACTOR,
        "results": [asdict(r) for r in results],
    }
    (out_dir / "reads.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults written to {out_dir / 'reads.json'}")
    for r in results:
        print(f"[{r.backend}] {'PASS' if r.passed else 'FAIL'}")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
