"""Request validation that answers exactly as Rocket.Chat's AJV validators do.

Rocket.Chat clients compare validation messages byte for byte (rest-api.md §1.4), and upstream
builds its validators with AJV v8 with ``allErrors`` off.  Rather than pulling in a general
JSON-schema library (whose messages, ordering and coercion rules all differ from AJV's), this
module re-implements the small schema subset the API contract needs and reproduces AJV's
observable behaviour on it:

* only the first failure is reported, with AJV's message and no instance path;
* keywords run in AJV's order: the type check (with optional coercion), then the keywords that
  apply to any type (``enum``, ``anyOf``), then the typed keywords (string: ``maxLength``;
  array: ``minItems``, ``items``; object: ``required``, ``additionalProperties``,
  ``properties``), each group in AJV's keyword-definition order;
* AJV's quirk that a schema with a single, non-coercible type and keywords for that type
  reports the type failure only *after* the type-independent keywords is kept, because it
  decides the message for ``users.delete`` (``anyOf`` before ``must be object``);
* ``coerce=True`` follows ``coerceTypes: true`` for scalars.

Supported keywords: ``type`` (a name or a list of names), ``nullable``, ``required``,
``properties``, ``additionalProperties`` (``False``, ``True`` or absent), ``items`` (one
schema), ``enum``, ``maxLength``, ``minItems``, ``anyOf``, plus the annotations ``title``,
``description`` and ``$comment``.  Any other keyword raises :class:`SchemaError`, as AJV's
strict mode would: a silently ignored ``minLength`` would be a hole in the contract.

Deliberate difference: AJV lets a coerced number be non-finite (``"Infinity"``, ``"1e400"``),
although its own type check (``strictNumbers``) rejects such numbers.  Here such strings do not
coerce and fail with the type message, so validated data only ever holds JSON-representable
numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

__all__ = ["SchemaError", "ValidationFailure", "validate"]


class ValidationFailure(Exception):
    """The request value does not satisfy its schema.

    ``message`` is AJV's message for the first failure (``"must be string"``,
    ``"must have required property 'fileUrl'"``, ...); the API puts it verbatim into the
    ``error`` field of its 400 answer, so it carries no path and no suffix.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SchemaError(ValueError):
    """The schema itself is malformed or uses an unsupported keyword.

    This is a programming error in a route's declaration, never a client error, so it is kept
    apart from :class:`ValidationFailure` and surfaces as a 500 rather than a 400.
    """


_TYPE_NAMES: Final = frozenset(
    {"object", "array", "string", "boolean", "number", "integer", "null"}
)
_KEYWORDS: Final = frozenset(
    {
        "type",
        "nullable",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "enum",
        "maxLength",
        "minItems",
        "anyOf",
        "title",
        "description",
        "$comment",
    }
)
# AJV's coercion order is the order of the types in the schema, restricted to these.
_COERCIBLE: Final = frozenset({"string", "number", "integer", "boolean", "null"})
# AJV's typed rule groups, in AJV's group order; within a group, in keyword-definition order.
# The number group is left out: none of its keywords (minimum, multipleOf, ...) is supported.
_TYPED_GROUPS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("string", ("maxLength",)),
    ("array", ("minItems", "items")),
    ("object", ("required", "additionalProperties", "properties")),
)
_GROUP_KEYWORDS: Final = dict(_TYPED_GROUPS)

# JavaScript's StrWhiteSpaceChar: WhiteSpace (including every Zs character) and LineTerminator.
# Python's str.strip() would also remove \x1c-\x1f and \x85, which JavaScript keeps.
_JS_WHITESPACE: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_JS_DECIMAL: Final = re.compile(
    r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
)
_JS_NON_DECIMAL: Final = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_JS_SAFE_INTEGER: Final = 2**53

_NOT_COERCED: Final = object()


def validate(schema: Mapping[str, Any], value: Any, *, coerce: bool = False) -> Any:
    """Validate ``value`` against ``schema`` and return it, coerced when ``coerce`` is set.

    Raises :class:`ValidationFailure` with AJV's message for the first failure in AJV's order,
    and :class:`SchemaError` when the schema is outside the supported subset.  The input is never
    mutated: AJV coerces in place, but callers here may still hold the raw body (for logging or a
    second validator), so coerced values are placed in fresh containers instead.
    """
    _check_schema(schema, "#")
    return _validate(schema, value, coerce)


