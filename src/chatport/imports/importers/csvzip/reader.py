"""A CSV zip read in place: users.csv, channels.csv, and one message file per member.

The reader yields the same records as every other importer (plain dicts with import ids) and
knows nothing of the database. Message ids are deterministic (§4.5), so a re-import updates
the same messages; the duplicate counter ``n`` is rebuilt when a run resumes mid-way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import TracebackType

from chatport.archives.csvguard import iter_csv_rows
from chatport.archives.errors import ArchiveError
from chatport.archives.limits import ArchiveLimits
from chatport.archives.zipreader import SafeZip
from chatport.imports.importers.csvzip.rows import dm_key, message_id, parse_millis, problem
from chatport.imports.importers.slack.records import ReaderRecord

USERS = "users.csv"
CHANNELS = "channels.csv"
DIRECT = "directmessages"
NAMESPACE = "csv:"


class CsvExport:
    def __init__(self, path: str | os.PathLike[str], limits: ArchiveLimits = ArchiveLimits()):
        self._zip = SafeZip(path, limits)
        names = self._zip.names()
        self.root = _root(names)
        self.users_member: str | None = None
        self.channels_member: str | None = None
        self.message_files: list[tuple[str, str]] = []  # (member, folder), name order
        for name in names:
            relative = name[len(self.root) :] if name.startswith(self.root) else None
            if relative is None:
                continue
            lowered = relative.lower()
            if lowered == USERS:
                self.users_member = name
            elif lowered == CHANNELS:
                self.channels_member = name
            elif relative.count("/") == 1 and not relative.endswith("/"):
                self.message_files.append((name, relative.split("/", 1)[0]))
        self.message_files.sort()
        self._dm_pairs: list[tuple[str, str, str]] | None = None
        self._count: int | None = None

    namespace = NAMESPACE

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> CsvExport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- users and channels: their errors fail preparation --------------------------------

    def _strict_rows(self, member: str, minimum: int) -> Iterator[tuple[int, list[str]]]:
        label = member[len(self.root) :]
        with self._zip.open(member) as stream:
            for line, cells in iter_csv_rows(stream, label):
                if len(cells) < minimum:
                    raise ArchiveError(
                        f"{label} line {line}: {len(cells)} columns, at least {minimum} expected"
                    )
                yield line, cells

    def users(self) -> Iterator[ReaderRecord]:
        if self.users_member is None:
            return
        for line, cells in self._strict_rows(self.users_member, 2):
            username, email = cells[0].strip(), cells[1].strip()
            name = cells[2].strip() if len(cells) > 2 else ""
            data: dict[str, object] = {
                "type": "user",
                "importIds": [username],
                "username": username,
                "emails": [email] if email else [],
            }
            if name:
                data["name"] = name
            yield ReaderRecord("user", dict(data), {"entry": USERS, "row": line})

    def channels(self) -> Iterator[ReaderRecord]:
        if self.channels_member is not None:
            for line, cells in self._strict_rows(self.channels_member, 3):
                name = cells[0].strip()
                creator = cells[1].strip()
                kind = cells[2].strip().lower()
                members = [m.strip() for m in (cells[3] if len(cells) > 3 else "").split(";")]
                data: dict[str, object] = {
                    "importIds": [f"csv:{name}"],
                    "name": name,
                    "t": "p" if kind == "private" else "c",
                    "users": [m for m in members if m],
                }
                if creator:
                    data["u"] = {"_id": creator}
                yield ReaderRecord("channel", dict(data), {"entry": CHANNELS, "row": line})
        for key, first, second in self._direct_pairs():
            yield ReaderRecord(
                "channel",
                {"importIds": [key], "t": "d", "users": [first, second]},
                {"entry": DIRECT},
            )

    # --- messages: errors are per file or per row -----------------------------------------

    def _direct_pairs(self) -> list[tuple[str, str, str]]:
        if self._dm_pairs is None:
            self._scan()
        assert self._dm_pairs is not None
        return self._dm_pairs

    def _scan(self) -> None:
        pairs: dict[str, tuple[str, str]] = {}
        total = 0
        for _position, _index, record in self.messages():
            total += 1
            data = record.data
            if "_dm" in data and data["_dm"] not in pairs:
                pairs[data["_dm"]] = (data["_dm_users"][0], data["_dm_users"][1])
        self._dm_pairs = [(key, a, b) for key, (a, b) in pairs.items()]
        self._count = total

    def count_messages(self) -> int:
        if self._count is None:
            self._scan()
        assert self._count is not None
        return self._count

    def day_label(self, position: int) -> str:
        return self.message_files[position][0][len(self.root) :]

    def messages(
        self, start_member: int = 0, start_index: int = 0
    ) -> Iterator[tuple[int, int, ReaderRecord]]:
        """``(file position, row record position, record)``; resume with ``(p, i + 1)``."""
        seen: dict[str, int] = {}
        for position, (member, folder) in enumerate(self.message_files):
            direct = folder.lower() == DIRECT
            label = member[len(self.root) :]
            index = 0
            replay = position < start_member
            try:
                with self._zip.open(member) as stream:
                    for line, cells in iter_csv_rows(stream, label):
                        record = _row(label, line, cells, folder, direct, seen)
                        if not replay and not (position == start_member and index < start_index):
                            yield position, index, record
                        index += 1
            except ArchiveError as exc:
                if not replay and not (position == start_member and index < start_index):
                    yield (
                        position,
                        index,
                        ReaderRecord(
                            "message",
                            {},
                            {"entry": label},
                            [problem("importer-entry-invalid", reason=str(exc))],
                        ),
                    )


def _row(
    label: str, line: int, cells: list[str], folder: str, direct: bool, seen: dict[str, int]
) -> ReaderRecord:
    source = {"entry": label, "row": line}
    needed = 4 if direct else 3
    if len(cells) < needed or (direct and not cells[1].strip()):
        return ReaderRecord("message", {}, source, [problem("importer-csv-invalid-row")])
    author = cells[0].strip()
    data: dict[str, object] = {}
    if direct:
        partner = cells[1].strip()
        rid = dm_key(author, partner)
        raw_ts, text = cells[2], cells[3]
        data["_dm"] = rid
        data["_dm_users"] = [author, partner]
    else:
        rid = f"csv:{folder}"
        raw_ts, text = cells[1], cells[2]
    ts = parse_millis(raw_ts)
    if ts is None:
        return ReaderRecord(
            "message", data, source, [problem("importer-message-invalid-timestamp")]
        )
    base = message_id(rid, author, ts, text, 0)
    n = seen.get(base, 0)
    seen[base] = n + 1
    data.update(
        {
            "_id": base if n == 0 else message_id(rid, author, ts, text, n),
            "rid": rid,
            "u": {"_id": author},
            "ts": ts,
            "msg": text,
        }
    )
    return ReaderRecord("message", data, source)


def _root(names: list[str]) -> str:
    lowered = {n.lower() for n in names}
    if USERS in lowered or CHANNELS in lowered or not names:
        return ""
    first = names[0].split("/", 1)[0] + "/"
    if all(n.startswith(first) for n in names) and any(
        n[len(first) :].lower() in (USERS, CHANNELS) for n in names
    ):
        return first
    return ""
