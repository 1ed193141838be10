"""JSON guards against the JSON rows of the attack checklist (security-reliability.md §3 A-7)."""

from __future__ import annotations

import io
import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatport.archives import (
    ArchiveError,
    InvalidRecord,
    JsonItem,
    iter_json_array,
    load_json,
)
from chatport.archives.jsonguard import SURROGATE_WARNING

pytestmark = pytest.mark.timeout(10)


class Trickle(io.RawIOBase):
    """A stream that hands out ``step`` bytes a read: every boundary a parser must survive."""

    def __init__(self, data: bytes, step: int = 1) -> None:
        self._data = io.BytesIO(data)
        self._step = step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, self._step) if size else 0)


def stream_items(data: bytes, member: str = "general/2020-01-01.json") -> list[JsonItem]:
    return list(iter_json_array(io.BytesIO(data), member))


# -- happy path ------------------------------------------------------------------------------


def test_load_json_plain_document() -> None:
    result = load_json(b'{"id": "U1", "n": [1, 2.5, true, null, "x"]}', "users.json")
    assert result.value == {"id": "U1", "n": [1, 2.5, True, None, "x"]}
    assert result.warnings == ()


def test_iter_json_array_yields_elements_in_order() -> None:
    items = stream_items(b' [ {"a": [1, {"b": null}]}, "s", 3, [], {} ] ')
    assert [item.index for item in items] == [0, 1, 2, 3, 4]
    assert [item.value for item in items] == [{"a": [1, {"b": None}]}, "s", 3, [], {}]
    assert all(item.error is None and item.warnings == () for item in items)


def test_iter_json_array_empty_array() -> None:
    assert stream_items(b"[]") == []


def test_iter_json_array_large_stream_in_small_reads() -> None:
    data = json.dumps([{"ts": str(n), "text": "é" * 20} for n in range(5000)]).encode()
    items = stream_items(data)
    assert len(items) == 5000 and items[-1].value["ts"] == "4999"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.text()
            | st.floats(allow_nan=False, allow_infinity=False),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3)
            ),
            max_leaves=10,
        ),
        max_size=5,
    )
)
def test_guards_agree_with_json_on_valid_documents(document: list[object]) -> None:
    data = json.dumps(document, ensure_ascii=False).encode()
    text = data.decode("utf-8", "surrogatepass")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text) or "\\u0000" in text:
        return  # lone surrogates and NUL are repaired on purpose (tested below)
    assert load_json(data, "m.json").value == json.loads(data)
    assert [item.value for item in stream_items(data)] == json.loads(data)


# -- A-7 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000, 1_000_000])
def test_a7_01_deep_nesting(depth: int) -> None:
    for data in (b"[" * depth + b"]" * depth, b"[" * depth, b'{"a":' * depth + b"1" + b"}" * depth):
        with pytest.raises(ArchiveError, match="users.json: nested deeper than 64 levels"):
            load_json(data, "users.json")
        with pytest.raises(ArchiveError, match="users.json: nested deeper than 64 levels"):
            list(iter_json_array(io.BytesIO(b"[" + data), "users.json"))


def test_a7_01_depth_limit_is_exact() -> None:
    ok = b"[" * 64 + b"]" * 64
    assert load_json(ok, "m").value is not None
    assert len(stream_items(ok)) == 1
    too_deep = b"[" * 65 + b"]" * 65
    with pytest.raises(ArchiveError, match="nested deeper"):
        load_json(too_deep, "m")
    with pytest.raises(ArchiveError, match="nested deeper"):
        stream_items(too_deep)


