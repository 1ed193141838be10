"""Day-file elements to message records (importers.md §2.5–§2.7, §8).

One element gives, in order: its message record (a message, a skip or an error: always exactly
one), then one record per file (``-file<n>`` per ``files`` entry, ``-fileshare`` for a legacy
``file``). :meth:`MessageMapper.count` tells how many records an element gives without building
them; it must agree with :meth:`MessageMapper.records`, which the tests check.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from chatport.imports.convert.emoji import reaction_key
from chatport.imports.convert.text import (
    ROCKET_CAT,
    convert_mrkdwn,
    decode_entities,
    format_epoch,
    map_user_id,
)
from chatport.imports.convert.text_blocks import render_blocks
from chatport.imports.convert.text_split import split_text

from . import records as codes
from .fields import Invalid, opt_dict, opt_list, opt_str, parse_ts, user_ids
from .records import ReaderRecord, problem
from .users import UserIndex

# A tuple, not a ``|`` union, which is built anew at every call.
_STAMP_TYPES = (str, int, float)

SYSTEM_TYPES: dict[str, str] = {
    "channel_join": "uj",
    "group_join": "uj",
    "channel_leave": "ul",
    "group_leave": "ul",
    "channel_topic": "room_changed_topic",
    "group_topic": "room_changed_topic",
    "channel_purpose": "room_changed_description",
    "group_purpose": "room_changed_description",
    "channel_name": "r",
    "group_name": "r",
}
#: Which field of a system message carries its text.
_SYSTEM_TEXT = {"room_changed_topic": "topic", "room_changed_description": "purpose", "r": "name"}
IGNORED_SUBTYPES = frozenset(
    {
        "bot_add",
        "bot_remove",
        "file_mention",
        "message_changed",
        "message_deleted",
        "message_replied",
    }
)
BOT_SUBTYPES = frozenset({"bot_message", "slackbot_response"})
#: Text subtypes of §2.6; any subtype not named anywhere is "other" (text if text and author).
TEXT_SUBTYPES = frozenset({"me_message", "thread_broadcast", "file_share"}) | BOT_SUBTYPES
_SPECIAL_SUBTYPES = frozenset(
    {"pinned_item", "unpinned_item", "file_comment", "tombstone", "huddle_thread"}
)
TOMBSTONE_TEXT = "This message was deleted."

_UNAVAILABLE_MODES = frozenset({"tombstone", "hidden_by_limit"})
_UNAVAILABLE_ACCESS = frozenset({"access_denied", "file_not_found"})
_URL_QUERY = re.compile(r"(https?://[^\s?#\"'<>]*)\?[^\s#\"'<>]*")
_HEX_COLOR = re.compile(r"[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?(?:[0-9a-fA-F]{2})?")
_SLUG_OUTSIDE = re.compile(r"[^0-9A-Za-z_.-]+")
_ATTACHMENT_STRINGS = (
    "title",
    "title_link",
    "author_name",
    "author_link",
    "author_icon",
    "image_url",
    "thumb_url",
)


def slug(text: str) -> str:
    """ASCII, case kept, runs outside ``[0-9A-Za-z_.-]`` -> ``-``, ends trimmed (§1.8)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG_OUTSIDE.sub("-", folded).strip("-")


def message_id(channel_id: str, ts_text: str) -> str:
    return f"slack-{channel_id}-{ts_text.replace('.', '-')}"