def _check_schema(schema: Any, where: str) -> None:
    """Reject schemas AJV would refuse to compile, or that use keywords this module lacks.

    The whole tree is checked on every call, not only the branches a value visits, so that a
    typo in a rarely used property fails the route's first test instead of a client request.
    """
    if not isinstance(schema, Mapping):
        raise SchemaError(f"{where}: a schema must be a mapping")
    unknown = sorted(str(key) for key in schema if key not in _KEYWORDS)
    if unknown:
        raise SchemaError(f"{where}: unsupported keyword(s) {', '.join(unknown)}")
    if "type" in schema:
        names = _type_names(schema["type"])
        if not names or any(name not in _TYPE_NAMES for name in names):
            raise SchemaError(f"{where}: invalid type {schema['type']!r}")
    if "nullable" in schema:
        if not isinstance(schema["nullable"], bool):
            raise SchemaError(f"{where}: nullable must be a boolean")
        if "type" not in schema:
            raise SchemaError(f'{where}: "nullable" cannot be used without "type"')
    if "required" in schema and not _is_str_list(schema["required"]):
        raise SchemaError(f"{where}: required must be a list of strings")
    if "properties" in schema:
        properties = schema["properties"]
        if not isinstance(properties, Mapping):
            raise SchemaError(f"{where}: properties must be a mapping")
        for name, sub in properties.items():
            _check_schema(sub, f"{where}/properties/{name}")
    if "additionalProperties" in schema and not isinstance(schema["additionalProperties"], bool):
        raise SchemaError(f"{where}: only a boolean additionalProperties is supported")
    if "items" in schema:
        _check_schema(schema["items"], f"{where}/items")
    if "enum" in schema and not isinstance(schema["enum"], list):
        raise SchemaError(f"{where}: enum must be a list")
    for keyword in ("maxLength", "minItems"):
        if keyword in schema and not _is_count(schema[keyword]):
            raise SchemaError(f"{where}: {keyword} must be a non-negative integer")
    if "anyOf" in schema:
        branches = schema["anyOf"]
        if not isinstance(branches, list) or not branches:
            raise SchemaError(f"{where}: anyOf must be a non-empty list")
        for index, sub in enumerate(branches):
            _check_schema(sub, f"{where}/anyOf/{index}")


def _type_names(declared: Any) -> list[str]:
    """The ``type`` keyword as a list; an empty list marks an invalid declaration."""
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list) and all(isinstance(name, str) for name in declared):
        return list(declared)
    return []


def _is_str_list(value: Any) -> bool:
    """True for a list of strings, the only form ``required`` takes."""
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_count(value: Any) -> bool:
    """True for a non-negative integer (and not a bool), the form of ``maxLength``/``minItems``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _validate(schema: Mapping[str, Any], value: Any, coerce: bool) -> Any:
    """Apply one (sub)schema in AJV's keyword order; return the possibly coerced value."""
    types = _schema_types(schema)
    coerce_to = [name for name in types if name in _COERCIBLE] if coerce else []
    # AJV skips the up-front type check when nothing can be coerced and the single type's own
    # keyword group will report the mismatch, which happens after enum and anyOf have run.
    type_checked_first = bool(types) and not (
        not coerce_to and len(types) == 1 and _has_group_keywords(schema, types[0])
    )
    if type_checked_first and not any(_is_type(name, value) for name in types):
        coerced = _coerce(value, coerce_to)
        if coerced is _NOT_COERCED:
            raise _type_failure(schema)
        value = coerced

    if "enum" in schema and not any(_json_equal(value, allowed) for allowed in schema["enum"]):
        raise ValidationFailure("must be equal to one of the allowed values")
    if "anyOf" in schema:
        value = _validate_any_of(schema["anyOf"], value, coerce)

    for group_type, keywords in _TYPED_GROUPS:
        if not any(keyword in schema for keyword in keywords):
            continue
        if _is_type(group_type, value):
            value = _validate_group(group_type, schema, value, coerce)
        elif not type_checked_first and types == [group_type]:
            raise _type_failure(schema)
    return value


def _schema_types(schema: Mapping[str, Any]) -> list[str]:
    """The accepted type names, with ``null`` added for ``nullable: true`` as AJV does."""
    if "type" not in schema:
        return []
    types = _type_names(schema["type"])
    if schema.get("nullable") is True and "null" not in types:
        types.append("null")
    return types