@pytest.mark.parametrize("depth", [62, 63, 64, 65, 66])
@pytest.mark.parametrize(
    "inner", [b"[]", b"{}", b"[1]", b'{"a":1}', b'"x"', b'["\\n' + b" " * 200 + b'"]']
)
def test_a7_01_depth_limit_is_exact_whatever_the_innermost_value(depth: int, inner: bytes) -> None:
    """Objects and arrays, empty or not, around a scalar or a string that looks like
    indentation: the fast path's verdict is the guarded walk's."""
    data = b'{"k":' * (depth // 2) + b"[" * (depth - depth // 2)
    data += inner + b"]" * (depth - depth // 2) + b"}" * (depth // 2)
    levels = depth + (1 if inner[:1] in (b"[", b"{") else 0)
    if levels > 64:
        with pytest.raises(ArchiveError, match="nested deeper"):
            load_json(data, "m")
    else:
        assert load_json(data, "m").value == json.loads(data)


def test_a7_01_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps(["[" * 500 + '\\"{' * 200, {"k": "]]]{{{"}]).encode()
    assert load_json(text, "m").value == json.loads(text)


@pytest.mark.parametrize("depth", [90, 300, 2000])
def test_a7_01_no_recursion_error_even_with_a_low_limit(depth: int) -> None:
    """Whichever parser takes the text, nesting never escapes as RecursionError: the value
    comes back (C parsers ignore Python's limit) or the member is reported too deep."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(100)
    try:
        result = load_json(b"[" * depth + b"]" * depth, "m", max_depth=1000)
    except ArchiveError as exc:
        assert "m: " in str(exc)
    else:
        assert depth <= 1000
        innermost = result.value
        for _ in range(depth - 1):
            innermost = innermost[0]
        assert innermost == []
    finally:
        sys.setrecursionlimit(old)


def test_fast_parse_keeps_every_guard() -> None:
    """Texts orjson would read differently from the guarded parser take the guarded path."""
    with pytest.raises(InvalidRecord, match="duplicate key 'a'"):
        load_json(b'[{"a": 1, "b": {"c": "x:y"}, "a": 2}]', "m")
    with pytest.raises(InvalidRecord, match="duplicate key 'a:'"):  # an escaped colon
        load_json(b'[{"a\\u003a": 1, "a:": 2}]', "m")
    with pytest.raises(InvalidRecord, match="duplicate key"):  # colons that cancel out
        load_json(b'{"k": "\\u003a", "k": "\\u003a"}', "m")
    assert load_json(b"[18446744073709551617]", "m").value == [18446744073709551617]
    assert load_json(b"[-9223372036854775809]", "m").value == [-9223372036854775809]
    assert load_json(b'[{"a": "1:2", "b:c": [1.5, true, null]}]', "m").value == [
        {"a": "1:2", "b:c": [1.5, True, None]}
    ]


def test_a7_01_unterminated_string_prescan_is_linear() -> None:
    with pytest.raises(ArchiveError, match="invalid JSON"):
        load_json(b'["' + b'\\"' * 500_000, "m")


def test_a7_02_huge_integer() -> None:
    data = b'{"ts": ' + b"9" * 5000 + b"}"
    with pytest.raises(InvalidRecord, match="m.json: invalid record: integer with 5000 digits"):
        load_json(data, "m.json")
    assert load_json(b"-" + b"9" * 4300, "m").value < 0


def test_a7_02_huge_integer_loses_only_its_record() -> None:
    """Issue: one odd value lost every record after it in the same file."""
    data = b'[{"id": "U0"}, {"id": "U1", "ts": ' + b"9" * 5000 + b'}, {"id": "U2"}]'
    items = stream_items(data, "users.json")
    assert [item.value for item in items] == [{"id": "U0"}, None, {"id": "U2"}]
    assert items[1].error == "integer with 5000 digits (more than 4300)"


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_a7_03_nan_and_infinity(constant: bytes) -> None:
    with pytest.raises(InvalidRecord, match="is not allowed"):
        load_json(b'{"ts": ' + constant + b"}", "m")
    items = stream_items(b'[{"ts": ' + constant + b'}, {"ts": 1}]')
    assert items[0].error == f"{constant.decode()} is not allowed"
    assert items[1].value == {"ts": 1}


def test_a7_03_float_overflow_is_invalid() -> None:
    with pytest.raises(InvalidRecord, match="number out of range"):
        load_json(b'{"ts": 1e309}', "m")
    items = stream_items(b'[{"ts": 1e309}, {"ts": 2}]')
    assert items[0].error == "number out of range" and items[1].value == {"ts": 2}


def test_a7_04_duplicate_keys() -> None:
    with pytest.raises(InvalidRecord, match="duplicate key 'id'"):
        load_json(b'{"id":"U1","id":"U2"}', "users.json")
    items = stream_items(b'[{"id":"U0"}, {"id":"U1","id":"U2"}, {"x": {"a": 1, "a": 2}}, 3]')
    assert items[0].value == {"id": "U0"}
    assert (items[1].value, items[1].error) == (None, "duplicate key 'id'")
    assert items[2].error == "duplicate key 'a'"
    assert items[3].value == 3 and items[3].error is None


def test_a7_05_invalid_utf8_names_the_member() -> None:
    with pytest.raises(ArchiveError, match=r"^users.json: invalid UTF-8 at byte 9$"):
        load_json(b'["abc", "\xff"]', "users.json")
    with pytest.raises(ArchiveError, match=r"^users.json: invalid UTF-8 at byte 9$"):
        list(iter_json_array(io.BytesIO(b'["abc", "\xff"]'), "users.json"))


def test_a7_05_invalid_utf8_far_into_a_stream() -> None:
    data = b"[" + b'"abc",' * 50_000 + b'"\xed\xa0\x80"]'  # an encoded surrogate: not UTF-8
    with pytest.raises(ArchiveError, match="invalid UTF-8 at byte 300002"):
        stream_items(data)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a7_05_utf16_and_utf32_rejected(encoding: str) -> None:
    data = '[{"id": "U1"}]'.encode(encoding)
    with pytest.raises(ArchiveError, match="m.json: UTF-16 or UTF-32 text"):
        load_json(data, "m.json")
    with pytest.raises(ArchiveError, match="m.json: UTF-16 or UTF-32 text"):
        stream_items(data, "m.json")


def test_a7_05_bom_accepted() -> None:
    assert load_json(b'\xef\xbb\xbf{"a": 1}', "m").value == {"a": 1}
    assert [item.value for item in stream_items(b"\xef\xbb\xbf[1, 2]")] == [1, 2]


def test_a7_05_bom_in_a_stream_read_byte_by_byte() -> None:
    items = list(iter_json_array(Trickle(b'\xef\xbb\xbf["\xc3\xa9"]'), "m"))  # type: ignore[arg-type]
    assert [item.value for item in items] == ["é"]


def test_a7_06_lone_surrogates_become_replacement_characters() -> None:
    result = load_json(
        b'{"name": "a\\ud800b", "\\udc00": ["\\udfff"], "ok": "\\ud83d\\ude00"}', "m"
    )
    assert result.value == {"name": "a\ufffdb", "\ufffd": ["\ufffd"], "ok": "\U0001f600"}
    assert result.warnings == (SURROGATE_WARNING,)
    assert load_json(b'"\\ud800"', "m").value == "\ufffd"
    items = stream_items(b'[{"u": "\\ud800"}, {"u": "fine"}, ["\\udbff"]]')
    assert items[0].value == {"u": "\ufffd"} and items[0].warnings == (SURROGATE_WARNING,)
    assert items[1].warnings == ()
    assert items[2].value == ["\ufffd"]
    json.dumps(result.value).encode("utf-8")  # storable


def test_a7_06_surrogate_repair_can_create_duplicate_keys() -> None:
    with pytest.raises(InvalidRecord, match="duplicate key"):
        load_json(b'{"\\ud800": 1, "\\udbff": 2}', "m")


def test_non_array_top_level_rejected_for_streaming() -> None:
    for data in (b'{"a": [1]}', b'"text"', b"3"):
        with pytest.raises(ArchiveError, match="m.json: expected a JSON array at the top level"):
            stream_items(data, "m.json")


@pytest.mark.parametrize(
    "data", [b"", b"   ", b"[1,", b"[1] x", b"[1] [2]", b"[1,]", b"[01]", b"['a']", b'["a\x01"]']
)
def test_syntax_errors_are_archive_errors(data: bytes) -> None:
    with pytest.raises(ArchiveError, match="m.json: "):
        load_json(data, "m.json")
    with pytest.raises(ArchiveError, match="m.json: "):
        stream_items(data, "m.json")


def test_stream_errors_from_the_archive_pass_through() -> None:
    class Exploding(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            raise ArchiveError("member m.json: larger than 1 KiB")

    with pytest.raises(ArchiveError, match="larger than 1 KiB"):
        list(iter_json_array(Exploding(), "m.json"))  # type: ignore[arg-type]


def test_nul_characters_become_replacement_characters() -> None:
    """PostgreSQL holds no U+0000: both backends store U+FFFD instead (issue defect 14)."""
    from chatport.archives.jsonguard import NUL_WARNING

    result = load_json(b'{"name": "a\\u0000b", "k\\u0000": ["\\u0000"], "e": "\\\\u0000"}', "m")
    assert result.value == {"name": "a\ufffdb", "k\ufffd": ["\ufffd"], "e": "\\u0000"}
    assert result.warnings == (NUL_WARNING,) and not result.proven
    assert load_json(b'"\\u0000"', "m").value == "\ufffd"
    assert load_json(b'{"e": "\\\\u0000"}', "m").warnings == ()  # an escaped backslash
    items = stream_items(b'[{"t": "x\\u0000"}, {"t": "fine"}]')
    assert items[0].value == {"t": "x\ufffd"} and items[0].warnings == (NUL_WARNING,)
    assert items[1].warnings == ()


def test_record_over_the_cap_is_skipped_unbuffered() -> None:
    big = b'{"id": "U1", "text": "' + b"x" * 5000 + b'\\"[{" }'
    data = b'[{"id": "U0"}, ' + big + b', {"id": "U2"}]'
    items = list(iter_json_array(io.BytesIO(data), "m.json", max_record_bytes=1000))
    assert [item.value for item in items] == [{"id": "U0"}, None, {"id": "U2"}]
    assert items[1].error == "record of more than 1000 bytes"


def test_strings_cut_by_reads_and_offsets_in_errors() -> None:
    data = b'[{"a": "b,]\\"c"}, "x\\\\", [1, {"k": "}"}]]'
    items = list(iter_json_array(Trickle(data, step=3), "m"))  # type: ignore[arg-type]
    assert [item.value for item in items] == json.loads(data)
    with pytest.raises(ArchiveError, match=r"m.json: invalid JSON in the element at byte 11: "):
        stream_items(b'[{"a": 1}, {"a" 2}]', "m.json")
