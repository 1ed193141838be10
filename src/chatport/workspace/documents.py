"""The Rocket.Chat document shapes: how documents are normalised for storage and rendered.

Documents are stored as Rocket.Chat shapes them (``spec/importers.md`` §1.13) with one
difference: instants are integer epoch milliseconds, so they compare and sort exactly on both
backends.  Writers accept milliseconds, ``datetime`` or ISO-8601 strings for the instant fields
named here and store milliseconds; readers render them as Rocket.Chat sends dates
(``2023-08-11T20:08:37.655Z``).  Absent values are omitted, never stored as ``null`` or as an
empty list (§1.13): :func:`compact` enforces that at the one place every writer passes through.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from chatport.clock import iso_ms

# Tuples, not ``list | dict``: a union is built anew at every call on these hot paths.
_CONTAINERS: Final = (list, dict)

# Top-level fields holding instants, per collection.
MESSAGE_INSTANTS: Final = ("ts", "editedAt", "tlm", "pinnedAt", "_updatedAt")
ROOM_INSTANTS: Final = ("ts", "lm", "_updatedAt")
SUBSCRIPTION_INSTANTS: Final = ("ts", "ls", "lr", "_updatedAt")
UPLOAD_INSTANTS: Final = ("uploadedAt", "_updatedAt")

# Never sent by the read API: Rocket.Chat's ``API.v1.defaultFieldsToExclude`` for rooms, and a
# message's ``_importFile`` (its URL may carry a source token; importers.md §1.13).
ROOM_API_EXCLUDED: Final = frozenset({"joinCode", "members", "importIds", "e2e"})
MESSAGE_API_EXCLUDED: Final = frozenset({"_importFile"})

# ``rooms.adminRooms`` projects rooms to these fields (upstream ``lib/rooms/adminFields.ts``).
ADMIN_ROOM_FIELDS: Final = (
    "_id",
    "prid",
    "fname",
    "name",
    "t",
    "cl",
    "u",
    "usernames",
    "usersCount",
    "muted",
    "unmuted",
    "ro",
    "reactWhenReadOnly",
    "default",
    "favorite",
    "featured",
    "topic",
    "msgs",
    "archived",
    "teamId",
    "teamMain",
    "announcement",
    "description",
    "broadcast",
    "uids",
    "avatarETag",
    "federated",
    "ts",
)


def to_ms(value: Any) -> int:
    """An instant as epoch milliseconds, from milliseconds, an aware ``datetime`` or ISO text.

    Converters hold instants in different forms (Slack's ``"1503435956.000247"`` has been
    turned into milliseconds by then, CSV gives milliseconds, HipChat gives ISO text); taking
    all three here keeps the storage form single.  Anything else is a programming error.
    """
    if isinstance(value, bool):
        raise TypeError("an instant cannot be a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(aware.timestamp() * 1000)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return to_ms(parsed)
    raise TypeError(f"not an instant: {value!r}")


def compact(doc: Mapping[str, Any], keep_empty: Iterable[str] = ()) -> dict[str, Any]:
    """Drop top-level ``None`` values and empty lists/objects, except the fields in ``keep_empty``.

    Rocket.Chat 7.x stored ``null`` for undefined fields, and ``tmid: null`` hid messages from
    history (issue #37058); so nothing absent is ever written, whatever a caller passes.
    """
    keep = set(keep_empty)
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if value is None:
            continue
        if isinstance(value, _CONTAINERS) and not value and key not in keep:
            continue
        out[key] = value
    return out


def store_instants(doc: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """A copy of ``doc`` with the named instant fields as milliseconds."""
    out = dict(doc)
    for key in fields:
        if key in out:
            out[key] = to_ms(out[key])
    return out


def render_instants(doc: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """A copy of ``doc`` with the named millisecond fields as Rocket.Chat's ISO dates."""
    out = dict(doc)
    for key in fields:
        value = out.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            out[key] = iso_ms(value)
    return out


def render_message(
    message_id: str, doc: Mapping[str, Any], updated_at: int | None
) -> dict[str, Any]:
    """A stored message as the read API sends it: dates rendered, ``_importFile`` removed."""
    out: dict[str, Any] = {"_id": message_id}
    for key, value in render_instants(doc, MESSAGE_INSTANTS).items():
        if key in MESSAGE_API_EXCLUDED or key == "_id":
            continue
        out[key] = value
    if updated_at is not None:
        out["_updatedAt"] = iso_ms(updated_at)
    return out


def render_nested_message(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A message kept inside another document (a room's ``lastMessage``), rendered."""
    doc = dict(stored)
    message_id = str(doc.pop("_id", ""))
    updated = doc.pop("_updatedAt", None)
    return render_message(message_id, doc, updated if isinstance(updated, int) else None)


def project(doc: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Only the listed fields, in the listed order (a Mongo inclusion projection)."""
    return {key: doc[key] for key in fields if key in doc}
