"""Per-day-file work of a Slack import, run in :class:`~chatport.jobs.member_pool.MemberPool`
children: counting at preparation, reading and converting at import.

Everything a child needs travels in a small picklable spec; the child opens the archive
itself and, for conversion, its own read-only database connection for the lookups. What comes
back is what the one-process loop would compute at the same position, so the parent's batches,
checkpoints and counts are the same either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chatport.db.engine import make_engine
from chatport.gc_tuning import tune_for_imports
from chatport.imports.convert.caps import FieldCaps
from chatport.imports.convert.lookups import RoomLookup, UserLookup
from chatport.imports.convert.messages import MessageConverter
from chatport.imports.importers.slack.reader import SlackExport
from chatport.imports.phases.message_outcomes import Outcome, classify

#: Records per message sent back to the parent at a time.
CHUNK = 500


@dataclass(frozen=True)
class ReaderSpec:
    archive: str
    dm_max_users: int
    guests: str
    max_message_length: int
    #: Day files preparation proved safe for a plain parse (``SlackExport(trusted=...)``).
    trusted: frozenset[str] = frozenset()

    def open(self) -> SlackExport:
        return SlackExport(
            self.archive,
            dm_max_users=self.dm_max_users,
            guests=self.guests,
            max_message_length=self.max_message_length,
            trusted=self.trusted,
        )


@dataclass(frozen=True)
class ConvertSpec:
    reader: ReaderSpec
    database_url: str
    namespace: str
    unselected: frozenset[str]
    caps: FieldCaps = FieldCaps()


def open_reader(spec: ReaderSpec) -> SlackExport:
    tune_for_imports()
    return spec.open()


def count_task(export: SlackExport, member: int, _start: int) -> Iterator[Any]:
    yield export.count_member(member)


@dataclass
class _ConvertState:
    export: SlackExport
    converter: MessageConverter


def open_converter(spec: ConvertSpec) -> _ConvertState:
    tune_for_imports()
    engine = make_engine(spec.database_url)
    with engine.connect() as conn:
        users = UserLookup(spec.namespace).load(conn)
        rooms = RoomLookup(spec.namespace).load(conn)
    # Channel references not in the map are looked up as they come: a read connection kept
    # for the child's life (it ends with the process).
    converter = MessageConverter(engine.connect(), users, rooms, set(spec.unselected), spec.caps)
    return _ConvertState(spec.reader.open(), converter)


def convert_task(
    state: _ConvertState, member: int, start: int
) -> Iterator[list[tuple[int, Outcome]]]:
    converter = state.converter  # looked up once, not once a record
    chunk: list[tuple[int, Outcome]] = []
    for _member, index, record in state.export.messages(member, start, member + 1):
        chunk.append((index, classify(converter, record)))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
