"""channels.json, groups.json, mpims.json and dms.json to channel records (importers.md §2.4)."""

from __future__ import annotations

from typing import Any

from chatport.imports.convert.text import decode_entities, map_user_id

from . import records as codes
from .fields import Invalid, opt_bool, opt_dict, opt_list, opt_str, parse_ts, seconds, user_ids
from .records import ReaderRecord, problem

#: ``created`` before 2013-01-01 is a placeholder (``1``), not a date.
MIN_CREATED = 1_356_998_400


def _text_value(channel: dict[str, Any], key: str) -> str | None:
    holder = opt_dict(channel, key)
    if holder is None:
        return None
    value = opt_str(holder, "value", f"{key}.value")
    return decode_entities(value) if value else None


def _created_ms(channel: dict[str, Any]) -> int | None:
    """``created`` in ms; a value that is no time at all (negative, not a number) makes the
    record invalid (security A-7 row 7.7), a placeholder before 2013 is ignored."""
    raw = channel.get("created")
    if raw is None:
        return None
    created = seconds(raw)
    if created is None or created < 0:
        raise Invalid("created")
    if created < MIN_CREATED:
        return None
    return created * 1000


def _pins(channel: dict[str, Any], channel_id: str) -> list[dict[str, Any]]:
    """channels.json ``pins[]`` (§8): message pins as ``{_id, pinnedAt?, pinnedBy?}``."""
    pins = channel.get("pins")
    result: list[dict[str, Any]] = []
    if not isinstance(pins, list):
        return result
    for pin in pins:
        if not isinstance(pin, dict) or pin.get("type", "C") != "C":
            continue
        parsed = parse_ts(pin.get("id"))
        if parsed is None:
            continue
        entry: dict[str, Any] = {"_id": f"slack-{channel_id}-{parsed[0].replace('.', '-')}"}
        created = seconds(pin.get("created"))
        if created is not None and created >= MIN_CREATED:
            entry["pinnedAt"] = created * 1000
        user = pin.get("user")
        if isinstance(user, str) and user:
            entry["pinnedBy"] = map_user_id(user)
        result.append(entry)
    return result


def channel_data(channel: dict[str, Any], kind: str, dm_max_users: int) -> dict[str, Any]:
    """The IImportChannel dict; ``kind`` is the file: channels, groups, mpims or dms."""
    channel_id = opt_str(channel, "id")
    if not channel_id:
        raise Invalid("id")
    members = user_ids(opt_list(channel, "members"), "members")
    data: dict[str, Any] = {"importIds": [channel_id]}
    if kind == "dms":
        data["t"] = "d"
    elif kind == "mpims":
        data["t"] = "d" if len(members) <= dm_max_users else "p"
    else:
        data["t"] = "c" if kind == "channels" else "p"
    name = opt_str(channel, "name")
    if kind != "dms":
        if name:
            data["name"] = name
        creator = opt_str(channel, "creator")
        if creator:
            data["u"] = {"_id": map_user_id(creator)}
    data["users"] = members
    if kind != "dms":
        topic = _text_value(channel, "topic")
        if topic:
            data["topic"] = topic
        purpose = _text_value(channel, "purpose")
        if purpose:
            data["description"] = purpose
    created = _created_ms(channel)
    if created is not None:
        data["ts"] = created
    archived = opt_bool(channel, "is_archived")
    if archived is not None and kind != "dms":
        data["archived"] = archived
    if kind == "channels" and channel.get("is_general") is True:
        data["_id"] = "general"
    pins = _pins(channel, channel_id)
    if pins:
        data["_pins"] = pins
    return data


def channel_record(
    value: Any, source: dict[str, Any], kind: str, dm_max_users: int
) -> ReaderRecord:
    if not isinstance(value, dict):
        return ReaderRecord("channel", {}, source, [problem(codes.RECORD_INVALID, field="")])
    try:
        data = channel_data(value, kind, dm_max_users)
    except Invalid as exc:
        partial: dict[str, Any] = {}
        raw_id = value.get("id")
        if isinstance(raw_id, str) and raw_id:
            partial["importIds"] = [raw_id]
        return ReaderRecord(
            "channel", partial, source, [problem(codes.RECORD_INVALID, field=exc.field)]
        )
    return ReaderRecord("channel", data, source)