def _has_group_keywords(schema: Mapping[str, Any], type_name: str) -> bool:
    """Whether the schema has keywords of ``type_name``'s group (AJV's schemaHasRulesForType)."""
    return any(keyword in schema for keyword in _GROUP_KEYWORDS.get(type_name, ()))


def _type_failure(schema: Mapping[str, Any]) -> ValidationFailure:
    """AJV's type message: the declared ``type`` as JavaScript prints it (arrays comma-joined).

    ``nullable`` does not show: AJV formats the keyword's value, not the widened type list.
    """
    return ValidationFailure(f"must be {','.join(_type_names(schema['type']))}")


def _is_type(type_name: str, value: Any) -> bool:
    """AJV's JSON type test, mindful that Python's bool is an int.

    Numbers must be finite (AJV v8's default ``strictNumbers``); an integral float such as
    ``5.0`` is an integer, since JavaScript cannot tell it from ``5``.
    """
    if type_name == "object":
        return isinstance(value, dict)
    if type_name == "array":
        return isinstance(value, list)
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "null":
        return value is None
    if type_name == "number":
        return _is_number(value)
    if type_name == "integer":
        return _is_number(value) and (isinstance(value, int) or float(value).is_integer())
    return False


def _is_number(value: Any) -> bool:
    """A finite JSON number: an int that is not a bool, or a finite float."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def _coerce(value: Any, coerce_to: Sequence[str]) -> Any:
    """Coerce a scalar to the first type in ``coerce_to`` that accepts it (AJV coerceTypes).

    Returns ``_NOT_COERCED`` when no type accepts it.  Arrays and objects never coerce.
    """
    for type_name in coerce_to:
        result = _COERCERS[type_name](value)
        if result is not _NOT_COERCED:
            return result
    return _NOT_COERCED


def _to_string(value: Any) -> Any:
    """Numbers and booleans print as JavaScript's ``"" + value``; null becomes ``""``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _js_number_to_string(value)
    if value is None:
        return ""
    return _NOT_COERCED


def _to_number(value: Any) -> Any:
    """Booleans become 1/0, null becomes 0, numeric strings their value (JavaScript's ``+s``)."""
    if isinstance(value, bool):
        return int(value)
    if value is None:
        return 0
    if isinstance(value, str) and value:
        number = _js_string_to_number(value)
        if number is not None:
            return number
    return _NOT_COERCED


def _to_integer(value: Any) -> Any:
    """As :func:`_to_number`, but a string must denote an integral value."""
    number = _to_number(value)
    if number is _NOT_COERCED or isinstance(number, int):
        return number
    return number if float(number).is_integer() else _NOT_COERCED


def _to_boolean(value: Any) -> Any:
    """``"false"``, 0 and null are false; ``"true"`` and 1 are true; nothing else coerces."""
    if value is None or value == "false" or (_is_plain_number(value) and value == 0):
        return False
    if value == "true" or (_is_plain_number(value) and value == 1):
        return True
    return _NOT_COERCED


def _to_null(value: Any) -> Any:
    """``""``, 0 and false become null, as AJV coerces to the ``null`` type."""
    if value == "" or value is False or (_is_plain_number(value) and value == 0):
        return None
    return _NOT_COERCED


_COERCERS: Final = {
    "string": _to_string,
    "number": _to_number,
    "integer": _to_integer,
    "boolean": _to_boolean,
    "null": _to_null,
}


