"""A HipChat export read as a stream: ``.tar.gz``, or ``.tar.gz.aes`` with the export password.

The archive is never extracted and never read backwards (security-reliability.md §1.6 items
11-14): every pass decompresses it front to back through :func:`iter_tar_gz`. Preparation makes
one full pass (:meth:`HipChatExport.scan`); the messages phase makes another
(:meth:`HipChatExport.messages`) and gets the same records in the same order, so its
``(member, index)`` checkpoints are stable: ``member`` counts history members in archive order,
``index`` counts the records of that member.

Each private message is in both users' files; the second copy is not a record. To drop it the
reader remembers a 16-byte digest of every private message id it has seen, and on a resumed
pass it re-reads (without yielding) the user histories before the checkpoint to rebuild that set.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, BinaryIO

from chatport.archives import ArchiveError, ArchiveLimits, display_name, iter_tar_gz
from chatport.archives.openssl_aes import SALTED_MAGIC, open_decrypted
from chatport.imports.importers.hipchat import history
from chatport.imports.importers.hipchat.entities import room_record, user_record
from chatport.imports.importers.hipchat.jsonstream import Element, iter_elements
from chatport.imports.importers.slack.records import ReaderRecord, problem

NAMESPACE = "hipchat:"
ENTRY_INVALID = "importer-entry-invalid"
_GZIP_MAGIC = b"\x1f\x8b"
_TICK_EVERY = 5000  # elements between lease renewals inside one member

#: (kind, id): ("users", None), ("rooms", None), ("room", <room id>), ("user", <user id>)
Member = tuple[str, str | None]


def classify(name: str) -> Member | None:
    """What a member is, by its last components; one leading folder is allowed (§5.1)."""
    parts = name.split("/")
    if len(parts) <= 2 and parts[-1] in ("users.json", "rooms.json"):
        return (parts[-1][:-5], None)
    if len(parts) in (3, 4) and parts[-1] == "history.json" and parts[-2]:
        if parts[-3] == "rooms":
            return ("room", parts[-2])
        if parts[-3] == "users":
            return ("user", parts[-2])
    return None


@dataclass
class Scan:
    """What preparation stages: users, channels (rooms, then DMs), and the message count."""

    users: list[ReaderRecord] = field(default_factory=list)
    channels: list[ReaderRecord] = field(default_factory=list)
    messages: int = 0


@dataclass
class _Pair:
    members: list[str]
    entry: str  # the history member holding the pair's first message
    ts: int | None = None


class HipChatExport:
    namespace = NAMESPACE

    def __init__(
        self,
        path: str | os.PathLike[str],
        password: str | None = None,
        limits: ArchiveLimits = ArchiveLimits(),
        tick: Callable[[], None] | None = None,
    ) -> None:
        """``tick`` is called between members and every few thousand entries, so a long pass
        (a resumed one re-reads everything before its checkpoint) can renew its lease."""
        self._path = path
        self._password = password
        self._limits = limits
        self._tick = tick
        self._labels: list[str] = []
        with open(path, "rb") as handle:
            head = handle.read(len(SALTED_MAGIC))
        if head.startswith(SALTED_MAGIC):
            if not password:
                raise ArchiveError(
                    "the export is encrypted (.tar.gz.aes): configure hipchat_export_password "
                    "(CHATPORT_HIPCHAT_EXPORT_PASSWORD) to import it"
                )
        elif not head.startswith(_GZIP_MAGIC):
            raise ArchiveError("not a tar.gz file")

    def close(self) -> None:
        """Nothing stays open between passes; here for the reader interface."""

    def __enter__(self) -> HipChatExport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def day_label(self, member: int) -> str:
        return self._labels[member]

    # --- passes ----------------------------------------------------------------------------

    def scan(self) -> Scan:
        """One full pass: user and room records, the DMs found, the number of messages."""
        result = Scan()
        pairs: dict[str, _Pair] = {}
        for kind, _member, _index, record in self._walk(True, (0, 0), pairs, self._tick):
            if kind == "users":
                result.users.append(record)
            elif kind == "rooms":
                result.channels.append(record)
            else:
                result.messages += 1
        for key, pair in pairs.items():
            data: dict[str, Any] = {"importIds": [key], "t": "d", "users": pair.members}
            if pair.ts is not None:
                data["ts"] = pair.ts
            result.channels.append(ReaderRecord("channel", data, {"entry": pair.entry}))
        return result

    def messages(
        self, start_member: int = 0, start_index: int = 0
    ) -> Iterator[tuple[int, int, ReaderRecord]]:
        """``(member, index, record)`` from ``(start_member, start_index)`` on."""
        for _kind, member, index, record in self._walk(
            False, (start_member, start_index), {}, self._tick
        ):
            yield member, index, record

    @contextmanager
    def _members(self, people: bool) -> Iterator[Iterator[tuple[str, BinaryIO]]]:
        def wanted(name: str) -> bool:
            found = classify(name)
            return found is not None and (people or found[1] is not None)

        with open(self._path, "rb") as handle:
            source: BinaryIO = handle
            if handle.read(len(SALTED_MAGIC)) == SALTED_MAGIC:
                handle.seek(0)
                source = open_decrypted(handle, self._password or "")
            else:
                handle.seek(0)
            members = iter_tar_gz(
                source,
                wanted,
                self._limits,
                member_cap=lambda _name: self._limits.max_streamed_member_bytes,
            )
            try:
                yield members
            finally:  # a pass abandoned half-way still closes the tar stream now
                close = getattr(members, "close", None)
                if close is not None:
                    close()

    def _walk(
        self,
        people: bool,
        start: tuple[int, int],
        pairs: dict[str, _Pair],
        tick: Callable[[], None] | None,
    ) -> Iterator[tuple[str, int, int, ReaderRecord]]:
        """``(kind, member, index, record)`` for every record at or after ``start``."""
        seen: set[bytes] = set()
        claimed: dict[Member, str] = {}
        self._labels = []
        with self._members(people) as members:
            for name, stream in members:
                found = classify(name)
                assert found is not None
                if found in claimed:
                    raise ArchiveError(
                        f"{display_name(name)}: the same history as {display_name(claimed[found])}"
                        if found[1] is not None
                        else f"{found[0]}.json appears twice"
                    )
                claimed[found] = name
                if tick is not None:
                    tick()
                kind, key = found
                if key is None:
                    data_type = "user" if kind == "users" else "channel"
                    for index, record in _records(stream, name, data_type, tick):
                        yield kind, -1, index, record
                    continue
                member = len(self._labels)
                self._labels.append(name)
                if kind == "room" and member < start[0]:
                    continue  # already converted; nothing in it matters to later members
                for index, record in self._history(stream, name, kind, key, seen, pairs, tick):
                    if (member, index) >= start:
                        yield kind, member, index, record

    def _history(
        self,
        stream: BinaryIO,
        name: str,
        kind: str,
        key: str,
        seen: set[bytes],
        pairs: dict[str, _Pair],
        tick: Callable[[], None] | None,
    ) -> Iterator[tuple[int, ReaderRecord]]:
        index = 0
        for item in iter_elements(stream, name):
            if tick is not None and index % _TICK_EVERY == _TICK_EVERY - 1:
                tick()
            if not isinstance(item, Element):
                yield index, _failed(name, item.reason)
                return
            source = {"entry": name, "index": item.index}
            if kind == "room":
                yield index, history.room_message(item, key, source)
                index += 1
                continue
            entry = history.private_entry(item, source)
            if entry.record is None:
                assert entry.message_id is not None and entry.body is not None
                digest = hashlib.blake2b(entry.message_id.encode(), digest_size=16).digest()
                if digest in seen:
                    continue  # the copy in the other user's history
                seen.add(digest)
                record, members = history.private_message(
                    entry.message_id, entry.body, item, source
                )
                if members is not None:
                    _note_pair(pairs, record, members, name)
            else:
                record = entry.record
            yield index, record
            index += 1


def _records(
    stream: BinaryIO, name: str, data_type: str, tick: Callable[[], None] | None
) -> Iterator[tuple[int, ReaderRecord]]:
    mapper = user_record if data_type == "user" else room_record
    for index, item in enumerate(iter_elements(stream, name)):
        if tick is not None and index % _TICK_EVERY == _TICK_EVERY - 1:
            tick()
        if not isinstance(item, Element):
            yield index, _failed(name, item.reason, data_type)
            return
        yield index, mapper(item, {"entry": name, "index": item.index})


def _failed(name: str, reason: str, data_type: str = "message") -> ReaderRecord:
    return ReaderRecord(data_type, {}, {"entry": name}, [problem(ENTRY_INVALID, reason=reason)])


def _note_pair(
    pairs: dict[str, _Pair], record: ReaderRecord, members: list[str], entry: str
) -> None:
    """The DM of a private message: created by its pair's first message, dated by its earliest."""
    key = record.data["rid"]
    pair = pairs.get(key)
    if pair is None:
        pair = pairs[key] = _Pair(members, entry)
    ts = record.data.get("ts")
    if isinstance(ts, int) and (pair.ts is None or ts < pair.ts):
        pair.ts = ts
