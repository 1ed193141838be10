"""Day files proven at the counting pass are parsed plainly at import, with the same records;
nothing unproven is ever trusted."""

from __future__ import annotations

from pathlib import Path

from chatport.imports.filestore import FileStore
from chatport.imports.importers.slack import SlackExport

from .builder import DAY, export_zip, fixture_export

_MESSAGE = {"type": "message", "user": "U1", "text": "hello <@U2>", "ts": "1600000000.000100"}
_DUPLICATE = (
    b'[{"type": "message", "user": "U1", "text": "first", "text": "second", '
    b'"ts": "1600000000.000200"}]'
)
_ESCAPED_COLON = (
    b'[{"type": "message", "user": "U1", "text": "a\\u003ab", "ts": "1600000000.0003"}]'
)


def _counted(path: Path) -> SlackExport:
    export = SlackExport(path)
    export.count_messages()
    return export


def _records(path: Path, trusted: frozenset[str]) -> list[tuple[int, int, object]]:
    with SlackExport(path, trusted=trusted) as export:
        return [(p, i, r) for p, i, r in export.messages()]


def test_counting_proves_clean_day_files_and_not_suspicious_ones(tmp_path: Path) -> None:
    path = export_zip(
        tmp_path,
        [_MESSAGE],
        days={"general/2020-01-02.json": _DUPLICATE, "random/2020-01-03.json": _ESCAPED_COLON},
    )
    with _counted(path) as export:
        assert export.proven_members == [DAY]


def test_trusted_day_files_give_the_same_records(tmp_path: Path) -> None:
    path = fixture_export(tmp_path)
    with _counted(path) as export:
        proven = frozenset(export.proven_members)
        assert proven == frozenset(export.message_members())
    assert _records(path, proven) == _records(path, frozenset())


def test_an_unproven_day_file_keeps_the_guarded_parse(tmp_path: Path) -> None:
    path = export_zip(tmp_path, None, days={DAY: _DUPLICATE})
    guarded = _records(path, frozenset())
    assert guarded[0][2].errors  # type: ignore[attr-defined]
    with _counted(path) as export:
        assert export.proven_members == []


def test_a_trusted_name_that_does_not_parse_as_an_array_falls_back(tmp_path: Path) -> None:
    path = export_zip(tmp_path, None, days={DAY: b'{"not": "an array"}'})
    assert _records(path, frozenset({DAY})) == _records(path, frozenset())


def test_the_store_keeps_proven_members_for_the_same_file_only(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.ensure()
    op_id = "0123456789abcdef01234567"
    store.write_proven(op_id, "aa" * 32, ["a/2020-01-01.json", "b/2020-01-02.json"])
    assert store.read_proven(op_id, "aa" * 32) == {"a/2020-01-01.json", "b/2020-01-02.json"}
    assert store.read_proven(op_id, "bb" * 32) == frozenset()
    assert store.read_proven(op_id, None) == frozenset()
    store.proven_path(op_id).write_bytes(b"{broken")
    assert store.read_proven(op_id, "aa" * 32) == frozenset()
    store.write_proven(op_id, "aa" * 32, [])
    left_by_a_crash = store.proven_path(op_id).with_suffix(".proven-part")
    left_by_a_crash.write_bytes(b"{")
    store.discard(op_id)
    assert not store.proven_path(op_id).exists()
    assert not left_by_a_crash.exists()
