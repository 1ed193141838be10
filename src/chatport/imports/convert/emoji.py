"""Slack emoji short-codes to Rocket.Chat's (JoyPixels) short-codes (importers.md §2.10).

Used for ``:name:`` in message text (rule 13 of §2.8) and for reaction keys. The mapping, in
order: hyphens become underscores (except names Rocket.Chat itself spells with a hyphen) and
Slack's gendered ``female-``/``male-`` prefixes become ``woman_``/``man_``; then the rename table;
then the pattern rules (weather, families, people holding hands); then the skin tone, where
Slack's tones 2–6 are Rocket.Chat's ``_tone1``–``_tone5``.

The rename table is chatport's own data: Slack names (as in Slack's emoji picker) whose
Rocket.Chat name differs. Names not listed are already valid in Rocket.Chat, or are custom
emoji, and pass through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Names Rocket.Chat spells with a hyphen: rule 1 leaves them alone.
KEEP_HYPHENATED: frozenset[str] = frozenset({"-1", "e-mail", "non-potable_water"})

#: Slack name (after rule 1) -> Rocket.Chat name.
RENAMES: dict[str, str] = {
    # spec-listed
    "simple_smile": "smile",
    "memo": "pencil",
    "piggy": "pig",
    "uk": "gb",
    "heavy_exclamation_mark": "exclamation",
    "facepunch": "punch",
    "car": "red_car",
    "hand": "raised_hand",
    "e_email": "e-mail",
    "e_mail": "e-mail",
    # faces and people
    "slightly_smiling_face": "slight_smile",
    "slightly_frowning_face": "slight_frown",
    "white_frowning_face": "frowning2",
    "upside_down_face": "upside_down",
    "money_mouth_face": "money_mouth",
    "nerd_face": "nerd",
    "thinking_face": "thinking",
    "face_with_rolling_eyes": "rolling_eyes",
    "robot_face": "robot",
    "hugging_face": "hugging",
    "zipper_mouth_face": "zipper_mouth",
    "face_with_thermometer": "thermometer_face",
    "face_with_head_bandage": "head_bandage",
    "skull_and_crossbones": "skull_crossbones",
    "the_horns": "metal",
    "sign_of_the_horns": "metal",
    "spock_hand": "vulcan",
    "raised_hand_with_fingers_splayed": "hand_splayed",
    "reversed_hand_with_middle_finger_extended": "middle_finger",
    "speaking_head_in_silhouette": "speaking_head",
    "man_in_business_suit_levitating": "levitate",
    "sleuth_or_spy": "spy",
    # objects
    "lower_left_ballpoint_pen": "pen_ballpoint",
    "lower_left_fountain_pen": "pen_fountain",
    "lower_left_paintbrush": "paintbrush",
    "lower_left_crayon": "crayon",
    "linked_paperclips": "paperclips",
    "card_index_dividers": "dividers",
    "spiral_note_pad": "notepad_spiral",
    "spiral_calendar_pad": "calendar_spiral",
    "old_key": "key2",
    "hammer_and_pick": "hammer_pick",
    "hammer_and_wrench": "tools",
    "dagger_knife": "dagger",
    "funeral_urn": "urn",
    "frame_with_picture": "frame_photo",
    "film_projector": "projector",
    "studio_microphone": "microphone2",
    "mantelpiece_clock": "clock",
    "knife_fork_plate": "fork_knife_plate",
    "umbrella": "umbrella2",
    "umbrella_with_rain_drops": "umbrella",
    # places and transport
    "world_map": "map",
    "snow_capped_mountain": "mountain_snow",
    "national_park": "park",
    "beach_with_umbrella": "beach",
    "desert_island": "island",
    "building_construction": "construction_site",
    "house_buildings": "homes",
    "derelict_house_building": "house_abandoned",
    "racing_car": "race_car",
    "racing_motorcycle": "motorcycle",
    "passenger_ship": "cruise_ship",
    # media controls
    "double_vertical_bar": "pause_button",
    "black_square_for_stop": "stop_button",
    "black_circle_for_record": "record_button",
}

#: Weather names: Slack's and their Rocket.Chat spelling.
WEATHER: dict[str, str] = {
    "mostly_sunny": "white_sun_small_cloud",
    "sun_small_cloud": "white_sun_small_cloud",
    "barely_sunny": "white_sun_cloud",
    "sun_behind_cloud": "white_sun_cloud",
    "partly_sunny_rain": "white_sun_rain_cloud",
    "sun_behind_rain_cloud": "white_sun_rain_cloud",
    "rain_cloud": "cloud_rain",
    "snow_cloud": "cloud_snow",
    "lightning": "cloud_lightning",
    "lightning_cloud": "cloud_lightning",
    "tornado": "cloud_tornado",
    "tornado_cloud": "cloud_tornado",
    "thunder_cloud_and_rain": "thunder_cloud_rain",
}

_FAMILY = re.compile(r"(man|woman)_(man|woman)_(boy|girl)(?:_(boy|girl))?")
_HOLDING_HANDS = re.compile(r"(?:wo)?men_holding_hands")
_STANDALONE_TONE = re.compile(r"skin_tone_([2-6])")
_HAS_LETTER = re.compile(r"[a-z]")
_REACTION_TONE = re.compile(r"skin-tone-([2-6])")

#: ``:name:`` or ``:name::skin-tone-N:`` in text.
EMOJI_PATTERN = re.compile(r":([a-z0-9_+'-]+)(::skin-tone-([2-6]))?:")

_cache: dict[str, str] = {}
_CACHE_MAX = 4096


def _map_base(name: str) -> str:
    if not _HAS_LETTER.search(name):
        return name  # "+1", "100", "-1", and times like "12:30-13:45" stay as written
    if name in KEEP_HYPHENATED:
        return name
    if name.startswith("female-"):
        name = "woman_" + name[7:]
    elif name.startswith("male-"):
        name = "man_" + name[5:]
    if "-" in name:
        name = name.replace("-", "_")
    renamed = RENAMES.get(name)
    if renamed is not None:
        return renamed
    renamed = WEATHER.get(name)
    if renamed is not None:
        return renamed
    family = _FAMILY.fullmatch(name)
    if family is not None:
        return "family_" + "".join(part[0] for part in family.groups() if part)
    if _HOLDING_HANDS.fullmatch(name):
        return "two_" + name
    tone = _STANDALONE_TONE.fullmatch(name)
    if tone is not None:
        return f"tone{int(tone.group(1)) - 1}"
    return name


def emoji_name(name: str, tone: int | None = None) -> str:
    """Rocket.Chat's name (without colons) for a Slack name and an optional Slack tone 2–6."""
    mapped = _cache.get(name)
    if mapped is None:
        mapped = _map_base(name)
        if len(_cache) < _CACHE_MAX:
            _cache[name] = mapped
    if tone is not None and 2 <= tone <= 6:
        return f"{mapped}_tone{tone - 1}"
    return mapped