def strip_queries(value: Any, depth: int = 0) -> Any:
    """A copy of a Slack file object with the query string cut from every URL in it."""
    if isinstance(value, str):
        return _URL_QUERY.sub(r"\1", value) if "?" in value else value
    if depth > 64:
        return None
    if isinstance(value, dict):
        return {key: strip_queries(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [strip_queries(item, depth + 1) for item in value]
    return value


def _http(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return value
    return None


class Author:
    __slots__ = ("user_id", "is_bot", "username", "warning")

    def __init__(
        self, user_id: str, is_bot: bool, username: str | None, warning: bool = False
    ) -> None:
        self.user_id = user_id
        self.is_bot = is_bot
        self.username = username
        self.warning = warning


class MessageMapper:
    """Maps the elements of day files; holds the export-wide lookups the rules need."""

    def __init__(
        self,
        users: UserIndex,
        channel_names: Mapping[str, str],
        uploads: Mapping[str, str],
        max_message_length: int = 0,
    ) -> None:
        self.users = users
        self.channel_names = channel_names
        self.uploads = uploads
        #: ``import_max_message_length``: longer texts are split into parts (§8); 0 is off.
        self.max_message_length = max_message_length
        #: Synthetic bot user records, by import id, in first-seen order (filled by ``count``
        #: and ``records`` when they meet a message whose bot has no users.json entry).
        self.synthetic_bots: dict[str, ReaderRecord] = {}

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
        if subtype in TEXT_SUBTYPES or subtype in SYSTEM_TYPES or subtype in _SPECIAL_SUBTYPES:
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

    @staticmethod
    def _carries_files(m: dict[str, Any]) -> bool:
        subtype = m.get("subtype")
        if subtype is None:
            return True
        if not isinstance(subtype, str):
            return False
        return subtype in TEXT_SUBTYPES or (
            subtype not in SYSTEM_TYPES
            and subtype not in _SPECIAL_SUBTYPES
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

    # -- authors ---------------------------------------------------------------------------

    def author(self, m: dict[str, Any], member: str, index: int) -> Author:
        """§2.5: the user, else the users.json bot, else a synthetic bot, else rocket.cat."""
        user = m.get("user")
        if isinstance(user, str) and user:
            user_id = map_user_id(user)
            if user_id == ROCKET_CAT:
                return Author(ROCKET_CAT, True, ROCKET_CAT)
            if user_id in self.users.bots:
                return Author(user_id, True, self.users.usernames.get(user_id))
            return Author(user_id, False, None)
        bot_id = m.get("bot_id")
        bot_id = bot_id if isinstance(bot_id, str) and bot_id else None
        if bot_id is not None:
            known = self.users.bot_users.get(bot_id)
            if known is not None:
                return Author(known, True, self.users.usernames.get(known))
        profile = m.get("bot_profile")
        profile = profile if isinstance(profile, dict) else {}
        username = m.get("username")
        username = username if isinstance(username, str) and username.strip() else None
        profile_name = profile.get("name")
        profile_name = profile_name if isinstance(profile_name, str) and profile_name else None
        if bot_id is not None:
            import_id = bot_id
        elif username is not None and slug(username):
            import_id = "bot-" + slug(username)
        else:
            return Author(ROCKET_CAT, True, ROCKET_CAT, warning=True)
        # A synthetic bot's username is "<slug>.bot", which a posted ``username`` never is, so
        # its messages carry ``alias`` whenever they name themselves (username None below).
        if import_id in self.synthetic_bots:
            return Author(import_id, True, None)
        source_name = profile_name or username or bot_id or import_id
        base = slug(source_name) or slug(import_id) or "bot"
        data: dict[str, Any] = {
            "importIds": [import_id],
            "type": "bot",
            "roles": ["bot"],
            "emails": [],
            "username": base + ".bot",
            "name": source_name,
        }
        icons = profile.get("icons")
        avatar = _http(icons.get("image_72")) if isinstance(icons, dict) else None
        if avatar is None:
            icons = m.get("icons")
            avatar = _http(icons.get("image_72")) if isinstance(icons, dict) else None
        if avatar is not None:
            data["avatarUrl"] = avatar
        self.synthetic_bots[import_id] = ReaderRecord(
            "user", data, {"entry": member, "index": index}
        )
        return Author(import_id, True, None)

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
        mtype = m.get("type")
        subtype = m.get("subtype")
        if (mtype is not None and mtype != "message") or m.get("hidden") is True:
            shown = subtype if isinstance(subtype, str) else mtype
            return [self._skip({"rid": cid}, source, shown)]
        parsed = parse_ts(m.get("ts"))
        if parsed is None:
            return [
                ReaderRecord("message", {"rid": cid}, source, [problem(codes.INVALID_TIMESTAMP)])
            ]
        ts_text, ts = parsed
        base: dict[str, Any] = {"_id": message_id(cid, ts_text), "rid": cid, "ts": ts}
        if subtype is not None and not isinstance(subtype, str):
            return [self._invalid(base, source, "subtype")]
        if subtype in IGNORED_SUBTYPES:
            return [self._skip(base, source, subtype)]
        author = self.author(m, source["entry"], source["index"])
        if subtype == "unpinned_item":
            base["u"] = {"_id": author.user_id}
            base["msg"] = ""
            try:
                target = self._pin_target(m, cid)
            except Invalid:
                target = None
            if target is not None:
                base["pinTarget"] = {"_id": target[0]}
            return [self._skip(base, source, subtype)]
        if (
            subtype is not None
            and not self._known(subtype)
            and not self._other_has_text_and_author(m)
        ):
            return [self._skip(base, source, subtype)]
        try:
            main = self._message(m, base, source, cid, ts_text, subtype, author)
        except Invalid as exc:
            main = self._invalid(base, source, exc.field)
        out = [main]
        if self._carries_files(m):
            self._files(m, base, source, cid, author, out)
        if self.max_message_length > 0 and not main.errors:
            self._split(main, out)
        return out

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
        return subtype in TEXT_SUBTYPES or subtype in SYSTEM_TYPES or subtype in _SPECIAL_SUBTYPES

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

    def _convert(self, text: Any, field: str) -> tuple[str, list[str], list[str]]:
        if text is None:
            return "", [], []
        if not isinstance(text, str):
            raise Invalid(field)
        return convert_mrkdwn(text, self.channel_names)

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
        user = m.get("user")
        if user is not None and not isinstance(user, str):
            raise Invalid("user")
        data = dict(base)
        data["u"] = {"_id": author.user_id}
        warnings: list[dict[str, Any]] = []
        if author.warning:
            warnings.append(problem(codes.BOT_UNIDENTIFIED))
        system = SYSTEM_TYPES.get(subtype) if subtype is not None else None
        if system is not None:
            key = _SYSTEM_TEXT.get(system)
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
            _references(data, mentions, channels)
        elif subtype == "tombstone":
            data["msg"] = TOMBSTONE_TEXT
        elif subtype == "huddle_thread":
            self._huddle(m, data)
        else:
            self._text(m, data, subtype, author)
        self._thread(m, data, cid, ts_text, subtype)
        self._edited(m, data)
        self._reactions(m, data)
        pinned_to = m.get("pinned_to")
        if isinstance(pinned_to, list) and cid in pinned_to:
            data["pinned"] = True
        return ReaderRecord("message", data, source, warnings=warnings)

    def _text(
        self, m: dict[str, Any], data: dict[str, Any], subtype: str | None, author: Author
    ) -> None:
        text, mentions, channels = self._convert(m.get("text"), "text")
        attachments = opt_list(m, "attachments")
        converted_attachments: list[dict[str, Any]] = []
        fallback: str | None = None
        if attachments:
            for position, attachment in enumerate(attachments):
                if not isinstance(attachment, dict):
                    raise Invalid(f"attachments[{position}]")
                if position == 0:
                    raw_fallback = attachment.get("fallback")
                    if isinstance(raw_fallback, str) and raw_fallback:
                        fallback = convert_mrkdwn(raw_fallback, self.channel_names).text
                converted = self._attachment(attachment, position)
                if converted:
                    converted_attachments.append(converted)
        blocks = m.get("blocks")
        if blocks and (not text or (fallback is not None and text == fallback)):
            rendered = render_blocks(blocks, self.channel_names)
            if rendered.text:
                text, mentions, channels = rendered
        if subtype == "me_message" and text:
            text = "_" + text + "_"
        data["msg"] = text
        _references(data, mentions, channels)
        if converted_attachments:
            data["attachments"] = converted_attachments
        icons = m.get("icons")
        if isinstance(icons, dict):
            emoji = icons.get("emoji")
            if isinstance(emoji, str) and emoji:
                data["emoji"] = emoji
        if subtype in BOT_SUBTYPES:
            data["bot"] = True
        if author.is_bot:
            username = m.get("username")
            if isinstance(username, str) and username and username != author.username:
                data["alias"] = username

    def _attachment(self, attachment: dict[str, Any], position: int) -> dict[str, Any]:
        path = f"attachments[{position}]"
        out: dict[str, Any] = {}
        pretext = self._convert(attachment.get("pretext"), f"{path}.pretext")[0]
        body = self._convert(attachment.get("text"), f"{path}.text")[0]
        text = "\n".join(part for part in (pretext, body) if part)
        if not text:
            text = self._convert(attachment.get("fallback"), f"{path}.fallback")[0]
        if not text and attachment.get("blocks"):
            text = render_blocks(attachment.get("blocks"), self.channel_names).text
        if text:
            out["text"] = text
        for key in _ATTACHMENT_STRINGS:
            value = opt_str(attachment, key, f"{path}.{key}")
            if value:
                out[key] = value
        color = opt_str(attachment, "color", f"{path}.color")
        if color:
            out["color"] = "#" + color if _HEX_COLOR.fullmatch(color) else color
        stamp = attachment.get("ts")
        if isinstance(stamp, _STAMP_TYPES) and not isinstance(stamp, bool) and stamp != "":
            out["ts"] = stamp
        fields = opt_list(attachment, "fields", f"{path}.fields")
        if fields:
            converted_fields = []
            for item in fields:
                if not isinstance(item, dict):
                    raise Invalid(f"{path}.fields")
                entry: dict[str, Any] = {}
                title = opt_str(item, "title", f"{path}.fields.title")
                if title:
                    entry["title"] = title
                value = self._convert(item.get("value"), f"{path}.fields.value")[0]
                if value:
                    entry["value"] = value
                short = item.get("short")
                if isinstance(short, bool):
                    entry["short"] = short
                if entry:
                    converted_fields.append(entry)
            if converted_fields:
                out["fields"] = converted_fields
        return out

    # -- pins ------------------------------------------------------------------------------

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

    # -- huddles ---------------------------------------------------------------------------

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

    # -- common fields ---------------------------------------------------------------------

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
            name = opt_str(reaction, "name", "reactions.name")
            if not name:
                continue
            users = user_ids(opt_list(reaction, "users", "reactions.users"), "reactions.users")
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

    # -- files -----------------------------------------------------------------------------

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
        url_download = _http(item.get("url_private_download"))
        url_private = _http(item.get("url_private"))
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


def _references(data: dict[str, Any], mentions: list[str], channels: list[str]) -> None:
    if mentions:
        data["mentions"] = mentions
    if channels:
        data["channels"] = channels
