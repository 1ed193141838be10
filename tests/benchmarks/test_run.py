"""The benchmark's measurement of a process tree (chatport imports with reader children)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from benchmarks.run import measure

CHILD = "import time; x = bytearray(80_000_000); time.sleep(1.5)"
PARENT = (
    "import subprocess, sys, time; x = bytearray(40_000_000); "
    f"p = subprocess.Popen([sys.executable, '-c', {CHILD!r}]); p.wait()"
)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_tree_rss_sums_the_process_and_its_children(tmp_path: Path) -> None:
    result = measure([sys.executable, "-c", PARENT], tmp_path, "tree")
    assert result.returncode == 0
    # The child alone holds ~80 MB and the parent ~40 MB: only a sum over both reaches 120
    # (PSS: the two interpreters share little, the buffers nothing). ``peak_rss_mb`` is not
    # compared: a forked child's ru_maxrss starts at its parent's (here pytest's) RSS.
    assert result.peak_rss_mb >= 80
    assert result.peak_tree_rss_mb >= 120