_reaction_keys: dict[str, str] = {}


def reaction_key(name: str) -> str:
    """The reaction key ``:name:`` for a Slack reaction name such as ``+1::skin-tone-3``.

    An unknown tone suffix is dropped (the base emoji is kept). Remembered: a workspace
    reacts with a few dozen names, on most of its messages.
    """
    key = _reaction_keys.get(name)
    if key is None:
        key = _reaction_key(name)
        if len(_reaction_keys) < _CACHE_MAX:
            _reaction_keys[name] = key
    return key


def _reaction_key(name: str) -> str:
    tone: int | None = None
    if "::" in name:
        name, _, suffix = name.partition("::")
        matched = _REACTION_TONE.fullmatch(suffix)
        if matched is not None:
            tone = int(matched.group(1))
    return ":" + emoji_name(name, tone) + ":"


# Code fences, inline code, markdown link targets and bare URLs are copied unchanged; anything
# else that looks like a short-code is mapped. Alternatives are tried left to right at each
# position, so a short-code inside a protected span is never seen on its own.
_TEXT_TOKENS = re.compile(
    r"(```[\s\S]*?(?:```|\Z))"
    r"|(`[^`\n]*`)"
    r"|(\]\([^)\s]*\))"
    r"|(https?://[^\s<>()\[\]]*)"
    r"|:([a-z0-9_+'-]+)(?:::skin-tone-([2-6]))?:"
)


def _replace_token(match: re.Match[str]) -> str:
    name = match.group(5)
    if name is None:
        return match.group(0)
    tone = match.group(6)
    return ":" + emoji_name(name, int(tone) if tone else None) + ":"


def _needs_change(text: str) -> bool:
    cached = _cache.get
    for match in EMOJI_PATTERN.finditer(text):
        if match.group(3):
            return True
        name = match.group(1)
        mapped = cached(name)  # emoji_name's cache, read without the call
        if mapped is None:
            mapped = emoji_name(name)
        if mapped != name:
            return True
    return False


def replace_emoji(text: str, _sub: Callable[..., str] = _TEXT_TOKENS.sub) -> str:
    """Rule 13: map short-codes outside code spans, fences and link targets.

    Text is rewritten only when some short-code actually changes; most messages return as is
    after one scan (or none, without a colon).
    """
    # A short-code has two colons: a text with one (a URL, a time) has none to map.
    if text.count(":") < 2 or not _needs_change(text):
        return text
    return _sub(_replace_token, text)
