"""users.json and rooms.json entries to user and channel records (importers.md §5.2)."""

from __future__ import annotations

from typing import Any

from chatport.imports.importers.hipchat.fields import (
    TEXT_INVALID_UNICODE,
    import_id,
    invalid,
    parse_timestamp,
    text,
)
from chatport.imports.importers.hipchat.jsonstream import Element
from chatport.imports.importers.slack.records import ReaderRecord, problem

AVATAR_PREFIX = "data:image/png;base64,"
#: Base64 characters kept for an avatar (3 MiB of image). HipChat's are a few KiB; a larger one
#: would sit in the user document until pending-avatars caps it, so it is dropped here, with
#: a warning (security-reliability.md §1.7 item 8, attack 7.15).
AVATAR_MAX = 4 << 20
AVATAR_TOO_LONG = "importer-field-too-long"


def _body(element: Element, key: str, data_type: str, source: dict[str, Any]) -> Any:
    """The ``{"<key>": {...}}`` wrapper's body, or the error record standing for the entry."""
    if element.error is not None:
        return invalid(data_type, source, reason=element.error)
    value = element.value
    body = value.get(key) if isinstance(value, dict) else None
    if not isinstance(body, dict):
        return invalid(data_type, source, field=key)
    return body


def _finish(record: ReaderRecord, element: Element) -> ReaderRecord:
    if element.surrogates:
        record.warnings.append(problem(TEXT_INVALID_UNICODE))
    return record


def user_record(element: Element, source: dict[str, Any]) -> ReaderRecord:
    body = _body(element, "User", "user", source)
    if isinstance(body, ReaderRecord):
        return body
    uid = import_id(body.get("id"))
    if uid is None:
        return invalid("user", source, field="id")
    email = text(body.get("email"))
    data: dict[str, Any] = {"importIds": [uid], "emails": [email] if email else []}
    username = text(body.get("mention_name"))
    if username is not None:
        data["username"] = username
    name = text(body.get("name"))
    if name is not None:
        data["name"] = name
    avatar = text(body.get("avatar"))
    warnings: list[dict[str, Any]] = []
    if avatar is not None:
        compact = "".join(avatar.split())
        if len(compact) > AVATAR_MAX:
            warnings.append(problem(AVATAR_TOO_LONG, field="avatar", limit=AVATAR_MAX))
        else:
            data["avatarUrl"] = AVATAR_PREFIX + compact
    title = text(body.get("title"))
    if title is not None:
        data["bio"] = title
    if isinstance(body.get("is_deleted"), bool):
        data["deleted"] = body["is_deleted"]
    data["type"] = "user"
    return _finish(ReaderRecord("user", data, source, warnings=warnings), element)


def room_record(element: Element, source: dict[str, Any]) -> ReaderRecord:
    body = _body(element, "Room", "channel", source)
    if isinstance(body, ReaderRecord):
        return body
    rid = import_id(body.get("id"))
    if rid is None:
        return invalid("channel", source, field="id")
    members = body.get("members")
    if members is not None and not isinstance(members, list):
        return invalid("channel", source, field="members")
    data: dict[str, Any] = {"importIds": [rid]}
    name = body.get("name")
    if isinstance(name, str):
        data["name"] = name
    owner = import_id(body.get("owner"))
    if owner is not None:
        data["u"] = {"_id": owner}
    users = (import_id(m) for m in members or [])
    data["users"] = list(dict.fromkeys(u for u in users if u is not None))
    data["t"] = "p" if body.get("privacy") == "private" else "c"
    topic = text(body.get("topic"))
    if topic is not None:
        data["topic"] = topic
    created = parse_timestamp(body.get("created"))
    if created is not None:
        data["ts"] = created
    data["archived"] = body.get("is_archived") is True
    return _finish(ReaderRecord("channel", data, source), element)
