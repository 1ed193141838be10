"""CSV reading with the parser limits of security-reliability.md §1.7 item 6.

Lines are split and decoded here (strict UTF-8, BOM allowed, NUL rejected, length capped) before
the stdlib ``csv`` parser sees them, so every error can name the member and the line. The field
size limit stops an unbalanced quote from swallowing the rest of the file. Cells are returned
verbatim: formula-like cells (``=``, ``+``, ``-``, ``@``, tab, CR) are data here; escaping
belongs to export.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from .counting import human_bytes
from .errors import ArchiveError
from .names import display_name

DEFAULT_FIELD_LIMIT = 131072  # the stdlib default, never sys.maxsize


def iter_csv_rows(
    stream: BinaryIO,
    member: str,
    max_rows: int = 5_000_000,
    field_limit: int = DEFAULT_FIELD_LIMIT,
    max_line_bytes: int = 1 << 20,
    *,
    skip_initial_space: bool = True,
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, cells)`` for each non-blank record; ``line`` is where the record starts
    (from 1; a quoted field may span several lines).

    Dialect: ``,`` separator, ``"`` quotes doubled inside quoted fields, strict quoting; with
    ``skip_initial_space`` whitespace after a separator is skipped so ``"a", "b"`` parses as RC
    does. Raises :class:`ArchiveError` ``"<member> line N: <problem>"`` for invalid UTF-8, NUL, a
    line over ``max_line_bytes``, a field over ``field_limit``, any ``csv.Error`` (a lone CR, an
    unterminated quote), and more than ``max_rows`` records. The process-wide
    ``csv.field_size_limit`` is set only while this parser runs and restored after every row.
    """
    where = display_name(member)
    lines = _Lines(stream, where, max_line_bytes)
    reader = csv.reader(
        lines,
        delimiter=",",
        quotechar='"',
        doublequote=True,
        skipinitialspace=skip_initial_space,
        strict=True,
    )
    rows = 0
    while True:
        start = lines.count + 1
        previous = csv.field_size_limit(field_limit)
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            raise ArchiveError(
                f"{where} line {lines.count}: {_problem(exc, field_limit)}"
            ) from None
        finally:
            csv.field_size_limit(previous)
        if cells is None:
            return
        rows += 1
        if rows > max_rows:
            raise ArchiveError(f"{where}: more than {max_rows} rows")
        if cells:
            yield start, cells


class _Lines:
    """Physical lines of the member, decoded and checked, as ``csv.reader`` input."""

    def __init__(self, stream: BinaryIO, where: str, max_line_bytes: int) -> None:
        self._stream = stream
        self._where = where
        self._max_line_bytes = max_line_bytes
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = self._stream.readline(self._max_line_bytes + 1)
        if not raw:
            raise StopIteration
        self.count += 1
        if len(raw) > self._max_line_bytes:
            raise ArchiveError(
                f"{self._where} line {self.count}: line longer than "
                f"{human_bytes(self._max_line_bytes)}"
            )
        encoding = "utf-8-sig" if self.count == 1 else "utf-8"
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise ArchiveError(f"{self._where} line {self.count}: invalid UTF-8") from None
        if "\x00" in text:
            raise ArchiveError(f"{self._where} line {self.count}: NUL character")
        return text


def _problem(exc: csv.Error, field_limit: int) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"field larger than {human_bytes(field_limit)} (an unbalanced quote?)"
    if "new-line character seen in unquoted field" in text:
        return "line break inside an unquoted field (a lone CR?)"
    return display_name(text)
