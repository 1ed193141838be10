"""Channel records to rooms and subscriptions (importers §1.8).

Matching never changes an existing room's type or members (unless configured); a new room
gets its creator as owner and its resolvable members subscribed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from chatport.db import tables
from chatport.imports.convert.caps import FieldCaps
from chatport.imports.convert.lookups import UserLookup
from chatport.imports.convert.slugs import slugify
from chatport.workspace import rooms as rooms_repo
from chatport.workspace import subscriptions as subs
from chatport.workspace.subscriptions import Member


@dataclass
class RoomOptions:
    namespace: str
    starter: Member
    dm_max_users: int = 8
    add_members_to_existing: bool = False
    caps: FieldCaps = field(default_factory=FieldCaps)


@dataclass
class RoomOutcome:
    state: str  # "done" | "error"
    room_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def _error(code: str, **details: Any) -> RoomOutcome:
    problem: dict[str, Any] = {"message": code}
    if details:
        problem["details"] = details
    return RoomOutcome("error", errors=[problem])


def _bound_elsewhere(conn: Connection, room_id: str, namespace: str, own: list[str]) -> bool:
    """True when another record of this source already created or matched the room."""
    RI = tables.room_import_ids
    rows = conn.execute(
        select(RI.c.import_id).where(RI.c.room_id == room_id, RI.c.namespace == namespace)
    )
    return any(import_id not in own for (import_id,) in rows)


def free_name(conn: Connection, slug: str) -> str:
    n = 2
    while rooms_repo.find_by_name(conn, f"{slug}-{n}") is not None:
        n += 1
    return f"{slug}-{n}"


KIND = {"c": "public channel", "p": "private group"}


def _rename_reason(conn: Connection, slug: str, same_type: rooms_repo.RoomRow | None) -> str:
    """Why a channel record was given a new name: said on the record and the prepare page."""
    if same_type is not None:
        return f"#{slug} was already imported from another record of this import"
    taken = rooms_repo.find_by_name(conn, slug)
    kind = KIND.get(taken.t, "room") if taken is not None else "room"
    return f"a {kind} #{slug} exists: rooms of another type are never merged"


def convert_room(
    conn: Connection, data: dict[str, Any], users: UserLookup, options: RoomOptions, now: int
) -> RoomOutcome:
    import_ids = [str(i) for i in data.get("importIds") or [] if i]
    if not import_ids:
        return _error("importer-channel-missing-import-id")
    t = data.get("t")
    if t not in ("c", "p", "d"):
        return _error("importer-record-invalid", field="t")
    name = data.get("name") if isinstance(data.get("name"), str) else None
    if t != "d" and not (name and name.strip()):
        return _error("importer-channel-missing-name")
    too_long = options.caps.room(data)
    if too_long is not None:
        return RoomOutcome("error", errors=[too_long])
    warnings: list[dict[str, Any]] = []
    member_ids = [str(u) for u in data.get("users") or [] if isinstance(u, str)]
    resolved = [users.get(u) for u in member_ids]
    missing = [u for u, m in zip(member_ids, resolved, strict=True) if m is None]
    members = list({m.id: m for m in resolved if m is not None}.values())

    existing = None
    for import_id in import_ids:
        existing = rooms_repo.find_by_import_id(conn, options.namespace, import_id)
        if existing:
            break
    if existing is None and str(data.get("_id", "")).upper() == "GENERAL":
        existing = rooms_repo.ensure_general(conn, now)
    if t == "d":
        if missing:
            return _error("importer-channel-missing-users", members=missing)
        if len(members) > max(1, options.dm_max_users):
            return _error("importer-channel-insert-failed", reason="too many members")
        if existing is None:
            existing = rooms_repo.find_direct(conn, [m.id for m in members])
        if existing is not None:
            rooms_repo.add_import_ids(conn, existing.id, options.namespace, import_ids, now=now)
            return RoomOutcome("done", existing.id)
        return _new_direct(conn, data, members, import_ids, options, now)

    assert name is not None
    slug = slugify(name, import_ids[0])
    rename_to: str | None = None
    rename_reason: str | None = None
    rebind = False
    if existing is not None and existing.t != t:
        # A mapped or general room of the other type: merging would change who reads what.
        existing, rebind = None, True
    if existing is None:
        candidate = rooms_repo.find_by_name_or_fname(conn, slug, t=t)
        if candidate is not None and not _bound_elsewhere(
            conn, candidate.id, options.namespace, import_ids
        ):
            existing = candidate
        elif rooms_repo.find_by_name(conn, slug) is not None:
            rename_to = free_name(conn, slug)
            rename_reason = _rename_reason(conn, slug, candidate)
    if missing:
        warnings.append(
            {"message": "importer-channel-member-not-found", "details": {"members": missing}}
        )
    if existing is not None:
        return _update_existing(
            conn, existing, data, members, import_ids, slug, options, warnings, now
        )
    final_name = rename_to or slug
    if final_name != name:
        details: dict[str, Any] = {"original": name}
        if rename_reason:
            details["reason"] = rename_reason
        warnings.append({"message": "importer-channel-name-normalised", "details": details})
    outcome = _new_channel(
        conn, data, t, final_name, name, members, users, import_ids, options, warnings, now
    )
    if rebind and outcome.room_id is not None:
        rooms_repo.rebind_import_ids(conn, outcome.room_id, options.namespace, import_ids, now=now)
    return outcome


def _new_channel(
    conn: Connection,
    data: dict[str, Any],
    t: str,
    name: str,
    original: str,
    members: list[Member],
    users: UserLookup,
    import_ids: list[str],
    options: RoomOptions,
    warnings: list[dict[str, Any]],
    now: int,
) -> RoomOutcome:
    u = data.get("u") if isinstance(data.get("u"), dict) else {}
    creator = options.starter
    found = users.get(u.get("_id")) if u else None
    if found is None:
        warnings.append({"message": "importer-channel-creator-not-found"})
    else:
        creator = found
    doc: dict[str, Any] = {
        "t": t,
        "name": name,
        "fname": original,
        "u": {"_id": creator.id, "username": creator.username},
        "default": False,
        "ro": False,
        "sysMes": True,
        "importIds": import_ids,
    }
    for key in ("topic", "description"):
        if isinstance(data.get(key), str) and data[key]:
            doc[key] = data[key]
    if data.get("archived") is True:
        doc["archived"] = True
    if isinstance(data.get("ts"), int):
        doc["ts"] = data["ts"]
    room = rooms_repo.insert_room(conn, doc, now=now)
    rooms_repo.add_import_ids(conn, room.id, options.namespace, import_ids, now=now)
    everyone = [creator, *[m for m in members if m.id != creator.id]]
    subs.add_members(conn, room, everyone, now=now, owner_id=creator.id)
    return RoomOutcome("done", room.id, warnings=warnings)


def _new_direct(
    conn: Connection,
    data: dict[str, Any],
    members: list[Member],
    import_ids: list[str],
    options: RoomOptions,
    now: int,
) -> RoomOutcome:
    ordered = sorted(members, key=lambda m: m.id)
    doc: dict[str, Any] = {
        "t": "d",
        "usernames": [m.username for m in members],
        "uids": [m.id for m in ordered],
        "importIds": import_ids,
    }
    if len(ordered) == 2:
        doc["_id"] = ordered[0].id + ordered[1].id
    if isinstance(data.get("ts"), int):
        doc["ts"] = data["ts"]
    room = rooms_repo.insert_room(conn, doc, now=now)
    rooms_repo.add_import_ids(conn, room.id, options.namespace, import_ids, now=now)
    subs.add_members(conn, room, members, now=now)
    return RoomOutcome("done", room.id)


def _update_existing(
    conn: Connection,
    room: rooms_repo.RoomRow,
    data: dict[str, Any],
    members: list[Member],
    import_ids: list[str],
    slug: str,
    options: RoomOptions,
    warnings: list[dict[str, Any]],
    now: int,
) -> RoomOutcome:
    fields: dict[str, Any] = {}
    if isinstance(data.get("ts"), int):
        fields["ts"] = data["ts"]
    for key in ("topic", "description"):
        if isinstance(data.get(key), str) and data[key]:
            fields[key] = data[key]
    renamed = slug != room.name and rooms_repo.find_by_name(conn, slug) is None
    if room.id == rooms_repo.GENERAL_ID and renamed:
        fields.update({"name": slug, "fname": data.get("name") or slug})
        subs.update_room_subscriptions(
            conn, room.id, {"name": slug, "fname": data.get("name") or slug}, now=now
        )
    if data.get("archived") is True:
        fields["archived"] = True
    if fields:
        room = rooms_repo.update_room(conn, room.id, set_fields=fields, now=now)
    if data.get("archived") is True:
        subs.set_archived(conn, room.id, True, now=now)
    rooms_repo.add_import_ids(conn, room.id, options.namespace, import_ids, now=now)
    current = set(subs.room_member_ids(conn, room.id))
    absent = [m for m in members if m.id not in current]
    if absent:
        if options.add_members_to_existing or room.doc.get("default") is True:
            subs.add_members(conn, room, absent, now=now)
        else:
            warnings.append({"message": "importer-channel-existing-members-not-added"})
    return RoomOutcome("done", room.id, warnings=warnings)
