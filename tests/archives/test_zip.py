"""SafeZip against the zip rows of the attack checklist (security-reliability.md §3 A-5)."""

from __future__ import annotations

import io
import json
import random
import stat
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatport.archives import (
    ArchiveError,
    ArchiveLimits,
    MemberTooLarge,
    SafeZip,
    iter_json_array,
    load_json,
)
from chatport.archives import zipreader as zipreader_module

from .craft import (
    DEFLATED,
    FLAG_UTF8,
    STORED,
    Entry,
    build_zip,
    central_header,
    deflate_zeros,
    eocd,
    fifield_quoted_overlap,
    local_header,
    zip64_end,
)

pytestmark = pytest.mark.timeout(10)


def write(tmp_path: Path, data: bytes, name: str = "export.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def zip_of(members: dict[str, bytes], method: int = DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def read_everything(path: Path, limits: ArchiveLimits = ArchiveLimits()) -> dict[str, bytes]:
    with SafeZip(path, limits) as archive:
        return {name: archive.read(name) for name in archive.names()}


# -- happy path ------------------------------------------------------------------------------


def slack_export() -> bytes:
    users = [{"id": "U1", "name": "ann"}, {"id": "U2", "name": "bob"}]
    channels = [{"id": "C1", "name": "general"}]
    day = [{"type": "message", "user": "U1", "text": "hi", "ts": "1500000000.000100"}]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.json", json.dumps(users))
        archive.writestr("channels.json", json.dumps(channels))
        archive.writestr(zipfile.ZipInfo("general/"), b"")
        archive.writestr("general/2020-01-01.json", json.dumps(day))
        archive.writestr("general/2020-01-02.json", json.dumps(day * 3))
        archive.writestr("__MACOSX/._users.json", b"\x00\x05\x16\x07")
        archive.writestr(".DS_Store", b"Bud1")
    return buffer.getvalue()


def test_happy_slack_export(tmp_path: Path) -> None:
    path = write(tmp_path, slack_export())
    with SafeZip(path) as archive:
        assert archive.names() == [
            "users.json",
            "channels.json",
            "general/2020-01-01.json",
            "general/2020-01-02.json",
        ]
        assert sorted(archive.skipped_names()) == [".DS_Store", "__MACOSX/._users.json"]
        assert "users.json" in archive and "nope.json" not in archive
        users = load_json(archive.read("users.json"), "users.json").value
        assert [user["name"] for user in users] == ["ann", "bob"]
        with archive.open("general/2020-01-02.json") as stream:
            items = list(iter_json_array(stream, "general/2020-01-02.json"))
        assert [item.value["text"] for item in items] == ["hi", "hi", "hi"]
        assert archive.compressed_size("users.json") > 0
        with pytest.raises(KeyError):
            archive.open("nope.json")
    with pytest.raises(ValueError):
        archive.open("users.json")


def test_empty_zip_has_no_members(tmp_path: Path) -> None:
    path = write(tmp_path, zip_of({}))
    with SafeZip(path) as archive:
        assert archive.names() == []


def test_reader_streams_in_chunks(tmp_path: Path) -> None:
    data = random.Random(0).randbytes(1 << 20)
    path = write(tmp_path, zip_of({"big.json": data}))
    with SafeZip(path) as archive, archive.open("big.json") as stream:
        assert stream.read(10) == data[:10]
        rest = b"".join(iter(lambda: stream.read(4096), b""))
    assert data[:10] + rest == data


# -- A-5 -------------------------------------------------------------------------------------


def test_a5_01_unsafe_names_never_match(tmp_path: Path) -> None:
    hostile = ["../evil.txt", "/abs.txt", "a/../../b.txt", "C:\\win.txt", "dir\\..\\x", "C:/x"]
    entries = [Entry.of(name, b"evil") for name in hostile] + [Entry.of("users.json", b"[]")]
    path = write(tmp_path, build_zip(entries))
    with SafeZip(path) as archive:
        assert archive.names() == ["users.json"]
        assert sorted(archive.skipped_names()) == sorted(hostile)
    assert not (tmp_path.parent / "evil.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip"]


def test_a5_01_dot_segments_are_normalised_for_matching(tmp_path: Path) -> None:
    path = write(tmp_path, build_zip([Entry.of("./general//2020-01-01.json", b"[]")]))
    with SafeZip(path) as archive:
        assert archive.names() == ["general/2020-01-01.json"]
        assert archive.read("general/2020-01-01.json") == b"[]"


def test_a5_02_symlink_entry_is_ignored(tmp_path: Path) -> None:
    link = Entry.of("users.json", b"/etc/passwd", method=STORED)
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = write(tmp_path, build_zip([link, Entry.of("channels.json", b"[]")]))
    with SafeZip(path) as archive:
        assert archive.names() == ["channels.json"]
        assert archive.skipped_names() == ["users.json"]


def test_a5_02_directories_are_ignored(tmp_path: Path) -> None:
    directory = Entry.of("general", b"", method=STORED)
    directory.external_attr = (stat.S_IFDIR | 0o755) << 16
    path = write(tmp_path, build_zip([directory, Entry.of("general/", b"", method=STORED)]))
    with SafeZip(path) as archive:
        assert archive.names() == []
        assert archive.skipped_names() == []


@pytest.mark.parametrize(
    ("first", "second"), [("users.json", "users.json"), ("users.json", "./users.json")]
)
def test_a5_03_duplicate_name_rejects(tmp_path: Path, first: str, second: str) -> None:
    path = write(tmp_path, build_zip([Entry.of(first, b"[1]"), Entry.of(second, b"[2]")]))
    with pytest.raises(ArchiveError, match="users.json appears twice"):
        SafeZip(path)


def test_a5_03_duplicate_written_by_zipfile_rejects(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")
        archive.writestr("users.json", b"[1]")
        archive.writestr("users.json", b"[2]")
    with pytest.raises(ArchiveError, match="appears twice"):
        SafeZip(write(tmp_path, buffer.getvalue()))


@pytest.fixture(scope="module")
def zeros_100mib() -> tuple[bytes, int]:
    return deflate_zeros(100 << 20)


def test_a5_04_ratio_bomb_stops_early(tmp_path: Path, zeros_100mib: tuple[bytes, int]) -> None:
    payload, crc = zeros_100mib
    assert len(payload) < 110_000  # ~1000x
    entry = Entry(b"channels.json", payload, crc, 100 << 20)
    path = write(tmp_path, build_zip([entry]))
    limits = ArchiveLimits(max_member_bytes=1 << 30)  # so only the ratio can stop it
    with SafeZip(path, limits) as archive, archive.open("channels.json") as stream:
        produced = 0
        with pytest.raises(ArchiveError, match="compression bomb") as caught:
            while chunk := stream.read(1 << 16):
                produced += len(chunk)
    assert not isinstance(caught.value, MemberTooLarge)
    assert produced <= 100 * len(payload) + (1 << 16)


def test_a5_04_ratio_bomb_stops_early_when_read_whole(
    tmp_path: Path, zeros_100mib: tuple[bytes, int]
) -> None:
    """``read`` takes bigger steps than ``open``'s stream, still bounded: the 100 MiB bomb
    stops within one step past the ratio cap."""
    import tracemalloc

    payload, crc = zeros_100mib
    path = write(tmp_path, build_zip([Entry(b"channels.json", payload, crc, 100 << 20)]))
    limits = ArchiveLimits(max_member_bytes=1 << 30)
    with SafeZip(path, limits) as archive:
        tracemalloc.start()
        try:
            with pytest.raises(ArchiveError, match="compression bomb") as caught:
                archive.read("channels.json")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert not isinstance(caught.value, MemberTooLarge)
    assert peak <= 100 * len(payload) + 3 * zipreader_module.READ_STEP


def test_a5_04_per_entry_cap_stops_bomb(tmp_path: Path, zeros_100mib: tuple[bytes, int]) -> None:
    payload, crc = zeros_100mib
    path = write(tmp_path, build_zip([Entry(b"channels.json", payload, crc, 100 << 20)]))
    limits = ArchiveLimits(max_member_bytes=4 << 20, max_ratio=10_000)
    with SafeZip(path, limits) as archive, pytest.raises(MemberTooLarge, match="larger than 4 MiB"):
        archive.read("channels.json")


def test_a5_05_fifield_overlap(tmp_path: Path) -> None:
    bomb, first_data = fifield_quoted_overlap(files=4, kernel_bytes=1 << 20)
    # The construction is a real bomb: member 0's data alone inflates past every later header.
    assert len(zlib.decompressobj(-15).decompress(first_data)) > 1 << 20
    path = write(tmp_path, bomb)
    with pytest.raises(ArchiveError, match="overlap"):
        SafeZip(path)


def test_a5_05_full_overlap_same_local_header(tmp_path: Path) -> None:
    payload, crc = deflate_zeros(1 << 20)
    kernel = Entry(b"a.txt", payload, crc, 1 << 20)
    head = local_header(kernel) + payload
    directory = b"".join(
        central_header(Entry(name, payload, crc, 1 << 20), 0) for name in (b"a.txt", b"b.txt")
    )
    path = write(tmp_path, head + directory + eocd(2, len(directory), len(head)))
    with pytest.raises(ArchiveError, match="overlap"):
        SafeZip(path)


def test_a5_05_data_running_into_central_directory(tmp_path: Path) -> None:
    entry = Entry.of("users.json", b"[]" * 100)
    head = local_header(entry) + entry.payload
    liar = Entry(entry.name, entry.payload + bytes(40), entry.crc, entry.file_size)
    directory = central_header(liar, 0)
    path = write(tmp_path, head + directory + eocd(1, len(directory), len(head)))
    with pytest.raises(ArchiveError, match="central directory"):
        SafeZip(path)


def test_a5_06_lying_file_size_is_bad_crc(tmp_path: Path) -> None:
    payload, crc = deflate_zeros(1 << 20)
    path = write(tmp_path, build_zip([Entry(b"users.json", payload, crc, 10)]))
    with SafeZip(path) as archive, pytest.raises(ArchiveError, match="bad CRC-32"):
        archive.read("users.json")


def test_a5_06_real_output_is_what_counts(tmp_path: Path) -> None:
    # Declared 10 bytes, CRC of those 10: only 10 bytes are ever produced.
    payload, _ = deflate_zeros(1 << 20)
    path = write(tmp_path, build_zip([Entry(b"users.json", payload, zlib.crc32(bytes(10)), 10)]))
    with SafeZip(path) as archive:
        assert archive.read("users.json") == bytes(10)


def _forbid_zipfile(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("ZipFile must not be built")

    monkeypatch.setattr(zipreader_module.zipfile, "ZipFile", refuse)


def test_a5_07_zip64_eocd_claiming_2_32_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = Entry.of("users.json", b"[]")
    head = local_header(entry) + entry.payload
    directory = central_header(entry, 0)
    tail = zip64_end(1 << 32, len(directory), len(head), len(head) + len(directory))
    path = write(tmp_path, head + directory + tail)
    _forbid_zipfile(monkeypatch)
    with pytest.raises(ArchiveError, match="too many entries"):
        SafeZip(path)


def test_a5_07_million_tiny_entries_rejected_before_zipfile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = Entry.of("a", b"", method=STORED)
    head = local_header(entry)
    one = central_header(entry, 0)
    count = 1_000_000
    directory = one * count
    # The EOCD even lies low (1 entry): zipfile would loop on the directory's size regardless.
    path = write(tmp_path, head + directory + eocd(1, len(directory), len(head)))
    _forbid_zipfile(monkeypatch)
    with pytest.raises(ArchiveError, match="too many entries"):
        SafeZip(path)


def test_a5_07_central_directory_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = Entry.of("users.json", b"[]")
    head = local_header(entry) + entry.payload
    directory = central_header(entry, 0)
    path = write(tmp_path, head + directory + eocd(1, len(directory), len(head)))
    _forbid_zipfile(monkeypatch)
    with pytest.raises(ArchiveError, match="central directory too large"):
        SafeZip(path, ArchiveLimits(max_central_directory_bytes=len(directory) - 1))


def test_a5_07_entry_cap_is_configurable(tmp_path: Path) -> None:
    path = write(tmp_path, zip_of({f"{n}.json": b"[]" for n in range(11)}))
    with pytest.raises(ArchiveError, match="too many entries"):
        SafeZip(path, ArchiveLimits(max_entries=10))
    with SafeZip(path, ArchiveLimits(max_entries=11)) as archive:
        assert len(archive.names()) == 11


def test_a5_08_nested_archives_are_not_opened(tmp_path: Path) -> None:
    inner_zip = zip_of({"users.json": b"[1]"})
    inner_gz = zlib.compress(b"[1]")
    path = write(
        tmp_path,
        zip_of(
            {"nested.zip": inner_zip, "x.tar.gz": inner_gz, "y.gz": inner_gz, "users.json": b"[]"}
        ),
    )
    with SafeZip(path) as archive:
        assert archive.names() == ["nested.zip", "x.tar.gz", "y.gz", "users.json"]
        assert archive.read("nested.zip") == inner_zip  # bytes only, never expanded
        assert archive.read("users.json") == b"[]"


@pytest.mark.parametrize(
    ("method", "label"),
    [
        (9, "Deflate64"),
        (98, "PPMd"),
        (12, "bzip2"),
        (14, "LZMA"),
        (99, "AES encryption"),
        (95, "XZ"),
        (93, "Zstandard"),
        (6, "implode"),
    ],
)
def test_a5_09_unsupported_methods(tmp_path: Path, method: int, label: str) -> None:
    entry = Entry.of("users.json", b"[]", method=STORED)
    entry.method = method
    path = write(tmp_path, build_zip([entry]))
    with pytest.raises(ArchiveError, match=f"unsupported archive: compression method {label}"):
        SafeZip(path)


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a5_09_real_bzip2_and_lzma_members(tmp_path: Path, method: int) -> None:
    path = write(tmp_path, zip_of({"users.json": b"[]" * 100}, method))
    with pytest.raises(ArchiveError, match="unsupported archive"):
        SafeZip(path)


@pytest.mark.parametrize("flag", [0x1, 0x41])
def test_a5_09_encrypted_members(tmp_path: Path, flag: int) -> None:
    path = write(tmp_path, build_zip([Entry.of("users.json", b"[]", flags=flag)]))
    with pytest.raises(ArchiveError, match="unsupported archive: member users.json is encrypted"):
        SafeZip(path)


def _outcome(path: Path) -> str:
    """Open and read every member: "ok" or "error"; anything else propagates (a test failure)."""
    try:
        read_everything(path)
    except ArchiveError as exc:
        assert "/" not in str(exc) or str(tmp_root(path)) not in str(exc)
        return "error"
    return "ok"


def tmp_root(path: Path) -> Path:
    return path.parent


def three_members() -> bytes:
    return zip_of({"users.json": b'[{"id": "U1"}]' * 50, "channels.json": b"[]", "a/b.json": b"{}"})


@pytest.mark.parametrize("cut", [0, 3, 4, 10, 30, 100, -1, -10, -22, -23, -60])
def test_a5_10_truncated(tmp_path: Path, cut: int) -> None:
    data = three_members()
    path = write(tmp_path, data[:cut])
    assert _outcome(path) == "error"


def test_a5_10_bad_crc(tmp_path: Path) -> None:
    data = bytearray(zip_of({"users.json": b"hello world " * 100}, STORED))
    data[40] ^= 0xFF  # inside the stored data
    path = write(tmp_path, bytes(data))
    with SafeZip(path) as archive, pytest.raises(ArchiveError, match="bad CRC-32"):
        archive.read("users.json")


def test_a5_10_corrupt_deflate_data(tmp_path: Path) -> None:
    data = bytearray(zip_of({"users.json": bytes(range(256)) * 64}))
    for offset in range(45, 60):
        data[offset] ^= 0x55
    assert _outcome(write(tmp_path, bytes(data))) == "error"


def test_a5_10_garbage_after_eocd(tmp_path: Path) -> None:
    path = write(tmp_path, three_members() + b"garbage" * 1000)
    assert _outcome(path) in ("ok", "error")


def test_a5_10_comment_with_fake_eocd(tmp_path: Path) -> None:
    data = three_members()
    fake = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 5, 5, 1000, 0, 0)
    # Rewrite the real EOCD's comment length so the fake record sits inside the comment.
    real = data[:-2] + struct.pack("<H", len(fake)) + fake
    assert _outcome(write(tmp_path, real)) == "error"


def test_a5_10_zip_after_png(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    with pytest.raises(ArchiveError, match="not a zip file"):
        SafeZip(write(tmp_path, png + three_members()))


def test_a5_10_prepended_data_with_zip_magic(tmp_path: Path) -> None:
    data = three_members()
    with pytest.raises(ArchiveError, match="offset"):
        SafeZip(write(tmp_path, data[:30] + data))


def test_a5_10_not_a_zip(tmp_path: Path) -> None:
    for content in (b"", b"PK", b"hello", b"PK\x03\x04" + bytes(100)):
        with pytest.raises(ArchiveError, match="not a zip file|invalid archive"):
            SafeZip(write(tmp_path, content))


def test_a5_10_errors_never_show_our_path(tmp_path: Path) -> None:
    secret = tmp_path / "secret-dir"
    secret.mkdir()
    path = write(secret, three_members()[:-5])
    with pytest.raises(ArchiveError) as caught:
        read_everything(path)
    assert "secret-dir" not in str(caught.value)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), min_size=1, max_size=4),
    cut=st.one_of(st.none(), st.integers(0, 10_000)),
)
def test_a5_10_fuzzed_damage_gives_clean_errors(
    tmp_path: Path, flips: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(three_members())
    for offset, mask in flips:
        data[offset % len(data)] ^= mask
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    assert _outcome(write(tmp_path, bytes(data), "fuzz.zip")) in ("ok", "error")


def test_a5_11_names_decoded_leniently(tmp_path: Path) -> None:
    entries = [
        Entry.of("café/2020-01-01.json".encode(), b"[]"),  # UTF-8 without the flag (Slack)
        Entry.of(b"caf\x82.json", b"[]"),  # cp437 0x82 is "é"
        Entry.of("naïve.json".encode(), b"[]", flags=FLAG_UTF8),
        Entry.of("__MACOSX/café/._2020-01-01.json".encode(), b"junk"),
        Entry.of("general/.DS_Store", b"junk"),
    ]
    with SafeZip(write(tmp_path, build_zip(entries))) as archive:
        assert archive.names() == ["café/2020-01-01.json", "café.json", "naïve.json"]
        assert archive.skipped_names() == ["__MACOSX/café/._2020-01-01.json", "general/.DS_Store"]


def test_a5_11_flagged_invalid_utf8_name_is_a_clean_error(tmp_path: Path) -> None:
    path = write(tmp_path, build_zip([Entry.of(b"bad\xff.json", b"[]", flags=FLAG_UTF8)]))
    with pytest.raises(ArchiveError, match="invalid archive"):
        SafeZip(path)


def test_a5_11_long_names_are_skipped(tmp_path: Path) -> None:
    long_name = "a/" * 2100 + "x.json"
    with SafeZip(write(tmp_path, build_zip([Entry.of(long_name, b"[]")]))) as archive:
        assert archive.names() == []
        assert archive.skipped_names() == [long_name]


def test_a5_12_member_cap_and_override(tmp_path: Path) -> None:
    data = bytes(range(256)) * 8192  # 2 MiB, stored: no ratio involved
    path = write(tmp_path, zip_of({"channels.json": data}, STORED))
    limits = ArchiveLimits(max_member_bytes=1 << 20)
    with SafeZip(path, limits) as archive:
        with pytest.raises(MemberTooLarge, match="channels.json: larger than 1 MiB"):
            archive.read("channels.json")
        with pytest.raises(MemberTooLarge):
            archive.read("channels.json", max_bytes=1000)
        assert archive.read("channels.json", max_bytes=4 << 20) == data
        with archive.open("channels.json", max_bytes=(2 << 20)) as stream:
            assert len(stream.read()) == 2 << 20


def test_a5_12_failed_reader_stays_failed(tmp_path: Path) -> None:
    path = write(tmp_path, zip_of({"channels.json": bytes(3 << 20)}, STORED))
    with SafeZip(path, ArchiveLimits(max_member_bytes=1 << 20)) as archive:
        stream = archive.open("channels.json")
        with pytest.raises(MemberTooLarge):
            stream.read()
        with pytest.raises(MemberTooLarge):
            stream.read(10)


def test_a5_12_total_cap_is_shared_by_all_readers(tmp_path: Path) -> None:
    members = {f"{n}.json": bytes(range(256)) * 4096 for n in range(3)}  # 1 MiB each
    path = write(tmp_path, zip_of(members, STORED))
    limits = ArchiveLimits(max_total_bytes=(2 << 20) + 100)
    with SafeZip(path, limits) as archive:
        archive.read("0.json")
        archive.read("1.json")
        with pytest.raises(ArchiveError, match="in total") as caught:
            archive.read("2.json")
    assert not isinstance(caught.value, MemberTooLarge)
