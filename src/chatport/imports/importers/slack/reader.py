"""The Slack export reader: a zip in, records out (importers.md §2).

It knows nothing of the database: records carry Slack import ids and the converters resolve
them. Every pass is deterministic (members in name order, elements in array order), so the
conversion can checkpoint at ``(member position, record position)`` and resume exactly with
:meth:`SlackExport.messages`.

Reading never extracts: members are read through :class:`SafeZip` counting readers with the
limits of security-reliability.md §1.6–§1.7. A top-level file or day file that does not parse
becomes one error record; an unusable archive raises :class:`ArchiveError`.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator
from types import TracebackType
from typing import Any

from chatport.archives import ArchiveError, ArchiveLimits, SafeZip

from . import records as codes
from .channels import channel_record
from .jsonread import Element, MemberFailure, iter_member
from .layout import CONVERSATION_FILES, ORG_USERS, USERS, Layout, scan_layout
from .messages import MessageMapper
from .records import ReaderRecord, problem
from .users import GUEST_MODES, UserIndex, user_record

__all__ = ["ArchiveError", "SlackExport"]

_KINDS = {name: name.removesuffix(".json") for name in CONVERSATION_FILES}


def _failure_record(data_type: str, member: str, failure: MemberFailure) -> ReaderRecord:
    details: dict[str, Any] = {"reason": failure.reason}
    if failure.line is not None:
        details["line"] = failure.line
    return ReaderRecord(data_type, {}, {"entry": member}, [problem(codes.ENTRY_INVALID, **details)])


def _with_element_warnings(record: ReaderRecord, element: Element) -> ReaderRecord:
    if element.surrogates:
        record.warnings.append(problem(codes.TEXT_INVALID_UNICODE))
    return record


class SlackExport:
    """A Slack export zip opened for reading.

    ``dm_max_users`` is Rocket.Chat's ``DirectMesssage_maxUsers`` (a falsy value means 1): a
    multi-party DM with more members becomes a private group. ``guests`` is
    ``import_slack_guests`` (``guest``, ``user`` or ``skip``, §8). ``max_message_length`` is
    ``import_max_message_length``: a longer converted text is split into parts (§8); 0 is off.
    ``trusted`` names day files an earlier pass over this same archive proved safe to parse
    with orjson alone (:attr:`proven_members` of the counting pass).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        dm_max_users: int = 8,
        guests: str = "guest",
        max_message_length: int = 0,
        limits: ArchiveLimits = ArchiveLimits(),
        trusted: Collection[str] = (),
    ) -> None:
        if guests not in GUEST_MODES:
            raise ValueError(f"guests must be one of {', '.join(GUEST_MODES)}")
        self.dm_max_users = dm_max_users or 1
        self.guests = guests
        self.max_message_length = max(0, max_message_length)
        self.limits = limits
        self.trusted = frozenset(trusted)
        #: Day files the counting pass proved safe for a plain parse, in member order.
        self.proven_members: list[str] = []
        self._zip = SafeZip(path, limits)
        try:
            self.layout: Layout = scan_layout(self._zip.names())
        except BaseException:
            self._zip.close()
            raise
        self._index: UserIndex | None = None
        self._conversations: list[ReaderRecord] | None = None
        self._folders: dict[str, str] | None = None
        self._channel_names: dict[str, str] = {}
        self._mapper: MessageMapper | None = None
        self._count: int | None = None
        self._bots: list[ReaderRecord] | None = None

    # -- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SlackExport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- users -----------------------------------------------------------------------------

    @property
    def users_member(self) -> str | None:
        """``users.json``, else ``org_users.json`` (Enterprise Grid), else None."""
        top = self.layout.top_level
        return top.get(USERS) or top.get(ORG_USERS)

    def users(self) -> Iterator[ReaderRecord]:
        """One record per users.json element, in file order (§2.3); synthetic bots are in
        :meth:`bot_users`."""
        member = self.users_member
        if member is None:
            return
        for item in iter_member(self._zip, member, self.limits):
            if isinstance(item, MemberFailure):
                yield _failure_record("user", member, item)
                continue
            source = {"entry": member, "index": item.index}
            if item.error is not None:
                record = ReaderRecord(
                    "user", {}, source, [problem(codes.RECORD_INVALID, reason=item.error)]
                )
            else:
                record = user_record(item.value, source, self.guests)
            yield _with_element_warnings(record, item)

    def _user_index(self) -> UserIndex:
        if self._index is None:
            index = UserIndex()
            member = self.users_member
            if member is not None:
                for item in iter_member(self._zip, member, self.limits):
                    if isinstance(item, Element) and item.error is None:
                        index.add(item.value)
            self._index = index
        return self._index

    @property
    def namespace(self) -> str:
        """``slack:<enterprise_id, else the most frequent team_id, else empty>`` (§1.11)."""
        return self._user_index().namespace()

    # -- channels --------------------------------------------------------------------------

    def _conversation_records(self) -> list[ReaderRecord]:
        if self._conversations is None:
            out: list[ReaderRecord] = []
            for filename in CONVERSATION_FILES:
                member = self.layout.top_level.get(filename)
                if member is None:
                    continue
                kind = _KINDS[filename]
                for item in iter_member(self._zip, member, self.limits):
                    if isinstance(item, MemberFailure):
                        out.append(_failure_record("channel", member, item))
                        continue
                    source = {"entry": member, "index": item.index}
                    if item.error is not None:
                        record = ReaderRecord(
                            "channel",
                            {},
                            source,
                            [problem(codes.RECORD_INVALID, reason=item.error)],
                        )
                    else:
                        record = channel_record(item.value, source, kind, self.dm_max_users)
                    out.append(_with_element_warnings(record, item))
            self._conversations = out
        return self._conversations

    def channels(self) -> Iterator[ReaderRecord]:
        """channels.json, groups.json, mpims.json, dms.json records, in that order (§2.4)."""
        for record in self._conversation_records():
            # Callers may annotate records; hand out copies of the cached ones' containers.
            yield ReaderRecord(
                record.data_type,
                record.data,
                record.source,
                list(record.errors),
                list(record.warnings),
                record.skip_reason,
                record.skip_details,
            )

    def _folder_map(self) -> dict[str, str]:
        """Day-file folder -> channel import id: by name, else by import id (§2.2 step 2)."""
        if self._folders is None:
            by_name: dict[str, str] = {}
            by_id: dict[str, str] = {}
            names: dict[str, str] = {}
            for record in self._conversation_records():
                ids = record.data.get("importIds")
                if not ids:
                    continue
                cid = ids[0]
                name = record.data.get("name")
                if isinstance(name, str) and name:
                    by_name.setdefault(name, cid)
                    names.setdefault(cid, name)
                for import_id in ids:
                    by_id.setdefault(import_id, cid)
            folders = dict(by_id)
            folders.update(by_name)
            self._folders = folders
            self._channel_names = names
        return self._folders

    # -- messages --------------------------------------------------------------------------

    def message_members(self) -> list[str]:
        """Day files (``<folder>/<YYYY-MM-DD>.json``) in the order messages are read."""
        return [member for member, _folder in self.layout.day_files]

    def day_file_bytes(self, start_member: int = 0) -> int:
        """Compressed size of the day files from ``start_member`` on: how much reading is left."""
        return sum(
            self._zip.compressed_size(member) for member, _ in self.layout.day_files[start_member:]
        )

    def day_file_sizes(self, start_member: int = 0) -> list[int]:
        """Compressed size of each day file from ``start_member`` on (work estimates)."""
        return [self._zip.compressed_size(m) for m, _ in self.layout.day_files[start_member:]]

    def day_label(self, position: int) -> str:
        """``<folder>/<date>`` of a day file, for ``messagesstatus`` (§2.2 step 3)."""
        member, folder = self.layout.day_files[position]
        return folder + "/" + member.rsplit("/", 1)[1].removesuffix(".json")

    def skipped_members(self) -> list[str]:
        """Members that are neither top-level files, day files nor uploads."""
        return list(self.layout.skipped)

    def _message_mapper(self) -> MessageMapper:
        if self._mapper is None:
            self._folder_map()  # fills the channel names rule 10 needs
            self._mapper = MessageMapper(
                self._user_index(),
                self._channel_names,
                self.layout.uploads,
                self.max_message_length,
            )
        return self._mapper

    def count_member(self, position: int) -> tuple[int, list[tuple[str, ReaderRecord]], bool]:
        """Message records of one day file, the synthetic bots first seen there by this
        reader (``(import id, record)``), and whether its parse was proven safe for a plain
        parse. Members are independent, so day files can be counted apart (in parallel) and
        merged in order with :meth:`adopt_scan`."""
        mapper = self._message_mapper()
        member, folder = self.layout.day_files[position]
        cid = self._folder_map().get(folder)
        known = len(mapper.synthetic_bots)
        total = 0
        proven: set[str] = set()
        count = mapper.count_element
        for item in iter_member(self._zip, member, self.limits, proven=proven):
            if isinstance(item, MemberFailure):
                total += 1
                continue
            total += count(item.value, cid, item.error, member, item.index)
        found = list(mapper.synthetic_bots.items())[known:]  # dicts keep insertion order
        return total, found, member in proven

    def adopt_scan(
        self, counts: Iterable[tuple[int, list[tuple[str, ReaderRecord]], bool]]
    ) -> None:
        """Take per-member :meth:`count_member` results, in member order, as this reader's
        count, synthetic bots (each bot as first seen in member order) and proven members."""
        total = 0
        bots: dict[str, ReaderRecord] = {}
        proven: list[str] = []
        for position, (count, found, safe) in enumerate(counts):
            total += count
            for import_id, record in found:
                bots.setdefault(import_id, record)
            if safe:
                proven.append(self.layout.day_files[position][0])
        self._count = total
        self._bots = list(bots.values())
        self.proven_members = proven

    def _scan(self) -> None:
        self.adopt_scan(self.count_member(p) for p in range(len(self.layout.day_files)))

    def count_messages(self) -> int:
        """The number of message records :meth:`messages` yields (errors and skips included),
        in one pass that parses day files but builds no records. Cached."""
        if self._count is None:
            self._scan()
        assert self._count is not None
        return self._count

    def bot_users(self) -> list[ReaderRecord]:
        """Synthetic bot users (§2.5), each once, in first-seen order; needs a full pass over
        the day files (shared with :meth:`count_messages`)."""
        if self._bots is None:
            self._scan()
        assert self._bots is not None
        return list(self._bots)

    def messages(
        self, start_member: int = 0, start_index: int = 0, stop_member: int | None = None
    ) -> Iterator[tuple[int, int, ReaderRecord]]:
        """``(member position, record position in member, record)``, in reading order.

        The member position indexes :meth:`message_members`; the record position counts every
        record of that member from 0 (an element gives its message record, then its file
        records). ``messages(p, i)`` starts exactly at that record: to resume after a
        checkpoint at ``(p, i)``, call ``messages(p, i + 1)``. ``stop_member`` (exclusive)
        ends the pass early: one member is ``messages(p, i, p + 1)``.
        """
        if start_member < 0 or start_index < 0:
            raise ValueError("start positions must be non-negative")
        mapper = self._message_mapper()
        folders = self._folder_map()
        day_files = self.layout.day_files
        stop = len(day_files) if stop_member is None else min(stop_member, len(day_files))
        for position in range(start_member, stop):
            member, folder = day_files[position]
            cid = folders.get(folder)
            skip_until = start_index if position == start_member else 0
            seq = 0
            for item in iter_member(self._zip, member, self.limits, trusted=self.trusted):
                if isinstance(item, MemberFailure):
                    if seq >= skip_until:
                        yield position, seq, _failure_record("message", member, item)
                    seq += 1
                    continue
                if seq < skip_until:
                    produced = mapper.count(item.value, cid, item.error, member, item.index)
                    if seq + produced <= skip_until:
                        seq += produced
                        continue
                built = mapper.records(
                    item.value, member, item.index, cid, folder, item.error, item.surrogates
                )
                for record in built:
                    if seq >= skip_until:
                        yield position, seq, record
                    seq += 1
