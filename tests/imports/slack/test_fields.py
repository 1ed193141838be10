"""Slack ``ts`` parsing: the one field every message goes through several times."""

from __future__ import annotations

import pytest

from chatport.imports.importers.slack.fields import parse_ts, ts_ms


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("1503435956.000247", 1503435956000),
        ("1503435956.9", 1503435956900),
        ("1503435956.12", 1503435956120),
        ("1503435956.", 1503435956000),
        ("1503435956", 1503435956000),
        ("0", 0),
        ("999999999999.999999", 999999999999999),
        ("\u0661\u0662.5", 12500),  # Arabic-Indic digits are decimal digits, as in \d
    ],
)
def test_ts_ms_reads_seconds_and_three_fraction_digits(text: str, millis: int) -> None:
    assert ts_ms(text) == millis


@pytest.mark.parametrize(
    "text",
    [
        "",
        ".5",
        "1000000000000.1",
        "-1.5",
        "+1",
        "1.2.3",
        "1e9",
        " 1",
        "1 ",
        "12a",
        "1.-2",
        "\u00b2",
    ],
)
def test_ts_ms_refuses_anything_else(text: str) -> None:
    assert ts_ms(text) is None


def test_parse_ts_writes_numbers_with_six_decimals() -> None:
    assert parse_ts(1503435956.5) == ("1503435956.500000", 1503435956500)
    assert parse_ts(12) == ("12.000000", 12000)
    assert parse_ts(True) is None
    assert parse_ts(float("inf")) is None
    assert parse_ts(None) is None
