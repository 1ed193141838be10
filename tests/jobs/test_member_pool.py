"""MemberPool: results in member order whatever the worker, a child's failure at its member,
and children that run ahead of a slow consumer (widened pipes)."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatport.jobs.member_pool import MemberPool, _assign

_CHUNK_BYTES = 300_000


def _init(spec: str) -> str:
    return spec


def _chunks(state: str, member: int, start: int) -> Iterator[tuple[int, int, bytes]]:
    """Two big chunks per member; notes in the directory ``state`` when a member is done."""
    for part in range(2):
        yield member, part, bytes(_CHUNK_BYTES)
    (Path(state) / f"done-{member}").touch()


def _failing(state: str, member: int, start: int) -> Iterator[int]:
    if member == 2:
        raise ValueError("member 2 is broken")
    yield member


def test_members_come_back_in_order(tmp_path: Path) -> None:
    members = [(m, 0) for m in range(7)]
    with MemberPool(_init, _chunks, str(tmp_path), members, 2) as pool:
        got = [(member, chunk[0], chunk[1], len(chunk[2])) for member, chunk in pool]
    assert got == [(m, m, p, _CHUNK_BYTES) for m in range(7) for p in range(2)]


def test_a_failing_member_raises_after_the_members_before_it(tmp_path: Path) -> None:
    seen: list[int] = []
    with (
        MemberPool(_init, _failing, str(tmp_path), [(m, 0) for m in range(4)], 2) as pool,
        pytest.raises(ValueError, match="member 2 is broken"),
    ):
        for member, _chunk in pool:
            seen.append(member)
    assert seen == [0, 1]


def test_children_run_ahead_of_a_consumer_that_has_not_read_yet(tmp_path: Path) -> None:
    """Each child finishes its first member (600 kB) before anything is read: with the
    default 64 KiB pipe it would wait on its first chunk."""
    with MemberPool(_init, _chunks, str(tmp_path), [(m, 0) for m in range(4)], 2) as pool:
        assert all(
            fcntl.fcntl(pipe.fileno(), fcntl.F_GETPIPE_SZ) >= 1 << 20
            for pipe in pool._pipes  # noqa: SLF001 - the pipes are the point here
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (
            (tmp_path / "done-0").exists() and (tmp_path / "done-1").exists()
        ):
            time.sleep(0.05)
        assert (tmp_path / "done-0").exists() and (tmp_path / "done-1").exists()
        assert [member for member, _chunk in pool] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_weights_send_each_member_to_the_least_loaded_worker() -> None:
    assert _assign(5, 2, None) == [0, 1, 0, 1, 0]
    assert _assign(5, 2, [10, 1, 1, 1, 1]) == [0, 1, 1, 1, 1]
    assert _assign(4, 2, [0, 0, 0, 0]) == [0, 1, 0, 1]  # empty members still alternate
    with pytest.raises(ValueError, match="one weight per member"):
        _assign(3, 2, [1])


def test_weighted_members_come_back_in_order(tmp_path: Path) -> None:
    """One heavy member: the other worker takes the next several in a row, and the consumer
    still gets every member in order."""
    members = [(m, 0) for m in range(6)]
    weights = [100, 1, 1, 1, 1, 1]
    with MemberPool(_init, _chunks, str(tmp_path), members, 2, weights=weights) as pool:
        got = [(member, chunk[1]) for member, chunk in pool]
    assert got == [(m, p) for m in range(6) for p in range(2)]
