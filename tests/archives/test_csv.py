"""CSV guards against the CSV rows of the attack checklist (security-reliability.md §3 A-7)."""

from __future__ import annotations

import csv
import io

import pytest

from chatport.archives import ArchiveError, iter_csv_rows

pytestmark = pytest.mark.timeout(10)


def rows(data: bytes, member: str = "users.csv", **kwargs: int) -> list[tuple[int, list[str]]]:
    return list(iter_csv_rows(io.BytesIO(data), member, **kwargs))  # type: ignore[arg-type]


def test_happy_users_csv() -> None:
    data = (
        b"\xef\xbb\xbfann,ann@example.com,Ann\r\n"
        b'bob, "bob@example.com", "Bob ""the builder"""\n'
        b"\n"
        b'cy,cy@example.com,"multi\nline, with comma"\n'
        b"dee,,D\xc3\xa9e"
    )
    assert rows(data) == [
        (1, ["ann", "ann@example.com", "Ann"]),
        (2, ["bob", "bob@example.com", 'Bob "the builder"']),
        (4, ["cy", "cy@example.com", "multi\nline, with comma"]),
        (6, ["dee", "", "Dée"]),
    ]


def test_initial_space_can_be_kept() -> None:
    assert list(iter_csv_rows(io.BytesIO(b"a, b"), "m", skip_initial_space=False)) == [
        (1, ["a", " b"])
    ]


def test_empty_file() -> None:
    assert rows(b"") == []


def test_a7_09_field_over_131072_bytes() -> None:
    data = b"ok,1\n" + b"x," + b"y" * 131073 + b"\n"
    with pytest.raises(ArchiveError, match=r"^users.csv line 2: field larger than 128 KiB"):
        rows(data)
    assert len(rows(b"x," + b"y" * 131072 + b"\n")[0][1][1]) == 131072


def test_a7_09_field_limit_is_restored_for_others() -> None:
    previous = csv.field_size_limit(999)
    try:
        with pytest.raises(ArchiveError):
            rows(b'"' + b"a" * 200_000)
        assert csv.field_size_limit() == 999
        gen = iter_csv_rows(io.BytesIO(b"a\nb\n"), "m")
        next(gen)
        assert csv.field_size_limit() == 999  # also while the generator is suspended
        assert list(gen) == [(2, ["b"])]
    finally:
        csv.field_size_limit(previous)


def test_a7_10_nul_rejected() -> None:
    with pytest.raises(ArchiveError, match=r"^users.csv line 2: NUL character$"):
        rows(b"a,b\nc,\x00d\n")


def test_a7_10_lone_cr_rejected() -> None:
    with pytest.raises(ArchiveError, match=r"^users.csv line 1: line break inside an unquoted"):
        rows(b"a,b\rc,d\r")


def test_a7_10_unbalanced_quote_stopped_by_field_limit() -> None:
    data = b'a,"unbalanced\n' + b"more text,and more\n" * 20_000
    with pytest.raises(ArchiveError, match="field larger than 128 KiB"):
        rows(data)


def test_a7_10_unbalanced_quote_at_end_of_file() -> None:
    with pytest.raises(ArchiveError, match="users.csv line 2: unexpected end of data"):
        rows(b'a,b\nc,"d\n')


def test_a7_10_quote_inside_quoted_field() -> None:
    with pytest.raises(ArchiveError, match="users.csv line 1: "):
        rows(b'"a"b,c\n')


def test_a7_10_row_cap() -> None:
    data = b"a,b\n" * 101
    assert len(rows(data, max_rows=101)) == 101
    with pytest.raises(ArchiveError, match=r"^users.csv: more than 100 rows$"):
        rows(data, max_rows=100)


def test_a7_10_ten_million_rows_stop_at_the_default_cap_shape() -> None:
    # 10^7 rows would take too long here; the cap is the same code path at any size.
    data = b"\n" * 1000
    with pytest.raises(ArchiveError, match="more than 999 rows"):
        rows(data, max_rows=999)


def test_a7_10_line_length_cap() -> None:
    with pytest.raises(ArchiveError, match=r"^users.csv line 2: line longer than 1 KiB$"):
        rows(b"a\n" + b"b" * 2000 + b"\n", max_line_bytes=1024)


def test_a7_10_invalid_utf8_names_member_and_line() -> None:
    with pytest.raises(ArchiveError, match=r"^general/msgs.csv line 3: invalid UTF-8$"):
        rows(b"a\nb\n\xffc\n", member="general/msgs.csv")


def test_a7_10_utf16_is_invalid_utf8() -> None:
    with pytest.raises(ArchiveError, match="invalid UTF-8|NUL"):
        rows("a,b\n".encode("utf-16"))


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-", "-2+3", "@SUM(1)", "\tx", "\rx"],
)
def test_a7_11_formula_like_cells_verbatim(cell: str) -> None:
    quoted = '"' + cell.replace('"', '""') + '"'
    data = f"u1,{quoted},text\n".encode()
    assert rows(data) == [(1, ["u1", cell, "text"])]
