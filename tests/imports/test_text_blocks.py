"""Block Kit and rich text rendering (importers.md §8), against the real message samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chatport.imports.convert.text_blocks import render_blocks

SAMPLES = Path("/work/shared/fixtures/slack/message-samples")


def sample(name: str) -> dict[str, Any]:
    value = json.loads((SAMPLES / name).read_text())
    return value if isinstance(value, dict) else value[0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "message_with_bullet_list.json",
            "Basic bullet list with rich elements\n- item 1: :basketball:\n"
            "- item 2: *this* is _a list_ item\n- item 3: *[with a link](https://example.com/)*\n"
            "- item 4: we are near ~the end~\n"
            "- item 5: ~_*[this is the end](https://chat.zulip.org/)*_~",
        ),
        (
            "message_with_nested_ordered_list.json",
            "ordered list with subitems:\n1. main item 1\n  - nested item 1\n  - nested item 2\n"
            "  - nested item 3\n2. main item 2\n  1. nested item 1",
        ),
        (
            "message_with_code_block.json",
            "```\n# I'm a code block!\n\ndef convert_slack_formatting(text: str) -> str:\n"
            "    return text\n```",
        ),
        (
            "message_with_quote_block.json",
            "> Hello there, I am a rich text section block!\n"
            "> *Hello there, I am a rich text section block!*\n"
            "> ~_*`Hello there, I am a rich text section block!`*_~",
        ),
        (
            "message_with_emojis.json",
            "Hello there! Here are some emojis :basketball: :snowboarder: :checkered_flag:",
        ),
        ("message_with_unknown_rich_text_block.json", "Hello there, I am a basic rich text block!"),
        (
            "message_with_varying_block_types.json",
            "Hello there, I am a basic rich text block!\n"
            "Hello there, *I am a bold rich text block!*\n---\n"
            "This is a mrkdwn section block :ghost: *this is bold*, and ~this is crossed out~, "
            "and [this is a link](https://google.com)\n*This is a header block*",
        ),
    ],
)
def test_samples_render(name: str, expected: str) -> None:
    assert render_blocks(sample(name)["blocks"]).text == expected


def test_references_are_collected() -> None:
    users = render_blocks(sample("message_with_user_mentions.json")["blocks"])
    assert users.text == "@U06NU4E26M9 test user mention @U074VRHQ11T"
    assert users.mentions == ["U06NU4E26M9", "U074VRHQ11T"]
    broadcast = render_blocks(sample("message_with_workspace_mentions.json")["blocks"])
    assert broadcast.text == "@all _*@here*_ test mention"
    assert broadcast.mentions == ["all", "here"]
    channels = render_blocks(
        sample("message_with_channel_mentions.json")["blocks"], {"C079A3FA12P": "random"}
    )
    assert channels.text.startswith("#random ")
    assert channels.channels[0] == "random"


def test_block_kinds() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Deploy &amp; run"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Status* <@U1>"},
            "fields": [{"type": "mrkdwn", "text": "a"}, {"type": "plain_text", "text": "b"}],
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "one"},
                {"type": "image", "image_url": "https://i/x.png", "alt_text": "pic"},
            ],
        },
        {"type": "divider"},
        {"type": "image", "image_url": "https://i/y.png", "alt_text": "chart"},
        {"type": "actions", "elements": [{"type": "button"}]},
        "not a block",
    ]
    result = render_blocks(blocks)
    assert result.text == (
        "*Deploy & run*\n*Status* @U1\na\nb\none · [pic](https://i/x.png)\n---\n"
        "[chart](https://i/y.png)"
    )
    assert result.mentions == ["U1"]


def test_rich_text_elements() -> None:
    block = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "usergroup", "usergroup_id": "S1"},
                    {"type": "text", "text": " "},
                    {"type": "emoji", "name": "wave", "skin_tone": 3},
                    {"type": "date", "timestamp": 0},
                    {"type": "date", "timestamp": 0, "fallback": "then"},
                    {"type": "broadcast", "range": "everyone"},
                    {"type": "link", "url": "https://x.y"},
                    {"type": "user", "user_id": "USLACKBOT"},
                    {"type": "text", "text": " bold ", "style": {"bold": True}},
                ],
            },
            {
                "type": "rich_text_list",
                "style": "ordered",
                "offset": 2,
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "c"}]},
                ],
            },
        ],
    }
    result = render_blocks([block])
    assert result.text == (
        "@S1 :wave_tone2:1970-01-01 00:00 UTCthen@allhttps://x.y@rocket.cat *bold* \n3. c"
    )
    assert result.mentions == ["all", "rocket.cat"]


def test_malformed_blocks_render_nothing() -> None:
    assert render_blocks(None).text == ""
    assert render_blocks([{"type": "rich_text", "elements": "x"}, 3, None]).text == ""
