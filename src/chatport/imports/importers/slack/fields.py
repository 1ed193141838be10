"""Typed access to Slack JSON objects: a wrong type is the record's error, not a crash."""

from __future__ import annotations

import math
import re
from typing import Any

from chatport.imports.convert.text import ROCKET_CAT, SLACKBOT_IDS

# A tuple, not ``int | float``: a union is built anew at every call (several per message).
_NUMBERS = (int, float)

_NUMERIC = re.compile(r"\d{1,12}(?:\.\d*)?")


class Invalid(Exception):
    """A field has the wrong type or shape; ``field`` names it (dotted path)."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def opt_str(obj: dict[str, Any], key: str, path: str | None = None) -> str | None:
    """The string at ``key``; ``None`` when absent or null; :class:`Invalid` otherwise."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise Invalid(path or key)


def opt_dict(obj: dict[str, Any], key: str, path: str | None = None) -> dict[str, Any] | None:
    value = obj.get(key)
    if value is None or isinstance(value, dict):
        return value
    raise Invalid(path or key)


def opt_list(obj: dict[str, Any], key: str, path: str | None = None) -> list[Any] | None:
    value = obj.get(key)
    if value is None or isinstance(value, list):
        return value
    raise Invalid(path or key)


def opt_bool(obj: dict[str, Any], key: str, path: str | None = None) -> bool | None:
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise Invalid(path or key)


def user_ids(values: list[Any] | None, path: str) -> list[str]:
    """Mapped (``USLACKBOT``/``U00`` -> ``rocket.cat``), de-duplicated user ids, in order."""
    result: list[str] = []
    if not values:
        return result
    for value in values:
        if not isinstance(value, str):
            raise Invalid(path)
        if not value:
            continue
        # map_user_id, inlined: this runs for every reacting and replying user.
        mapped = ROCKET_CAT if value in SLACKBOT_IDS else value
        if mapped not in result:
            result.append(mapped)
    return result


def canonical_ts(value: Any) -> str | None:
    """A Slack ``ts`` as its string form; a JSON number is written with six decimals."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, _NUMBERS):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return f"{value:.6f}"


def ts_ms(text: str) -> int | None:
    """``"1503435956.000247"`` -> ``1503435956000``: seconds × 1000 + the first three
    fractional digits, in integer arithmetic; ``None`` if it is not such a number."""
    # str methods rather than a regular expression: this runs several times per message.
    # isdecimal() accepts exactly what \d does (Unicode Nd), and int() parses all of it.
    if len(text) == 17 and text[10] == ".":
        # Slack's own form, ten digits, a dot and six: the general rule below in fewer steps
        # (a second dot is not removed, so it fails isdecimal() as it fails there).
        digits = text.replace(".", "", 1)
        return int(digits[:13]) if digits.isdecimal() else None
    head, _, fraction = text.partition(".")
    if len(head) > 12 or not head.isdecimal():
        return None
    if len(fraction) >= 3:  # Slack's own form (six digits): no padding to build
        return int(head + fraction[:3]) if fraction.isdecimal() else None
    if fraction and not fraction.isdecimal():
        return None
    return int(head + (fraction + "000")[:3])  # seconds and milliseconds in one int()


def parse_ts(value: Any) -> tuple[str, int] | None:
    """``(canonical string, milliseconds)`` of a Slack ``ts``, or ``None``."""
    if isinstance(value, str):  # nearly always: the string is its own canonical form
        millis = ts_ms(value)
        return None if millis is None else (value, millis)
    text = canonical_ts(value)
    if text is None:
        return None
    millis = ts_ms(text)
    if millis is None:
        return None
    return text, millis


def seconds(value: Any) -> int | None:
    """Whole seconds from a number or a numeric string (``created``), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str) and _NUMERIC.fullmatch(value):
        return int(value.split(".", 1)[0])
    return None
