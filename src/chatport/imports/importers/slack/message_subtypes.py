"""Which Slack message subtypes become what (importers.md §2.6).

The tables live apart from the code that walks them because counting (``produces_message``),
file handling (``_carries_files``) and building (``_message``) must classify a subtype the
same way; one definition keeps them agreeing.
"""

from __future__ import annotations

SYSTEM_TYPES: dict[str, str] = {
    "channel_join": "uj",
    "group_join": "uj",
    "channel_leave": "ul",
    "group_leave": "ul",
    "channel_topic": "room_changed_topic",
    "group_topic": "room_changed_topic",
    "channel_purpose": "room_changed_description",
    "group_purpose": "room_changed_description",
    "channel_name": "r",
    "group_name": "r",
}
#: Which field of a system message carries its text.
SYSTEM_TEXT = {"room_changed_topic": "topic", "room_changed_description": "purpose", "r": "name"}
IGNORED_SUBTYPES = frozenset(
    {
        "bot_add",
        "bot_remove",
        "file_mention",
        "message_changed",
        "message_deleted",
        "message_replied",
    }
)
BOT_SUBTYPES = frozenset({"bot_message", "slackbot_response"})
#: Text subtypes of §2.6; any subtype not named anywhere is "other" (text if text and author).
TEXT_SUBTYPES = frozenset({"me_message", "thread_broadcast", "file_share"}) | BOT_SUBTYPES
SPECIAL_SUBTYPES = frozenset(
    {"pinned_item", "unpinned_item", "file_comment", "tombstone", "huddle_thread"}
)
TOMBSTONE_TEXT = "This message was deleted."