def _is_plain_number(value: Any) -> bool:
    """An int or float that is not a bool: JavaScript's ``=== 0`` never matches ``false``."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _js_string_to_number(text: str) -> int | float | None:
    """JavaScript's ToNumber for a string, or None where it gives NaN or a non-finite value.

    Python's ``float()`` accepts ``"nan"``, ``"inf"`` and ``"1_000"``, and rejects ``"0x1f"``
    and ``" "``, so the grammar is matched explicitly: surrounding JS whitespace, decimal
    literals, unsigned 0x/0o/0b literals; a blank string is 0.
    """
    trimmed = text.strip(_JS_WHITESPACE)
    if not trimmed:
        return 0
    if _JS_DECIMAL.fullmatch(trimmed):
        number = float(trimmed)
    elif _JS_NON_DECIMAL.fullmatch(trimmed):
        base = {"x": 16, "o": 8, "b": 2}[trimmed[1].lower()]
        exact = int(trimmed[2:], base)
        if exact <= _JS_SAFE_INTEGER:
            return exact
        try:
            number = float(exact)
        except OverflowError:
            return None
    else:
        return None
    if not math.isfinite(number):
        return None
    if number.is_integer() and abs(number) <= _JS_SAFE_INTEGER:
        return int(number)
    return number


def _js_number_to_string(value: int | float) -> str:
    """Format a number as JavaScript's Number::toString does (``5.0`` -> ``"5"``, ``1e21``).

    Python's ``repr`` yields the same shortest round-tripping digits; only the placement of the
    decimal point and the exponent notation differ, and are redone here.
    """
    if isinstance(value, int):
        if abs(value) < _JS_SAFE_INTEGER:
            return str(value)
        try:
            value = float(value)
        except OverflowError:
            return "Infinity" if value > 0 else "-Infinity"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    significant = digits.lstrip("0")
    point -= len(digits) - len(significant)
    significant = significant.rstrip("0")
    count = len(significant)
    if count <= point <= 21:
        text = significant + "0" * (point - count)
    elif 0 < point <= 21:
        text = f"{significant[:point]}.{significant[point:]}"
    elif -6 < point <= 0:
        text = "0." + "0" * -point + significant
    else:
        power = point - 1
        head = significant if count == 1 else f"{significant[0]}.{significant[1:]}"
        text = f"{head}e{'+' if power >= 0 else '-'}{abs(power)}"
    return sign + text


def _json_equal(left: Any, right: Any) -> bool:
    """Deep equality with JSON types kept apart: ``True`` never equals ``1`` here."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if _is_plain_number(left) or _is_plain_number(right):
        return _is_plain_number(left) and _is_plain_number(right) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_json_equal(left[k], right[k]) for k in left)
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    return left is None and right is None


def _validate_any_of(branches: Sequence[Mapping[str, Any]], value: Any, coerce: bool) -> Any:
    """Return the value as coerced by the first passing branch.

    When every branch fails, AJV's error list starts with the first branch's first error
    (followed by ``must match a schema in anyOf``); the first error is the one reported, so
    ``users.delete`` without ``userId`` or ``username`` answers
    ``must have required property 'userId'``.
    """
    first_failure: ValidationFailure | None = None
    for branch in branches:
        try:
            return _validate(branch, value, coerce)
        except ValidationFailure as failure:
            first_failure = first_failure or failure
    assert first_failure is not None  # _check_schema guarantees at least one branch
    raise ValidationFailure(first_failure.message)


def _validate_group(group_type: str, schema: Mapping[str, Any], value: Any, coerce: bool) -> Any:
    """Run the keywords of one typed group on a value of that type."""
    if group_type == "string":
        limit = schema.get("maxLength")
        # Python counts code points, as AJV's default ucs2length does (not UTF-16 units).
        if limit is not None and len(value) > limit:
            raise ValidationFailure(f"must NOT have more than {limit} characters")
        return value
    if group_type == "array":
        return _validate_array(schema, value, coerce)
    return _validate_object(schema, value, coerce)


def _validate_array(schema: Mapping[str, Any], value: list[Any], coerce: bool) -> list[Any]:
    """``minItems``, then each item in order."""
    minimum = schema.get("minItems")
    if minimum is not None and len(value) < minimum:
        raise ValidationFailure(f"must NOT have fewer than {minimum} items")
    if "items" not in schema:
        return value
    item_schema = schema["items"]
    return [_validate(item_schema, item, coerce) for item in value]


def _validate_object(
    schema: Mapping[str, Any], value: dict[str, Any], coerce: bool
) -> dict[str, Any]:
    """``required`` in declared order, then ``additionalProperties``, then each property."""
    for name in schema.get("required", ()):
        if name not in value:
            raise ValidationFailure(f"must have required property '{name}'")
    properties: Mapping[str, Any] = schema.get("properties", {})
    if schema.get("additionalProperties", True) is False and any(
        key not in properties for key in value
    ):
        raise ValidationFailure("must NOT have additional properties")
    result = dict(value)
    for name, property_schema in properties.items():
        if name in value:
            result[name] = _validate(property_schema, value[name], coerce)
    return result
