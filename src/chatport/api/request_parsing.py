"""Turning raw request bodies and query strings into the values the validators see.

Rocket.Chat's router decides how to read a body from the ``Content-Type`` alone and swallows
parse errors (rest-api.md §1.2); clients rely on the resulting validation messages, so the same
decisions are reproduced here, including the odd ones (a text body behaves like an object with
unknown keys).  Query strings follow the ``qs`` package's bracket syntax, which Rocket.Chat
clients use for nested parameters, but input that upstream would decode inconsistently is
refused with :class:`QueryParseError` so the API can answer ``Invalid query parameters``.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final
from urllib.parse import unquote_to_bytes

__all__ = ["QueryParseError", "parse_body", "parse_query"]

# A text body is spread into an object keyed by character index, as JavaScript's
# ``{...text}`` does.  Only the first characters are kept: the object exists solely to fail
# ``additionalProperties: false``/``required``, and a 64 MiB body must not become a
# 64-million-entry dict.
_MAX_SPREAD_KEYS: Final = 64

# qs defaults: nesting depth 5, indices above 20 make object keys, 1000 parameters.
_MAX_DEPTH: Final = 5
_ARRAY_LIMIT: Final = 20
_MAX_PARAMETERS: Final = 1000

_KEY: Final = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_SEGMENT: Final = re.compile(r"\[([^\[\]]*)\]")
_HEX: Final = frozenset("0123456789abcdefABCDEF")


def parse_body(content_type: str | None, raw: bytes) -> dict[str, Any] | list[Any]:
    """Return the body as Rocket.Chat's router would hand it to the validator.

    ``application/json`` parses JSON, ``application/x-www-form-urlencoded`` gives a flat dict
    of strings, ``multipart/form-data`` is never parsed (``{}``) and anything else is text.  The
    media-type test is a case-sensitive substring test, as upstream's ``includes()``; checking
    JSON first keeps ``application/json; charset=utf-8`` and ``+json`` suffixes on the JSON
    path.  Empty or unparsable bodies give ``{}``; arrays stay arrays so they fail
    ``must be object``; other non-objects become ``{}`` except non-empty strings (see
    :func:`_as_body`).
    """
    content_type = content_type or ""
    parsed: Any
    if "application/json" in content_type:
        parsed = _parse_json(raw)
    elif "application/x-www-form-urlencoded" in content_type:
        parsed = _parse_form(raw)
    elif "multipart/form-data" in content_type:
        parsed = {}
    else:
        parsed = _decode_text(raw)
    return _as_body(parsed)


def _decode_text(raw: bytes) -> str:
    """Decode like the WHATWG ``TextDecoder``: UTF-8, one leading BOM dropped, errors replaced."""
    return raw.decode("utf-8-sig", errors="replace")


def _reject_constant(name: str) -> Any:
    """Refuse ``NaN``/``Infinity``, which Python's json accepts but ``JSON.parse`` does not."""
    raise ValueError(f"{name} is not JSON")


def _parse_int(literal: str) -> int | float:
    """Parse a JSON integer; past Python's digit limit fall back to a float, as JS would."""
    try:
        return int(literal)
    except ValueError:
        return float(literal)


def _parse_json(raw: bytes) -> Any:
    """Parse a JSON body; any failure (including absurd nesting) yields ``{}``, never an error."""
    try:
        return json.loads(_decode_text(raw), parse_constant=_reject_constant, parse_int=_parse_int)
    except (ValueError, RecursionError):
        return {}


def _parse_form(raw: bytes) -> dict[str, str]:
    """Parse ``application/x-www-form-urlencoded`` as the WHATWG URL standard does.

    ``+`` is a space, malformed percent escapes stay literal, bytes decode as UTF-8 with
    replacement; a repeated name keeps its first position and its last value, as
    ``Object.fromEntries`` over the form entries does.
    """
    fields: dict[str, str] = {}
    for part in raw.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        fields[_form_decode(name)] = _form_decode(value)
    return fields


def _form_decode(encoded: bytes) -> str:
    """Decode one form name or value: ``+`` to space, lenient percent-decoding, UTF-8."""
    return unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8", errors="replace")


def _as_body(parsed: Any) -> dict[str, Any] | list[Any]:
    """Normalise a parsed body the way upstream's ``{...parsed}`` does.

    Objects and arrays pass; null, numbers and booleans spread to ``{}``; a non-empty string
    spreads to ``{"0": first char, "1": ...}``, which fails ``required`` or
    ``must NOT have additional properties`` like upstream's.  Keys are per code point rather
    than per UTF-16 unit (no lone surrogates), and capped at ``_MAX_SPREAD_KEYS``.
    """
    if isinstance(parsed, dict | list):
        return parsed
    if isinstance(parsed, str):
        return {str(index): char for index, char in enumerate(parsed[:_MAX_SPREAD_KEYS])}
    return {}


class QueryParseError(ValueError):
    """The query string cannot be decoded; the API answers 400 ``Invalid query parameters``."""


