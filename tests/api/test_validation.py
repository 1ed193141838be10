"""AJV-emulation tests: every message, the keyword order and coercion, on the API's real schemas.

The schemas below are transcribed from rest-api.md (§4.1, §4.2, §4.4, §4.13, §5, §2.5); the
expected messages are what Rocket.Chat's AJV v8 validators (allErrors off) answer.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatport.api.validation import SchemaError, ValidationFailure, validate

STRING: dict[str, Any] = {"type": "string"}
NULLABLE_STRING: dict[str, Any] = {"type": "string", "nullable": True}
NULLABLE_BOOLEAN: dict[str, Any] = {"type": "boolean", "nullable": True}
STRING_LIST: dict[str, Any] = {"type": "array", "items": STRING}

# §4.1 uploadImportFile: no coercion.
UPLOAD_IMPORT_FILE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "binaryContent": STRING,
        "contentType": STRING,
        "fileName": STRING,
        "importerKey": STRING,
    },
    "required": ["binaryContent", "contentType", "fileName", "importerKey"],
    "additionalProperties": False,
}

# §4.2 downloadPublicImportFile: no coercion.
DOWNLOAD_PUBLIC_IMPORT_FILE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "fileUrl": {"type": "string", "maxLength": 8192},
        "importerKey": STRING,
    },
    "required": ["fileUrl", "importerKey"],
    "additionalProperties": False,
}

_SELECTION: dict[str, Any] = {
    "type": "object",
    "properties": {"all": {"type": "boolean"}, "list": STRING_LIST},
}

# §4.4 startImport: coercing; extra keys inside input and the selections are ignored.
START_IMPORT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "input": {
            "type": "object",
            "properties": {"users": _SELECTION, "channels": _SELECTION, "contacts": _SELECTION},
        }
    },
    "required": ["input"],
    "additionalProperties": False,
}

# §4.13 import.addUsers: coercing, union types allowed, other item keys allowed.
IMPORT_ADD_USERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "users": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "username": NULLABLE_STRING,
                    "emails": STRING_LIST,
                    "importIds": STRING_LIST,
                    "name": NULLABLE_STRING,
                    "utcOffset": {"type": "number", "nullable": True},
                    "avatarUrl": NULLABLE_STRING,
                    "deleted": NULLABLE_BOOLEAN,
                    "statusText": NULLABLE_STRING,
                    "roles": {"type": "array", "nullable": True, "items": STRING},
                    "type": {"type": "string", "nullable": True, "enum": ["user", "bot", None]},
                    "bio": NULLABLE_STRING,
                    "password": NULLABLE_STRING,
                },
                "required": ["emails", "importIds"],
            },
        }
    },
    "required": ["users"],
    "additionalProperties": False,
}

# §4 "no query keys" / "empty object".
EMPTY_OBJECT: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}

# §5 users.create: no coercion.
USERS_CREATE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "email": STRING,
        "name": STRING,
        "password": STRING,
        "username": STRING,
        "active": NULLABLE_BOOLEAN,
        "bio": NULLABLE_STRING,
        "nickname": NULLABLE_STRING,
        "statusText": NULLABLE_STRING,
        "roles": STRING_LIST,
        "joinDefaultChannels": NULLABLE_BOOLEAN,
        "requirePasswordChange": NULLABLE_BOOLEAN,
        "setRandomPassword": NULLABLE_BOOLEAN,
        "sendWelcomeEmail": NULLABLE_BOOLEAN,
        "verified": NULLABLE_BOOLEAN,
        "customFields": {"type": "object"},
        "fields": NULLABLE_STRING,
        "freeSwitchExtension": NULLABLE_STRING,
        "phones": {"type": "array", "nullable": True},
    },
    "required": ["email", "name", "password", "username"],
    "additionalProperties": False,
}

# §5 users.delete: coercing, userId or username.
USERS_DELETE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "userId": STRING,
        "username": STRING,
        "confirmRelinquish": {"type": "boolean"},
    },
    "anyOf": [{"required": ["userId"]}, {"required": ["username"]}],
    "additionalProperties": False,
}

# §5 POST settings/:_id, for a string and a number setting.
STRING_SETTING: dict[str, Any] = {
    "type": "object",
    "properties": {"value": STRING},
    "required": ["value"],
}
NUMBER_SETTING: dict[str, Any] = {
    "type": "object",
    "properties": {"value": {"type": "number"}},
    "required": ["value"],
}

# §2.5 users.generatePersonalAccessToken.
GENERATE_TOKEN: dict[str, Any] = {
    "type": "object",
    "properties": {"tokenName": STRING, "bypassTwoFactor": {"type": "boolean"}},
    "required": ["tokenName"],
    "additionalProperties": False,
}

_UPLOAD_OK = {"binaryContent": "aGk=", "contentType": "text/csv", "fileName": "a.csv"}
_USER = {"emails": ["a@b.c"], "importIds": ["u1"]}


def _message(schema: dict[str, Any], value: Any, *, coerce: bool = False) -> str | None:
    """The failure message, or None when the value passes."""
    try:
        validate(schema, value, coerce=coerce)
    except ValidationFailure as failure:
        assert str(failure) == failure.message
        return failure.message
    return None


ROUTE_CASES: list[tuple[str, dict[str, Any], Any, bool, str | None]] = [
    # downloadPublicImportFile
    (
        "download ok",
        DOWNLOAD_PUBLIC_IMPORT_FILE,
        {"fileUrl": "x", "importerKey": "csv"},
        False,
        None,
    ),
    (
        "download empty strings",
        DOWNLOAD_PUBLIC_IMPORT_FILE,
        {"fileUrl": "", "importerKey": ""},
        False,
        None,
    ),
    (
        "download fileUrl number",
        DOWNLOAD_PUBLIC_IMPORT_FILE,
        {"fileUrl": 5},
        False,
        "must have required property 'importerKey'",
    ),
    (
        "download fileUrl 5 complete",
        DOWNLOAD_PUBLIC_IMPORT_FILE,
        {"fileUrl": 5, "importerKey": "csv"},
        False,
        "must be string",
    ),
    (
        "download empty body",
        DOWNLOAD_PUBLIC_IMPORT_FILE,
        {},
        False,
        "must have required property 'fileUrl'",
    ),
    (
        "download extra key",
        DOWNLOAD_PUBLIC_IMPORT_FILE,
        {"fileUrl": "x", "importerKey": "csv", "extra": 1},
        False,
        "must NOT have additional properties",
    ),
    (
        "download 8192 chars",
        DOWNLOAD_PUBLIC_IMPORT_FILE,
        {"fileUrl": "u" * 8192, "importerKey": "csv"},
        False,
        None,
    ),
    (
        "download 8193 chars",
        DOWNLOAD_PUBLIC_IMPORT_FILE,
        {"fileUrl": "u" * 8193, "importerKey": "csv"},
        False,
        "must NOT have more than 8192 characters",
    ),
    (
        "download 8192 astral chars",
        DOWNLOAD_PUBLIC_IMPORT_FILE,
        {"fileUrl": "\U0001f600" * 8192, "importerKey": "csv"},
        False,
        None,
    ),
    ("download array body", DOWNLOAD_PUBLIC_IMPORT_FILE, [], False, "must be object"),
    (
        "download null fileUrl",
        DOWNLOAD_PUBLIC_IMPORT_FILE,
        {"fileUrl": None, "importerKey": "c"},
        False,
        "must be string",
    ),
    (
        "download importerKey bool",
        DOWNLOAD_PUBLIC_IMPORT_FILE,
        {"fileUrl": "", "importerKey": True},
        False,
        "must be string",
    ),
    # uploadImportFile: required in declared order
    ("upload empty", UPLOAD_IMPORT_FILE, {}, False, "must have required property 'binaryContent'"),
    (
        "upload no contentType",
        UPLOAD_IMPORT_FILE,
        {"binaryContent": "", "importerKey": "", "x": 1},
        False,
        "must have required property 'contentType'",
    ),
    (
        "upload no fileName",
        UPLOAD_IMPORT_FILE,
        {"importerKey": "", "contentType": "", "binaryContent": ""},
        False,
        "must have required property 'fileName'",
    ),
    (
        "upload no importerKey",
        UPLOAD_IMPORT_FILE,
        dict(_UPLOAD_OK),
        False,
        "must have required property 'importerKey'",
    ),
    ("upload ok", UPLOAD_IMPORT_FILE, {**_UPLOAD_OK, "importerKey": "csv"}, False, None),
    (
        "upload extra before types",
        UPLOAD_IMPORT_FILE,
        {**_UPLOAD_OK, "fileName": 1, "importerKey": "csv", "zzz": 0},
        False,
        "must NOT have additional properties",
    ),
    (
        "upload properties in declared order",
        UPLOAD_IMPORT_FILE,
        {"importerKey": 1, "fileName": "f", "contentType": 2, "binaryContent": "b"},
        False,
        "must be string",
    ),
    # startImport (coercing)
    ("startImport empty", START_IMPORT, {}, True, "must have required property 'input'"),
    ("startImport input string", START_IMPORT, {"input": "x"}, True, "must be object"),
    ("startImport input null", START_IMPORT, {"input": None}, True, "must be object"),
    (
        "startImport extra top key",
        START_IMPORT,
        {"input": {}, "x": 1},
        True,
        "must NOT have additional properties",
    ),
    (
        "startImport extra inner keys ignored",
        START_IMPORT,
        {"input": {"users": {"all": True, "other": 1}, "more": []}},
        True,
        None,
    ),
    (
        "startImport all not boolean",
        START_IMPORT,
        {"input": {"users": {"all": "yes"}}},
        True,
        "must be boolean",
    ),
    (
        "startImport list not array",
        START_IMPORT,
        {"input": {"channels": {"list": "C1"}}},
        True,
        "must be array",
    ),
    (
        "startImport list item",
        START_IMPORT,
        {"input": {"contacts": {"list": ["a", {}]}}},
        True,
        "must be string",
    ),
    # import.addUsers (coercing)
    ("addUsers empty", IMPORT_ADD_USERS, {}, True, "must have required property 'users'"),
    ("addUsers not array", IMPORT_ADD_USERS, {"users": {}}, True, "must be array"),
    ("addUsers empty array", IMPORT_ADD_USERS, {"users": []}, True, None),
    ("addUsers item not object", IMPORT_ADD_USERS, {"users": ["x"]}, True, "must be object"),
    (
        "addUsers emails first",
        IMPORT_ADD_USERS,
        {"users": [{}]},
        True,
        "must have required property 'emails'",
    ),
    (
        "addUsers then importIds",
        IMPORT_ADD_USERS,
        {"users": [{"emails": []}]},
        True,
        "must have required property 'importIds'",
    ),
    (
        "addUsers second item",
        IMPORT_ADD_USERS,
        {"users": [_USER, {"importIds": []}]},
        True,
        "must have required property 'emails'",
    ),
    (
        "addUsers other keys allowed",
        IMPORT_ADD_USERS,
        {"users": [{**_USER, "services": {}, "customFields": {"a": 1}}]},
        True,
        None,
    ),
    (
        "addUsers nullables",
        IMPORT_ADD_USERS,
        {"users": [{**_USER, "username": None, "utcOffset": None, "roles": None, "type": None}]},
        True,
        None,
    ),
    (
        "addUsers bad type",
        IMPORT_ADD_USERS,
        {"users": [{**_USER, "type": "admin"}]},
        True,
        "must be equal to one of the allowed values",
    ),
    (
        "addUsers utcOffset",
        IMPORT_ADD_USERS,
        {"users": [{**_USER, "utcOffset": "x"}]},
        True,
        "must be number",
    ),
    (
        "addUsers roles item",
        IMPORT_ADD_USERS,
        {"users": [{**_USER, "roles": [[]]}]},
        True,
        "must be string",
    ),
    (
        "addUsers emails object",
        IMPORT_ADD_USERS,
        {"users": [{"emails": {}, "importIds": []}]},
        True,
        "must be array",
    ),
    (
        "addUsers extra top key",
        IMPORT_ADD_USERS,
        {"users": [], "count": 1},
        True,
        "must NOT have additional properties",
    ),
    # empty-object schema (no query keys / empty object bodies)
    ("empty ok", EMPTY_OBJECT, {}, False, None),
    ("empty any key", EMPTY_OBJECT, {"any": "x"}, False, "must NOT have additional properties"),
    ("empty array", EMPTY_OBJECT, [], False, "must be object"),
    (
        "empty coerced query",
        EMPTY_OBJECT,
        {"any": "test"},
        True,
        "must NOT have additional properties",
    ),
    # users.create (no coercion)
    ("users.create empty", USERS_CREATE, {}, False, "must have required property 'email'"),
    (
        "users.create ok",
        USERS_CREATE,
        {"email": "u@rocket.chat", "name": "u", "username": "user.test.1.1", "password": "p"},
        False,
        None,
    ),
    (
        "users.create nullable",
        USERS_CREATE,
        {
            "email": "e",
            "name": "n",
            "username": "u",
            "password": "p",
            "active": None,
            "bio": None,
            "phones": None,
        },
        False,
        None,
    ),
    (
        "users.create active string",
        USERS_CREATE,
        {"email": "e", "name": "n", "username": "u", "password": "p", "active": "true"},
        False,
        "must be boolean",
    ),
    (
        "users.create roles",
        USERS_CREATE,
        {"email": "e", "name": "n", "username": "u", "password": "p", "roles": None},
        False,
        "must be array",
    ),
    (
        "users.create customFields",
        USERS_CREATE,
        {"email": "e", "name": "n", "username": "u", "password": "p", "customFields": []},
        False,
        "must be object",
    ),
    # users.delete (coercing, anyOf)
    ("users.delete empty", USERS_DELETE, {}, True, "must have required property 'userId'"),
    ("users.delete userId", USERS_DELETE, {"userId": "x"}, True, None),
    (
        "users.delete username",
        USERS_DELETE,
        {"username": "x", "confirmRelinquish": "true"},
        True,
        None,
    ),
    (
        "users.delete only extra",
        USERS_DELETE,
        {"other": 1},
        True,
        "must have required property 'userId'",
    ),
    (
        "users.delete anyOf before extra",
        USERS_DELETE,
        {"userId": "x", "other": 1},
        True,
        "must NOT have additional properties",
    ),
    ("users.delete array", USERS_DELETE, [], True, "must be object"),
    (
        "users.delete confirm",
        USERS_DELETE,
        {"userId": "x", "confirmRelinquish": "maybe"},
        True,
        "must be boolean",
    ),
    ("users.delete numeric id coerces", USERS_DELETE, {"userId": 12}, True, None),
    # settings
    ("setting string ok", STRING_SETTING, {"value": ""}, False, None),
    ("setting string wrong", STRING_SETTING, {"value": 5}, False, "must be string"),
    ("setting number wrong", NUMBER_SETTING, {"value": "5"}, False, "must be number"),
    ("setting number bool", NUMBER_SETTING, {"value": True}, False, "must be number"),
    ("setting number ok", NUMBER_SETTING, {"value": 5.5}, False, None),
    # personal access tokens
    ("token ok", GENERATE_TOKEN, {"tokenName": "t", "bypassTwoFactor": False}, False, None),
    (
        "token missing",
        GENERATE_TOKEN,
        {"bypassTwoFactor": 1},
        False,
        "must have required property 'tokenName'",
    ),
    (
        "token bypass",
        GENERATE_TOKEN,
        {"tokenName": "t", "bypassTwoFactor": 1},
        False,
        "must be boolean",
    ),
]


@pytest.mark.parametrize(
    ("schema", "value", "coerce", "expected"),
    [case[1:] for case in ROUTE_CASES],
    ids=[case[0] for case in ROUTE_CASES],
)
def test_route_schemas(
    schema: dict[str, Any], value: Any, coerce: bool, expected: str | None
) -> None:
    assert _message(schema, value, coerce=coerce) == expected


TYPE_CASES: list[tuple[Any, Any, str | None]] = [
    ("object", [], "must be object"),
    ("object", None, "must be object"),
    ("object", "{}", "must be object"),
    ("array", {}, "must be array"),
    ("array", "[]", "must be array"),
    ("string", 1, "must be string"),
    ("string", b"bytes", "must be string"),
    ("boolean", 0, "must be boolean"),
    ("boolean", "true", "must be boolean"),
    ("boolean", False, None),
    ("number", True, "must be number"),
    ("number", "1", "must be number"),
    ("number", 5, None),
    ("number", 5.0, None),
    ("number", -0.5, None),
    ("number", math.inf, "must be number"),
    ("number", math.nan, "must be number"),
    ("integer", 5, None),
    ("integer", 5.0, None),
    ("integer", 5.5, "must be integer"),
    ("integer", False, "must be integer"),
    ("integer", math.inf, "must be integer"),
    ("null", None, None),
    ("null", 0, "must be null"),
    ("null", "", "must be null"),
    (["string", "number"], 1, None),
    (["string", "number"], True, "must be string,number"),
    (["object", "array"], "x", "must be object,array"),
    (["string", "null"], None, None),
    (["string"], 1, "must be string"),
]


@pytest.mark.parametrize(("type_", "value", "expected"), TYPE_CASES)
def test_type_messages(type_: Any, value: Any, expected: str | None) -> None:
    assert _message({"type": type_}, value) == expected


def test_nullable_accepts_null_and_keeps_the_type_message() -> None:
    assert _message(NULLABLE_STRING, None) is None
    assert _message(NULLABLE_STRING, 1) == "must be string"
    assert _message({"type": ["string", "number"], "nullable": True}, []) == "must be string,number"


@pytest.mark.parametrize(
    ("schema", "value", "expected"),
    [
        ({"enum": ["a", 1]}, "a", None),
        ({"enum": ["a", 1]}, 1.0, None),
        ({"enum": ["a", 1]}, True, "must be equal to one of the allowed values"),
        ({"enum": [True]}, 1, "must be equal to one of the allowed values"),
        ({"enum": [[1, {"a": None}]]}, [1, {"a": None}], None),
        ({"enum": [{"a": 1}]}, {"a": 1, "b": 2}, "must be equal to one of the allowed values"),
        ({"enum": [None]}, None, None),
        ({"maxLength": 2}, "abc", "must NOT have more than 2 characters"),
        ({"maxLength": 2}, 12345, None),
        ({"type": "string", "maxLength": 0}, "", None),
        ({"minItems": 2}, [1], "must NOT have fewer than 2 items"),
        ({"minItems": 2}, {}, None),
        ({"type": "array", "minItems": 1, "items": STRING}, [], "must NOT have fewer than 1 items"),
        (
            {"type": "array", "minItems": 3, "items": STRING},
            [1],
            "must NOT have fewer than 3 items",
        ),
        ({"type": "array", "items": STRING}, ["a", 1, None], "must be string"),
        (
            {"type": "array", "items": {"type": "object", "required": ["x"]}},
            [{"x": 1}, {}],
            "must have required property 'x'",
        ),
        ({"required": ["a"]}, "not an object", None),
    ],
)
def test_keyword_messages(schema: dict[str, Any], value: Any, expected: str | None) -> None:
    assert _message(schema, value) == expected


def test_nullable_enum_needs_null_listed_like_ajv() -> None:
    schema = {"type": "string", "nullable": True, "enum": ["user", "bot"]}
    assert _message(schema, None) == "must be equal to one of the allowed values"


_ORDER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"a": {"type": "string"}, "b": {"type": "number"}},
    "required": ["b", "a"],
}
_QUIRK: dict[str, Any] = {"type": "string", "maxLength": 3, "enum": ["a"]}
_OBJECT_ANY_OF: dict[str, Any] = {
    "type": "object",
    "required": ["a"],
    "anyOf": [{"required": ["b"]}],
}


@pytest.mark.parametrize(
    ("schema", "value", "coerce", "expected"),
    [
        # required in declared order, not data order
        (_ORDER_SCHEMA, {"a": 1}, False, "must have required property 'b'"),
        # properties in declared order, not data order
        (_ORDER_SCHEMA, {"b": "x", "a": 1}, False, "must be string"),
        (_ORDER_SCHEMA, {"b": "x", "a": "y"}, False, "must be number"),
        # the type comes before required
        (_ORDER_SCHEMA, [], False, "must be object"),
        # A single type with keywords of its own group: AJV reports the type after enum/anyOf.
        (_QUIRK, 5, False, "must be equal to one of the allowed values"),
        ({**_QUIRK, "enum": [5]}, 5, False, "must be string"),
        (_OBJECT_ANY_OF, {}, False, "must have required property 'b'"),
        (_OBJECT_ANY_OF, "x", False, "must be object"),
        # Without keywords of the type's group, the type is checked first.
        ({"type": "string", "enum": ["a"]}, 5, False, "must be string"),
        # A coercible or nullable type is always checked (and coerced) first.
        (_QUIRK, [], True, "must be string"),
        ({**_QUIRK, "enum": ["5"]}, 5, True, None),
        ({**_OBJECT_ANY_OF, "nullable": True}, "x", False, "must be object"),
        ({**_OBJECT_ANY_OF, "nullable": True}, {"b": 1}, False, "must have required property 'a'"),
    ],
)
def test_ajv_keyword_order(
    schema: dict[str, Any], value: Any, coerce: bool, expected: str | None
) -> None:
    assert _message(schema, value, coerce=coerce) == expected


def test_coercion_puts_type_before_enum() -> None:
    schema = {"type": "string", "maxLength": 3, "enum": ["5"]}
    assert validate(schema, 5, coerce=True) == "5"


def test_anyof_reports_first_branch_and_keeps_passing_branch_coercion() -> None:
    schema = {"anyOf": [{"type": "boolean"}, {"type": "null"}]}
    assert _message(schema, "x", coerce=True) == "must be boolean"
    assert validate(schema, "true", coerce=True) is True
    assert validate(schema, "", coerce=True) is None


COERCE_CASES: list[tuple[Any, Any, Any]] = [
    # to boolean
    ("boolean", "true", True),
    ("boolean", "false", False),
    ("boolean", 1, True),
    ("boolean", 0, False),
    ("boolean", 0.0, False),
    ("boolean", 1.0, True),
    ("boolean", None, False),
    ("boolean", True, True),
    # to number
    ("number", "5", 5),
    ("number", "-1.5", -1.5),
    ("number", " 42\n", 42),
    ("number", "1e3", 1000),
    ("number", "0x1F", 31),
    ("number", ".5", 0.5),
    ("number", " ", 0),
    ("number", True, 1),
    ("number", False, 0),
    ("number", None, 0),
    ("number", 2.5, 2.5),
    # to integer
    ("integer", "7", 7),
    ("integer", "7.0", 7),
    ("integer", True, 1),
    ("integer", None, 0),
    # to string
    ("string", 5, "5"),
    ("string", 5.0, "5"),
    ("string", 0.1, "0.1"),
    ("string", -0.0, "0"),
    ("string", 1e21, "1e+21"),
    ("string", 1e20, "100000000000000000000"),
    ("string", 1.5e-7, "1.5e-7"),
    ("string", 0.000001, "0.000001"),
    ("string", 2**60, "1152921504606847000"),
    ("string", True, "true"),
    ("string", False, "false"),
    ("string", None, ""),
    # to null
    ("null", "", None),
    ("null", 0, None),
    ("null", False, None),
    # union: the first type in declared order that accepts the value
    (["number", "boolean"], "1", 1),
    (["boolean", "number"], 1, 1),
    (["boolean", "string"], 1.0, True),
    (["string", "boolean"], 1, "1"),
    (["boolean", "number"], "true", True),
    # nullable: null is a member, so it stays null
    ({"type": "boolean", "nullable": True}, None, None),
    ({"type": "string", "nullable": True}, 3, "3"),
    ({"type": "boolean", "nullable": True}, "", None),
]


@pytest.mark.parametrize(("type_", "value", "expected"), COERCE_CASES)
def test_coercion(type_: Any, value: Any, expected: Any) -> None:
    schema = type_ if isinstance(type_, dict) else {"type": type_}
    result = validate(schema, value, coerce=True)
    assert result == expected
    assert type(result) is type(expected)


NOT_COERCIBLE: list[tuple[str, Any]] = [
    ("boolean", "yes"),
    ("boolean", "True"),
    ("boolean", 2),
    ("boolean", ""),
    ("number", ""),
    ("number", "abc"),
    ("number", "1_000"),
    ("number", "NaN"),
    ("number", "Infinity"),
    ("number", "1e400"),
    ("number", "-0x10"),
    ("number", "\u0665"),
    ("number", []),
    ("integer", "7.5"),
    ("integer", 7.5),
    ("string", []),
    ("string", {}),
    ("null", "null"),
    ("null", 1),
    ("object", "{}"),
    ("array", "a"),
    ("array", None),
]


@pytest.mark.parametrize(("type_", "value"), NOT_COERCIBLE)
def test_values_that_do_not_coerce(type_: str, value: Any) -> None:
    assert _message({"type": type_}, value, coerce=True) == f"must be {type_}"


def test_no_coercion_without_the_flag() -> None:
    assert _message({"type": "boolean"}, "true") == "must be boolean"
    assert _message({"type": "string"}, 5) == "must be string"


def test_start_import_coerces_nested_values() -> None:
    body = {"input": {"users": {"all": "true"}, "channels": {"all": 0, "list": ["C1", 7]}}}
    original = copy.deepcopy(body)
    result = validate(START_IMPORT, body, coerce=True)
    assert result == {
        "input": {"users": {"all": True}, "channels": {"all": False, "list": ["C1", "7"]}}
    }
    assert result["input"]["users"]["all"] is True
    assert body == original  # the input is never mutated


def test_add_users_coerces_items() -> None:
    body = {
        "users": [{"emails": ["a@b.c"], "importIds": [1], "utcOffset": "-3", "deleted": "false"}]
    }
    result = validate(IMPORT_ADD_USERS, body, coerce=True)
    assert result["users"][0] == {
        "emails": ["a@b.c"],
        "importIds": ["1"],
        "utcOffset": -3,
        "deleted": False,
    }


def test_undeclared_keys_and_their_order_are_kept() -> None:
    value = {"z": 1, "input": {"users": {"all": "false", "x": "y"}}}
    schema = {**START_IMPORT, "additionalProperties": True}
    result = validate(schema, value, coerce=True)
    assert list(result) == ["z", "input"]
    assert result["input"]["users"] == {"all": False, "x": "y"}


def test_valid_value_is_returned_unchanged() -> None:
    body = {"fileUrl": "https://example.com/a.zip", "importerKey": "slack"}
    assert validate(DOWNLOAD_PUBLIC_IMPORT_FILE, body) == body


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "minLength": 1},
        {"type": "strnig"},
        {"type": []},
        {"nullable": True},
        {"type": "string", "nullable": "yes"},
        {"required": "a"},
        {"properties": {"a": {"format": "email"}}},
        {"additionalProperties": {"type": "string"}},
        {"items": [{"type": "string"}]},
        {"enum": "a"},
        {"maxLength": -1},
        {"minItems": True},
        {"anyOf": []},
        {"anyOf": [{"type": "string"}, {"pattern": "x"}]},
        ["not", "a", "schema"],
    ],
)
def test_malformed_schemas_are_rejected(schema: Any) -> None:
    with pytest.raises(SchemaError):
        validate(schema, "anything")


def test_annotations_are_allowed() -> None:
    schema = {"type": "string", "title": "t", "description": "d", "$comment": "c"}
    assert validate(schema, "x") == "x"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["users", "input", "fileUrl", "importerKey", "emails", "importIds", "x"]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@pytest.mark.parametrize(
    ("schema", "coerce"),
    [
        (DOWNLOAD_PUBLIC_IMPORT_FILE, False),
        (UPLOAD_IMPORT_FILE, False),
        (START_IMPORT, True),
        (IMPORT_ADD_USERS, True),
        (USERS_DELETE, True),
        (EMPTY_OBJECT, True),
    ],
)
@given(value=json_values)
def test_only_validation_failures_escape(schema: dict[str, Any], coerce: bool, value: Any) -> None:
    before = copy.deepcopy(value)
    try:
        result = validate(schema, value, coerce=coerce)
    except ValidationFailure:
        pass
    else:
        # A passing value validates again to itself: coercion reaches a fixed point.
        assert validate(schema, result, coerce=coerce) == result
    assert value == before


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_to_string_round_trips(number: float) -> None:
    text = validate({"type": "string"}, number, coerce=True)
    assert isinstance(text, str)
    assert validate({"type": "number"}, text, coerce=True) == number


@given(st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1))
def test_safe_integers_print_exactly(number: int) -> None:
    assert validate({"type": "string"}, number, coerce=True) == str(number)
