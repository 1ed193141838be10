"""The fields any message may carry besides its text: thread, edit and reactions (§2.6).

They apply alike to every subtype that becomes a message, so the dispatch in
:class:`~.messages.MessageMapper` calls them once after the subtype's own body.
"""

from __future__ import annotations

from typing import Any

from chatport.imports.convert.emoji import reaction_key
from chatport.imports.convert.text import map_user_id

from .fields import Invalid, opt_dict, opt_list, opt_str, parse_ts, user_ids
from .message_base import MapperState, message_id


class ThreadMapping(MapperState):
    """``tmid``/``tshow`` of a reply, ``replies``/``tcount``/``tlm`` of a thread parent,
    ``editedAt``/``editedBy`` and ``reactions``."""

    def _thread(
        self,
        m: dict[str, Any],
        data: dict[str, Any],
        cid: str,
        ts_text: str,
        subtype: str | None,
    ) -> None:
        thread_ts = m.get("thread_ts")
        if thread_ts is None and subtype == "thread_broadcast":
            root = m.get("root")
            if isinstance(root, dict):
                thread_ts = root.get("thread_ts") or root.get("ts")
        if thread_ts is None:
            return
        if thread_ts == ts_text:  # a thread parent: its own ts, already parsed
            self._thread_parent(m, data)
            return
        parsed = parse_ts(thread_ts)
        if parsed is None:
            raise Invalid("thread_ts")
        if parsed[0] != ts_text:
            data["tmid"] = message_id(cid, parsed[0])
            if subtype == "thread_broadcast":
                data["tshow"] = True
            return
        self._thread_parent(m, data)

    @staticmethod
    def _thread_parent(m: dict[str, Any], data: dict[str, Any]) -> None:
        reply_users = opt_list(m, "reply_users")
        legacy = opt_list(m, "replies")
        replies = user_ids(reply_users, "reply_users")
        newest: int | None = None
        if legacy:
            legacy_users: list[Any] = []
            for reply in legacy:
                if not isinstance(reply, dict):
                    raise Invalid("replies")
                legacy_users.append(reply.get("user"))
                parsed = parse_ts(reply.get("ts"))
                if parsed is not None and (newest is None or parsed[1] > newest):
                    newest = parsed[1]
            if not replies:
                replies = user_ids([u for u in legacy_users if u is not None], "replies.user")
        if replies:
            data["replies"] = replies
        count = m.get("reply_count")
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            if count or legacy or replies:
                data["tcount"] = count
        elif legacy:
            data["tcount"] = len(legacy)
        latest = m.get("latest_reply")
        parsed_latest = parse_ts(latest) if latest is not None else None
        if latest is not None and parsed_latest is None:
            raise Invalid("latest_reply")
        if parsed_latest is not None:
            data["tlm"] = parsed_latest[1]
        elif newest is not None:
            data["tlm"] = newest

    @staticmethod
    def _edited(m: dict[str, Any], data: dict[str, Any]) -> None:
        edited = opt_dict(m, "edited")
        if not edited:
            return
        parsed = parse_ts(edited.get("ts"))
        if parsed is None:
            if edited.get("ts") is not None:
                raise Invalid("edited.ts")
            return
        data["editedAt"] = parsed[1]
        editor = opt_str(edited, "user", "edited.user")
        if editor:
            data["editedBy"] = map_user_id(editor)

    @staticmethod
    def _reactions(m: dict[str, Any], data: dict[str, Any]) -> None:
        reactions = opt_list(m, "reactions")
        if not reactions:
            return
        result: dict[str, dict[str, Any]] = {}
        for reaction in reactions:
            if not isinstance(reaction, dict):
                raise Invalid("reactions")
            # opt_str and opt_list, inlined (several reactions on most messages).
            name = reaction.get("name")
            if name is not None and not isinstance(name, str):
                raise Invalid("reactions.name")
            if not name:
                continue
            raw_users = reaction.get("users")
            if not isinstance(raw_users, list):  # null too: a reaction by nobody (A-7 7.7)
                raise Invalid("reactions.users")
            users = user_ids(raw_users, "reactions.users")
            if not users:
                continue
            key = reaction_key(name)
            existing = result.get(key)
            if existing is None:
                result[key] = {"name": key, "users": users}
            else:
                merged = existing["users"]
                merged.extend(user for user in users if user not in merged)
        if result:
            data["reactions"] = result