def parse_query(query_string: str) -> dict[str, Any]:
    """Parse a query string (without the ``?``) with ``qs`` semantics.

    ``a=1&b=2`` gives strings; a repeated name gives a list; ``a[b]=c`` nests; ``a[]=1&a[]=2``
    and ``a[0]=1&a[1]=2`` give lists (indices above 20 are object keys, as in ``qs``); a pair
    without ``=`` has the value ``""``; empty pairs and empty names are skipped.  ``+`` is a
    space and percent escapes decode as UTF-8.

    Raises :class:`QueryParseError` where ``qs`` would silently keep undecoded or mangled text:
    a malformed or non-UTF-8 percent escape, a name with stray or unbalanced brackets, nesting
    deeper than 5 levels, or more than 1000 parameters.  Names that ``qs`` drops to protect
    JavaScript prototypes (``toString``, ``__proto__``...) are kept, which only makes the
    "no query keys" check stricter.
    """
    root: dict[str, Any] = {}
    parts = [part for part in query_string.split("&") if part]
    if len(parts) > _MAX_PARAMETERS:
        raise QueryParseError(f"more than {_MAX_PARAMETERS} query parameters")
    for part in parts:
        # As qs: "a[b=c]=d" splits after the bracket, other pairs at the first "=".
        bracket_equals = part.find("]=")
        split_at = part.find("=") if bracket_equals == -1 else bracket_equals + 1
        if split_at == -1:
            name, value = _decode_component(part), ""
        else:
            name = _decode_component(part[:split_at])
            value = _decode_component(part[split_at + 1 :])
        if not name:
            continue
        _merge_into(root, _build(_key_path(name), value))
    return _compact(root)


def _decode_component(text: str) -> str:
    """``+`` to space, then JavaScript's ``decodeURIComponent``, which fails on bad escapes."""
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    out: list[str] = []
    pending = bytearray()
    index = 0
    while index < len(text):
        char = text[index]
        if char == "%":
            escape = text[index + 1 : index + 3]
            if len(escape) != 2 or not set(escape) <= _HEX:
                raise QueryParseError("malformed percent escape")
            pending.append(int(escape, 16))
            index += 3
            continue
        if pending:
            out.append(_utf8(pending))
            pending.clear()
        out.append(char)
        index += 1
    if pending:
        out.append(_utf8(pending))
    return "".join(out)


def _utf8(escaped: bytearray) -> str:
    """Strictly decode a run of percent-escaped bytes (overlongs and surrogates fail too)."""
    try:
        return escaped.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryParseError("percent escapes are not UTF-8") from exc


def _key_path(name: str) -> list[str | None]:
    """Split ``a[b][]`` into ``["a", "b", None]``; ``None`` marks an append segment."""
    match = _KEY.fullmatch(name)
    if match is None:
        raise QueryParseError("malformed brackets in query parameter name")
    segments = _SEGMENT.findall(match.group(2))
    if len(segments) > _MAX_DEPTH:
        raise QueryParseError("query parameter nested too deeply")
    return [match.group(1), *(segment or None for segment in segments)]


class _Slots(dict[int, Any]):
    """An array under construction: index -> value, compacted into a list at the end.

    ``qs`` builds sparse arrays and compacts them, so ``a[1]=x&a[0]=y`` orders by index.
    """


def _array_index(segment: str) -> int | None:
    """The array index a segment denotes under qs rules: canonical decimal, at most 20."""
    if segment.isdecimal() and segment.isascii() and str(int(segment)) == segment:
        index = int(segment)
        if index <= _ARRAY_LIMIT:
            return index
    return None


def _build(path: list[str | None], value: str) -> Any:
    """The structure one pair contributes: ``a[b][]=v`` is ``{"a": {"b": [v]}}``."""
    node: Any = value
    for segment in reversed(path[1:]):
        if segment is None:
            node = _Slots({0: node})
        elif (index := _array_index(segment)) is not None:
            node = _Slots({index: node})
        else:
            node = {segment: node}
    head = path[0]
    assert head is not None  # _KEY requires a non-empty name before any bracket
    return {head: node}


def _is_container(value: Any) -> bool:
    """Whether a value is a dict or an array under construction."""
    return isinstance(value, dict)


def _merge_into(target: dict[str, Any], source: dict[str, Any]) -> None:
    """Merge one pair's structure into the object built so far."""
    for key, item in source.items():
        target[key] = _merge(target[key], item) if key in target else item


def _merge(target: Any, source: Any) -> Any:
    """Combine a value already present with a new one, after ``qs``'s merge rules.

    Two objects merge key by key; into an array a new scalar is appended and new slots are
    placed by index (appended when taken, unless both sides are containers, which merge);
    an object meeting an array treats the array's indices as keys; anything else (a
    repeated name) collects both values in an array.
    """
    if isinstance(target, _Slots):
        if isinstance(source, _Slots):
            for index, item in source.items():
                if index not in target:
                    target[index] = item
                elif _is_container(target[index]) and _is_container(item):
                    target[index] = _merge(target[index], item)
                else:
                    target[_next_index(target)] = item
            return target
        if isinstance(source, dict):
            return _merge(_slots_as_object(target), source)
        target[_next_index(target)] = source
        return target
    if isinstance(target, dict):
        if isinstance(source, _Slots):
            source = _slots_as_object(source)
        if isinstance(source, dict):
            _merge_into(target, source)
            return target
        return _merge(_Slots({0: target}), source)
    if isinstance(source, _Slots):
        combined = _Slots({0: target})
        for index in sorted(source):
            combined[_next_index(combined)] = source[index]
        return combined
    return _Slots({0: target, 1: source})


def _next_index(slots: _Slots) -> int:
    """The index a push lands on: one past the highest index, like JavaScript's ``push``."""
    return max(slots) + 1 if slots else 0


def _slots_as_object(slots: _Slots) -> dict[str, Any]:
    """An array seen as an object keyed by its indices, as ``qs`` does when they meet."""
    return {str(index): slots[index] for index in sorted(slots)}


def _compact(value: Any) -> Any:
    """Turn every array under construction into a list ordered by index, recursively."""
    if isinstance(value, _Slots):
        return [_compact(value[index]) for index in sorted(value)]
    if isinstance(value, dict):
        return {key: _compact(item) for key, item in value.items()}
    return value
