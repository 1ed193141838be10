"""``make bench``: chatport's Slack import end to end against the bare limit, same run.

``python -m benchmarks.run [--sizes 100000,1000000] [--seed 1] [--lean] [--keep]``

For each size it

1. generates the export with :mod:`benchmarks.generate_slack`, cached as
   ``bench-out/slack-<N>-s<seed>[-lean]-v<version>.zip`` (``bench-out/`` is git-ignored);
2. runs :mod:`benchmarks.baseline` on it as a subprocess, into a fresh SQLite file;
3. runs ``.venv/bin/python -m chatport import <zip> --importer slack --users all --channels
   all`` as a subprocess with ``CHATPORT_DATA_DIR`` a fresh directory (SQLite, chatport's
   defaults otherwise), which must exit 0 (the operation reached ``importer_done``).

Both subprocesses start with the same interpreter start-up cost and write to the same file
system (``bench-out/run-<N>/``, removed afterwards unless ``--keep``). Each is timed by wall
clock around the process, and its peak RSS is the ``ru_maxrss`` that ``os.wait4`` reports for
it. This runner stays small and spawns nothing heavy itself: on Linux a child's ``ru_maxrss``
also covers the memory of the process it was spawned from.

The table gives messages/s (message elements in the export divided by wall seconds), the ratio
chatport seconds / baseline seconds, and peak RSS in MB (10^6 bytes), with PASS when the ratio
is at most ``--max-ratio`` (2.5; judged from ``--ratio-from`` messages on, 1,000,000, the size
the target is set for) and chatport's RSS at most ``--max-rss-mb`` (400). The same figures go
to ``bench-out/results.json``. The exit status is 0 only if every size passed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.generate_slack import VERSION

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (100_000, 1_000_000)


@dataclass
class Measured:
    """One subprocess: its wall seconds, peak RSS, exit code and output files."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    #: The largest memory of the process and its descendants together (chatport's reader
    #: children), as summed PSS sampled every 0.5 s; ``peak_rss_mb`` is the largest single
    #: process's RSS.
    peak_tree_rss_mb: float = 0.0
    stdout: str = ""
    stderr: str = ""


@dataclass
class SizeResult:
    messages: int
    export: str
    export_mb: float
    baseline_seconds: float | None = None
    baseline_msgs_per_s: float | None = None
    baseline_peak_rss_mb: float | None = None
    chatport_seconds: float | None = None
    chatport_msgs_per_s: float | None = None
    chatport_peak_rss_mb: float | None = None
    chatport_largest_process_rss_mb: float | None = None
    chatport_message_rows: int | None = None
    ratio: float | None = None
    ratio_ok: bool | None = None
    rss_ok: bool | None = None
    passed: bool = False
    error: str | None = None
    notes: list[str] = field(default_factory=list)


def measure(
    cmd: list[str], workdir: Path, label: str, env: dict[str, str] | None = None
) -> Measured:
    """Run ``cmd`` to completion; wall time and ``ru_maxrss`` (KiB on Linux) via wait4."""
    out_path = workdir / f"{label}.stdout"
    err_path = workdir / f"{label}.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        sampler = _TreeRss(proc.pid)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        sampler.stop()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # already reaped: keep Popen from waiting again
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return Measured(
        seconds=seconds,
        peak_rss_mb=usage.ru_maxrss * scale / 1e6,
        peak_tree_rss_mb=sampler.peak_bytes / 1e6,
        returncode=code,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
    )


#: Seconds between two samples of the tree's memory. A sample reads ``smaps_rollup`` of every
#: process, which walks its page tables: about 20 ms of CPU at the size of a 1M import. At
#: 50 ms the sampler took a quarter of a core from the processes it measured (on 2 cores,
#: about a tenth of chatport's capacity, while the one-process baseline had a core to
#: spare); memory here moves in plateaus of seconds, which half a second still catches, and
#: the largest single process is measured exactly by ``ru_maxrss`` beside it.
SAMPLE_SECONDS = 0.5


