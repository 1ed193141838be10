"""Message records to Rocket.Chat message documents (importers §1.9 steps 1-6).

Pure given its lookups: the caller batches the documents and writes them in one statement.
This runs once per message of an export, so it allocates little and takes the common path
(no mentions, no reactions) without any regular expression work.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from chatport.imports.convert.lookups import ROCKET_CAT, RoomLookup, RoomRef, UserLookup
from chatport.workspace.subscriptions import Member

# A tuple, not ``int | float``: a union is built anew at every call (once per message).
_NUMBERS = (int, float)

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
    "_hidden",
    "_importFile",
)


@dataclass
class MessageResult:
    doc: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    skip_reason: str | None = None


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
    ):
        self._conn = conn
        self.users = users
        self.rooms = rooms
        self._unselected = unselected_rooms  # rooms the selection left out

    def convert(self, data: dict[str, Any]) -> MessageResult:
        ts = data.get("ts")
        if not isinstance(ts, _NUMBERS) or isinstance(ts, bool) or not math.isfinite(ts):
            return MessageResult(None, [_problem("importer-message-invalid-timestamp")])
        rid_import = data.get("rid")
        if rid_import in self._unselected:
            return MessageResult(None, skip_reason="importer-message-room-not-selected")
        u = data.get("u") if isinstance(data.get("u"), dict) else {}
        author = self.users.get(u.get("_id")) if u else None
        if author is None:
            return MessageResult(None, [_problem("importer-message-unknown-user")])
        room = self.rooms.get(rid_import)
        if room is None:
            return MessageResult(None, [_problem("importer-message-unknown-room")])
        warnings: list[dict[str, Any]] = []
        raw_msg = data.get("msg")
        msg: str = raw_msg if isinstance(raw_msg, str) else ""
        doc: dict[str, Any] = {
            "_id": data["_id"],
            "rid": room.id,
            "ts": int(ts),
            "msg": msg,
            "u": _u(author),
        }
        for key in _PASS_THROUGH:
            value = data.get(key)
            if value is not None:
                doc[key] = value
        if data.get("mentions"):
            msg = self._mentions(doc, data["mentions"], msg, warnings)
        if data.get("channels"):
            msg = self._channels(doc, data["channels"], msg, warnings)
        doc["msg"] = msg
        if data.get("reactions"):
            reactions = self._reactions(data["reactions"])
            if reactions:
                doc["reactions"] = reactions
        if data.get("replies"):
            replies = list(
                dict.fromkeys(
                    m.id for m in (self.users.get(r) for r in data["replies"]) if m is not None
                )
            )
            if replies:
                doc["replies"] = replies
        if data.get("editedBy") is not None:
            editor = self.users.get(data["editedBy"])
            if editor is not None:
                doc["editedBy"] = {"_id": editor.id, "username": editor.username}
        if "http" in msg:
            urls = [{"url": m} for m in dict.fromkeys(_URL.findall(msg))]
            if urls:
                doc["urls"] = urls
        return MessageResult(doc, warnings=warnings)

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
            mentions.append(_u(member))
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
        for key, value in raw.items():
            users = value.get("users") if isinstance(value, dict) else None
            names = [m.username for m in (self.users.get(u) for u in users or []) if m]
            if names:
                out[key] = {"usernames": list(dict.fromkeys(names))}
        return out


# Compiled once per id: ``re``'s own cache holds 512 patterns, fewer than a workspace's users,
# so without this every mention recompiled its pattern.
@functools.lru_cache(maxsize=16384)
def _mention_pattern(import_id: str) -> re.Pattern[str]:
    return re.compile(rf"@{re.escape(import_id)}(?![0-9A-Za-z])")


@functools.lru_cache(maxsize=4096)
def _channel_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"#{re.escape(name)}(?![0-9A-Za-z_.-])")


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement taken literally (no group references or escapes)."""
    return lambda _match: text


def rocket_cat_member() -> Member:
    return Member(ROCKET_CAT, ROCKET_CAT, "Rocket.Cat")
