"""Day-file elements to message records (importers.md §2.5–§2.7, §8).

One element gives, in order: its message record (a message, a skip or an error: always exactly
one), then one record per file (``-file<n>`` per ``files`` entry, ``-fileshare`` for a legacy
``file``). :meth:`MessageMapper.count` tells how many records an element gives without building
them; it must agree with :meth:`MessageMapper.records`, which the tests check.

This module holds the dispatch: which records an element gives and which subtype body builds
the message. The bodies live next to it, one concern a module (``message_text``,
``message_files``, ``message_threads``, ``message_special``, ``message_authors``), as mixins
of this one class, so the per-message path has no more calls than a single class would.
"""

from __future__ import annotations

from typing import Any

from chatport.imports.convert.text import decode_entities, map_user_id
from chatport.imports.convert.text_split import split_text

from . import records as codes
from .fields import Invalid, opt_dict, opt_str, parse_ts
from .message_authors import Author, AuthorMapping, slug
from .message_base import message_id
from .message_files import FileMapping, strip_queries
from .message_special import SpecialMapping
from .message_subtypes import (
    BOT_SUBTYPES,
    IGNORED_SUBTYPES,
    SPECIAL_SUBTYPES,
    SYSTEM_TEXT,
    SYSTEM_TYPES,
    TEXT_SUBTYPES,
    TOMBSTONE_TEXT,
)
from .message_text import TextMapping, references
from .message_threads import ThreadMapping
from .records import ReaderRecord, problem

# Importable from here as before the split.
__all__ = [
    "BOT_SUBTYPES",
    "IGNORED_SUBTYPES",
    "SYSTEM_TYPES",
    "TEXT_SUBTYPES",
    "TOMBSTONE_TEXT",
    "Author",
    "MessageMapper",
    "message_id",
    "slug",
    "strip_queries",
]