class _TreeRss(threading.Thread):
    """Samples the summed RSS of a process tree from ``/proc`` (Linux; zero elsewhere)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self._pid = pid
        self._done = threading.Event()
        self.peak_bytes = 0

    def stop(self) -> None:
        self._done.set()
        self.join()

    def run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self.peak_bytes = max(self.peak_bytes, _tree_rss(self._pid))

    @staticmethod
    def _children(pid: int) -> list[int]:
        found: list[int] = []
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    found.extend(int(child) for child in handle.read().split())
        except OSError:
            pass
        return found


def _tree_rss(root: int) -> int:
    """Proportional set size (``Pss``) summed over the tree: pages shared between the
    processes (a forkserver's children share its imported modules) count once in all, where a
    sum of RSS would count them in every process. ``VmRSS`` where ``smaps_rollup`` is missing."""
    total = 0
    pending = [root]
    while pending:
        pid = pending.pop()
        found = _status_kib(f"/proc/{pid}/smaps_rollup", "Pss:")
        if found is None:
            found = _status_kib(f"/proc/{pid}/status", "VmRSS:")
        if found is None:
            continue
        total += found * 1024
        pending.extend(_TreeRss._children(pid))
    return total


def _status_kib(path: str, key: str) -> int | None:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def export_path(out_dir: Path, size: int, seed: int, lean: bool) -> Path:
    return out_dir / f"slack-{size}-s{seed}{'-lean' if lean else ''}-v{VERSION}.zip"


def ensure_export(out_dir: Path, size: int, seed: int, lean: bool) -> Path:
    path = export_path(out_dir, size, seed, lean)
    if path.exists():
        print(f"[{size}] using cached {path}", flush=True)
        return path
    print(f"[{size}] generating {path.name} ...", flush=True)
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.generate_slack",
        "--messages",
        str(size),
        "--out",
        str(path),
        "--seed",
        str(seed),
    ]
    if lean:
        cmd.append("--lean")
    result = measure(cmd, out_dir, f"generate-{size}")
    if result.returncode != 0:
        raise SystemExit(f"generator failed for {size}:\n{_tail(result.stderr)}")
    for stream in ("stdout", "stderr"):
        (out_dir / f"generate-{size}.{stream}").unlink(missing_ok=True)
    print(
        f"[{size}] generated in {result.seconds:.1f} s, peak RSS {result.peak_rss_mb:.0f} MB: "
        f"{result.stdout.strip()}",
        flush=True,
    )
    return path


def _chatport_python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _chatport_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATPORT_")}
    env["CHATPORT_DATA_DIR"] = str(data_dir)
    env["ADMIN_USERNAME"] = "bench.admin"
    env["ADMIN_EMAIL"] = "bench.admin@chatport.invalid"
    env["ADMIN_PASS"] = secrets.token_urlsafe(16)
    env["COLUMNS"] = "120"
    env.pop("TEST_MODE", None)
    return env


def _count_rows(db: Path) -> int | None:
    if not db.exists():
        return None
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])
    except sqlite3.Error:
        return None


def bench_size(size: int, args: argparse.Namespace, out_dir: Path) -> SizeResult:
    export = ensure_export(out_dir, size, args.seed, args.lean)
    result = SizeResult(size, str(export), os.path.getsize(export) / 1e6)
    workdir = out_dir / f"run-{size}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    try:
        print(f"[{size}] baseline ...", flush=True)
        base = measure(
            [
                sys.executable,
                "-m",
                "benchmarks.baseline",
                str(export),
                "--db",
                str(workdir / "baseline.db"),
                "--json",
            ],
            workdir,
            "baseline",
        )
        if base.returncode != 0:
            result.error = f"baseline exited {base.returncode}:\n{_tail(base.stderr)}"
            return result
        inner = json.loads(base.stdout.strip().splitlines()[-1])
        if inner["messages"] != size:
            result.notes.append(f"baseline read {inner['messages']} messages, expected {size}")
        result.baseline_seconds = base.seconds
        result.baseline_msgs_per_s = size / base.seconds
        result.baseline_peak_rss_mb = base.peak_rss_mb
        print(
            f"[{size}] baseline {base.seconds:.1f} s, {size / base.seconds:,.0f} msgs/s, "
            f"peak RSS {base.peak_rss_mb:.0f} MB",
            flush=True,
        )

        print(f"[{size}] chatport import ...", flush=True)
        data_dir = workdir / "chatport-data"
        cmd = [
            _chatport_python(),
            "-m",
            "chatport",
            "import",
            str(export),
            "--importer",
            "slack",
            "--users",
            "all",
            "--channels",
            "all",
        ]
        chat = measure(cmd, workdir, "chatport", env=_chatport_env(data_dir))
        result.chatport_seconds = chat.seconds
        # The criterion counts every chatport process: the importing one and its reader children.
        result.chatport_peak_rss_mb = max(chat.peak_rss_mb, chat.peak_tree_rss_mb)
        result.chatport_largest_process_rss_mb = chat.peak_rss_mb
        if chat.returncode != 0:
            output = chat.stderr + chat.stdout
            if "No such command" in output and "import" in output:
                result.error = (
                    "this chatport has no `chatport import` command; the benchmark needs it"
                )
            else:
                result.error = (
                    f"chatport import exited {chat.returncode}:\n"
                    f"{_tail(chat.stdout)}\n{_tail(chat.stderr)}"
                )
            return result
        result.chatport_msgs_per_s = size / chat.seconds
        result.chatport_message_rows = _count_rows(data_dir / "chatport.db")
        result.ratio = chat.seconds / base.seconds
        # The time target is the issue's, for a big export; below ``--ratio-from`` messages the
        # fixed start-up (interpreter, migrations, forkserver, preparation child: about 3 s)
        # weighs on a baseline of a few seconds, so the ratio is shown but not judged.
        result.ratio_ok = result.ratio <= args.max_ratio if size >= args.ratio_from else None
        result.rss_ok = result.chatport_peak_rss_mb <= args.max_rss_mb
        result.passed = bool(result.ratio_ok is not False and result.rss_ok)
        print(
            f"[{size}] chatport {chat.seconds:.1f} s, {size / chat.seconds:,.0f} msgs/s, "
            f"peak RSS {result.chatport_peak_rss_mb:.0f} MB (all processes; largest one "
            f"{chat.peak_rss_mb:.0f} MB), {result.chatport_message_rows} message rows",
            flush=True,
        )
        if args.verbose:
            print(_tail(chat.stdout, 30))
        return result
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(results: list[SizeResult], args: argparse.Namespace) -> None:
    header = (
        "messages",
        "baseline msg/s",
        "chatport msg/s",
        "ratio",
        "chatport RSS MB",
        "baseline RSS MB",
        "result",
    )
    rows = [header]
    for r in results:
        if r.error:
            verdict = "ERROR"
        else:
            verdict = "PASS" if r.passed else "FAIL"
            failed = []
            if r.ratio_ok is False:
                failed.append(f"ratio > {args.max_ratio:g}")
            if r.rss_ok is False:
                failed.append(f"RSS > {args.max_rss_mb:g} MB")
            if failed:
                verdict += " (" + ", ".join(failed) + ")"
            elif r.ratio_ok is None:
                verdict += " (ratio not judged)"
        rows.append(
            (
                f"{r.messages:,}",
                _fmt(r.baseline_msgs_per_s, ",.0f"),
                _fmt(r.chatport_msgs_per_s, ",.0f"),
                _fmt(r.ratio, ".2f"),
                _fmt(r.chatport_peak_rss_mb, ".0f"),
                _fmt(r.baseline_peak_rss_mb, ".0f"),
                verdict,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    print()
    print(
        f"Slack import, SQLite, {os.cpu_count()} CPUs; PASS = ratio <= {args.max_ratio:g} "
        f"(from {args.ratio_from:,} messages on) "
        f"and chatport peak RSS (all its processes) <= {args.max_rss_mb:g} MB"
    )
    for n, row in enumerate(rows):
        print(
            "  ".join(
                cell.rjust(w) if i < len(row) - 1 else cell
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for r in results:
        if r.error:
            print(f"\n[{r.messages}] {r.error}")
        for note in r.notes:
            print(f"[{r.messages}] note: {note}")


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def _sizes(text: str) -> list[int]:
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive integers, comma-separated")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="message counts, comma-separated (default 100000,1000000)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lean", action="store_true", help="exports without blocks etc.")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "bench-out")
    parser.add_argument("--max-ratio", type=float, default=2.5)
    parser.add_argument(
        "--ratio-from",
        type=int,
        default=1_000_000,
        help="judge the ratio from this many messages on (the issue's target is for 1M)",
    )
    parser.add_argument("--max-rss-mb", type=float, default=400.0)
    parser.add_argument("--keep", action="store_true", help="keep bench-out/run-<N>/")
    parser.add_argument("--verbose", action="store_true", help="show chatport's summary")
    args = parser.parse_args(argv)
    out_dir: Path = args.out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)

    results = [bench_size(size, args, out_dir) for size in args.sizes]
    print_table(results, args)
    report: dict[str, Any] = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": _git("rev-parse", "HEAD") or None,
        "worktree_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
        },
        "criteria": {
            "max_ratio": args.max_ratio,
            "ratio_from_messages": args.ratio_from,
            "max_rss_mb": args.max_rss_mb,
        },
        "seed": args.seed,
        "lean": args.lean,
        "generator_version": VERSION,
        "results": [asdict(r) for r in results],
    }
    results_path = out_dir / "results.json"
    results_path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults written to {results_path}")
    return 0 if results and all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
