"""The file records of a message (importers.md §2.7): one per ``files`` entry, one per legacy
``file``.

Counting and building both ask :meth:`FileMapping._carries_files` and
:meth:`FileMapping._legacy_file`, so the number of file records counted in the prepare pass is
the number built in the import pass.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from . import records as codes
from .fields import parse_ts
from .message_authors import Author
from .message_base import MapperState, http_url, message_id
from .message_subtypes import IGNORED_SUBTYPES, SPECIAL_SUBTYPES, SYSTEM_TYPES, TEXT_SUBTYPES
from .records import ReaderRecord, problem

_UNAVAILABLE_MODES = frozenset({"tombstone", "hidden_by_limit"})
_UNAVAILABLE_ACCESS = frozenset({"access_denied", "file_not_found"})
_NESTED = (dict, list, str)  # what strip_queries looks inside (a str subclass included)
_URL_QUERY = re.compile(r"(https?://[^\s?#\"'<>]*)\?[^\s#\"'<>]*")
#: The replacement ``\1`` (the URL before its query), taken from C at each match.
_URL_PART: Callable[[re.Match[str]], str] = operator.itemgetter(1)


def strip_queries(value: Any, depth: int = 0) -> Any:
    """A copy of a Slack file object with the query string cut from every URL in it."""
    if isinstance(value, str):
        return _URL_QUERY.sub(_URL_PART, value) if "?" in value else value
    if depth > 64:
        return None
    if isinstance(value, dict):
        if depth >= 64:  # its items are past the depth limit: leave them to the general case
            return {key: strip_queries(item, depth + 1) for key, item in value.items()}
        # A file object is mostly flat strings, numbers and flags: those are handled here
        # rather than by a call each (what the call would do, for an item within the limit).
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if type(item) is str:
                out[key] = _URL_QUERY.sub(_URL_PART, item) if "?" in item else item
            elif isinstance(item, _NESTED):
                out[key] = strip_queries(item, depth + 1)
            else:
                out[key] = item
        return out
    if isinstance(value, list):
        return [strip_queries(item, depth + 1) for item in value]
    return value


class FileMapping(MapperState):
    """Which elements carry files, how many, and the message record of each file."""

    @staticmethod
    def _carries_files(m: dict[str, Any]) -> bool:
        subtype = m.get("subtype")
        if subtype is None:
            return True
        if not isinstance(subtype, str):
            return False
        return subtype in TEXT_SUBTYPES or (
            subtype not in SYSTEM_TYPES
            and subtype not in SPECIAL_SUBTYPES
            and subtype not in IGNORED_SUBTYPES
        )

    def _file_count(self, m: dict[str, Any]) -> int:
        if not self._carries_files(m):
            return 0
        files = m.get("files")
        count = len(files) if isinstance(files, list) else 0
        if self._legacy_file(m) is not None:
            count += 1
        return count

    @staticmethod
    def _legacy_file(m: dict[str, Any]) -> dict[str, Any] | None:
        legacy = m.get("file")
        if not isinstance(legacy, dict):
            return None
        files = m.get("files")
        if isinstance(files, list):
            legacy_id = legacy.get("id")
            for item in files:
                if isinstance(item, dict) and item.get("id") == legacy_id:
                    return None
        return legacy

    def _files(
        self,
        m: dict[str, Any],
        base: dict[str, Any],
        source: dict[str, Any],
        cid: str,
        author: Author,
        out: list[ReaderRecord],
    ) -> None:
        tmid: str | None = None
        thread_ts = m.get("thread_ts")
        if thread_ts is not None:
            parsed = parse_ts(thread_ts)
            if parsed is not None and message_id(cid, parsed[0]) != base["_id"]:
                tmid = message_id(cid, parsed[0])
        files = m.get("files")
        if isinstance(files, list):
            for number, item in enumerate(files, 1):
                out.append(
                    self._file(item, f"{base['_id']}-file{number}", base, source, author, tmid)
                )
        legacy = self._legacy_file(m)
        if legacy is not None:
            out.append(self._file(legacy, f"{base['_id']}-fileshare", base, source, author, tmid))

    def _file(
        self,
        item: Any,
        file_message_id: str,
        base: dict[str, Any],
        source: dict[str, Any],
        author: Author,
        tmid: str | None,
    ) -> ReaderRecord:
        data: dict[str, Any] = {
            "_id": file_message_id,
            "rid": base["rid"],
            "ts": base["ts"],
            "u": {"_id": author.user_id},
        }
        if tmid is not None:
            data["tmid"] = tmid
        if not isinstance(item, dict):
            return ReaderRecord(
                "message", data, source, [problem(codes.RECORD_INVALID, field="files")]
            )
        file_id = item.get("id")
        file_id = file_id if isinstance(file_id, str) and file_id else None
        reason = self._unavailable(item)
        member = self.uploads.get(file_id) if file_id is not None else None
        url_download = http_url(item.get("url_private_download"))
        url_private = http_url(item.get("url_private"))
        url = url_download or url_private
        if reason is None and member is None and url is None:
            reason = "no-url"
        if reason is not None:
            data["msg"] = ""
            return ReaderRecord(
                "message",
                data,
                source,
                skip_reason=codes.FILE_UNAVAILABLE,
                skip_details={"reason": reason},
            )
        external = item.get("is_external") is True or item.get("mode") == "external"
        import_file: dict[str, Any] = {}
        if url is not None:
            import_file["downloadUrl"] = url
        if file_id is not None:
            import_file["id"] = file_id
        size = item.get("size")
        if isinstance(size, int) and not isinstance(size, bool) and size >= 0:
            import_file["size"] = size
        name = item.get("name") or item.get("title") or file_id
        if isinstance(name, str) and name:
            import_file["name"] = name
        import_file["external"] = external
        import_file["source"] = "slack"
        import_file["original"] = strip_queries(item)
        if external:
            data["msg"] = url_private or url or ""
        else:
            data["msg"] = ""
            data["_hidden"] = True
            if member is not None:
                import_file["archiveMember"] = member
        data["_importFile"] = import_file
        return ReaderRecord("message", data, source)

    @staticmethod
    def _unavailable(item: dict[str, Any]) -> str | None:
        mode = item.get("mode")
        if isinstance(mode, str) and mode in _UNAVAILABLE_MODES:
            return mode
        access = item.get("file_access")
        if isinstance(access, str) and access in _UNAVAILABLE_ACCESS:
            return access
        return None
