"""The special subtypes with a body of their own: pins and huddles (importers.md §2.6).

(``file_comment`` and ``tombstone`` take a few lines each and stay in the dispatch.)

``_pin_target`` is also used for ``unpinned_item``, which is skipped but still names the
message it unpinned.
"""

from __future__ import annotations

from typing import Any

from chatport.imports.convert.text import ROCKET_CAT, format_epoch, map_user_id

from .fields import Invalid, opt_dict, opt_list, opt_str, parse_ts, user_ids
from .message_base import MapperState, message_id


class SpecialMapping(MapperState):
    """The ``message_pinned`` record of a pin and the summary text of a huddle."""

    def _pin_target(self, m: dict[str, Any], cid: str) -> tuple[str, int, dict[str, Any]] | None:
        """``(target _id, target ts in ms, first attachment)`` of a message pin, else None."""
        attachments = opt_list(m, "attachments")
        first = attachments[0] if attachments and isinstance(attachments[0], dict) else {}
        item = m.get("item")
        item = item if isinstance(item, dict) else {}
        if m.get("item_type") != "C" and first.get("ts") is None:
            return None
        channel = first.get("channel_id") or item.get("channel") or cid
        if not isinstance(channel, str):
            raise Invalid("attachments[0].channel_id")
        stamp = item.get("ts") if item.get("ts") is not None else first.get("ts")
        parsed = parse_ts(stamp)
        if parsed is None:
            return None
        return message_id(channel, parsed[0]), parsed[1], first

    def _pinned_item(self, m: dict[str, Any], data: dict[str, Any], cid: str) -> None:
        data["t"] = "message_pinned"
        data["msg"] = ""
        data["groupable"] = False
        target = self._pin_target(m, cid)
        if target is None:
            return
        target_id, target_ts, first = target
        attachment: dict[str, Any] = {}
        text = self._convert(first.get("text"), "attachments[0].text")[0]
        if text:
            attachment["text"] = text
        subname = first.get("author_subname")
        if isinstance(subname, str) and subname:
            attachment["author_name"] = subname
        attachment["ts"] = target_ts
        data["attachments"] = [attachment]
        data["pinTarget"] = {"_id": target_id}

    def _huddle(self, m: dict[str, Any], data: dict[str, Any]) -> None:
        room = opt_dict(m, "room") or {}
        creator = opt_str(room, "created_by", "room.created_by")
        data["u"] = {"_id": map_user_id(creator) if creator else ROCKET_CAT}
        parts = ["Huddle"]
        name = opt_str(room, "name", "room.name")
        if name:
            parts.append(f' "{name}"')
        for key, label in (("date_start", "started"), ("date_end", "ended")):
            stamp = room.get(key)
            if isinstance(stamp, int) and not isinstance(stamp, bool) and stamp > 0:
                formatted = format_epoch(stamp)
                if formatted:
                    parts.append(f", {label} {formatted}")
        participants = user_ids(opt_list(room, "participant_history"), "room.participant_history")
        if participants:
            names = ", ".join("@" + self.users.usernames.get(p, p) for p in participants)
            parts.append(f", participants: {names}")
        data["msg"] = "".join(parts)
