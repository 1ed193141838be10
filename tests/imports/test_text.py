"""Slack mrkdwn -> Rocket.Chat markdown (importers.md §2.8–§2.10), rule by rule, in order."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from chatport.imports.convert.emoji import emoji_name, reaction_key, replace_emoji
from chatport.imports.convert.text import (
    convert_mrkdwn,
    decode_entities,
    format_epoch,
    mrkdwn_to_markdown,
)

FIXTURES = Path("/work/shared/fixtures/slack")
CHANNELS = {"C1": "general", "C2": "dev-ops"}

# (rule, input, expected text, expected mentions, expected channels)
RULES = [
    # 1: everyone/channel, with and without label
    (1, "<!channel> hi", "@all hi", ["all"], []),
    (1, "<!everyone|@everyone> x", "@all x", ["all"], []),
    (1, "<!channel> <!everyone>", "@all @all", ["all"], []),
    # 2: here
    (2, "<!here>", "@here", ["here"], []),
    (2, "<!here|@here> now", "@here now", ["here"], []),
    # 3: user groups: label @-prefixed, else @<id>; never a mention
    (3, "<!subteam^S123|@devs> ping", "@devs ping", [], []),
    (3, "<!subteam^S123|devs>", "@devs", [], []),
    (3, "<!subteam^S123>", "@S123", [], []),
    # 4: dates: the label, else the epoch in UTC
    (4, "<!date^1392734382^{date_short}|Feb 18, 2014>", "Feb 18, 2014", [], []),
    (4, "<!date^1392734382^{date_short}>", "2014-02-18 14:39 UTC", [], []),
    (4, "<!date^1392734382^{date}^https://x.y|Feb 18>", "Feb 18", [], []),
    # 5: other specials with a label
    (5, "<!foo|bar>", "bar", [], []),
    (5, "<!foo>", "<!foo>", [], []),
    # 6: bare links
    (6, "<https://example.com/a?b=c>", "https://example.com/a?b=c", [], []),
    (6, "<http://x.y/>", "http://x.y/", [], []),
    # 7: labelled links; empty label -> the URL
    (7, "<https://example.com|Example>", "[Example](https://example.com)", [], []),
    (7, "<https://example.com|>", "https://example.com", [], []),
    (7, "<https://foo.com|foo|oof>", "[foo|oof](https://foo.com)", [], []),
    # 8: mailto
    (8, "<mailto:a@b.c|Ann>", "Ann", [], []),
    (8, "<mailto:a@b.c>", "a@b.c", [], []),
    # 9: labelled channel references collect the label
    (9, "see <#C1|general>", "see #general", [], ["general"]),
    (9, "<#C9|elsewhere>", "#elsewhere", [], ["elsewhere"]),
    (9, "<#C2|>", "#dev-ops", [], ["dev-ops"]),
    # 10: bare channel references: the channel record's name, unchanged if unknown
    (10, "<#C2>", "#dev-ops", [], ["dev-ops"]),
    (10, "<#C404>", "<#C404>", [], []),
    # 11: users, label dropped, USLACKBOT and U00 -> rocket.cat
    (11, "<@U024BE7LH> hi", "@U024BE7LH hi", ["U024BE7LH"], []),
    (11, "<@U024BE7LH|bob>", "@U024BE7LH", ["U024BE7LH"], []),
    (11, "<@W012A3CDE>", "@W012A3CDE", ["W012A3CDE"], []),
    (11, "<@USLACKBOT> <@U00>", "@rocket.cat @rocket.cat", ["rocket.cat"], []),
    (11, "<@U1> <@U2> <@U1>", "@U1 @U2 @U1", ["U1", "U2"], []),
    # 12: entities, &lt; then &gt; then &amp;
    (12, "a &lt;b&gt; &amp; c", "a <b> & c", [], []),
    (12, "&amp;lt;", "&lt;", [], []),
    (12, "&lt;@U1&gt;", "<@U1>", [], []),
    # 13: emoji short-codes, outside code and link targets
    (13, ":simple_smile: :memo:", ":smile: :pencil:", [], []),
    (13, ":+1::skin-tone-2:", ":+1_tone1:", [], []),
    (13, ":wave::skin-tone-6:", ":wave_tone5:", [], []),
    (13, "`:memo:` and ```\n:memo:\n```", "`:memo:` and \n```\n:memo:\n```", [], []),
    (13, "<https://x.y/:car:|:car:>", "[:red_car:](https://x.y/:car:)", [], []),
    (13, "at 12:30-13:45 ok", "at 12:30-13:45 ok", [], []),
    (13, ":custom-emoji:", ":custom_emoji:", [], []),
    # 14: code fences on their own lines, outer newlines trimmed
    (14, "```code```", "```\ncode\n```", [], []),
    (14, "\ntext ```a\nb``` end\n", "text \n```\na\nb\n```\n end", [], []),
    (14, "\n*abc*\n", "\n*abc*\n", [], []),
    # Slack formatting is already Rocket.Chat markdown; other <…> stays
    (0, "*bold* _it_ ~strike~ `code` > quote", "*bold* _it_ ~strike~ `code` > quote", [], []),
    (0, "<foo> <@>", "<foo> <@>", [], []),
    (0, "", "", [], []),
]


@pytest.mark.parametrize(("rule", "text", "expected", "mentions", "channels"), RULES)
def test_rules(
    rule: int, text: str, expected: str, mentions: list[str], channels: list[str]
) -> None:
    result = convert_mrkdwn(text, CHANNELS)
    assert result.text == expected
    assert result.mentions == mentions
    assert result.channels == channels


def test_rule_order_decoding_comes_after_links() -> None:
    # A typed "&lt;http://x&gt;" is text, not a link (upstream decodes first).
    assert mrkdwn_to_markdown("&lt;http://x.y&gt;") == "<http://x.y>"


def test_rule_order_mentions_collected_in_rule_order() -> None:
    result = convert_mrkdwn("<@U1> <!here> <#C1> <!channel>", CHANNELS)
    assert result.text == "@U1 @here #general @all"
    assert result.mentions == ["all", "here", "U1"]
    assert result.channels == ["general"]


def test_mention_after_quote_marker_is_kept() -> None:
    result = convert_mrkdwn("><@U1> said", CHANNELS)
    assert result.text == ">@U1 said"
    assert result.mentions == ["U1"]


def test_channel_names_with_separators_are_kept_whole() -> None:
    result = convert_mrkdwn("<#C5|team-a_b.c>")
    assert result.channels == ["team-a_b.c"]


# Expected outputs for the inputs of mrkdwn-inputs.json, derived from §2.8 (the fixture's own
# expected outputs were Zulip markdown and were dropped).
FIXTURE_EXPECTED = {
    "slack_link1": (
        ">Google logo today:\n>https://www.google.com/images/srpr/logo4w.png\n>Kinda boring"
    ),
    "slack_link_with_pipe": ">Google logo today:\n>[foo](https://foo.com)\n>Kinda boring",
    "slack_link_with_pipes": ">Google logo today:\n>[foo|oof](https://foo.com)\n>Kinda boring",
    "slack_link2": "http://datausa.io/ this is a good website.",
    "mailto_format1": "email me at random@gmail.com",
    "mailto_format2": "email me at random@gmail.com",
    "valid_strikethrough_test": "(~str ike!~, text. ~Also ~)",
    "invalid_strikethrough_test": "Mid~word~ strike. Also ~~strike~~)",
    "valid_italic_test": "ital ^_lic_, _wo r@d_.",
    "invalid_italic_test": "mid_word_, @_italics_",
    "valid_bold_test": "(*text*} and normal :* bold*.",
    "invalid_bold_test": "*mid*word **word**",
    "no_conversion": "***word***",
    "valid_bold_and_italic_conversion_1": "*_test bold and italic message_*",
    "valid_bold_and_italic_conversion_2": "_*test bold and italic message*_",
    "bold_and_strike_conversion": "~*bold*~ and *~strike~*.",
    "italic_and_strike_conversion": "_~italic~_ and ~_strike_~",
    "new_line_test": "\n*abc*\n_helo_\n~stike~\n",
    "zero_width_identical_bold_matches_test": "*foo*\n*foo*\n*foo*",
}


def test_fixture_inputs() -> None:
    cases = json.loads((FIXTURES / "mrkdwn-inputs.json").read_text())
    assert {case["name"] for case in cases} == set(FIXTURE_EXPECTED)
    for case in cases:
        assert mrkdwn_to_markdown(case["input"]) == FIXTURE_EXPECTED[case["name"]], case["name"]


def test_sample_code_block() -> None:
    sample = json.loads((FIXTURES / "message-samples/message_with_code_block.json").read_text())
    assert mrkdwn_to_markdown(sample["text"]) == (
        "```\n# I'm a code block!\n\ndef convert_slack_formatting(text: str) -> str:\n"
        "    return text\n```"
    )


def test_sample_links_and_quotes() -> None:
    links = json.loads((FIXTURES / "message-samples/message_with_links.json").read_text())
    assert mrkdwn_to_markdown(links["text"]).split("\n")[:2] == [
        "[Text with a link](https://chat.zulip.org/)",
        "*[Text with a link](https://chat.zulip.org/)*",
    ]
    quote = json.loads((FIXTURES / "message-samples/message_with_quote_block.json").read_text())
    assert mrkdwn_to_markdown(quote["text"]).startswith("> Hello there")


def test_sample_channel_mentions() -> None:
    sample = json.loads(
        (FIXTURES / "message-samples/message_with_channel_mentions.json").read_text()
    )
    result = convert_mrkdwn(sample["text"], {"C079A3FA12P": "random"})
    assert result.text == "#random #rich-text-blocks #general"
    assert result.channels == ["rich-text-blocks", "general", "random"]


def test_decode_entities_and_epoch() -> None:
    assert decode_entities("&lt;&gt;&amp;") == "<>&"
    assert decode_entities("plain") == "plain"
    assert format_epoch(0) == "1970-01-01 00:00 UTC"
    assert format_epoch(10**15) is None


def test_out_of_range_date_is_left_alone() -> None:
    assert mrkdwn_to_markdown("<!date^99999999999999999^{date}>") == (
        "<!date^99999999999999999^{date}>"
    )


# -- emoji (§2.10) -----------------------------------------------------------------------------

EMOJI = [
    ("simple_smile", None, "smile"),
    ("memo", None, "pencil"),
    ("piggy", None, "pig"),
    ("uk", None, "gb"),
    ("heavy_exclamation_mark", None, "exclamation"),
    ("facepunch", None, "punch"),
    ("car", None, "red_car"),
    ("hand", None, "raised_hand"),
    ("e_email", None, "e-mail"),
    ("e-mail", None, "e-mail"),
    ("-1", None, "-1"),
    ("+1", 2, "+1_tone1"),
    ("+1", 6, "+1_tone5"),
    ("mostly_sunny", None, "white_sun_small_cloud"),
    ("barely_sunny", None, "white_sun_cloud"),
    ("partly_sunny_rain", None, "white_sun_rain_cloud"),
    ("rain_cloud", None, "cloud_rain"),
    ("man-woman-boy", None, "family_mwb"),
    ("woman-woman-girl-boy", None, "family_wwgb"),
    ("men_holding_hands", None, "two_men_holding_hands"),
    ("women_holding_hands", None, "two_women_holding_hands"),
    ("two_women_holding_hands", None, "two_women_holding_hands"),
    ("female-doctor", None, "woman_doctor"),
    ("male-teacher", 3, "man_teacher_tone2"),
    ("female_sign", None, "female_sign"),
    ("spock-hand", None, "vulcan"),
    ("flag-us", None, "flag_us"),
    ("thumbsup", None, "thumbsup"),
    ("party-parrot", None, "party_parrot"),
    ("skin-tone-3", None, "tone2"),
]


@pytest.mark.parametrize(("name", "tone", "expected"), EMOJI)
def test_emoji_names(name: str, tone: int | None, expected: str) -> None:
    assert emoji_name(name, tone) == expected


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("thumbsup", ":thumbsup:"),
        ("+1::skin-tone-2", ":+1_tone1:"),
        ("wave::skin-tone-6", ":wave_tone5:"),
        ("simple_smile", ":smile:"),
        ("wave::skin-tone-1", ":wave:"),
        ("man-woman-girl", ":family_mwg:"),
    ],
)
def test_reaction_keys(name: str, key: str) -> None:
    assert reaction_key(name) == key


def test_emoji_text_changes_only_where_mapping_differs() -> None:
    text = "ratio 1:2-3:4 :smile: :thumbsup:"
    assert replace_emoji(text) is text
    assert replace_emoji("no colon") == "no colon"


def test_emoji_inside_markdown_link_target_kept() -> None:
    assert replace_emoji("[x](http://h/:car:/y) :car:") == "[x](http://h/:car:/y) :red_car:"


# -- robustness --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "opener", ["<@U", "<#C", "<https://x", "<!subteam^S", "<!date^1^", "<mailto:a", "<!foo", "<!"]
)
def test_hostile_openers_stay_linear(opener: str) -> None:
    text = (opener + "|") * 40_000 + ">"
    started = time.perf_counter()
    convert_mrkdwn(text)
    assert time.perf_counter() - started < 2.0


def test_plain_text_is_returned_unchanged() -> None:
    text = "just words, nothing to convert"
    assert convert_mrkdwn(text).text is text
