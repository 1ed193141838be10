"""JSON parsing with the parser limits of security-reliability.md §1.7.

``json.loads`` alone accepts ``NaN``, keeps the last of duplicate keys, raises ``RecursionError``
(not ``ValueError``) near 1000 levels, accepts lone surrogates that fail later at encode time, and
turns a 5000-digit integer into a ``ValueError`` only because of a process-global setting. These
guards make each of those a clear, member-named error or a recorded warning.

Whole-document problems (encoding, syntax, nesting) raise :class:`ArchiveError`; problems of one
record (duplicate keys, ``NaN``/``Infinity``, huge integers, numbers out of float range) raise
:class:`InvalidRecord` from :func:`load_json` and mark just that element in
:func:`iter_json_array`, which carries on with the next one.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from dataclasses import dataclass
from typing import Any, BinaryIO

import orjson

from .errors import ArchiveError, InvalidRecord
from .names import display_name

DEFAULT_MAX_DEPTH = 64
MAX_INT_DIGITS = 4300
SURROGATE_WARNING = "lone surrogate replaced by U+FFFD"
#: PostgreSQL can hold no U+0000 in text or JSONB; so that both backends store the same
#: documents, every NUL from an archive becomes U+FFFD on either one (docs/importers.md).
NUL_WARNING = "NUL character replaced by U+FFFD"
_NUL_ESCAPE = b"\\u0000"

_SURROGATE = re.compile("[\ud800-\udfff]")
# Digits to "0", everything else to ".": a run of 19 digits becomes b"0" * 19 (C speed, where a
# regular expression over the text costs more than the parse it guards).
_DIGIT_MASK = bytes(0x30 if 0x30 <= b <= 0x39 else 0x2E for b in range(256))
_LONG_RUN = b"0" * 19
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # UTF-32 LE starts like UTF-16 LE


@dataclass(frozen=True)
class JsonResult:
    """A parsed document and the warnings its content caused (e.g. :data:`SURROGATE_WARNING`).

    ``proven`` is True when orjson's plain parse of these bytes was proven equal to the guarded
    one: a later pass over the same bytes may then take ``orjson.loads`` alone.
    """

    value: Any
    warnings: tuple[str, ...] = ()
    proven: bool = False


@dataclass(frozen=True)
class JsonItem:
    """One element of a streamed top-level array.

    ``error`` is set (and ``value`` is ``None``) when this element is an invalid record; the
    array continues with the next element.
    """

    index: int
    value: Any
    warnings: tuple[str, ...] = ()
    error: str | None = None


class _RecordProblem(Exception):
    """Raised from json hooks; never escapes this module."""


def load_json(data: bytes, member: str, max_depth: int = DEFAULT_MAX_DEPTH) -> JsonResult:
    """Parse one member's bytes.

    Raises :class:`ArchiveError` naming the member for invalid UTF-8, UTF-16/32, a syntax error
    or nesting deeper than ``max_depth``; :class:`InvalidRecord` for duplicate keys,
    ``NaN``/``Infinity``, integers over 4300 digits or numbers out of float range. Lone surrogates
    and NUL characters (in keys too) become U+FFFD with a warning.
    """
    result = _load(data, member, max_depth)
    if _NUL_ESCAPE in data:
        value, found = _scrub_nul(result.value)
        if found:
            return JsonResult(value, (*result.warnings, NUL_WARNING))
    return result


def _load(data: bytes, member: str, max_depth: int) -> JsonResult:
    fast = _fast_load(data, max_depth)
    if fast is not None:
        return JsonResult(fast, proven=True)
    where = display_name(member)
    text = _decode(data, where)
    # Text decoded from valid UTF-8 holds no raw surrogates: without a \uD8xx escape no key
    # can carry one, and the duplicate-key check needs no per-key work.
    hooks: _Hooks = _Hooks() if _SURROGATE_ESCAPE.search(text) else _PlainHooks()
    try:
        value = json.loads(
            text,
            object_pairs_hook=hooks.pairs,
            parse_constant=_reject_constant,
            parse_int=_parse_int,
            parse_float=_parse_float,
        )
    except _RecordProblem as exc:
        raise InvalidRecord(f"{where}: invalid record: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ArchiveError(
            f"{where}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise ArchiveError(f"{where}: nested deeper than {max_depth} levels") from None
    except ValueError as exc:  # e.g. int() under a lower process-wide digit limit
        raise InvalidRecord(f"{where}: invalid record: {_first_line(exc)}") from None
    if _nested_deeper(value, max_depth):
        raise ArchiveError(f"{where}: nested deeper than {max_depth} levels")
    if _SURROGATE_ESCAPE.search(text) and _scrub_surrogates(value):
        hooks.surrogates = True
    if isinstance(value, str) and _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
        hooks.surrogates = True
    return JsonResult(value, (SURROGATE_WARNING,) if hooks.surrogates else ())


def _fast_load(data: bytes, max_depth: int) -> Any | None:
    """orjson's parse, when it provably equals the guarded one; else None (take the slow path).

    orjson (C, several times faster than ``json`` with Python hooks) already rejects ``NaN``,
    ``Infinity``, numbers out of float range, lone surrogates, a BOM and invalid UTF-8, so
    those take the guarded path and get its exact messages. What it would accept differently
    is screened out:

    * duplicate keys (orjson keeps the last): every ``:`` in JSON text is a key's separator or
      a character inside a string; re-serialised compactly, the parsed value has one ``:`` per
      kept key plus the same string characters. So the counts are equal exactly when no key was
      dropped, unless a colon was written as ``\\u003a``, which sends the text to the slow path;
    * integers that do not fit 64 bits (orjson makes them floats): any run of 19 digits;
    * nesting deeper than ``max_depth``: the same walk as the guarded path.
    """
    if b"\\u003" in data or _LONG_RUN in data.translate(_DIGIT_MASK):
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    colons = _checked_colons(value, max_depth)
    if colons is None or data.count(b":") != colons:
        return None
    return value


def _checked_colons(value: Any, max_depth: int) -> int | None:
    """The ``:`` count of ``value`` written compactly, or None if it nests deeper than
    ``max_depth`` (or deeper than orjson writes).

    One indented serialisation answers both questions in C: indented output has one ``:`` per
    key like compact output (newlines inside strings are escaped), and it puts the members of a
    non-empty container at depth *d* on lines indented by *2d* spaces. So without a line
    indented by ``2 * max_depth`` every non-empty container is shallower than ``max_depth``
    and every container at most ``max_depth`` deep; only a document with such a line (an
    empty container one level further down could still be too deep) is walked.
    """
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError:  # deeper than orjson writes (255 levels)
        return None
    if b"\n" + b" " * (2 * max_depth) in text and _nested_deeper(value, max_depth):
        return None
    return text.count(b":")


class CheckedUtf8:
    """Feeds a streaming reader while validating strict UTF-8; strips a UTF-8 BOM, rejects
    UTF-16/32.

    A failure (bad encoding, or an error from the archive reader such as a size cap) is kept and
    reported as end of input; the caller then raises the kept failure, which takes precedence
    over any complaint about the text cut short.
    """

    def __init__(self, stream: BinaryIO, where: str) -> None:
        self._stream = stream
        self._where = where
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._offset = 0
        self._started = False
        self._failure: Exception | None = None

    def raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        if self._failure is not None:
            return b""
        try:
            return self._checked(size)
        except Exception as exc:
            self._failure = exc
            return b""

    def _checked(self, size: int) -> bytes:
        data = self._stream.read(size)
        if not self._started:
            while len(data) < 4:  # the sniff needs the first four bytes
                more = self._stream.read(size)
                if not more:
                    break
                data += more
            self._started = True
            stripped = _strip_bom(data, self._where)
            self._offset = len(data) - len(stripped)  # error offsets count the BOM too
            data = stripped
        try:
            self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise ArchiveError(
                f"{self._where}: invalid UTF-8 at byte {self._offset + exc.start}"
            ) from None
        self._offset += len(data)
        return data


class _Hooks:
    """``object_pairs_hook`` state: rejects duplicate keys, repairs lone surrogates in keys."""

    def __init__(self) -> None:
        self.surrogates = False

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if _SURROGATE.search(key):
                key = _SURROGATE.sub("\ufffd", key)
                self.surrogates = True
            if key in result:
                raise _RecordProblem(f"duplicate key {display_name(key)!r}")
            result[key] = value
        return result


class _PlainHooks(_Hooks):
    """The common case: keys without surrogates; duplicates found by a length comparison."""

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            return super().pairs(pairs)  # raises, naming the duplicate key
        return result


def _reject_constant(name: str) -> Any:
    raise _RecordProblem(f"{name} is not allowed")


def _parse_int(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_INT_DIGITS:
        raise _RecordProblem(f"integer with {digits} digits (more than {MAX_INT_DIGITS})")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _RecordProblem("number out of range")
    return value


def _decode(data: bytes, where: str) -> str:
    body = _strip_bom(data, where)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = len(data) - len(body) + exc.start
        raise ArchiveError(f"{where}: invalid UTF-8 at byte {offset}") from None


def _strip_bom(data: bytes, where: str) -> bytes:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    # JSON text never contains NUL, so NUL among the first bytes means UTF-16 or UTF-32.
    if data.startswith(_WIDE_BOMS) or b"\x00" in data[:4]:
        raise ArchiveError(f"{where}: UTF-16 or UTF-32 text; expected UTF-8")
    return data


def _nested_deeper(root: Any, max_depth: int) -> bool:
    """Depth of the parsed value, walked iteratively over containers only.

    Checking after the C parser is several times cheaper than a regex pre-scan of the text;
    input deep enough to threaten the parser itself raises ``RecursionError`` there, which
    :func:`load_json` reports as too deep.
    """
    stack: list[tuple[Any, int]] = [(root, 1)] if type(root) in (dict, list) else []
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            return True
        children = node.values() if type(node) is dict else node
        for child in children:
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))
    return False


def _scrub_surrogates(root: Any) -> bool:
    """Replace lone surrogates in string values, in place, without recursion; True if any."""
    found = False
    stack = [root] if isinstance(root, dict | list) else []
    while stack:
        node = stack.pop()
        slots = node.items() if isinstance(node, dict) else enumerate(node)
        for slot, item in list(slots):
            if isinstance(item, str):
                if _SURROGATE.search(item):
                    node[slot] = _SURROGATE.sub("\ufffd", item)
                    found = True
            elif isinstance(item, dict | list):
                stack.append(item)
    return found


def _scrub_nul(root: Any) -> tuple[Any, bool]:
    """``root`` with every U+0000 in keys and strings replaced by U+FFFD; True if any was."""
    if isinstance(root, str):
        return (root.replace("\x00", "\ufffd"), True) if "\x00" in root else (root, False)
    found = False
    stack = [root] if isinstance(root, dict | list) else []
    while stack:
        node = stack.pop()
        if isinstance(node, dict) and any("\x00" in key for key in node):
            renamed = {key.replace("\x00", "\ufffd"): value for key, value in node.items()}
            node.clear()
            node.update(renamed)
            found = True
        slots = node.items() if isinstance(node, dict) else enumerate(node)
        for slot, item in list(slots):
            if isinstance(item, str):
                if "\x00" in item:
                    node[slot] = item.replace("\x00", "\ufffd")
                    found = True
            elif isinstance(item, dict | list):
                stack.append(item)
    return root, found


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return display_name(text.splitlines()[0] if text else type(exc).__name__)
