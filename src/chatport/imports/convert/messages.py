"""Message records to Rocket.Chat message documents (importers §1.9 steps 1-6).

Pure given its lookups: the caller batches the documents and writes them in one statement.
This runs once per message of an export, so it allocates little and takes the common path
(no mentions, no reactions) without any regular expression work. The import asks for
:meth:`MessageConverter.convert_row`: the document built straight in its storage form and
encoded as a table row, with no second validating copy (``workspace.messages.prepare``) for
the plain records that make up an export.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from chatport.imports.convert.caps import FieldCaps
from chatport.imports.convert.lookups import ROCKET_CAT, RoomLookup, RoomRef, UserLookup
from chatport.workspace.documents import MESSAGE_INSTANTS
from chatport.workspace.messages import EncodedRow, encode, encode_parts, prepare
from chatport.workspace.subscriptions import Member

# A tuple, not ``int | float``: a union is built anew at every call (once per message).
_NUMBERS = (int, float)
#: Integers up to this size are finite floats (``math.isfinite`` neither fails nor raises).
_EXACT = 2**53

#: Pass-through fields :func:`prepare` checks or converts, and the type that needs neither
#: (the instants among them become integers; ``tmid`` must be a string).
_TYPED: dict[str, type] = {"tmid": str, **{key: int for key in MESSAGE_INSTANTS}}
_CONTAINERS = (list, dict)

_URL = re.compile(r"https?://[^\s<>()\[\]`\"']+")
_PASS_THROUGH = (
    "t",
    "groupable",
    "alias",
    "emoji",
    "bot",
    "tmid",
    "tshow",
    "tcount",
    "tlm",
    "editedAt",
    "attachments",
    "pinned",
    "pinnedAt",
    "_hidden",
    "_importFile",
)


@dataclass
class MessageResult:
    doc: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    skip_reason: str | None = None


#: What :meth:`MessageConverter.convert_row` gives: ``(row, document, problems)``. With a row,
#: the document is its storage form and the problems are warnings; without, the problems are
#: the errors (none: a skip). A plain tuple: one is made per message.
RowResult = tuple["EncodedRow | None", "dict[str, Any] | None", list[dict[str, Any]]]

#: Why a message has no document: the codes :meth:`MessageConverter._build` returns. The last
#: is a skip, not an error.
_INVALID_TS = "importer-message-invalid-timestamp"
_UNKNOWN_USER = "importer-message-unknown-user"
_UNKNOWN_ROOM = "importer-message-unknown-room"
_NOT_SELECTED = "importer-message-room-not-selected"

#: Record shapes remembered by :class:`MessageConverter` (each a tuple of key names).
_SIGNATURES = 4096
#: ``(pass-through fields present with the type prepare needs or None, any references)``.
_Shape = tuple[tuple[tuple[str, "type | None"], ...], bool]
_REFERENCES = ("mentions", "channels", "reactions", "replies", "editedBy")


def _shape(keys: tuple[str, ...]) -> _Shape:
    """The fields of :data:`_PASS_THROUGH` among ``keys``, in the order documents list them
    (whatever the record's order), and whether any field naming users or rooms is there.

    Reading only what a record's shape allows, rather than asking for every field, is what
    this buys: most messages carry few of them.
    """
    present = tuple((key, _TYPED.get(key)) for key in _PASS_THROUGH if key in keys)
    return present, any(key in keys for key in _REFERENCES)


def _problem(code: str, **details: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"message": code}
    if details:
        out["details"] = details
    return out


def _u(member: Member) -> dict[str, Any]:
    out: dict[str, Any] = {"_id": member.id, "username": member.username}
    if member.name:
        out["name"] = member.name
    return out


class MessageConverter:
    def __init__(
        self,
        conn: Connection,
        users: UserLookup,
        rooms: RoomLookup,
        unselected_rooms: set[str],
        caps: FieldCaps | None = None,
    ):
        self._conn = conn
        self._caps = caps or FieldCaps()
        self._text_cap = self._caps.message_text
        self.users = users
        self.rooms = rooms
        self._unselected = unselected_rooms  # rooms the selection left out
        #: What a record's keys (in order) say: see :func:`_shape`. Few shapes recur.
        self._shapes: dict[tuple[str, ...], _Shape] = {}
        #: What :meth:`_u` made, by member id, with the member it was made from.
        self._authors: dict[str, tuple[Member, dict[str, Any]]] = {}

    def convert(self, data: dict[str, Any]) -> MessageResult:
        """The Rocket.Chat document of a message record (``_id`` first), or why there is none.

        The import path uses :meth:`convert_row`, which gives the stored form directly; this
        is the same conversion for callers that want the document itself.
        """
        built = self._build(data)
        if isinstance(built, str):
            if built == _NOT_SELECTED:
                return MessageResult(None, skip_reason=built)
            return MessageResult(None, [_problem(built)])
        if isinstance(built, dict):
            return MessageResult(None, [built])
        doc, warnings, _plain = built
        # Copies of the shared parts, which a caller may change.
        shared: dict[str, Any] = {"u": dict(doc["u"])}
        if "mentions" in doc:
            shared["mentions"] = [dict(item) for item in doc["mentions"]]
        return MessageResult({"_id": data["_id"], **doc, **shared}, warnings=warnings)

    def convert_row(self, data: dict[str, Any]) -> RowResult:
        """:meth:`convert`, then ``encode(prepare(...))``, in one pass over the message.

        :meth:`_build` already gives the document in its storage shape whenever the record is
        plain (string ids, integer instants, no empty containers), so the validating copy of
        :func:`prepare` is only taken for the rest, which keeps its errors exactly.
        """
        built = self._build(data)
        if isinstance(built, str):
            if built == _NOT_SELECTED:
                return None, None, []
            return None, None, [_problem(built)]
        if isinstance(built, dict):
            return None, None, [built]
        doc, warnings, plain = built
        message_id = data["_id"]
        if plain and isinstance(message_id, str) and message_id:
            return encode_parts(message_id, doc["rid"], doc["u"]["_id"], doc), doc, warnings
        prepared = prepare({"_id": message_id, **doc})
        return encode(prepared), doc, warnings

    def _build(
        self, data: dict[str, Any]
    ) -> str | dict[str, Any] | tuple[dict[str, Any], list[Any], bool]:
        """``(document without _id, warnings, plain)``, or the code (or the whole problem, for
        a field over its cap) of why there is none.

        ``plain`` says the document is already what :func:`prepare` would store: every id a
        non-empty string, ``tmid`` a string, instants integers, no empty container.
        """
        get = data.get
        ts = get("ts")
        # An int well within a float's range (every Slack ts) passes the general test below.
        if not (type(ts) is int and -_EXACT <= ts <= _EXACT) and (
            not isinstance(ts, _NUMBERS) or isinstance(ts, bool) or not math.isfinite(ts)
        ):
            return _INVALID_TS
        rid_import = get("rid")
        if rid_import in self._unselected:
            return _NOT_SELECTED
        u = get("u")
        author: Member | None = None
        if isinstance(u, dict) and u:
            uid = u.get("_id")
            # The loaded map first: UserLookup.get adds only a type check and a fallback.
            author = self.users.by_import_id.get(uid) if type(uid) is str else None
            if author is None:
                author = self.users.get(uid)
        if author is None:
            return _UNKNOWN_USER
        rooms = self.rooms
        room = rooms.by_import_id.get(rid_import) if type(rid_import) is str else None
        if room is None:
            room = rooms.get(rid_import)
        if room is None:
            return _UNKNOWN_ROOM
        warnings: list[dict[str, Any]] = []
        raw_msg = get("msg")
        msg: str = raw_msg if isinstance(raw_msg, str) else ""
        # Two cheap tests per message; the caps' own method only for the rare suspect.
        if len(msg) > self._text_cap or "_importFile" in data:
            too_long = self._caps.message(msg, get("_importFile"))
            if too_long is not None:
                return too_long
        rid = room.id
        author_id = author.id
        plain = isinstance(rid, str) and bool(rid) and isinstance(author_id, str)
        known = self._authors.get(author_id)  # self._u(author), without the call
        u_doc = known[1] if known is not None and known[0] is author else self._u(author)
        doc: dict[str, Any] = {"rid": rid, "ts": int(ts), "msg": msg, "u": u_doc}
        signature = tuple(data)
        shape = self._shapes.get(signature)
        if shape is None:
            shape = _shape(signature)
            if len(self._shapes) < _SIGNATURES:
                self._shapes[signature] = shape
        present, references = shape
        for key, expected in present:
            value = data[key]
            if value is not None:
                doc[key] = value
                # Anything prepare would change or reject takes its path (convert_row).
                if expected is not None:
                    if type(value) is not expected:
                        plain = False
                elif not value and isinstance(value, _CONTAINERS):
                    plain = False
        if references:
            msg = self._references(data, doc, msg, warnings)
        if "http" in msg:
            urls = [{"url": m} for m in dict.fromkeys(_URL.findall(msg))]
            if urls:
                doc["urls"] = urls
        return doc, warnings, plain

    def _references(
        self, data: dict[str, Any], doc: dict[str, Any], msg: str, warnings: list[dict[str, Any]]
    ) -> str:
        """Mentions, channels, reactions, replies and editor: the fields naming users and
        rooms, resolved; returns ``msg`` with the mentions and channels rewritten."""
        get = data.get
        mentions = get("mentions")
        if mentions:
            msg = self._mentions(doc, mentions, msg, warnings)
        channels = get("channels")
        if channels:
            msg = self._channels(doc, channels, msg, warnings)
        doc["msg"] = msg
        raw_reactions = get("reactions")
        if raw_reactions:
            reactions = self._reactions(raw_reactions)
            if reactions:
                doc["reactions"] = reactions
        raw_replies = get("replies")
        if raw_replies:
            lookup = self.users.get
            replies: list[str] = []
            for reply in raw_replies:
                member = lookup(reply)
                if member is not None and member.id not in replies:
                    replies.append(member.id)
            if replies:
                doc["replies"] = replies
        edited_by = get("editedBy")
        if edited_by is not None:
            editor = self.users.get(edited_by)
            if editor is not None:
                doc["editedBy"] = {"_id": editor.id, "username": editor.username}
        return msg

    def _u(self, member: Member) -> dict[str, Any]:
        """``{_id, username, name?}`` of a member, made once per member: documents share it
        and only read it (it becomes JSON)."""
        known = self._authors.get(member.id)
        if known is not None and known[0] is member:
            return known[1]
        u = _u(member)
        self._authors[member.id] = (member, u)
        return u

    def _mentions(
        self, doc: dict[str, Any], wanted: list[Any], msg: str, warnings: list[dict[str, Any]]
    ) -> str:
        mentions: list[dict[str, Any]] = []
        for import_id in wanted:
            if import_id in ("all", "here"):
                mentions.append({"_id": import_id, "username": import_id})
                continue
            member = self.users.get(import_id)
            if member is None:
                warnings.append(
                    _problem("importer-message-mentioned-user-not-found", id=str(import_id))
                )
                continue
            if import_id != member.username and "@" + import_id in msg:
                msg = _mention_pattern(import_id).sub(_literal(f"@{member.username}"), msg)
            mentions.append(self._u(member))
        if mentions:
            doc["mentions"] = mentions
        return msg

    def _channels(
        self, doc: dict[str, Any], wanted: list[Any], msg: str, warnings: list[dict[str, Any]]
    ) -> str:
        found: list[dict[str, Any]] = []
        for entry in wanted:
            if not isinstance(entry, str):
                continue
            ref: RoomRef | None = self.rooms.resolve_reference(self._conn, entry)
            if ref is None or not ref.name:
                warnings.append(
                    _problem("importer-message-mentioned-channel-not-found", channel=entry)
                )
                continue
            if entry != ref.name and "#" + entry in msg:
                msg = _channel_pattern(entry).sub(_literal(f"#{ref.name}"), msg)
            found.append({"_id": ref.id, "name": ref.name})
        if found:
            doc["channels"] = found
        return msg

    def _reactions(self, raw: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if not isinstance(raw, dict):
            return out
        # Reactions are on most messages of a busy export: the loaded map first, then the
        # lookup (its type check and fallback) only for what the map does not hold.
        find = self.users.by_import_id.get
        lookup = self.users.get
        for key, value in raw.items():
            users = value.get("users") if isinstance(value, dict) else None
            if not users:
                continue
            names: list[str] = []
            for user in users:
                member = find(user) if type(user) is str else None
                if member is None:
                    member = lookup(user)
                    if member is None:
                        continue
                if member.username not in names:
                    names.append(member.username)
            if names:
                out[key] = {"usernames": names}
        return out


# Compiled once per id: ``re``'s own cache holds 512 patterns, fewer than a workspace's users,
# so without this every mention recompiled its pattern.
@functools.lru_cache(maxsize=16384)
def _mention_pattern(import_id: str) -> re.Pattern[str]:
    return re.compile(rf"@{re.escape(import_id)}(?![0-9A-Za-z])")


@functools.lru_cache(maxsize=4096)
def _channel_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"#{re.escape(name)}(?![0-9A-Za-z_.-])")


def _literal(text: str) -> str | Callable[[re.Match[str]], str]:
    """A replacement taken literally (no group references or escapes): the text itself when
    it has no backslash (``re`` then copies it without a call per match), else a function."""
    if "\\" not in text:
        return text
    return lambda _match: text


def rocket_cat_member() -> Member:
    return Member(ROCKET_CAT, ROCKET_CAT, "Rocket.Cat")
