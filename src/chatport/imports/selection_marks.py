"""What the selection says about the workspace the import lands in (security A-8 row 8.8,
importers §1.8): users that will merge into an existing account, channels that cannot take
their name because a room of the other type holds it.

Read once per ``getImportFileData`` in chunks, so a 100,000-user export costs a few hundred
indexed queries, not one per record.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, select

from chatport.accounts import repository as accounts_repo
from chatport.db import tables
from chatport.imports.convert.rooms import KIND, free_name
from chatport.imports.convert.slugs import slugify

CHUNK = 500


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def mark_users(conn: Connection, items: list[dict[str, Any]]) -> None:
    """``is_email_taken`` for an email an account already has; ``existing_user`` (a chatport
    addition) names the account an item will merge into, by email or by username."""
    emails = [str(i["email"]).strip() for i in items if i.get("email")]
    names = [str(i["username"]) for i in items if i.get("username")]
    by_email: dict[str, str] = {}
    for chunk in _chunks(emails):
        for email, user in accounts_repo.users_by_emails(conn, chunk):
            by_email.setdefault(email, user.username or user.id)
    by_name: dict[str, str] = {}
    for chunk in _chunks(names):
        for lowered, user in accounts_repo.find_by_usernames(conn, chunk).items():
            by_name[lowered] = user.username or user.id
    for item in items:
        email = str(item.get("email") or "").strip().lower()
        taken = by_email.get(email) if email else None
        if taken is not None:
            item["is_email_taken"] = True
        match = taken or by_name.get(str(item.get("username") or "").lower())
        if match is not None:
            item["existing_user"] = match


def mark_channels(conn: Connection, items: list[dict[str, Any]]) -> None:
    """``name_conflict`` and ``imported_as`` (chatport additions) on a channel whose name an
    existing room of the other type holds: it is imported under a new name, never merged."""
    R = tables.rooms
    wanted = {
        slugify(str(i["name"]), str(i["channel_id"])): i
        for i in items
        if not i.get("is_direct") and isinstance(i.get("name"), str)
    }
    types: dict[str, set[str]] = {}
    for chunk in _chunks(list(wanted)):
        for name, fname, t in conn.execute(
            select(R.c.name, R.c.fname, R.c.t).where(R.c.name.in_(chunk) | R.c.fname.in_(chunk))
        ):
            for key in {name, fname} & set(chunk):
                types.setdefault(key, set()).add(t)
            if name in wanted:
                types.setdefault(f"name:{name}", set()).add(t)
    for slug, item in wanted.items():
        t = "p" if item.get("is_private") else "c"
        if t in types.get(slug, set()):
            continue  # merges into the room of its own type
        holders = types.get(f"name:{slug}")
        if not holders:
            continue
        kind = KIND.get(next(iter(holders)), "room")
        item["name_conflict"] = f"a {kind} #{slug} exists: rooms of another type are never merged"
        item["imported_as"] = free_name(conn, slug)
