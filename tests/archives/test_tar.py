"""iter_tar_gz against the tar.gz rows of the attack checklist (security-reliability.md §3 A-6)."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import random
import tarfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatport.archives import ArchiveError, ArchiveLimits, MemberTooLarge, iter_tar_gz, load_json

from .craft import padded, tar_end, tar_header

pytestmark = pytest.mark.timeout(10)

HIPCHAT_FILES = {"users.json", "rooms.json", "history.json"}


def hipchat_wanted(name: str) -> bool:
    return name.rsplit("/", 1)[-1] in HIPCHAT_FILES


def everything(name: str) -> bool:
    return True


def tar_bytes(
    members: Iterable[tuple[tarfile.TarInfo, bytes]], fmt: int = tarfile.GNU_FORMAT
) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as archive:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buffer.getvalue()


def regular(name: str, data: bytes, mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.mode = mode
    return info, data


def special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, b""


def write_gz(tmp_path: Path, tar: bytes, name: str = "export.tar.gz") -> Path:
    path = tmp_path / name
    path.write_bytes(gzip.compress(tar))
    return path


def collect(
    source: Path | io.BytesIO,
    wanted: object = everything,
    limits: ArchiveLimits = ArchiveLimits(),
) -> dict[str, bytes]:
    assert callable(wanted)
    return {name: stream.read() for name, stream in iter_tar_gz(source, wanted, limits)}


def hipchat_export() -> bytes:
    users = [{"User": {"id": 1, "name": "Ann", "mention_name": "ann"}}]
    rooms = [{"Room": {"id": 7, "name": "General"}}]
    history = [{"UserMessage": {"id": "m1", "message": "hi", "timestamp": "2017-01-01T00:00:00"}}]
    members = [
        special("export", tarfile.DIRTYPE),
        regular("export/users.json", json.dumps(users).encode()),
        regular("export/rooms.json", json.dumps(rooms).encode()),
        special("export/rooms/7", tarfile.DIRTYPE),
        regular("export/rooms/7/history.json", json.dumps(history).encode()),
        regular("export/users/1/history.json", b"[]"),
        regular("export/emoticons.json", b"[]"),
        regular("export/metadata.json", b"{}"),
        regular("export/rooms/7/files/photo.png", random.Random(0).randbytes(5000)),
    ]
    return tar_bytes(members)


# -- happy path ------------------------------------------------------------------------------


def test_happy_hipchat_export(tmp_path: Path) -> None:
    found = collect(write_gz(tmp_path, hipchat_export()), hipchat_wanted)
    assert list(found) == [
        "export/users.json",
        "export/rooms.json",
        "export/rooms/7/history.json",
        "export/users/1/history.json",
    ]
    rooms = load_json(found["export/rooms.json"], "export/rooms.json").value
    assert rooms[0]["Room"]["name"] == "General"


def test_happy_from_a_stream_and_multi_member_gzip(tmp_path: Path) -> None:
    tar = hipchat_export()
    split = len(tar) // 3
    stream = io.BytesIO(gzip.compress(tar[:split]) + gzip.compress(tar[split:]))
    found = collect(stream, hipchat_wanted)
    assert len(found) == 4
    assert not stream.closed


def test_reader_is_only_valid_until_the_next_member(tmp_path: Path) -> None:
    readers = []
    for _name, stream in iter_tar_gz(write_gz(tmp_path, hipchat_export()), hipchat_wanted):
        readers.append(stream)
    assert readers
    with pytest.raises(ValueError):
        readers[0].read()


def test_members_left_unread_are_skipped(tmp_path: Path) -> None:
    names = [name for name, _ in iter_tar_gz(write_gz(tmp_path, hipchat_export()), everything)]
    assert "export/rooms/7/files/photo.png" in names


# -- A-6 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "problem"),
    [
        (regular("../evil", b"x"), "member ../evil: unsafe name"),
        (regular("/abs", b"x"), "member /abs: unsafe name"),
        (regular("export/../../x.json", b"x"), "unsafe name"),
        (regular("C:\\x.json", b"x"), "unsafe name"),
        (special("../dir", tarfile.DIRTYPE), "member ../dir: unsafe name"),
        (special("passwd", tarfile.SYMTYPE, "/etc/passwd"), "member passwd: symbolic links"),
        (special("hard", tarfile.LNKTYPE, "/etc/passwd"), "member hard: hard links"),
        (special("tty", tarfile.CHRTYPE), "member tty: device files"),
        (special("sda", tarfile.BLKTYPE), "member sda: device files"),
        (special("pipe", tarfile.FIFOTYPE), "member pipe: fifos"),
        (special("__MACOSX/link", tarfile.SYMTYPE, "/etc"), "symbolic links"),
    ],
)
def test_a6_01_hostile_members_fail_naming_the_member(
    tmp_path: Path, member: tuple[tarfile.TarInfo, bytes], problem: str
) -> None:
    path = write_gz(tmp_path, tar_bytes([regular("users.json", b"[]"), member]))
    with pytest.raises(ArchiveError, match=problem.replace("\\", "\\\\").replace(".", "\\.")):
        collect(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.tar.gz"]


def test_a6_01_setuid_file_is_just_data(tmp_path: Path) -> None:
    path = write_gz(tmp_path, tar_bytes([regular("users.json", b"[1]", mode=0o4755)]))
    assert collect(path) == {"users.json": b"[1]"}


def test_a6_02_negative_size_rejected_before_reading(tmp_path: Path) -> None:
    tar = tar_header("users.json", -512) + bytes(2048) + tar_end()
    with pytest.raises(ArchiveError, match="member users.json: negative size"):
        collect(write_gz(tmp_path, tar))


def test_a6_02_negative_pax_size_rejected(tmp_path: Path) -> None:
    info = tarfile.TarInfo("users.json")
    info.pax_headers = {"size": "-512"}
    tar = info.tobuf(format=tarfile.PAX_FORMAT) + bytes(2048) + tar_end()
    with pytest.raises(ArchiveError, match="negative size"):
        collect(write_gz(tmp_path, tar))


def test_a6_02_size_over_cap_rejected_before_reading(tmp_path: Path) -> None:
    big = random.Random(1).randbytes(5000)
    path = write_gz(tmp_path, tar_bytes([regular("users.json", big), regular("x.bin", big)]))
    limits = ArchiveLimits(max_member_bytes=4096)
    with pytest.raises(MemberTooLarge, match="member users.json: larger than 4 KiB"):
        collect(path, limits=limits)
    # An unwanted member of the same size is skipped, not refused.
    assert collect(path, lambda name: name == "nope", limits) == {}


def test_a6_02_huge_declared_size_over_cap(tmp_path: Path) -> None:
    tar = tar_header("users.json", 1 << 40) + bytes(1024)
    with pytest.raises(MemberTooLarge):
        collect(write_gz(tmp_path, tar))


@pytest.fixture(scope="module")
def zeros_tar_gz() -> bytes:
    """A 64 MiB member of zeros: ~64 KB of gzip (ratio ~1000x)."""
    size = 64 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(tar_header("export/attachment.bin", size))]
    block = bytes(1 << 20)
    for _ in range(size >> 20):
        parts.append(compressor.compress(block))
    parts.append(compressor.compress(tar_end()))
    parts.append(compressor.flush())
    return b"".join(parts)


def test_a6_03_gzip_bomb_trips_the_ratio_cap(tmp_path: Path, zeros_tar_gz: bytes) -> None:
    path = tmp_path / "bomb.tar.gz"
    path.write_bytes(zeros_tar_gz)
    # Nothing is wanted: the bomb is stopped while tarfile merely skips over it.
    with pytest.raises(ArchiveError, match="compression bomb"):
        collect(path, lambda name: False)


def test_a6_03_total_cap_across_gzip_members(tmp_path: Path) -> None:
    data = random.Random(2).randbytes(300_000)
    tar = tar_bytes([regular(f"{n}.bin", data) for n in range(4)])
    chunks = [gzip.compress(tar[i : i + 200_000]) for i in range(0, len(tar), 200_000)]
    path = tmp_path / "multi.tar.gz"
    path.write_bytes(b"".join(chunks))
    with pytest.raises(ArchiveError, match="in total"):
        collect(path, lambda name: False, ArchiveLimits(max_total_bytes=1 << 20))
    assert len(collect(path)) == 4


def test_a6_04_entry_cap_counts_skipped_members(tmp_path: Path) -> None:
    tar = tar_bytes([regular(f"empty/{n}", b"") for n in range(51)])
    path = write_gz(tmp_path, tar)
    with pytest.raises(ArchiveError, match="too many entries"):
        collect(path, lambda name: False, ArchiveLimits(max_entries=50))
    assert len(collect(path, everything, ArchiveLimits(max_entries=51))) == 51


def test_a6_04_huge_pax_path(tmp_path: Path) -> None:
    info = tarfile.TarInfo("export/" + "a" * 5000 + "/users.json")
    tar = tar_bytes([(info, b"[]")], fmt=tarfile.PAX_FORMAT)
    with pytest.raises(ArchiveError, match="name longer than 4096 bytes"):
        collect(write_gz(tmp_path, tar))


def test_a6_04_huge_pax_header(tmp_path: Path) -> None:
    info = tarfile.TarInfo("users.json")
    info.pax_headers = {"comment": "x" * (20 << 10)}
    tar = tar_bytes([(info, b"[]")], fmt=tarfile.PAX_FORMAT)
    with pytest.raises(ArchiveError, match="extended header larger than 16 KiB"):
        collect(write_gz(tmp_path, tar))


def test_a6_04_quadratic_pax_records_are_bounded(tmp_path: Path) -> None:
    # CVE-2024-6232 shape: many records whose keyword runs to a single '=' at the end.
    body = b"2 " * ((16 << 10) // 2 - 1) + b"="
    header = tar_header("././@PaxHeader", len(body), tarfile.XHDTYPE, tarfile.USTAR_FORMAT)
    tar = header + padded(body) + tar_header("users.json", 0) + tar_end()
    # Parsed within the cap in bounded time; the result is whatever tarfile makes of it.
    with contextlib.suppress(ArchiveError):
        collect(write_gz(tmp_path, tar))


def test_a6_05_gnu_sparse_member(tmp_path: Path) -> None:
    tar = tar_header("users.json", 0, tarfile.GNUTYPE_SPARSE) + tar_end()
    with pytest.raises(ArchiveError, match="member users.json: sparse files are not supported"):
        collect(write_gz(tmp_path, tar))


def test_a6_05_pax_sparse_member(tmp_path: Path) -> None:
    info = tarfile.TarInfo("users.json")
    info.pax_headers = {
        "GNU.sparse.major": "1",
        "GNU.sparse.minor": "0",
        "GNU.sparse.name": "users.json",
        "GNU.sparse.realsize": "1000000",
    }
    tar = tar_bytes([(info, b"1\n0\n512\n" + bytes(600))], fmt=tarfile.PAX_FORMAT)
    with pytest.raises(ArchiveError, match="sparse files are not supported"):
        collect(write_gz(tmp_path, tar))


def test_a6_05_long_gnu_name_capped(tmp_path: Path) -> None:
    tar = tar_bytes([regular("export/" + "b" * 5000 + "/users.json", b"[]")])
    with pytest.raises(ArchiveError, match="member name longer than 4096 bytes"):
        collect(write_gz(tmp_path, tar))


def test_a6_05_long_but_allowed_gnu_name(tmp_path: Path) -> None:
    name = "export/" + "c" * 3000 + "/users.json"
    assert list(collect(write_gz(tmp_path, tar_bytes([regular(name, b"[]")])))) == [name]


def test_a6_05_chain_of_long_name_headers(tmp_path: Path) -> None:
    link = b"x" * 100 + b"\x00"
    one = tar_header("././@LongLink", len(link), tarfile.GNUTYPE_LONGNAME) + padded(link)
    tar = one * 50 + tar_header("users.json", 0) + tar_end()
    with pytest.raises(ArchiveError, match="too many extended headers"):
        collect(write_gz(tmp_path, tar))


def test_a6_06_duplicate_wanted_name(tmp_path: Path) -> None:
    tar = tar_bytes([regular("users.json", b"[1]"), regular("users.json", b"[2]")])
    with pytest.raises(ArchiveError, match="users.json appears twice"):
        collect(write_gz(tmp_path, tar))
    # Duplicates nobody reads do not matter.
    assert collect(write_gz(tmp_path, tar), lambda name: False) == {}


def test_a6_06_duplicate_after_normalisation(tmp_path: Path) -> None:
    tar = tar_bytes([regular("export/users.json", b"[1]"), regular("./export//users.json", b"2")])
    with pytest.raises(ArchiveError, match="appears twice"):
        collect(write_gz(tmp_path, tar))


@pytest.mark.parametrize(
    "content",
    [b"", b"\x1f", b"plain text", b"PK\x03\x04zipzip", b"Salted__12345678"],
)
def test_a6_07_not_gzip(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.tar.gz"
    path.write_bytes(content)
    with pytest.raises(ArchiveError, match="not a gzip file"):
        collect(path)


def test_a6_07_plain_tar_is_not_gzip(tmp_path: Path) -> None:
    path = tmp_path / "x.tar"
    path.write_bytes(hipchat_export())
    with pytest.raises(ArchiveError, match="not a gzip file"):
        collect(path)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, -4, -1])
def test_a6_07_truncated(tmp_path: Path, keep: float) -> None:
    data = gzip.compress(hipchat_export())
    cut = int(len(data) * keep) if keep > 0 else len(data) + int(keep)
    path = tmp_path / "cut.tar.gz"
    path.write_bytes(data[:cut])
    with pytest.raises(ArchiveError, match="truncated|damaged"):
        collect(path)


def test_a6_07_gzip_with_trailing_garbage(tmp_path: Path) -> None:
    path = tmp_path / "x.tar.gz"
    path.write_bytes(gzip.compress(hipchat_export()) + b"garbage!")
    with pytest.raises(ArchiveError, match="damaged gzip data"):
        collect(path)


def test_a6_07_damaged_header_midway_is_not_a_silent_end(tmp_path: Path) -> None:
    tar = bytearray(tar_bytes([regular("users.json", b"[]"), regular("rooms.json", b"[]")]))
    tar[1024 + 148 : 1024 + 156] = b"0000000\x00"  # the second header's checksum
    with pytest.raises(ArchiveError, match="damaged tar header"):
        collect(write_gz(tmp_path, bytes(tar)))


def test_a6_07_errors_never_show_our_path(tmp_path: Path) -> None:
    secret = tmp_path / "secret-dir"
    secret.mkdir()
    path = secret / "x.tar.gz"
    path.write_bytes(gzip.compress(hipchat_export())[:-10])
    with pytest.raises(ArchiveError) as caught:
        collect(path)
    assert "secret-dir" not in str(caught.value)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    flips=st.lists(st.tuples(st.integers(0, 20_000), st.integers(1, 255)), min_size=1, max_size=4),
    compressed=st.booleans(),
)
def test_a6_08_fuzzed_damage_gives_clean_errors(
    tmp_path: Path, flips: list[tuple[int, int]], compressed: bool
) -> None:
    tar = bytearray(hipchat_export())
    if not compressed:  # damage the tar layer under a valid gzip layer
        for offset, mask in flips:
            tar[offset % len(tar)] ^= mask
        data = bytearray(gzip.compress(bytes(tar)))
    else:
        data = bytearray(gzip.compress(bytes(tar)))
        for offset, mask in flips:
            data[offset % len(data)] ^= mask
    path = tmp_path / "fuzz.tar.gz"
    path.write_bytes(bytes(data))
    with contextlib.suppress(ArchiveError):
        collect(path)


def test_root_directory_entry_is_fine(tmp_path: Path) -> None:
    tar = tar_bytes([special("./", tarfile.DIRTYPE), regular("./users.json", b"[]")])
    assert collect(write_gz(tmp_path, tar)) == {"users.json": b"[]"}


def test_member_cap_per_name(tmp_path: Path) -> None:
    data = random.Random(3).randbytes(10_000)
    tar = tar_bytes([regular("users.json", data), regular("rooms/1/history.json", data)])
    path = write_gz(tmp_path, tar)
    limits = ArchiveLimits(max_member_bytes=5000)

    def cap(name: str) -> int:
        return 20_000 if name.endswith("history.json") else limits.max_member_bytes

    with pytest.raises(MemberTooLarge, match="users.json"):
        collect(path, everything, limits)
    found = {
        name: stream.read()
        for name, stream in iter_tar_gz(
            path, lambda name: name.endswith("history.json"), limits, member_cap=cap
        )
    }
    assert found == {"rooms/1/history.json": data}


def test_a6_03_giant_gzip_header_field(tmp_path: Path) -> None:
    # FNAME of 3 MiB: gzip reads it a byte at a time and produces nothing.
    header = b"\x1f\x8b\x08\x08" + bytes(4) + b"\x00\x03" + b"A" * (3 << 20) + b"\x00"
    path = tmp_path / "x.tar.gz"
    path.write_bytes(header + gzip.compress(hipchat_export())[10:])
    with pytest.raises(ArchiveError, match="produces no data"):
        collect(path)


def test_a6_03_endless_empty_gzip_members(tmp_path: Path) -> None:
    path = tmp_path / "x.tar.gz"
    path.write_bytes(gzip.compress(b"") * 100_000)
    with pytest.raises(ArchiveError, match="produces no data"):
        collect(path)