class MessageMapper(AuthorMapping, TextMapping, FileMapping, ThreadMapping, SpecialMapping):
    """Maps the elements of day files; holds the export-wide lookups the rules need."""

    # -- counting --------------------------------------------------------------------------

    def count(
        self, value: Any, cid: str | None, error: str | None, member: str = "", index: int = 0
    ) -> int:
        """How many records :meth:`records` gives for this element.

        Without message splitting this only inspects the element; with it, the text has to
        be converted to know its length, so the records are built.
        """
        if error is not None or cid is None or not isinstance(value, dict):
            return 1
        if not self.produces_message(value):
            return 1
        if self.max_message_length > 0:
            return len(self._element(value, {"entry": member, "index": index}, cid))
        return 1 + self._file_count(value)

    def count_element(
        self, value: Any, cid: str | None, error: str | None, member: str, index: int
    ) -> int:
        """:meth:`count`, and the author of a message without a ``user`` registered as it would
        be by :meth:`records` (synthetic bot users are found at counting): the counting pass
        in one look at each element."""
        if error is not None or cid is None or not isinstance(value, dict):
            return 1
        if not self.produces_message(value):
            return 1
        user = value.get("user")
        if not (isinstance(user, str) and user):
            self.author(value, member, index)
        if self.max_message_length > 0:
            return len(self._element(value, {"entry": member, "index": index}, cid))
        if "files" not in value and "file" not in value:
            return 1  # most messages: no file records
        return 1 + self._file_count(value)

    def produces_message(self, m: dict[str, Any]) -> bool:
        """Whether the element becomes a message (not a skip) with a valid id."""
        mtype = m.get("type")
        subtype = m.get("subtype")
        if (mtype is not None and mtype != "message") or m.get("hidden") is True:
            return False
        if parse_ts(m.get("ts")) is None:
            return False
        if subtype is None:
            return True
        if not isinstance(subtype, str):
            return True  # an error record, counted once; no files (see _file_count)
        if subtype in IGNORED_SUBTYPES or subtype == "unpinned_item":
            return False
        if subtype in TEXT_SUBTYPES or subtype in SYSTEM_TYPES or subtype in SPECIAL_SUBTYPES:
            return True
        return self._other_has_text_and_author(m)

    @staticmethod
    def _other_has_text_and_author(m: dict[str, Any]) -> bool:
        text = m.get("text")
        if not isinstance(text, str) or not text:
            return False
        if any(isinstance(m.get(key), str) and m.get(key) for key in ("user", "bot_id")):
            return True
        username = m.get("username")  # a bot without bot_id (§2.5)
        return isinstance(username, str) and bool(slug(username))

    # -- records ---------------------------------------------------------------------------

    def records(
        self,
        value: Any,
        member: str,
        index: int,
        cid: str | None,
        folder: str,
        error: str | None = None,
        surrogates: bool = False,
    ) -> list[ReaderRecord]:
        source = {"entry": member, "index": index}
        if error is not None:
            out = [
                ReaderRecord("message", {}, source, [problem(codes.RECORD_INVALID, reason=error)])
            ]
        elif not isinstance(value, dict):
            out = [ReaderRecord("message", {}, source, [problem(codes.RECORD_INVALID, field="")])]
        elif cid is None:
            out = [
                ReaderRecord("message", {}, source, [problem(codes.UNKNOWN_FOLDER, folder=folder)])
            ]
        else:
            out = self._element(value, source, cid)
        if surrogates:
            for record in out:
                record.warnings.append(problem(codes.TEXT_INVALID_UNICODE))
        return out

    def _element(self, m: dict[str, Any], source: dict[str, Any], cid: str) -> list[ReaderRecord]:
        get = m.get
        mtype = get("type")
        subtype = get("subtype")
        if (mtype is not None and mtype != "message") or get("hidden") is True:
            shown = subtype if isinstance(subtype, str) else mtype
            return [self._skip({"rid": cid}, source, shown)]
        parsed = parse_ts(get("ts"))
        if parsed is None:
            return [
                ReaderRecord("message", {"rid": cid}, source, [problem(codes.INVALID_TIMESTAMP)])
            ]
        ts_text, ts = parsed
        base: dict[str, Any] = {"_id": message_id(cid, ts_text), "rid": cid, "ts": ts}
        # A plain message (no subtype) skips every subtype test below.
        if subtype is not None:
            if not isinstance(subtype, str):
                return [self._invalid(base, source, "subtype")]
            if subtype in IGNORED_SUBTYPES:
                return [self._skip(base, source, subtype)]
        author = self.author(m, source["entry"], source["index"])
        if subtype is not None:
            if subtype == "unpinned_item":
                return [self._unpin(m, base, source, cid, author)]
            if not self._known(subtype) and not self._other_has_text_and_author(m):
                return [self._skip(base, source, subtype)]
        try:
            main = self._message(m, base, source, cid, ts_text, subtype, author)
        except Invalid as exc:
            main = self._invalid(base, source, exc.field)
        out = [main]
        # Without either key there is no file record to build (most messages).
        if ("files" in m or "file" in m) and (subtype is None or self._carries_files(m)):
            self._files(m, base, source, cid, author, out)
        if self.max_message_length > 0 and not main.errors:
            self._split(main, out)
        return out

    def _unpin(
        self,
        m: dict[str, Any],
        base: dict[str, Any],
        source: dict[str, Any],
        cid: str,
        author: Author,
    ) -> ReaderRecord:
        """The skip record of an ``unpinned_item``, naming the message it unpinned."""
        base["u"] = {"_id": author.user_id}
        base["msg"] = ""
        try:
            target = self._pin_target(m, cid)
        except Invalid:
            target = None
        if target is not None:
            base["pinTarget"] = {"_id": target[0]}
        return self._skip(base, source, "unpinned_item")

    def _split(self, main: ReaderRecord, out: list[ReaderRecord]) -> None:
        """§8: part 1 keeps the id and every field; part k is ``<id>-part<k>``, ``ts + k-1``."""
        text = main.data.get("msg")
        if not isinstance(text, str) or len(text) <= self.max_message_length:
            return
        pieces = split_text(text, self.max_message_length)
        data = main.data
        data["msg"] = pieces[0]
        for number, piece in enumerate(pieces[1:], 2):
            part: dict[str, Any] = {
                "_id": f"{data['_id']}-part{number}",
                "rid": data["rid"],
                "ts": data["ts"] + number - 1,
                "u": dict(data["u"]),
                "msg": piece,
            }
            if "tmid" in data:
                part["tmid"] = data["tmid"]
            out.append(ReaderRecord("message", part, main.source))

    @staticmethod
    def _known(subtype: str) -> bool:
        return subtype in TEXT_SUBTYPES or subtype in SYSTEM_TYPES or subtype in SPECIAL_SUBTYPES

    @staticmethod
    def _skip(data: dict[str, Any], source: dict[str, Any], subtype: Any) -> ReaderRecord:
        details = {"subtype": subtype} if isinstance(subtype, str) else None
        return ReaderRecord(
            "message",
            data,
            source,
            skip_reason=codes.SUBTYPE_IGNORED,
            skip_details=details,
        )

    @staticmethod
    def _invalid(base: dict[str, Any], source: dict[str, Any], field: str) -> ReaderRecord:
        return ReaderRecord(
            "message", dict(base), source, [problem(codes.RECORD_INVALID, field=field)]
        )

    def _message(
        self,
        m: dict[str, Any],
        base: dict[str, Any],
        source: dict[str, Any],
        cid: str,
        ts_text: str,
        subtype: str | None,
        author: Author,
    ) -> ReaderRecord:
        get = m.get
        user = get("user")
        if user is not None and not isinstance(user, str):
            raise Invalid("user")
        data = dict(base)
        data["u"] = {"_id": author.user_id}
        warnings: list[dict[str, Any]] = []
        if author.warning:
            warnings.append(problem(codes.BOT_UNIDENTIFIED))
        if subtype is None:
            self._text(m, data, None, author)
        else:
            self._subtype_body(m, data, cid, subtype, author)
        # Each rule below starts by reading its field; most messages have none of them, so
        # the field is looked at here first and the rule not called at all.
        if get("thread_ts") is not None or subtype == "thread_broadcast":
            self._thread(m, data, cid, ts_text, subtype)
        if get("edited") is not None:
            self._edited(m, data)
        if get("reactions") is not None:
            self._reactions(m, data)
        pinned_to = get("pinned_to")
        if isinstance(pinned_to, list) and cid in pinned_to:
            # pinnedAt: the message's own time, unless finishing meets its pinned_item
            # (importers §8, pins from pinned_to); pinnedBy is not known here.
            data["pinned"] = True
            data["pinnedAt"] = data["ts"]
        return ReaderRecord("message", data, source, [], warnings)  # positional: cheaper

    def _subtype_body(
        self, m: dict[str, Any], data: dict[str, Any], cid: str, subtype: str, author: Author
    ) -> None:
        """``msg`` and the subtype's own fields, for a message with a subtype."""
        system = SYSTEM_TYPES.get(subtype)
        if system is not None:
            key = SYSTEM_TEXT.get(system)
            text = opt_str(m, key) if key is not None else None
            data["msg"] = decode_entities(text) if text and key != "name" else (text or "")
            data["t"] = system
            data["groupable"] = False
        elif subtype == "pinned_item":
            self._pinned_item(m, data, cid)
        elif subtype == "file_comment":
            comment = opt_dict(m, "comment") or {}
            commenter = opt_str(comment, "user", "comment.user")
            if commenter:
                data["u"] = {"_id": map_user_id(commenter)}
            text, mentions, channels = self._convert(comment.get("comment"), "comment.comment")
            data["msg"] = text
            references(data, mentions, channels)
        elif subtype == "tombstone":
            data["msg"] = TOMBSTONE_TEXT
        elif subtype == "huddle_thread":
            self._huddle(m, data)
        else:
            self._text(m, data, subtype, author)
