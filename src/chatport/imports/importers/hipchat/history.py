"""Room and private history entries to message records (importers.md §5.3, §5.4).

Message ids are deterministic (``hipchatenterprise-<room>-user-<id>`` and friends), so a
re-import updates the same messages and adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chatport.imports.convert.html_text import html_to_markdown
from chatport.imports.importers.hipchat.fields import (
    INVALID_TIMESTAMP,
    SUBTYPE_IGNORED,
    TEXT_INVALID_UNICODE,
    import_id,
    invalid,
    parse_timestamp,
    text,
)
from chatport.imports.importers.hipchat.jsonstream import Element
from chatport.imports.importers.slack.records import ReaderRecord, problem

ROCKET_CAT = "rocket.cat"
PRIVATE = "PrivateUserMessage"
# Room history keys that become messages, and the id infix of each.
_ROOM_KINDS = {"UserMessage": "user", "NotificationMessage": "notif", "TopicRoomMessage": "topic"}


@dataclass(slots=True)
class Private:
    """A private message entry, split so the reader can drop the copy in the other user's file."""

    message_id: str | None
    body: dict[str, Any] | None
    record: ReaderRecord | None  # set when the entry is not a readable private message


def _entry(element: Element, source: dict[str, Any]) -> tuple[str, Any] | ReaderRecord:
    if element.error is not None:
        return invalid("message", source, reason=element.error)
    value = element.value
    if not isinstance(value, dict) or not value:
        return invalid("message", source, field="entry")
    return next(iter(value.items()))


def _skipped(kind: str, source: dict[str, Any]) -> ReaderRecord:
    return ReaderRecord(
        "message", {}, source, skip_reason=SUBTYPE_IGNORED, skip_details={"subtype": kind}
    )


def message_text(body: dict[str, Any]) -> str:
    """HTML bodies become markdown; ``/me`` becomes italics; anything else is kept verbatim."""
    raw = body.get("message")
    if not isinstance(raw, str):
        return ""
    if body.get("message_format") == "html":
        return html_to_markdown(raw)
    if raw.startswith("/me "):
        return f"_{raw[4:]}_"
    return raw


def _fill(
    data: dict[str, Any], body: dict[str, Any], element: Element, source: dict[str, Any]
) -> ReaderRecord:
    """Time, text and attachment, common to every kind of message."""
    record = ReaderRecord("message", data, source)
    ts = parse_timestamp(body.get("timestamp"))
    if ts is None:
        record.errors.append(problem(INVALID_TIMESTAMP))
        return record
    data["ts"] = ts
    data["msg"] = message_text(body)
    attachment = body.get("attachment")
    url = text(attachment.get("url")) if isinstance(attachment, dict) else None
    if isinstance(attachment, dict) and url is not None:
        name = text(attachment.get("name"))
        size = attachment.get("size")
        valid_size = isinstance(size, int) and not isinstance(size, bool) and size > 0
        import_file: dict[str, Any] = {
            "downloadUrl": url,
            "id": f"{data['_id']}-{name or 'attachment'}",
            "size": size if valid_size else 0,
        }
        if name is not None:
            import_file["name"] = name
        import_file.update(external=False, source="hipchat-enterprise", original=attachment)
        data["_hidden"] = True
        data["_importFile"] = import_file
    if element.surrogates:
        record.warnings.append(problem(TEXT_INVALID_UNICODE))
    return record


def room_message(element: Element, rid: str, source: dict[str, Any]) -> ReaderRecord:
    entry = _entry(element, source)
    if isinstance(entry, ReaderRecord):
        return entry
    kind, body = entry
    infix = _ROOM_KINDS.get(kind)
    if infix is None:
        return _skipped(kind, source)
    if not isinstance(body, dict):
        return invalid("message", source, field=kind)
    mid = import_id(body.get("id"))
    if mid is None:
        return invalid("message", source, field="id")
    data: dict[str, Any] = {"_id": f"hipchatenterprise-{rid}-{infix}-{mid}", "rid": rid}
    if infix == "notif":
        data["u"] = {"_id": ROCKET_CAT}
        alias = text(body.get("sender"))
        if alias is not None:
            data["alias"] = alias
    else:
        sender = body.get("sender")
        author = import_id(sender.get("id")) if isinstance(sender, dict) else None
        if author is None:
            return invalid("message", source, field="sender")
        data["u"] = {"_id": author}
    if infix == "topic":
        data["t"] = "room_changed_topic"
        data["groupable"] = False
    return _fill(data, body, element, source)


def private_entry(element: Element, source: dict[str, Any]) -> Private:
    """The entry's message id (for de-duplication) or the record it stands for."""
    entry = _entry(element, source)
    if isinstance(entry, ReaderRecord):
        return Private(None, None, entry)
    kind, body = entry
    if kind != PRIVATE:
        return Private(None, None, _skipped(kind, source))
    if not isinstance(body, dict):
        return Private(None, None, invalid("message", source, field=kind))
    mid = import_id(body.get("id"))
    if mid is None:
        return Private(None, None, invalid("message", source, field="id"))
    return Private(mid, body, None)


def pair_key(sender: str, receiver: str) -> tuple[str, list[str]]:
    """The DM's import id and members: the two ids sorted as strings, joined with ``-``."""
    a, b = sorted((sender, receiver))
    return f"{a}-{b}", list(dict.fromkeys((a, b)))


def private_message(
    message_id: str, body: dict[str, Any], element: Element, source: dict[str, Any]
) -> tuple[ReaderRecord, list[str] | None]:
    """The record, and the DM members when sender and receiver are known."""
    sender = body.get("sender")
    receiver = body.get("receiver")
    author = import_id(sender.get("id")) if isinstance(sender, dict) else None
    if author is None:
        return invalid("message", source, field="sender"), None
    partner = import_id(receiver.get("id")) if isinstance(receiver, dict) else None
    if partner is None:
        return invalid("message", source, field="receiver"), None
    rid, members = pair_key(author, partner)
    data: dict[str, Any] = {
        "_id": f"hipchatenterprise-private-{message_id}",
        "rid": rid,
        "u": {"_id": author},
    }
    return _fill(data, body, element, source), members
