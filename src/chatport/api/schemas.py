"""Request schemas, as Rocket.Chat's rest-typings declare them (validated AJV-style)."""

from __future__ import annotations

from typing import Any

_STR: dict[str, Any] = {"type": "string"}
_BOOL_N: dict[str, Any] = {"type": "boolean", "nullable": True}
_STR_N: dict[str, Any] = {"type": "string", "nullable": True}

UPLOAD_IMPORT_FILE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "binaryContent": _STR,
        "contentType": _STR,
        "fileName": _STR,
        "importerKey": _STR,
    },
    "required": ["binaryContent", "contentType", "fileName", "importerKey"],
    "additionalProperties": False,
}

DOWNLOAD_PUBLIC_IMPORT_FILE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "fileUrl": {"type": "string", "maxLength": 8192},
        "importerKey": _STR,
    },
    "required": ["fileUrl", "importerKey"],
    "additionalProperties": False,
}

_CHOICE: dict[str, Any] = {
    "type": ["object", "array"],
}

START_IMPORT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "input": {
            "type": "object",
            "properties": {"users": _CHOICE, "channels": _CHOICE, "contacts": _CHOICE},
        }
    },
    "required": ["input"],
    "additionalProperties": False,
}

_ADD_USER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "emails": {"type": "array", "items": _STR},
        "importIds": {"type": "array", "items": _STR},
        "username": _STR_N,
        "name": _STR_N,
        "utcOffset": {"type": "number", "nullable": True},
        "avatarUrl": _STR_N,
        "deleted": _BOOL_N,
        "statusText": _STR_N,
        "roles": {"type": "array", "items": _STR, "nullable": True},
        "type": _STR_N,
        "bio": _STR_N,
        "password": _STR_N,
    },
    "required": ["emails", "importIds"],
}

IMPORT_ADD_USERS: dict[str, Any] = {
    "type": "object",
    "properties": {"users": {"type": "array", "items": _ADD_USER}},
    "required": ["users"],
    "additionalProperties": False,
}

LOGIN: dict[str, Any] = {"type": "object"}

USERS_CREATE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "email": _STR,
        "name": _STR,
        "password": _STR,
        "username": _STR,
        "active": _BOOL_N,
        "bio": _STR_N,
        "customFields": {"type": "object"},
        "fields": _STR_N,
        "freeSwitchExtension": _STR_N,
        "joinDefaultChannels": _BOOL_N,
        "nickname": _STR_N,
        "phones": {"type": "array", "nullable": True},
        "requirePasswordChange": _BOOL_N,
        "roles": {"type": "array", "items": _STR},
        "sendWelcomeEmail": _BOOL_N,
        "setRandomPassword": _BOOL_N,
        "statusText": _STR_N,
        "verified": _BOOL_N,
    },
    "required": ["email", "name", "password", "username"],
    "additionalProperties": False,
}

# Rocket.Chat's ``users.update``: chatport changes the password (and the flag that asks for a
# new one) only; imported users have no password they know until an administrator sets one.
USERS_UPDATE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "userId": _STR,
        "data": {
            "type": "object",
            "properties": {"password": _STR, "requirePasswordChange": _BOOL_N},
            "required": ["password"],
            "additionalProperties": False,
        },
        "confirmRelinquish": _BOOL_N,
    },
    "required": ["userId", "data"],
    "additionalProperties": False,
}

# ``userId`` or ``username``, at least one: AJV checks the ``anyOf`` before the object's own
# keywords, so a body naming neither answers ``must have required property 'userId'`` even
# when it also has unknown keys.
USERS_DELETE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "userId": _STR,
        "username": _STR,
        "confirmRelinquish": {"type": "boolean"},
    },
    "additionalProperties": False,
    "anyOf": [{"required": ["userId"]}, {"required": ["username"]}],
}

# Token names live in a 255-character column: a longer one fails validation, not the database.
PAT_GENERATE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "tokenName": {"type": "string", "maxLength": 255},
        "bypassTwoFactor": {"type": "boolean"},
    },
    "required": ["tokenName"],
    "additionalProperties": False,
}

PAT_NAME: dict[str, Any] = {
    "type": "object",
    "properties": {"tokenName": _STR},
    "required": ["tokenName"],
    "additionalProperties": False,
}

PAGINATION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "count": {"type": "number"},
        "offset": {"type": "number"},
        "sort": _STR,
        "query": _STR,
        "fields": _STR,
    },
}

USER_LOOKUP: dict[str, Any] = {
    "type": "object",
    "properties": {"userId": _STR, "username": _STR},
}
USERS_INFO: dict[str, Any] = {
    "type": "object",
    "properties": {
        "userId": _STR,
        "username": _STR,
        "importId": _STR,
        "includeUserRooms": _STR,
        "fields": _STR,
    },
}
