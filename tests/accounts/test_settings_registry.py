"""Setting values: JSON types as JavaScript sees them, and environment parsing."""

from __future__ import annotations

import math
from typing import Any

import pytest

from chatport.accounts.settings_registry import (
    SETTINGS,
    WrongType,
    matches_type,
    normalize,
    parse_env_value,
)

NUMBER = SETTINGS["import_max_file_bytes"]
STRING = SETTINGS["SSRF_Allowlist"]
BOOLEAN = SETTINGS["API_Enable_Rate_Limiter"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, 5),
        (0, 0),
        (-3, -3),
        (5.0, 5),
        (12.5, 12.5),
        (2**53, 2**53),
        (10**20, 1e20),
        (1e20, 1e20),
    ],
)
def test_numbers(value: Any, expected: Any) -> None:
    result = normalize(NUMBER, value)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    "value", [math.inf, -math.inf, math.nan, 10**400, True, False, None, "5", [], {}]
)
def test_not_numbers(value: Any) -> None:
    with pytest.raises(WrongType):
        normalize(NUMBER, value)
    assert not matches_type(NUMBER, value)


def test_strings_and_booleans() -> None:
    assert normalize(STRING, "") == ""
    assert normalize(BOOLEAN, False) is False
    for value in (5, None, True, []):
        assert not matches_type(STRING, value)
    for value in (0, 1, "true", None):
        assert not matches_type(BOOLEAN, value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2048", 2048),
        (" 7 ", 7),
        ("1.5", 1.5),
        ("1e3", 1000),
        ("123456789012345678901", 1.2345678901234568e20),
    ],
)
def test_env_numbers(raw: str, expected: Any) -> None:
    assert parse_env_value(NUMBER, raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "inf", "-Infinity", "nan", "1e400", "0x10"])
def test_env_numbers_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="CHATPORT_IMPORT_MAX_FILE_BYTES"):
        parse_env_value(NUMBER, raw)


def test_env_string_and_boolean() -> None:
    assert parse_env_value(STRING, " a.test ") == " a.test "
    assert parse_env_value(BOOLEAN, "TRUE") is True
    assert parse_env_value(BOOLEAN, "0") is False
    with pytest.raises(ValueError):
        parse_env_value(BOOLEAN, "yes")
