"""The selection clients show (getImportFileData) and the rule that applies the choice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chatport.imports.staging import StagedRecord

DIRECT_MESSAGES = "__directMessages__"


def build(
    name: str,
    users: Iterable[StagedRecord],
    channels: Iterable[StagedRecord],
    message_count: int,
) -> dict[str, Any]:
    """rest-api §3.8. Records carrying a prepare error are counted but not listed."""
    user_items = []
    for rec in users:
        if rec.errors or rec.skipped:
            continue
        data = rec.data
        item: dict[str, Any] = {"user_id": rec.import_id}
        if data.get("username") is not None:
            item["username"] = data["username"]
        emails = data.get("emails") or []
        if emails:
            item["email"] = emails[0]
        item.update(
            {
                "is_deleted": bool(data.get("deleted")),
                "is_bot": data.get("type") == "bot",
                "do_import": True,
                "is_email_taken": False,
            }
        )
        user_items.append(item)
    channel_items = []
    has_direct = False
    for rec in channels:
        if rec.errors:
            continue
        data = rec.data
        if data.get("t") == "d":
            has_direct = True
            continue
        channel_items.append(
            {
                "channel_id": rec.import_id,
                "name": data.get("name"),
                "is_archived": bool(data.get("archived")),
                "do_import": True,
                "is_private": data.get("t") == "p",
                "is_direct": False,
            }
        )
    if has_direct:
        channel_items.append(
            {
                "channel_id": DIRECT_MESSAGES,
                "name": "Direct Messages",
                "is_archived": False,
                "do_import": True,
                "is_private": True,
                "is_direct": True,
            }
        )
    return {
        "name": name,
        "users": user_items,
        "channels": channel_items,
        "message_count": message_count,
        "contacts": [],
    }


@dataclass(frozen=True)
class Choice:
    """One kind's choice: everything, nothing, or the listed import ids."""

    all: bool = False
    ids: frozenset[str] = frozenset()

    def includes(self, import_id: str | None) -> bool:
        return self.all or (import_id is not None and import_id in self.ids)


@dataclass(frozen=True)
class Selection:
    users: Choice = Choice()
    channels: Choice = Choice()
    contacts: Choice = Choice()

    def includes_channel(self, import_id: str | None, is_direct: bool) -> bool:
        if is_direct:
            return self.channels.includes(DIRECT_MESSAGES)
        return self.channels.includes(import_id)

    def to_json(self) -> dict[str, Any]:
        return {
            kind: {"all": choice.all, "list": sorted(choice.ids)}
            for kind, choice in (
                ("users", self.users),
                ("channels", self.channels),
                ("contacts", self.contacts),
            )
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Selection:
        def one(kind: str) -> Choice:
            raw = data.get(kind) or {}
            return Choice(bool(raw.get("all")), frozenset(raw.get("list") or []))

        return cls(one("users"), one("channels"), one("contacts"))

    @classmethod
    def everything(cls) -> Selection:
        return cls(Choice(True), Choice(True), Choice(True))


def _choice(raw: Any, id_key: str) -> Choice:
    if isinstance(raw, list):  # pre-7.0 form: items with do_import
        chosen = {
            str(item[id_key])
            for item in raw
            if isinstance(item, dict) and item.get("do_import") and item.get(id_key) is not None
        }
        return Choice(False, frozenset(chosen))
    if isinstance(raw, dict):
        listed = raw.get("list")
        items = frozenset(str(i) for i in listed) if isinstance(listed, list) else frozenset()
        return Choice(raw.get("all") is True, items)
    return Choice()


def from_input(data: Mapping[str, Any]) -> Selection:
    """startImport's ``input`` (7.0+ form, or the pre-7.0 arrays of items)."""
    return Selection(
        users=_choice(data.get("users"), "user_id"),
        channels=_choice(data.get("channels"), "channel_id"),
        contacts=_choice(data.get("contacts"), "id"),
    )
